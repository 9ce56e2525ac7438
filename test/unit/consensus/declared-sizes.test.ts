import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ByteWriter } from '../../../src/consensus/bytes.ts';
import { DecodeError } from '../../../src/consensus/errors.ts';
import { decodeBlock } from '../../../src/consensus/primitives/block.ts';
import { writeHeader } from '../../../src/consensus/primitives/header.ts';
import { decodeTransaction } from '../../../src/consensus/primitives/transaction.ts';

const header = {
  version: 4,
  prevHash: new Uint8Array(32),
  merkleRoot: new Uint8Array(32),
  finalSaplingRoot: new Uint8Array(32),
  time: 0,
  bits: 0,
  nonce: new Uint8Array(32),
  solution: new Uint8Array(0),
};

/** A header, a declared count, then zeros up to `size` bytes (zeros read as empty version-0 txs). */
function claimingBlock(count: number, size: number): Uint8Array {
  const w = new ByteWriter();
  writeHeader(w, header);
  w.compactSize(count);
  const head = w.finish();
  const out = new Uint8Array(size);
  out.set(head);
  return out;
}

function refusedQuickly(fn: () => unknown, field: string): number {
  const started = performance.now();
  assert.throws(fn, (err: unknown) => err instanceof DecodeError && err.field === field);
  return performance.now() - started;
}

test('a 25 MB block claiming 2^25 transactions is refused in milliseconds, before any is read', () => {
  const bytes = claimingBlock(2 ** 25, 25_000_000);
  const heapBefore = process.memoryUsage().heapUsed;
  assert.ok(refusedQuickly(() => decodeBlock(bytes), 'block') < 50, 'over the block size: refused at once');
  const ms = refusedQuickly(() => decodeBlock(bytes, Number.POSITIVE_INFINITY), 'block.txCount');
  assert.ok(ms < 50, `count checked against the bytes left in ${ms.toFixed(1)} ms`);
  assert.ok(process.memoryUsage().heapUsed - heapBefore < 20_000_000, 'no transactions allocated');
});

test('a block within the size limit whose count exceeds what its bytes can hold is refused by the count', () => {
  refusedQuickly(() => decodeBlock(claimingBlock(200_001, 1_999_000)), 'block.txCount');
});

test('transaction lists declaring more items than the bytes left are refused by their count', () => {
  const w = new ByteWriter();
  w.u32(1);
  w.compactSize(1_000_000); // inputs
  w.bytes(new Uint8Array(1000));
  refusedQuickly(() => decodeTransaction(w.finish()), 'tx.vin');
  const o = new ByteWriter();
  o.u32(1);
  o.compactSize(0);
  o.compactSize(200); // outputs of at least 9 bytes each
  o.bytes(new Uint8Array(1000));
  refusedQuickly(() => decodeTransaction(o.finish()), 'tx.vout');
});
