import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Mempool, type TxValidator } from '../../../src/chain/mempool/mempool.ts';
import { reverseHex } from '../../../src/consensus/bytes.ts';
import { ConsensusError } from '../../../src/consensus/errors.ts';
import type { OutPoint, Transaction } from '../../../src/consensus/primitives/types.ts';
import { at } from '../../support/at.ts';

// Txs here are identified by a number in their lock time; the validator reads the fee from the
// first output's value field of a marker and the size from `size`. This unit test is about the
// pool's bookkeeping; real validation (scripts, amounts) is tested with the chain.
interface Spec {
  id: number;
  spends: OutPoint[];
  fee: bigint;
  size: number;
}
const txidBytes = (id: number) => new Uint8Array(32).fill(id);
const txidHex = (id: number) => reverseHex(txidBytes(id));
const out = (id: number, index = 0): OutPoint => ({ txid: txidBytes(id), index });
const meta = new WeakMap<Transaction, Spec>();

function tx(spec: Spec): Transaction {
  const t: Transaction = {
    version: 1,
    overwintered: false,
    versionGroupId: 0,
    inputs: spec.spends.map((prevout) => ({ prevout, scriptSig: new Uint8Array(), sequence: 0xffffffff })),
    outputs: [{ value: 1000n, scriptPubKey: new Uint8Array() }],
    lockTime: spec.id,
    expiryHeight: 0,
    valueBalance: 0n,
    shieldedSpends: [],
    shieldedOutputs: [],
    joinSplits: [],
  };
  meta.set(t, spec);
  return t;
}

const validate: TxValidator = (t, poolOutput) => {
  const s = meta.get(t)!;
  for (const i of t.inputs) {
    // Inputs numbered >= 100 are "chain" outputs; below that they must come from the pool.
    if (at(i.prevout.txid, 0) < 100 && !poolOutput(i.prevout)) {
      throw new ConsensusError('bad-txns-inputs-missingorspent', `input ${i.prevout.txid[0]}`);
    }
  }
  return { txid: txidHex(s.id), fee: s.fee, size: s.size };
};

const pool = (maxBytes = 1_000_000) => new Mempool({ maxBytes, minFeePerKb: 100n });

test('no two pool transactions spend the same output; the second is refused by rule', () => {
  const p = pool();
  p.add(tx({ id: 1, spends: [out(200)], fee: 1000n, size: 200 }), validate, 0);
  assert.throws(
    () => p.add(tx({ id: 2, spends: [out(200)], fee: 5000n, size: 200 }), validate, 1),
    /txn-mempool-conflict/,
  );
  assert.throws(
    () => p.add(tx({ id: 1, spends: [out(201)], fee: 1000n, size: 200 }), validate, 1),
    /txn-already-in-mempool/,
  );
  assert.throws(
    () => p.add(tx({ id: 3, spends: [out(202)], fee: 1n, size: 1000 }), validate, 1),
    /min-relay-fee-not-met/,
  );
  assert.throws(
    () => p.add(tx({ id: 4, spends: [out(50)], fee: 1000n, size: 200 }), validate, 1),
    /inputs-missingorspent/,
  );
  assert.equal(p.size, 1);
  assert.equal(p.totalBytes, 200);
});

test('templates take the best fee rate first, but never a child before its parent', () => {
  const p = pool();
  p.add(tx({ id: 1, spends: [out(200)], fee: 200n, size: 1000 }), validate, 0); // low-fee parent
  p.add(tx({ id: 2, spends: [out(1)], fee: 90_000n, size: 1000 }), validate, 1); // rich child
  p.add(tx({ id: 3, spends: [out(201)], fee: 50_000n, size: 1000 }), validate, 2);
  assert.deepEqual(
    p.selectForBlock(10_000).map((e) => e.txid),
    [txidHex(1), txidHex(2), txidHex(3)],
  );
  assert.deepEqual(
    p.selectForBlock(1_500).map((e) => e.txid),
    [txidHex(3)],
    'the child cannot fit with its parent, so the next best goes in',
  );
});

