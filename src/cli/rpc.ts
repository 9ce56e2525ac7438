/**
 * How the CLI talks to a running node: JSON-RPC (POST / with HTTP Basic auth, on the node's private
 * RPC port) and the public REST routes (on its API port). Credentials come from --rpc-user with
 * --rpc-password-file (or FLUXNODE_RPC_USER/FLUXNODE_RPC_PASSWORD, or --rpc-password with a
 * warning), or from the cookie the node writes to <datadir>/.cookie when it runs without them. Every failure becomes a CliError that
 * says what to do about it: exit 2 when the user's input was at fault, 1 otherwise.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import { DEFAULT_API_PORT, DEFAULT_RPC_PORT } from '../consensus/index.ts';
import { CliError } from './output.ts';
import { readSecret } from './secrets.ts';

/** JSON-RPC: private, on this machine by default. */
export const DEFAULT_RPC_URL = `http://127.0.0.1:${DEFAULT_RPC_PORT}`;
/** The public REST API. */
export const DEFAULT_API_URL = `http://127.0.0.1:${DEFAULT_API_PORT}`;

/** How long one request may take before the node counts as not answering. */
const DEFAULT_TIMEOUT_MS = 60_000;

export interface RpcAuth {
  user: string;
  password: string;
}

/** The flags `withConnectionOptions` adds, as commander hands them to an action. */
export interface ConnectionFlags {
  rpcUrl?: string;
  rpcUser?: string;
  rpcPassword?: string;
  rpcPasswordFile?: string;
  datadir?: string;
}

/** JSON-RPC error codes that mean the request itself was wrong (a bad address, amount, name…). */
const BAD_INPUT_CODES = new Set([-3, -5, -8, -32602]);

/** The node answered a JSON-RPC call with an error; `code` is the node's (Bitcoin-style) error code. */
export class NodeRpcError extends CliError {
  readonly code: number;
  readonly method: string;
  readonly detail: string;

  constructor(method: string, code: number, detail: string) {
    super(`${method} failed: ${detail}`, BAD_INPUT_CODES.has(code) ? 2 : 1);
    this.name = 'NodeRpcError';
    this.method = method;
    this.code = code;
    this.detail = detail;
  }
}

/** Adds --rpc-url, --rpc-user, --rpc-password and --datadir to a command that talks to a node. */
export function withConnectionOptions(cmd: Command): Command {
  return cmd
    .option('--rpc-url <url>', 'the node’s JSON-RPC server', DEFAULT_RPC_URL)
    .option('--rpc-user <user>', 'JSON-RPC user (as given to fluxnode start), or FLUXNODE_RPC_USER')
    .option('--rpc-password-file <file>', 'JSON-RPC password from this file (or FLUXNODE_RPC_PASSWORD)')
    .option('--rpc-password <password>', 'JSON-RPC password (visible in ps: prefer the file or variable)')
    .option('--datadir <dir>', 'the node’s data folder, to read its RPC cookie (<dir>/.cookie)');
}

/** The `user:password` a node without configured credentials wrote to <dataDir>/.cookie. */
export function readCookie(dataDir: string): RpcAuth {
  const file = join(dataDir, '.cookie');
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file (has a node run with this --datadir and without --rpc-user?)'
        : (err as Error).message;
    throw new CliError(`cannot read the RPC cookie ${file}: ${why}`, 1);
  }
  const colon = text.indexOf(':');
  if (colon <= 0 || colon === text.length - 1)
    throw new CliError(`${file} is not an RPC cookie (expected "user:password")`, 1);
  return { user: text.slice(0, colon), password: text.slice(colon + 1) };
}

/** Credentials from the flags: a user and password, or the cookie in --datadir, or none. */
export function credentialsFrom(flags: ConnectionFlags): RpcAuth | undefined {
  const rpcUser = flags.rpcUser ?? (process.env.FLUXNODE_RPC_USER || undefined);
  const rpcPassword = readSecret({
    what: 'RPC password',
    flag: ['--rpc-password', flags.rpcPassword],
    file: ['--rpc-password-file', flags.rpcPasswordFile],
    env: 'FLUXNODE_RPC_PASSWORD',
  });
  if ((rpcUser === undefined) !== (rpcPassword === undefined))
    throw new CliError('--rpc-user and --rpc-password go together: give both or neither');
  if (rpcUser !== undefined && rpcPassword !== undefined) return { user: rpcUser, password: rpcPassword };
  if (flags.datadir !== undefined) return readCookie(flags.datadir);
  return undefined;
}

function parseBaseUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new CliError(`--rpc-url must be a URL such as ${DEFAULT_RPC_URL}, got "${text}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new CliError(`--rpc-url must be an http:// or https:// URL, got "${text}"`);
  return url;
}

/** A client for one node's API. */
export class NodeClient {
  readonly url: string;
  private readonly base: URL;
  private readonly auth: RpcAuth | undefined;
  private readonly timeoutMs: number;
  private nextId = 1;

