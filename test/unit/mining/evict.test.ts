/**
 * A transaction no block may carry never stalls the miner. The pool applies the contextual rules a
 * block would (fluxd refuses a v4 transaction on regtest, where Overwinter never activates, with
 * `tx-overwinter-not-active`); one that got in anyway (accepted under other rules, or breaking a
 * rule only the chain checks) is evicted with its rule, reported, and mining goes on.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mempoolValidator } from '../../../src/chain/mempool/accept.ts';
import { type EvictedTx, Mempool, type TxValidator } from '../../../src/chain/mempool/mempool.ts';
import { reverseHex } from '../../../src/consensus/bytes.ts';
import { ConsensusError } from '../../../src/consensus/errors.ts';
import { type ConsensusParams, paramsFor } from '../../../src/consensus/params/index.ts';
import {
  encodeTransaction,
  SAPLING_TX_VERSION,
  SAPLING_VERSION_GROUP_ID,
  txid,
} from '../../../src/consensus/primitives/transaction.ts';
import type { Transaction } from '../../../src/consensus/primitives/types.ts';
import { Miner } from '../../../src/mining/miner.ts';
import { cpuSolver } from '../../../src/mining/pow.ts';
import { ANYONE_P2SH, MINER_SCRIPT, openMiningChain, tempDir } from './mining-fixtures.ts';
import { at } from '../../support/at.ts';

const regtest = paramsFor('regtest');
const devnet = paramsFor('devnet');

/** A Sapling-format (v4) transaction spending an output nobody has. */
function v4Tx(tag: number): Transaction {
  return {
    version: SAPLING_TX_VERSION,
    overwintered: true,
    versionGroupId: SAPLING_VERSION_GROUP_ID,
    inputs: [
      {
        prevout: { txid: new Uint8Array(32).fill(tag), index: 0 },
        scriptSig: Uint8Array.of(0x51),
        sequence: 0xffffffff,
      },
    ],
    outputs: [{ value: 50_000n, scriptPubKey: ANYONE_P2SH }],
    lockTime: 0,
    expiryHeight: 0,
    valueBalance: 0n,
    shieldedSpends: [],
    shieldedOutputs: [],
    joinSplits: [],
  };
}

/** Takes anything: stands for a pool that accepted the transaction under other rules. */
const permissive: TxValidator = (tx) => ({
  txid: reverseHex(txid(tx)),
  fee: 10_000n,
  size: encodeTransaction(tx).length,
});

function realValidator(params: ConsensusParams, height: () => number) {
  return mempoolValidator({
    params,
    tipHeight: height,
    getUtxo: () => undefined,
    registry: () => {
      throw new Error('no fluxnode txs in this test');
    },
  });
}

describe('the mempool applies the contextual rules of the next block', () => {
  it('refuses a v4 transaction on regtest before Overwinter: tx-overwinter-not-active, as fluxd', () => {
    const pool = new Mempool({ maxBytes: 1_000_000, minFeePerKb: 0n });
    assert.throws(
      () =>
        pool.add(
          v4Tx(1),
          realValidator(regtest, () => 5),
          0,
        ),
      (err: unknown) => err instanceof ConsensusError && err.rule === 'tx-overwinter-not-active',
    );
    assert.equal(pool.size, 0);
  });

  it('takes the same format where Acadia is active (devnet), failing only on its missing input', () => {
    assert.throws(
      () => realValidator(devnet, () => 5)(v4Tx(1), () => undefined),
      (err: unknown) => err instanceof ConsensusError && err.rule === 'bad-txns-inputs-missingorspent',
    );
  });

  it('refuses an expired transaction (tx-sapling-expired) and a non-final one (non-final)', () => {
    const expired = { ...v4Tx(2), expiryHeight: 3 };
    assert.throws(
      () => realValidator(devnet, () => 5)(expired, () => undefined),
      (err: unknown) => err instanceof ConsensusError && err.rule === 'tx-sapling-expired',
    );
    const locked = { ...v4Tx(3), lockTime: 100 };
    locked.inputs = [{ ...at(locked.inputs, 0), sequence: 0 }];
    assert.throws(
      () => realValidator(devnet, () => 5)(locked, () => undefined),
      (err: unknown) => err instanceof ConsensusError && err.rule === 'non-final',
    );
  });
});

describe('the miner evicts what no block can carry and keeps mining', () => {
  it('regtest: the template refuses the v4 transaction, the miner evicts it with its rule and mines on', async () => {
    const t = tempDir();
    const chain = await openMiningChain(t.dir, regtest);
    try {
      const pool = new Mempool({ maxBytes: 1_000_000, minFeePerKb: 0n });
      const stuck = pool.add(v4Tx(4), permissive, 0);
      const evicted: EvictedTx[] = [];
      const miner = new Miner({
        chain,
        params: regtest,
        mempool: pool,
        minerScript: MINER_SCRIPT,
        solver: cpuSolver,
        now: () => chain.tip().time + regtest.difficulty.targetSpacing,
        maxBlocks: 3,
        onEvicted: (e) => evicted.push(e),
      });
      miner.start();
      await miner.whenStopped();
      assert.equal(chain.height(), 3);
      assert.deepEqual(
        evicted.map((e) => [e.txid, e.rule]),
        [[stuck.txid, 'tx-overwinter-not-active']],
      );
      assert.equal(pool.size, 0);
      const stats = miner.stats();
      assert.equal(stats.txsEvicted, 1);
      assert.equal(stats.blocksRejected, 0, 'the template never carried it');
      for (let h = 1; h <= 3; h++) assert.equal(chain.getBlock(h)!.txs.length, 1);
    } finally {
      chain.close();
      t.cleanup();
    }
  });

  it('devnet: a rule only the chain checks refuses the block; the pool re-check evicts the culprit', async () => {
    const t = tempDir();
    const chain = await openMiningChain(t.dir, devnet);
    try {
      const pool = new Mempool({ maxBytes: 1_000_000, minFeePerKb: 0n });
      const stuck = pool.add(v4Tx(5), permissive, 0);
      const validate = realValidator(devnet, () => chain.height());
      const evicted: EvictedTx[] = [];
      const miner = new Miner({
        chain,
        params: devnet,
        mempool: pool,
        minerScript: MINER_SCRIPT,
        solver: cpuSolver,
        now: () => chain.tip().time + devnet.difficulty.targetSpacing,
        maxBlocks: 2,
        recheckPool: () => pool.revalidate(validate, () => true),
        onEvicted: (e) => evicted.push(e),
      });
      miner.start();
      await miner.whenStopped();
      assert.equal(chain.height(), 2);
      assert.deepEqual(
        evicted.map((e) => [e.txid, e.rule]),
        [[stuck.txid, 'bad-txns-inputs-missingorspent']],
      );
      assert.equal(miner.stats().blocksRejected, 1);
      assert.equal(pool.size, 0);
    } finally {
      chain.close();
      t.cleanup();
    }
  });
});
