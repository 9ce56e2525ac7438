// The request/response framing on the wire: a request is one length-prefixed message, answered by a
// 5-byte status header (status, item count) and that many length-prefixed items. Here: the frame
// constants and errors, the header codec, and the requesting side of one exchange.

import type { Connection } from '@libp2p/interface';
import { lpStream } from '@libp2p/utils';
import type { RequestHandler, RequestOptions } from './request.ts';

export const STATUS_OK = 0;
export const STATUS_ERROR = 1;
export const MAX_REPLY_BYTES = 64_000_000;
export const REPLY_DEADLINE_MS = 30_000;
/** lpStream's errors for a length prefix that is not a number or over the limit, or too much data sent. */
export const FRAMING_ERRORS = new Set([
  'InvalidMessageLengthError',
  'InvalidDataLengthError',
  'InvalidDataLengthLengthError',
  'StreamBufferError',
]);

/** A reply that does not follow the request/response framing. */
export class MalformedReply extends Error {}

export function encodeStatus(status: number, count: number): Uint8Array {
  const b = new Uint8Array(5);
  b[0] = status;
  new DataView(b.buffer).setUint32(1, count, true);
  return b;
}

export function decodeStatus(b: Uint8Array): { status: number; count: number } {
  if (b.length !== 5) throw new MalformedReply(`bad response header of ${b.length} bytes`);
  const view = new DataView(b.buffer, b.byteOffset, 5);
  return { status: view.getUint8(0), count: view.getUint32(1, true) };
}

/**
 * Sends one request to `peer` over `node`'s connection and reads the reply (see P2PHost.request):
 * a reply that breaks the framing costs the peer points through `penalize`.
 */
export async function sendRequest(
  node: { getConnections(): Connection[] },
  protocol: string,
  maxMessageBytes: number,
  penalize: (peer: string, points: number, reason: string) => void,
  peer: string,
  name: string,
  request: Uint8Array,
  opts: RequestOptions,
): Promise<Uint8Array[]> {
  const signal = AbortSignal.timeout(opts.timeoutMs ?? 15_000);
  const maxItems = opts.maxItems ?? 10_000;
  const maxBytes = opts.maxBytes ?? MAX_REPLY_BYTES;
  const conn = node.getConnections().find((c) => c.remotePeer.toString() === peer);
  if (!conn) throw new Error(`not connected to ${peer}`);
  const stream = await conn.newStream(protocol, { signal });
  // The reply may arrive faster than it is read: let the buffer hold all of an allowed reply.
  const lp = lpStream(stream, {
    maxDataLength: maxMessageBytes,
    maxBufferSize: maxBytes + maxMessageBytes,
  });
  try {
    await lp.write(request, { signal });
    const head = (await lp.read({ signal })).subarray();
    const { status, count } = decodeStatus(head);
    if (count > maxItems) throw new MalformedReply(`${count} items announced, at most ${maxItems} expected`);
    const items: Uint8Array[] = [];
    let bytes = 0;
    for (let i = 0; i < count; i++) {
      const item = (await lp.read({ signal })).subarray();
      bytes += item.length;
      if (bytes > maxBytes) throw new MalformedReply(`reply exceeds ${maxBytes} bytes`);
      items.push(item);
    }
    if (status !== STATUS_OK)
      throw new Error(`${peer} refused ${name}: ${new TextDecoder().decode(items[0] ?? new Uint8Array())}`);
    return items;
  } catch (err) {
    if (err instanceof MalformedReply || FRAMING_ERRORS.has((err as Error).name))
      penalize(peer, 25, `malformed ${name} reply: ${(err as Error).message}`);
    throw err;
  } finally {
    await stream
      .close({ signal: AbortSignal.timeout(2000) })
      .catch(() => stream.abort(new Error('close failed')));
  }
}

/** What answering a request needs from the host: its rate limiter, its counters and its scores. */
export interface AnswerContext {
  take(key: string): boolean;
  count(name: string, result: 'served' | 'refused'): void;
  penalize(peer: string, points: number, reason: string): void;
}

/** The frames that answer one request: a status and the items, or an error status and why. */
export async function answerRequest(
  ctx: AnswerContext,
  name: string,
  handler: RequestHandler,
  from: string,
  lp: ReturnType<typeof lpStream>,
): Promise<Uint8Array[]> {
  const refuse = (why: string) => [encodeStatus(STATUS_ERROR, 1), new TextEncoder().encode(why)];
  const request = (await lp.read({ signal: AbortSignal.timeout(10_000) })).subarray();
  if (!ctx.take(`${from}|${name}`)) {
    ctx.count(name, 'refused');
    ctx.penalize(from, 5, `rate limit on ${name}`);
    return refuse('rate limited');
  }
  try {
    const items = await handler(request, from);
    ctx.count(name, 'served');
    return [encodeStatus(STATUS_OK, items.length), ...items];
  } catch (err) {
    ctx.count(name, 'refused');
    ctx.penalize(from, 10, `bad ${name} request: ${(err as Error).message}`);
    return refuse((err as Error).message);
  }
}
