// The ZIP-301 wire formats the stratum server speaks: a job notice's fields (little-endian hex, as
// serialized in the header), a share target (256-bit big-endian hex), and the header a
// mining.submit describes (NONCE_1 ‖ NONCE_2 is the 32-byte nonce; the solution keeps its length
// prefix).

import { type BlockHeader, fromHex, toHex } from '../consensus/index.ts';
import type { StratumJob } from './stratum-options.ts';

/** Bytes of the per-connection NONCE_1 the server hands out at subscribe. */
export const NONCE1_BYTES = 4;

/** A submit the server refuses before looking at the solution (stratum error code 20). */
export interface SubmitRefusal {
  ok: false;
  code: number;
  reason: string;
}

export function notifyParams(job: StratumJob, clean: boolean): unknown[] {
  const h = job.header;
  return [
    job.id,
    le32(h.version),
    toHex(h.prevHash),
    toHex(h.merkleRoot),
    toHex(h.finalSaplingRoot),
    le32(h.time),
    le32(h.bits),
    clean,
  ];
}

function le32(v: number): string {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v >>> 0, true);
  return toHex(b);
}

/** The header `jobHeader` becomes with a submit's time, NONCE_2 and solution, or why it cannot. */
export function submittedHeader(
  jobHeader: BlockHeader,
  nonce1: Uint8Array,
  f: { timeHex: string; nonce2Hex: string; solutionHex: string },
): BlockHeader | SubmitRefusal {
  try {
    const nonce2 = fromHex(f.nonce2Hex, 'nonce_2');
    if (nonce2.length + NONCE1_BYTES !== 32)
      return { ok: false, code: 20, reason: `nonce_2 must be ${32 - NONCE1_BYTES} bytes` };
    const timeBytes = fromHex(f.timeHex, 'time');
    if (timeBytes.length !== 4) return { ok: false, code: 20, reason: 'time must be 4 bytes (8 hex digits)' };
    const time = new DataView(timeBytes.buffer).getUint32(0, true);
    const withSize = fromHex(f.solutionHex, 'solution');
    return {
      ...jobHeader,
      time,
      nonce: Uint8Array.from([...nonce1, ...nonce2]),
      solution: stripCompactSize(withSize),
    };
  } catch (err) {
    return { ok: false, code: 20, reason: (err as Error).message };
  }
}

export function targetHex(target: bigint): string {
  return target.toString(16).padStart(64, '0');
}

/** The submitted solution carries its compact-size length prefix, as in the serialized header. */
function stripCompactSize(b: Uint8Array): Uint8Array {
  const first = b[0];
  if (first === undefined) throw new Error('solution is empty');
  const skip = first < 0xfd ? 1 : first === 0xfd ? 3 : 5;
  const len =
    first < 0xfd
      ? first
      : first === 0xfd
        ? (b[1] ?? 0) | ((b[2] ?? 0) << 8)
        : new DataView(b.buffer, b.byteOffset + 1, 4).getUint32(0, true);
  if (b.length !== skip + len)
    throw new Error(`solution length prefix says ${len} bytes, got ${b.length - skip}`);
  return b.slice(skip);
}