test('a full pool evicts the lowest fee rate, with its descendants', () => {
  const p = pool(3000);
  p.add(tx({ id: 1, spends: [out(200)], fee: 500n, size: 1000 }), validate, 0);
  p.add(tx({ id: 2, spends: [out(1)], fee: 9000n, size: 1000 }), validate, 1);
  p.add(tx({ id: 3, spends: [out(201)], fee: 2000n, size: 1000 }), validate, 2);
  p.add(tx({ id: 4, spends: [out(202)], fee: 3000n, size: 1000 }), validate, 3);
  assert.deepEqual(
    p
      .all()
      .map((e) => e.txid)
      .sort(),
    [txidHex(3), txidHex(4)].sort(),
  );
  assert.equal(p.totalBytes, 2000);
  assert.throws(
    () => p.add(tx({ id: 5, spends: [out(203)], fee: 1500n, size: 2000 }), validate, 4),
    /mempool-full/,
  );
  assert.equal(p.size, 2, 'a refused tx changes nothing');
});

test('a connected block removes its txs and whatever conflicts with them; children stay', () => {
  const p = pool();
  p.add(tx({ id: 1, spends: [out(200)], fee: 1000n, size: 200 }), validate, 0);
  p.add(tx({ id: 2, spends: [out(1)], fee: 1000n, size: 200 }), validate, 1);
  p.add(tx({ id: 3, spends: [out(201)], fee: 1000n, size: 200 }), validate, 2);
  p.add(tx({ id: 4, spends: [out(3)], fee: 1000n, size: 200 }), validate, 3);
  // The block confirms tx 1 and a different spend of output 201 (a double spend of tx 3).
  const blockTxs = [
    tx({ id: 1, spends: [out(200)], fee: 0n, size: 0 }),
    tx({ id: 9, spends: [out(201)], fee: 0n, size: 0 }),
  ];
  p.removeForBlock(blockTxs, (t) => txidHex(t.lockTime));
  assert.deepEqual(
    p.all().map((e) => e.txid),
    [txidHex(2)],
  );
  assert.equal(p.get(txidHex(2))?.parents.size, 0, 'its parent is now in the chain');
  assert.equal(p.isSpent(out(201)), false);
});

test('revalidation drops entries that no longer pass, with their children', () => {
  const p = pool();
  p.add(tx({ id: 1, spends: [out(200)], fee: 1000n, size: 200 }), validate, 0);
  p.add(tx({ id: 2, spends: [out(1)], fee: 1000n, size: 200 }), validate, 1);
  p.add(tx({ id: 3, spends: [out(201)], fee: 1000n, size: 200 }), validate, 2);
  const strict: TxValidator = (t, poolOutput) => {
    if (t.lockTime === 1) throw new ConsensusError('bad-fluxnode-confirm-too-soon', 'no longer valid');
    return validate(t, poolOutput);
  };
  const dropped = p.revalidate(strict, () => true);
  assert.deepEqual(dropped.map((d) => d.tx.lockTime).sort(), [1, 2]);
  assert.deepEqual(
    dropped.map((d) => [d.txid, d.rule]),
    [
      [txidHex(1), 'bad-fluxnode-confirm-too-soon'],
      [txidHex(2), 'evicted-with-parent'],
    ],
    'each eviction says why',
  );
  assert.deepEqual(
    p.all().map((e) => e.txid),
    [txidHex(3)],
  );
  assert.ok(p.isSpent(out(201)), 'survivors keep their spends');
  assert.equal(p.isSpent(out(200)), false);
});

test('a spend of a collateral evicts pooled fluxnode transactions for it, and bars new ones', () => {
  const p = pool();
  const confirm: Transaction = {
    ...tx({ id: 7, spends: [], fee: 0n, size: 200 }),
    version: 5,
    fluxnode: { type: 4, collateral: out(210), sigTime: 0, sig: new Uint8Array() },
  };
  meta.set(confirm, { id: 7, spends: [], fee: 0n, size: 200 });
  p.add(confirm, validate, 0);
  assert.ok(p.has(txidHex(7)));
  p.add(tx({ id: 8, spends: [out(210)], fee: 1000n, size: 200 }), validate, 1);
  assert.deepEqual(
    p.all().map((e) => e.txid),
    [txidHex(8)],
    'the CONFIRM is gone, the spend stays',
  );
  const again: Transaction = { ...confirm, lockTime: 9 };
  meta.set(again, { id: 9, spends: [], fee: 0n, size: 200 });
  assert.throws(() => p.add(again, validate, 2), /bad-fluxnode-collateral-spent/);
});
