import { type ByteReader, type ByteWriter, fromReverseHex, reverseHex } from '../bytes.ts';
import { ConsensusError } from '../errors.ts';
import { writeFixed } from './encode-guard.ts';
import type { OutPoint } from './types.ts';

/** The index a null outpoint (coinbase input) carries: 0xffffffff with an all-zero txid. */
export const NULL_OUTPOINT_INDEX = 0xffffffff;

export function nullOutPoint(): OutPoint {
  return { txid: new Uint8Array(32), index: NULL_OUTPOINT_INDEX };
}

export function isNullOutPoint(o: OutPoint): boolean {
  if (o.index !== NULL_OUTPOINT_INDEX) return false;
  for (let i = 0; i < o.txid.length; i++) if (o.txid[i] !== 0) return false;
  return true;
}

export function readOutPoint(r: ByteReader, field: string): OutPoint {
  const txid = r.bytesN(32, `${field}.txid`);
  const index = r.u32(`${field}.index`);
  return { txid, index };
}

export function writeOutPoint(w: ByteWriter, o: OutPoint, field = 'outpoint'): void {
  writeFixed(w, o.txid, 32, `${field}.txid`);
  w.u32(o.index);
}

/** Map/set key for an outpoint: "txid:index" with the txid in display (byte-reversed) hex. */
export function outpointKey(o: OutPoint): string {
  return `${reverseHex(o.txid)}:${o.index}`;
}

/** Inverse of `outpointKey`; refuses anything that is not 64 hex digits, a colon and a u32. */
export function parseOutpointKey(key: string): OutPoint {
  const m = /^([0-9a-fA-F]{64}):(\d{1,10})$/.exec(key);
  const [, txid, indexText] = m ?? [];
  const index = Number(indexText);
  if (txid === undefined || index > NULL_OUTPOINT_INDEX) {
    throw new ConsensusError('bad-outpoint', `not an outpoint key: ${JSON.stringify(key)}`, {
      field: 'outpoint',
      value: key,
    });
  }
  return { txid: fromReverseHex(txid, 'outpoint.txid'), index };
}

export function equalOutPoints(a: OutPoint, b: OutPoint): boolean {
  if (a.index !== b.index || a.txid.length !== b.txid.length) return false;
  for (let i = 0; i < a.txid.length; i++) if (a.txid[i] !== b.txid[i]) return false;
  return true;
}