  constructor(opts: { url: string; auth?: RpcAuth; timeoutMs?: number }) {
    this.base = parseBaseUrl(opts.url);
    this.url = this.base.origin;
    this.auth = opts.auth;
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /** Calls a JSON-RPC method; throws NodeRpcError when the node answers with an error. */
  async call<T = unknown>(method: string, params: unknown[] = []): Promise<T> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.auth)
      headers.authorization = `Basic ${Buffer.from(`${this.auth.user}:${this.auth.password}`).toString('base64')}`;
    const body = JSON.stringify({ jsonrpc: '1.0', id: this.nextId++, method, params });
    const res = await this.send(new URL('/', this.base), { method: 'POST', headers, body });
    if (res.status === 401) {
      throw new CliError(
        this.auth
          ? `the node at ${this.url} refused the RPC credentials (wrong --rpc-user/--rpc-password, or a cookie from an earlier run?)`
          : `the node at ${this.url} wants RPC credentials: pass --rpc-user and --rpc-password, or --datadir DIR to use its cookie`,
        1,
      );
    }
    const reply = await this.json(res, `${method}`);
    // Errors come with 500/404/400 as in fluxd, still carrying the JSON-RPC error object.
    if (typeof reply !== 'object' || reply === null || !('result' in reply)) {
      throw new CliError(
        `${method}: the node at ${this.url} answered HTTP ${res.status} without a result`,
        1,
      );
    }
    const r = reply as { result: unknown; error: { code: number; message: string } | null };
    if (r.error) throw new NodeRpcError(method, r.error.code, r.error.message);
    return r.result as T;
  }

  /** GET a public REST route. */
  get<T = unknown>(path: string): Promise<T> {
    return this.rest<T>('GET', path);
  }

  /** POST a JSON body to a REST route. */
  post<T = unknown>(path: string, body: unknown): Promise<T> {
    return this.rest<T>('POST', path, body);
  }

  private async rest<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const init: RequestInit = { method };
    if (body !== undefined) {
      init.headers = { 'content-type': 'application/json' };
      init.body = JSON.stringify(body);
    }
    const res = await this.send(new URL(path, this.base), init);
    const reply = await this.json(res, `${method} ${path}`);
    if (!res.ok) {
      const message =
        typeof reply === 'object' && reply !== null && 'error' in reply
          ? String((reply as { error: unknown }).error)
          : `HTTP ${res.status}`;
      // 400 and 404 mean the request named something wrong; the rest are the node's trouble.
      throw new CliError(`${method} ${path}: ${message}`, res.status === 400 || res.status === 404 ? 2 : 1);
    }
    return reply as T;
  }

  private async send(url: URL, init: RequestInit): Promise<Response> {
    try {
      return await fetch(url, { ...init, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (err) {
      const e = err as Error & { cause?: { code?: string; message?: string } };
      if (e.name === 'TimeoutError')
        throw new CliError(`the node at ${this.url} did not answer within ${this.timeoutMs / 1000} s`, 1);
      // fetch wraps the socket error (ECONNREFUSED, …) or its own refusal (a "bad port") in `cause`.
      const code = e.cause?.code ?? e.cause?.message ?? e.message;
      throw new CliError(
        `no node answers at ${this.url} (${code}): is \`fluxnode start\` running there? (see --rpc-url)`,
        1,
      );
    }
  }

  private async json(res: Response, what: string): Promise<unknown> {
    const text = await res.text();
    try {
      return JSON.parse(text);
    } catch {
      throw new CliError(
        `${what}: ${this.url} answered HTTP ${res.status} with something other than JSON`,
        1,
      );
    }
  }
}

/** A client from the connection flags (credentials read once, here). */
export function connect(flags: ConnectionFlags): NodeClient {
  return new NodeClient({ url: flags.rpcUrl ?? DEFAULT_RPC_URL, auth: credentialsFrom(flags) });
}

/**
 * Polls `check` every `intervalMs` until it returns a value other than undefined. `timeoutMs` of 0
 * waits forever; otherwise a CliError (exit 1) names what was being waited for.
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  opts: { intervalMs?: number; timeoutMs?: number } = {},
): Promise<T> {
  const interval = opts.intervalMs ?? 1000;
  const deadline = opts.timeoutMs ? Date.now() + opts.timeoutMs : Number.POSITIVE_INFINITY;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() + interval > deadline)
      throw new CliError(
        `gave up after ${Math.round((opts.timeoutMs ?? 0) / 1000)} s waiting for ${what}`,
        1,
      );
    await sleep(interval);
  }
}

/** A FLUX amount from the node (a JSON number) for people: thousands separated, up to 8 decimals. */
export function showFlux(amount: number): string {
  return amount.toLocaleString('en-US', { maximumFractionDigits: 8 });
}
