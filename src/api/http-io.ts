/**
 * The bytes in and out of one HTTP exchange, shared by the public API and the RPC server: a body
 * read with a size cap, a JSON answer, and the last resort for a request that failed in a way no
 * handler foresaw (it gets a 500 or a closed socket, never the process).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { jsonReplacer } from './json.ts';

/** Typed REST error: status and message are sent as JSON `{ error }`. */
export class HttpError extends Error {
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
  }
}

/** A request body over the server's limit (declared or actually sent): answered 413. */
export class BodyTooLargeError extends HttpError {
  readonly field = 'body';
  readonly limit: number;
  readonly value: number;

  constructor(limit: number, size: number) {
    super(413, `request body over ${limit} bytes (got at least ${size})`);
    this.name = 'BodyTooLargeError';
    this.limit = limit;
    this.value = size;
  }
}

export const DEFAULT_MAX_BODY_BYTES = 4_000_000;

/**
 * Reads the body, refusing more than `max` bytes. A declared Content-Length over the limit is
 * refused before a byte is read. The rest of a refused body is left to Node, which discards it
 * after the 413 is sent: the client reads the answer instead of a reset connection.
 */
export function readBody(req: IncomingMessage, max = DEFAULT_MAX_BODY_BYTES): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > max) return Promise.reject(new BodyTooLargeError(max, declared));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer) => {
      size += c.length;
      if (size <= max) return void chunks.push(c);
      req.off('data', onData);
      req.resume();
      reject(new BodyTooLargeError(max, size));
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body, jsonReplacer);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/**
 * A JSON-RPC reply as fluxd writes it: `Content-Type: application/json` without a charset (some
 * clients compare the header exactly) and a closing newline.
 */
export function sendRpcJson(res: ServerResponse, status: number, body: unknown): void {
  const text = `${JSON.stringify(body, jsonReplacer)}\n`;
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** What a server tells its owner about a request that failed unexpectedly. */
export type RequestErrorHook = (
  err: unknown,
  context: { method: string; url: string; remote: string },
) => void;

/** Answers a request whose handler threw something unforeseen: 500 if nothing was sent yet, else hang up. */
export function failRequest(
  req: IncomingMessage,
  res: ServerResponse,
  err: unknown,
  onError?: RequestErrorHook,
): void {
  onError?.(err, {
    method: req.method ?? '?',
    url: (req.url ?? '').slice(0, 200),
    remote: req.socket.remoteAddress ?? '?',
  });
  if (res.headersSent) {
    res.destroy();
    return;
  }
  try {
    sendJson(res, 500, { error: 'internal error' });
  } catch {
    res.destroy();
  }
}
