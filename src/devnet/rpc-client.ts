// A small JSON-RPC client for the node's API port (Bitcoin-style envelope, HTTP Basic auth).

export class RpcCallError extends Error {
  readonly url: string;
  readonly method: string;
  /** The node's error code; undefined when the call never got an answer (connection, timeout, HTTP). */
  readonly code: number | undefined;
  constructor(url: string, method: string, code: number | undefined, message: string) {
    super(`${method} at ${url}: ${message}`);
    this.name = 'RpcCallError';
    this.url = url;
    this.method = method;
    this.code = code;
  }

  /** True when the node answered with an error (as opposed to not answering). */
  get answered(): boolean {
    return this.code !== undefined;
  }
}

export interface RpcAuth {
  user: string;
  password: string;
}

export class NodeRpc {
  readonly url: string;
  private readonly authHeader: string;
  private readonly timeoutMs: number;
  private nextId = 1;

  constructor(url: string, auth: RpcAuth, timeoutMs = 30_000) {
    this.url = url;
    this.authHeader = `Basic ${Buffer.from(`${auth.user}:${auth.password}`).toString('base64')}`;
    this.timeoutMs = timeoutMs;
  }

  async call<T = unknown>(method: string, params: unknown[] = [], timeoutMs = this.timeoutMs): Promise<T> {
    const id = this.nextId++;
    let res: Response;
    try {
      res = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: this.authHeader },
        body: JSON.stringify({ jsonrpc: '1.0', id, method, params }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code;
      throw new RpcCallError(this.url, method, undefined, cause ?? (err as Error).message);
    }
    const text = await res.text();
    let body: { result?: unknown; error?: { code: number; message: string } | null };
    try {
      body = JSON.parse(text);
    } catch {
      throw new RpcCallError(this.url, method, undefined, `HTTP ${res.status}: ${text.slice(0, 200)}`);
    }
    if (body.error) throw new RpcCallError(this.url, method, body.error.code, body.error.message);
    if (!res.ok) throw new RpcCallError(this.url, method, undefined, `HTTP ${res.status}`);
    return body.result as T;
  }
}
