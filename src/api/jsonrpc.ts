import type { ApiMetrics } from './metrics.ts';
import { isBug, JsonDepthError, MAX_JSON_DEPTH, parseBoundedJson } from '../consensus/index.ts';
import { RPC, RpcError } from './rpc-errors.ts';

export type RpcHandler = (params: unknown[]) => unknown;

interface RpcRequest {
  jsonrpc?: string;
  id?: unknown;
  method?: unknown;
  params?: unknown;
}

interface RpcResponse {
  result: unknown;
  error: { code: number; message: string } | null;
  id: unknown;
}

/**
 * Dispatches Bitcoin-style JSON-RPC (1.0 and 2.0 envelopes, batches). Handlers take positional
 * params; an object of named params is refused with a clear error rather than guessed at.
 */
export interface RpcLimits {
  /** Requests in one batch (bitcoind has no cap; one POST should not queue unbounded work). */
  maxBatch?: number;
  /** Nesting of the body's JSON. */
  maxDepth?: number;
}

export class RpcDispatcher {
  private readonly methods = new Map<string, { handler: RpcHandler; help: string }>();
  readonly #metrics: ApiMetrics | null;
  readonly limits: Required<RpcLimits>;

  constructor(opts: { metrics?: ApiMetrics | null } & RpcLimits = {}) {
    this.#metrics = opts.metrics ?? null;
    this.limits = { maxBatch: opts.maxBatch ?? 1000, maxDepth: opts.maxDepth ?? MAX_JSON_DEPTH };
    this.register(
      'help',
      'help ( "method" ): every method with a line on what it does, or one method’s line.',
      (p) => {
        const name = param.string(p, 0, 'method', { optional: true, maxLength: 100 });
        if (name === undefined)
          return this.list()
            .map((m) => `${m.name.padEnd(30)} ${m.help}`)
            .join('\n');
        const m = this.methods.get(name);
        if (!m) throw new RpcError(RPC.METHOD_NOT_FOUND, `help: unknown method ${name}`);
        return m.help;
      },
    );
  }

  register(name: string, help: string, handler: RpcHandler): void {
    this.methods.set(name, { handler, help });
  }

  /** A registered method (to serve it under a second name). */
  get(name: string): { handler: RpcHandler; help: string } | undefined {
    return this.methods.get(name);
  }

