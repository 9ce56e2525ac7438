import { ByteReader, ByteWriter } from '../bytes.ts';
import { DecodeError } from '../errors.ts';
import { readHeader, writeHeader, headerHash } from './header.ts';
import { MIN_TX_BYTES, readTransaction, writeTransaction } from './transaction.ts';
import type { Block } from './types.ts';

/** A block is its header, a compact-size transaction count and the transactions in order. */
export function readBlock(r: ByteReader): Block {
  const header = readHeader(r);
  const n = r.count('block.txCount', MIN_TX_BYTES);
  const txs = [];
  for (let i = 0; i < n; i++) txs.push(readTransaction(r, { field: `block.txs[${i}]` }));
  return { header, txs };
}

export function writeBlock(w: ByteWriter, block: Block): void {
  writeHeader(w, block.header);
  w.compactSize(block.txs.length);
  for (const tx of block.txs) writeTransaction(w, tx);
}

export function encodeBlock(block: Block): Uint8Array {
  const w = new ByteWriter(2048);
  writeBlock(w, block);
  return w.finish();
}

/** Largest serialized block of every Flux network; bigger bytes are refused before decoding. */
export const MAX_BLOCK_BYTES = 2_000_000;

export function decodeBlock(bytes: Uint8Array, maxBytes = MAX_BLOCK_BYTES): Block {
  if (bytes.length > maxBytes)
    throw new DecodeError('block', 0, `${bytes.length} bytes, a block is at most ${maxBytes}`);
  const r = new ByteReader(bytes);
  const block = readBlock(r);
  r.end('block');
  return block;
}

/** The block's hash is its header's hash. */
export function blockHash(block: Block): Uint8Array {
  return headerHash(block.header);
}
