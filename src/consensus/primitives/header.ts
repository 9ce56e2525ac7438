import { ByteReader, ByteWriter } from '../bytes.ts';
import { sha256d } from '../hash.ts';
import { writeFixed } from './encode-guard.ts';
import type { BlockHeader } from './types.ts';

/**
 * Zcash-family header: version (i32), prev block hash, merkle root, final Sapling root (reserved
 * zeros before Acadia), time (u32), bits (u32), 32-byte nonce, then the Equihash solution as
 * compact-size-prefixed bytes. All hashes in internal byte order.
 */

/** version + prevHash + merkleRoot + finalSaplingRoot + time + bits. */
export const HEADER_PREFIX_SIZE = 108;
/** The Equihash input: the 108-byte prefix followed by the 32-byte nonce. */
export const POW_INPUT_SIZE = 140;

export function readHeader(r: ByteReader): BlockHeader {
  const version = r.i32('header.version');
  const prevHash = r.bytesN(32, 'header.prevHash');
  const merkleRoot = r.bytesN(32, 'header.merkleRoot');
  const finalSaplingRoot = r.bytesN(32, 'header.finalSaplingRoot');
  const time = r.u32('header.time');
  const bits = r.u32('header.bits');
  const nonce = r.bytesN(32, 'header.nonce');
  const solution = r.varBytes('header.solution');
  return { version, prevHash, merkleRoot, finalSaplingRoot, time, bits, nonce, solution };
}

function writePrefix(w: ByteWriter, h: BlockHeader): void {
  w.i32(h.version);
  writeFixed(w, h.prevHash, 32, 'header.prevHash');
  writeFixed(w, h.merkleRoot, 32, 'header.merkleRoot');
  writeFixed(w, h.finalSaplingRoot, 32, 'header.finalSaplingRoot');
  w.u32(h.time);
  w.u32(h.bits);
}

export function writeHeader(w: ByteWriter, h: BlockHeader): void {
  writePrefix(w, h);
  writeFixed(w, h.nonce, 32, 'header.nonce');
  w.varBytes(h.solution);
}

export function encodeHeader(h: BlockHeader): Uint8Array {
  const w = new ByteWriter(POW_INPUT_SIZE + 3 + h.solution.length);
  writeHeader(w, h);
  return w.finish();
}

export function decodeHeader(bytes: Uint8Array): BlockHeader {
  const r = new ByteReader(bytes);
  const h = readHeader(r);
  r.end('header');
  return h;
}

/** Block hash: double SHA-256 of the whole header, solution included (internal byte order). */
export function headerHash(h: BlockHeader): Uint8Array {
  return sha256d(encodeHeader(h));
}

/** The bytes Equihash is solved over: the header prefix and the nonce, without the solution. */
export function powInput(h: BlockHeader): Uint8Array {
  const w = new ByteWriter(POW_INPUT_SIZE);
  writePrefix(w, h);
  writeFixed(w, h.nonce, 32, 'header.nonce');
  return w.finish();
}