  list(): { name: string; help: string }[] {
    return [...this.methods]
      .map(([name, m]) => ({ name, help: m.help }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Takes the raw body; returns the response body (never throws). */
  async handleBody(body: string): Promise<unknown> {
    let parsed: unknown;
    try {
      parsed = parseBoundedJson(body, this.limits.maxDepth);
    } catch (err) {
      if (err instanceof JsonDepthError)
        return errorResponse(null, RPC.INVALID_REQUEST, `Invalid Request: ${err.message}`);
      return errorResponse(null, RPC.PARSE_ERROR, `Parse error: ${(err as Error).message}`);
    }
    if (Array.isArray(parsed)) {
      if (parsed.length === 0)
        return errorResponse(null, RPC.INVALID_REQUEST, 'Invalid Request: empty batch');
      if (parsed.length > this.limits.maxBatch)
        return errorResponse(
          null,
          RPC.INVALID_REQUEST,
          `Invalid Request: a batch holds at most ${this.limits.maxBatch} requests, got ${parsed.length}`,
        );
      return Promise.all(parsed.map((r) => this.handleOne(r)));
    }
    return this.handleOne(parsed);
  }

  /**
   * The body and HTTP status as bitcoind-family servers send them: a single request that failed
   * gets 404 (unknown method), 400 (invalid request) or 500 (anything else); a batch, or a
   * success, gets 200.
   */
  async handleHttp(body: string): Promise<{ status: number; body: unknown }> {
    const out = await this.handleBody(body);
    if (Array.isArray(out)) return { status: 200, body: out };
    return { status: httpStatusOf(out as RpcResponse), body: out };
  }

  async handleOne(raw: unknown): Promise<RpcResponse> {
    const m = this.#metrics;
    if (!m) return this.#dispatch(raw);
    const name = (raw as RpcRequest | null)?.method;
    // Only registered names become label values: a client may send any string.
    const method = typeof name === 'string' && this.methods.has(name) ? name : 'unknown';
    const stop = m.rpcSeconds.startTimer({ method });
    const out = await this.#dispatch(raw);
    stop();
    m.rpcRequests.inc({ method, status: out.error ? String(out.error.code) : 'ok' });
    return out;
  }

  async #dispatch(raw: unknown): Promise<RpcResponse> {
    if (typeof raw !== 'object' || raw === null) {
      return errorResponse(null, RPC.INVALID_REQUEST, 'Invalid Request: expected a JSON object');
    }
    const req = raw as RpcRequest;
    const id = req.id ?? null;
    if (typeof req.method !== 'string')
      return errorResponse(id, RPC.INVALID_REQUEST, 'Invalid Request: method must be a string');
    const entry = this.methods.get(req.method);
    if (!entry)
      return errorResponse(id, RPC.METHOD_NOT_FOUND, `Method not found: ${req.method.slice(0, 100)}`);
    const params = req.params ?? [];
    if (!Array.isArray(params)) {
      return errorResponse(
        id,
        RPC.INVALID_PARAMS,
        'Invalid params: positional parameters (an array) are expected',
      );
    }
    try {
      const result = await entry.handler(params);
      return { result: result ?? null, error: null, id };
    } catch (err) {
      if (err instanceof RpcError) return errorResponse(id, err.code, err.message);
      // A bug, not a verdict on the request: told apart by its code (and a fuzzing finding).
      if (isBug(err))
        return errorResponse(id, RPC.INTERNAL_ERROR, `internal error: ${(err as Error).message}`);
      return errorResponse(id, RPC.MISC_ERROR, err instanceof Error ? err.message : String(err));
    }
  }
}

function httpStatusOf(r: RpcResponse): number {
  if (!r.error) return 200;
  if (r.error.code === RPC.METHOD_NOT_FOUND) return 404;
  if (r.error.code === RPC.INVALID_REQUEST) return 400;
  return 500;
}

function errorResponse(id: unknown, code: number, message: string): RpcResponse {
  return { result: null, error: { code, message }, id };
}

/** Param readers that name the parameter at fault. */
export const param = {
  /** A string of at most `maxLength` characters (default 1,000: no parameter of ours is longer but hex). */
  string(
    params: unknown[],
    i: number,
    name: string,
    opts: { optional?: boolean; maxLength?: number } = {},
  ): string | undefined {
    const v = params[i];
    if (v === undefined || v === null) {
      if (opts.optional) return undefined;
      throw new RpcError(RPC.INVALID_PARAMS, `missing parameter ${i + 1} (${name})`);
    }
    if (typeof v !== 'string')
      throw new RpcError(RPC.TYPE_ERROR, `parameter ${name} must be a string, got ${typeof v}`);
    const max = opts.maxLength ?? 1000;
    if (v.length > max)
      throw new RpcError(
        RPC.INVALID_PARAMETER,
        `parameter ${name} is ${v.length} characters, at most ${max} allowed`,
      );
    return v;
  },
  int(
    params: unknown[],
    i: number,
    name: string,
    opts: { optional?: boolean; min?: number; max?: number } = {},
  ): number | undefined {
    const v = params[i];
    if (v === undefined || v === null) {
      if (opts.optional) return undefined;
      throw new RpcError(RPC.INVALID_PARAMS, `missing parameter ${i + 1} (${name})`);
    }
    if (typeof v !== 'number' || !Number.isInteger(v))
      throw new RpcError(RPC.TYPE_ERROR, `parameter ${name} must be an integer, got ${JSON.stringify(v)}`);
    if ((opts.min !== undefined && v < opts.min) || (opts.max !== undefined && v > opts.max)) {
      throw new RpcError(RPC.INVALID_PARAMETER, `parameter ${name} out of range: ${v}`);
    }
    return v;
  },
  bool(params: unknown[], i: number, name: string, fallback: boolean): boolean {
    const v = params[i];
    if (v === undefined || v === null) return fallback;
    if (typeof v === 'boolean') return v;
    if (typeof v === 'number' && (v === 0 || v === 1)) return v === 1;
    throw new RpcError(RPC.TYPE_ERROR, `parameter ${name} must be a boolean, got ${JSON.stringify(v)}`);
  },
};
