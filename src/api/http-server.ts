import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { jsonReplacer } from '../cli/output.ts';
import type { RpcDispatcher } from './jsonrpc.ts';
import { type ApiMetrics, methodLabel } from './metrics.ts';

/** Typed REST error: status and message are sent as JSON `{ error }`. */
export class HttpError extends Error {
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
  }
}

export type RestHandler = (req: {
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
}) => unknown;

interface Route {
  method: string;
  /** The pattern as registered (`/chain/block/:ref`): the metrics label. */
  path: string;
  parts: string[];
  handler: RestHandler;
}

export interface ApiServerOptions {
  host: string;
  port: number;
  rpc: RpcDispatcher;
  /** user:password for JSON-RPC (Basic auth), as fluxd's rpcuser/rpcpassword; REST GETs are public. */
  rpcAuth?: { user: string; password: string };
  maxBodyBytes?: number;
  /** Serves a file for paths no route claims (the dashboard); returns false if it has none. */
  staticHandler?: (req: IncomingMessage, res: ServerResponse) => boolean;
  /** Request metrics, and the registry GET /metrics serves; without it there is no /metrics. */
  metrics?: ApiMetrics | null;
}

/** One HTTP server per node: REST under named prefixes, JSON-RPC on POST /, static files otherwise. */
export class ApiServer {
  private readonly routes: Route[] = [];
  private readonly opts: ApiServerOptions;
  server: Server | undefined;

  constructor(opts: ApiServerOptions) {
    this.opts = opts;
  }

  get(path: string, handler: RestHandler): void {
    this.routes.push({ method: 'GET', path, parts: splitPath(path), handler });
  }

  post(path: string, handler: RestHandler): void {
    this.routes.push({ method: 'POST', path, parts: splitPath(path), handler });
  }

  async listen(): Promise<{ host: string; port: number }> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((err) => sendJson(res, 500, { error: String(err) }));
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port, this.opts.host, () => resolve());
    });
    const addr = server.address();
    const port = typeof addr === 'object' && addr ? addr.port : this.opts.port;
    return { host: this.opts.host, port };
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    if (method === 'POST' && url.pathname === '/') return this.handleRpc(req, res);
    const m = this.opts.metrics;
    if (!m) {
      await this.handleRest(req, res, url, method);
      return;
    }
    const started = performance.now();
    const route = await this.handleRest(req, res, url, method);
    const labels = { method: methodLabel(method), route };
    m.restSeconds.observe(labels, (performance.now() - started) / 1000);
    m.restRequests.inc({ ...labels, status: String(res.statusCode) });
  }

  /** Answers a request that is not JSON-RPC; returns the route that took it (a metrics label). */
  private async handleRest(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    method: string,
  ): Promise<string> {
    if (method === 'GET' && url.pathname === '/metrics' && this.opts.metrics) {
      await sendMetrics(res, this.opts.metrics);
      return '/metrics';
    }
    const match = this.match(method, url.pathname);
    if (match) {
      await this.answerRoute(req, res, method, url, match);
      return match.route.path;
    }
    if (method === 'GET' && this.opts.staticHandler?.(req, res)) return 'static';
    sendJson(res, 404, { error: `no such endpoint: ${method} ${url.pathname}` });
    return 'none';
  }

  private async answerRoute(
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    url: URL,
    match: { route: Route; params: Record<string, string> },
  ): Promise<void> {
    let body: unknown;
    if (method === 'POST') {
      const text = await readBody(req, this.opts.maxBodyBytes ?? 4_000_000);
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        return sendJson(res, 400, { error: 'request body is not valid JSON' });
      }
    }
    try {
      const out = await match.route.handler({ params: match.params, query: url.searchParams, body });
      return sendJson(res, 200, out);
    } catch (err) {
      if (err instanceof HttpError) return sendJson(res, err.status, { error: err.message });
      return sendJson(res, 400, { error: err instanceof Error ? err.message : String(err) });
    }
  }

  private async handleRpc(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.opts.rpcAuth && !authorized(req, this.opts.rpcAuth)) {
      res.setHeader('WWW-Authenticate', 'Basic realm="jsonrpc"');
      return sendJson(res, 401, {
        error: 'JSON-RPC needs the node’s rpc user and password (HTTP Basic auth)',
      });
    }
    let text: string;
    try {
      text = await readBody(req, this.opts.maxBodyBytes ?? 4_000_000);
    } catch (err) {
      return sendJson(res, 413, { error: (err as Error).message });
    }
    const out = await this.opts.rpc.handleBody(text);
    sendJson(res, 200, out);
  }

  private match(
    method: string,
    pathname: string,
  ): { route: Route; params: Record<string, string> } | undefined {
    const parts = splitPath(pathname);
    for (const route of this.routes) {
      if (route.method !== method || route.parts.length !== parts.length) continue;
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < parts.length && ok; i++) {
        const p = route.parts[i];
        if (p.startsWith(':')) params[p.slice(1)] = decodeURIComponent(parts[i]);
        else ok = p === parts[i];
      }
      if (ok) return { route, params };
    }
    return undefined;
  }
}

function splitPath(path: string): string[] {
  return path.split('/').filter(Boolean);
}

function authorized(req: IncomingMessage, auth: { user: string; password: string }): boolean {
  const header = req.headers.authorization ?? '';
  if (!header.startsWith('Basic ')) return false;
  const given = Buffer.from(header.slice(6), 'base64');
  const expected = Buffer.from(`${auth.user}:${auth.password}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function readBody(req: IncomingMessage, max: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        reject(new Error(`request body over ${max} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** The Prometheus text exposition of every metric on the node's registry. */
async function sendMetrics(res: ServerResponse, metrics: ApiMetrics): Promise<void> {
  const text = await metrics.registry.metrics();
  res.writeHead(200, {
    'content-type': metrics.registry.contentType,
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body, jsonReplacer);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
