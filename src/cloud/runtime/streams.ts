// Decoding the Docker engine's streamed answers: newline-delimited JSON (events, pull/push/build
// progress) and the 8-byte-header frames it multiplexes stdout and stderr into when a container has
// no TTY.

import { RuntimeError } from './errors.ts';
import type { LogLine } from './types.ts';

/** Parses a byte stream of JSON documents separated by newlines, tolerating chunk boundaries anywhere. */
export async function* jsonLines(stream: AsyncIterable<Uint8Array | string>): AsyncGenerator<unknown> {
  const decoder = new TextDecoder();
  let pending = '';
  for await (const chunk of stream) {
    pending += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    let nl = pending.indexOf('\n');
    while (nl >= 0) {
      const line = pending.slice(0, nl).trim();
      pending = pending.slice(nl + 1);
      if (line) yield JSON.parse(line);
      nl = pending.indexOf('\n');
    }
  }
  pending += decoder.decode();
  if (pending.trim()) yield JSON.parse(pending);
}

export interface ProgressMessage {
  status?: string;
  stream?: string;
  error?: string;
  errorDetail?: { message?: string };
  aux?: Record<string, unknown>;
}

/**
 * Reads a pull, push or build progress stream to its end. The engine answers such requests with
 * HTTP 200 and reports failure inside the stream, so an `error` message here becomes a RuntimeError.
 */
export async function drainProgress(
  stream: AsyncIterable<Uint8Array | string>,
  operation: string,
  target: string,
): Promise<ProgressMessage[]> {
  const messages: ProgressMessage[] = [];
  for await (const doc of jsonLines(stream)) {
    const msg = doc as ProgressMessage;
    messages.push(msg);
    const failure = msg.errorDetail?.message ?? msg.error;
    if (failure) throw new RuntimeError(operation, target, failure);
  }
  return messages;
}

export interface LogChunk {
  stream: 'stdout' | 'stderr';
  text: string;
}

/**
 * Splits multiplexed container output: each frame is [stream(1) 0 0 0 length(4, big-endian)] then
 * `length` bytes. A buffer that does not start with a valid header is raw TTY output.
 */
export function demuxLogs(data: Uint8Array): LogChunk[] {
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const chunks: LogChunk[] = [];
  const decoder = { stdout: new TextDecoder(), stderr: new TextDecoder() };
  let at = 0;
  while (at < bytes.length) {
    const kind = bytes[at];
    const framed = at + 8 <= bytes.length && (kind === 1 || kind === 2) && bytes.readUIntBE(at + 1, 3) === 0;
    if (!framed) {
      if (at === 0) return [{ stream: 'stdout', text: new TextDecoder().decode(bytes) }];
      throw new RuntimeError('logs', 'stream', `malformed frame header at byte ${at}`);
    }
    const length = bytes.readUInt32BE(at + 4);
    const end = at + 8 + length;
    if (end > bytes.length) throw new RuntimeError('logs', 'stream', `frame at byte ${at} runs past the end`);
    const stream = kind === 1 ? 'stdout' : 'stderr';
    chunks.push({ stream, text: decoder[stream].decode(bytes.subarray(at + 8, end), { stream: true }) });
    at = end;
  }
  return chunks;
}

/**
 * Log chunks read with `timestamps: true` as lines: the engine starts each line with its RFC 3339
 * time (nanoseconds), cut here to ms since the epoch. A line without one keeps time 0.
 */
export function stampedLines(chunks: readonly LogChunk[]): LogLine[] {
  const out: LogLine[] = [];
  for (const c of chunks) {
    for (const line of c.text.split('\n')) {
      if (line === '') continue;
      const space = line.indexOf(' ');
      const time = space > 0 ? Date.parse(line.slice(0, space)) : Number.NaN;
      if (Number.isNaN(time)) out.push({ time: 0, stream: c.stream, text: line });
      else out.push({ time, stream: c.stream, text: line.slice(space + 1) });
    }
  }
  return out;
}
