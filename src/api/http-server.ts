import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type BlockList, isIPv4 } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { isBug, parseBoundedJson } from '../consensus/index.ts';
import {
  DEFAULT_MAX_BODY_BYTES,
  failRequest,
  HttpError,
  type RequestErrorHook,
  readBody,
  sendJson,
  sendRpcJson,
} from './http-io.ts';
import type { RpcDispatcher } from './jsonrpc.ts';
import { ConnectionGuard, type ConnectionLimits } from '../p2p/index.ts';
import { type ApiMetrics, methodLabel } from './metrics.ts';

export { HttpError, sendJson };

/** The names of a route pattern's `:name` segments (`/apps/:name/logs` → 'name'). */
export type ParamNames<P extends string> = P extends `${string}:${infer Name}/${infer Rest}`
  ? Name | ParamNames<`/${Rest}`>
  : P extends `${string}:${infer Name}`
    ? Name
    : never;

/** A handler sees exactly its pattern's parameters, each present (the route matched them). */
export type RestHandler<P extends string = string> = (req: {
  params: Readonly<Record<ParamNames<P>, string>>;
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
  /**
   * JSON-RPC on POST /. A node serves it from a server of its own (see node.ts: loopback by
   * default, as fluxd), never from the public one; without it POST / says where RPC lives.
   */
  rpc?: RpcDispatcher;
  /** user:password for JSON-RPC (Basic auth), as fluxd's rpcuser/rpcpassword; REST GETs are public. */
  rpcAuth?: { user: string; password: string };
  /** A wrong password is answered after this long (bitcoind's deterrent against guessing); default 250 ms. */
  failedAuthDelayMs?: number;
  /** Connection caps and the idle timeout; defaults in API_LIMITS. */
  limits?: Partial<ConnectionLimits>;
  /** Only clients whose address is in this list are served (403 otherwise); default everyone. */
  allowClients?: BlockList;
  maxBodyBytes?: number;
  /** Hears about requests that failed unexpectedly (they get a 500; the server carries on). */
  onError?: RequestErrorHook;
  /** Serves a file for paths no route claims (the dashboard); returns false if it has none. */
  staticHandler?: (req: IncomingMessage, res: ServerResponse) => boolean;
  /** Request metrics, and the registry GET /metrics serves; without it there is no /metrics. */
  metrics?: ApiMetrics | null;
}

/** Node answers 431 (Request Header Fields Too Large) past this: a cap well above any honest client's headers. */
const MAX_HEADER_BYTES = 16 * 1024;

/** A browser opens at most six connections per host; tools a few more. */
export const API_LIMITS: ConnectionLimits = { maxTotal: 1024, maxPerAddress: 32, idleMs: 60_000 };
/** A client must finish its headers, and its whole request, within these. */
const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;

/** One HTTP server per node: REST under named prefixes, JSON-RPC on POST /, static files otherwise. */
export class ApiServer {
  private readonly routes: Route[] = [];
  private readonly opts: ApiServerOptions;
  server: Server | undefined;
  guard: ConnectionGuard | undefined;

  constructor(opts: ApiServerOptions) {
    this.opts = opts;
  }

  get<P extends string>(path: P, handler: RestHandler<P>): void {
    this.routes.push({ method: 'GET', path, parts: splitPath(path), handler: handler as RestHandler });
  }

  post<P extends string>(path: P, handler: RestHandler<P>): void {
    this.routes.push({ method: 'POST', path, parts: splitPath(path), handler: handler as RestHandler });
  }

  async listen(): Promise<{ host: string; port: number }> {
    const server = createServer({ maxHeaderSize: MAX_HEADER_BYTES }, (req, res) => {
      this.handle(req, res).catch((err: unknown) => failRequest(req, res, err, this.opts.onError));
    });
    this.server = server;
    const limits = { ...API_LIMITS, ...this.opts.limits };
    // HTTP reads bypass the socket's data events: idleness is the server's own socket timeout.
    this.guard = new ConnectionGuard({ ...limits, idleMs: 0 });
    this.guard.attach(server);
    server.setTimeout(limits.idleMs);
    server.headersTimeout = HEADERS_TIMEOUT_MS;
    server.requestTimeout = REQUEST_TIMEOUT_MS;
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
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      return sendJson(res, 400, { error: 'the request target is not a valid URL path' });
    }
    const method = req.method ?? 'GET';
    if (this.opts.allowClients && !clientAllowed(req, this.opts.allowClients))
      return sendJson(res, 403, { error: 'this address may not use this server (see --rpc-allow-ip)' });
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
    let match: ReturnType<ApiServer['match']>;
    try {
      match = this.match(method, url.pathname);
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      sendJson(res, err.status, { error: err.message });
      return 'bad-path';
    }
    if (match) {
      await this.answerRoute(req, res, method, url, match);
      return match.route.path;
    }
    if (method === 'GET' && this.opts.staticHandler?.(req, res)) return 'static';
    sendJson(res, 404, { error: `no such endpoint: ${method} ${url.pathname.slice(0, 200)}` });
    return 'none';
  }

  private async answerRoute(
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    url: URL,
    match: { route: Route; params: Record<string, string> },
  ): Promise<void> {
    try {
      const body = method === 'POST' ? await this.jsonBody(req) : undefined;
      const out = await match.route.handler({ params: match.params, query: url.searchParams, body });
      return sendJson(res, 200, out);
    } catch (err) {
      if (err instanceof HttpError) return sendJson(res, err.status, { error: err.message });
      if (isBug(err)) throw err; // a 500, logged: not the client's fault
      return sendJson(res, 400, { error: err instanceof Error ? err.message : String(err) });
    }
  }

  private async jsonBody(req: IncomingMessage): Promise<unknown> {
    const text = await readBody(req, this.opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
    try {
      return text ? parseBoundedJson(text) : undefined;
    } catch (err) {
      throw new HttpError(400, `request body is not valid JSON: ${(err as Error).message}`);
    }
  }

  private async handleRpc(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rpc = this.opts.rpc;
    if (!rpc)
      return sendJson(res, 404, {
        error: 'JSON-RPC is not served on this port: use the node’s RPC port (default 16124, see --rpc-port)',
      });
    if (this.opts.rpcAuth && !authorized(req, this.opts.rpcAuth)) {
      // Every wrong guess costs the guesser this long; honest clients get it right the first time.
      await sleep(this.opts.failedAuthDelayMs ?? 250);
      // An empty 401, as fluxd: RPC clients read the status, not a body.
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="jsonrpc"', 'content-length': 0 });
      res.end();
      return;
    }
    let text: string;
    try {
      text = await readBody(req, this.opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
    } catch (err) {
      if (err instanceof HttpError) return sendJson(res, err.status, { error: err.message });
      throw err;
    }
    const out = await rpc.handleHttp(text);
    sendRpcJson(res, out.status, out.body);
  }

  private match(
    method: string,
    pathname: string,
  ): { route: Route; params: Record<string, string> } | undefined {
    const parts = splitPath(pathname);
    const route = this.routes.find(
      (r) =>
        r.method === method &&
        r.parts.length === parts.length &&
        r.parts.every((p, i) => p.startsWith(':') || p === parts[i]),
    );
    if (!route) return undefined;
    const params: Record<string, string> = {};
    route.parts.forEach((p, i) => {
      const value = parts[i];
      if (p.startsWith(':') && value !== undefined) params[p.slice(1)] = decodeParam(p.slice(1), value);
    });
    return { route, params };
  }
}

function decodeParam(name: string, raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new HttpError(400, `path parameter ${name} is not valid percent-encoding: ${raw.slice(0, 100)}`);
  }
}

function splitPath(path: string): string[] {
  return path.split('/').filter(Boolean);
}

function clientAllowed(req: IncomingMessage, allow: BlockList): boolean {
  const raw = req.socket.remoteAddress ?? '';
  // A dual-stack socket reports IPv4 clients as ::ffff:a.b.c.d: judge them as the IPv4 address.
  const mapped = raw.startsWith('::ffff:') && isIPv4(raw.slice(7));
  const address = mapped ? raw.slice(7) : raw;
  return allow.check(address, isIPv4(address) ? 'ipv4' : 'ipv6');
}

function authorized(req: IncomingMessage, auth: { user: string; password: string }): boolean {
  const header = req.headers.authorization ?? '';
  if (!header.startsWith('Basic ')) return false;
  const given = Buffer.from(header.slice(6), 'base64');
  const expected = Buffer.from(`${auth.user}:${auth.password}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
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
