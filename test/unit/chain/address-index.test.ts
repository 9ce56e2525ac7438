import assert from 'node:assert/strict';
import type { DatabaseSync } from 'node:sqlite';
import { describe, it } from 'node:test';
import { AddressIndex } from '../../../src/chain/address-index/address-index.ts';
import type { HistoryEntry, IndexedCoin } from '../../../src/chain/address-index/types.ts';
import type { Chain } from '../../../src/chain/chain.ts';
import type { ChainStateExtension } from '../../../src/chain/extension.ts';
import { type ByteWriter, reverseHex, toHex } from '../../../src/consensus/bytes.ts';
import { ConsensusError } from '../../../src/consensus/errors.ts';
import { blockHash } from '../../../src/consensus/primitives/block.ts';
import { txid } from '../../../src/consensus/primitives/transaction.ts';
import type { Block, OutPoint, Transaction, TxOut } from '../../../src/consensus/primitives/types.ts';
import {
  coinbaseTx,
  devnet,
  genesisParent,
  makeBlock,
  openTestChain,
  type Parent,
  parentOf,
  SUBSIDY,
  spendTx,
  tempDir,
} from '../../support/chain-fixtures.ts';
import { at } from '../../support/at.ts';

/*
 * Scripts OP_1 … OP_16 each leave a true value on the stack, so they are 16 distinct scripts that
 * an empty scriptSig spends: enough addresses to exercise the index without signatures.
 */
const SCRIPTS = Array.from({ length: 16 }, (_, i) => Uint8Array.of(0x51 + i));
const OP_RETURN = Uint8Array.of(0x6a, 0x04, 0xde, 0xad, 0xbe, 0xef);
const MATURITY = devnet.coinbaseMaturity;

/** A small deterministic random source (so branches differ by seed, and reruns agree). */
function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return (n: number) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
}

const key = (o: OutPoint) => `${toHex(o.txid)}:${o.index}`;

/**
 * A branch of `n` blocks on `base` whose coinbases pay varying scripts, and whose transactions
 * split mature coins among several scripts (with an OP_RETURN output) and spend one of the new
 * outputs again in the same block. `history` is the branch's blocks below `base`.
 */
function branch(base: Parent, history: Block[], n: number, seed: number): Block[] {
  const rand = rng(seed);
  const model = replayModel(history);
  const utxo = new Map(model.coins);
  const out: Block[] = [];
  let tip = base;
  for (let i = 0; i < n; i++) {
    const height = tip.height + 1;
    const txs: Transaction[] = [];
    let fees = 0n;
    const mature = [...utxo.values()].filter((c) => !c.coinbase || height - c.height >= MATURITY);
    if (mature.length > 0) {
      const picks = mature.slice(rand(Math.max(1, mature.length - 1)), undefined).slice(0, 1 + rand(2));
      const total = picks.reduce((s, c) => s + c.value, 0n);
      const parts = 2 + rand(2);
      const outputs: TxOut[] = [];
      const fee = 1000n + BigInt(rand(500));
      const each = (total - fee) / BigInt(parts);
      for (let p = 0; p < parts; p++) {
        const value = p === parts - 1 ? total - fee - each * BigInt(parts - 1) : each;
        outputs.push({ value, scriptPubKey: at(SCRIPTS, rand(16)) });
      }
      outputs.splice(1, 0, { value: 0n, scriptPubKey: OP_RETURN });
      const split = spendTx(
        picks.map((c) => c.outpoint),
        outputs,
      );
      txs.push(split);
      fees += fee;
      // Spend the split's first output again inside the block.
      const hop = spendTx(
        [{ txid: txid(split), index: 0 }],
        [{ value: at(outputs, 0).value - 300n, scriptPubKey: at(SCRIPTS, rand(16)) }],
      );
      txs.push(hop);
      fees += 300n;
    }
    const cb = coinbaseTx(height, [{ value: SUBSIDY + fees, scriptPubKey: at(SCRIPTS, rand(16)) }], seed);
    const block = makeBlock(tip, [cb, ...txs]);
    out.push(block);
    applyToModel({ coins: utxo, history: new Map() }, block, height);
    tip = parentOf(block, height);
  }
  return out;
}

interface Model {
  coins: Map<string, IndexedCoin>;
  history: Map<string, HistoryEntry[]>;
}

/** The index's contents worked out directly from the blocks: the oracle. */
function applyToModel(m: Model, block: Block, height: number): void {
  block.txs.forEach((tx, t) => {
    const id = txid(tx);
    const deltas = new Map<string, bigint>();
    const bump = (script: Uint8Array, v: bigint) =>
      deltas.set(toHex(script), (deltas.get(toHex(script)) ?? 0n) + v);
    if (t > 0) {
      for (const input of tx.inputs) {
        const c = m.coins.get(key(input.prevout));
        assert.ok(c, 'model: input exists');
        m.coins.delete(key(input.prevout));
        bump(c.scriptPubKey, -c.value);
      }
    }
    tx.outputs.forEach((o, i) => {
      if (o.scriptPubKey[0] === 0x6a) return;
      const outpoint = { txid: id, index: i };
      m.coins.set(key(outpoint), {
        outpoint,
        value: o.value,
        scriptPubKey: o.scriptPubKey,
        height,
        coinbase: t === 0,
      });
      bump(o.scriptPubKey, o.value);
    });
    for (const [script, delta] of deltas) {
      const list = m.history.get(script) ?? [];
      list.push({ txid: reverseHex(id), height, position: t, delta });
      m.history.set(script, list);
    }
  });
}

function replayModel(blocks: Block[], from = 1): Model {
  const m: Model = { coins: new Map(), history: new Map() };
  blocks.forEach((b, i) => {
    applyToModel(m, b, from + i);
  });
  return m;
}

function sortCoins(coins: IndexedCoin[]): string[] {
  return coins
    .map((c) => `${key(c.outpoint)}:${toHex(c.scriptPubKey)}:${c.value}:${c.height}:${c.coinbase}`)
    .sort();
}

async function feed(chain: Chain, blocks: Block[]): Promise<string[]> {
  const out: string[] = [];
  for (const b of blocks) out.push((await chain.acceptBlock(b)).status);
  return out;
}

async function openIndexed(dir: string, extra: ChainStateExtension[] = []) {
  const index = new AddressIndex({ coinbaseMaturity: MATURITY, deepCheck: true });
  const chain = await openTestChain(dir, { extensions: [index, ...extra] });
  return { index, chain };
}

/** Index digest of a fresh chain that connects `blocks` in order. */
async function replayDigest(blocks: Block[]): Promise<string> {
  const t = tempDir('fluxnode-addr-replay-');
  const { index, chain } = await openIndexed(t.dir);
  try {
    for (const b of blocks) assert.equal((await chain.acceptBlock(b)).status, 'connected');
    return index.digest();
  } finally {
    chain.close();
    t.cleanup();
  }
}

function mainChain(chain: Chain): Block[] {
  const out: Block[] = [];
  for (let h = 1; h <= chain.height(); h++) out.push(chain.getBlock(h)!);
  return out;
}

describe('chain: address index', () => {
  it('indexes unspent outputs by script, with balances, maturity and history, as the blocks say', async () => {
    const t = tempDir();
    const { index, chain } = await openIndexed(t.dir);
    try {
      const blocks = branch(genesisParent(), [], 30, 7);
      assert.deepEqual(new Set(await feed(chain, blocks)), new Set(['connected']));
      const model = replayModel(blocks);
      assert.equal(index.tipHeight(), 30);

      assert.deepEqual(sortCoins(index.coinsFor(SCRIPTS)), sortCoins([...model.coins.values()]));
      assert.equal(index.coinsFor([OP_RETURN]).length, 0, 'OP_RETURN outputs are not coins');
      assert.ok(index.coinsFor(SCRIPTS).length > 20, 'the branch spreads coins over the scripts');

      for (const script of SCRIPTS) {
        const mine = [...model.coins.values()].filter((c) => toHex(c.scriptPubKey) === toHex(script));
        const immature = mine
          .filter((c) => c.coinbase && 31 - c.height < MATURITY)
          .reduce((s, c) => s + c.value, 0n);
        const total = mine.reduce((s, c) => s + c.value, 0n);
        assert.deepEqual(index.balance(script), {
          total,
          immature,
          spendable: total - immature,
          coins: mine.length,
        });
        const want = [...(model.history.get(toHex(script)) ?? [])].reverse();
        assert.deepEqual(index.history(script, 1000), want);
        if (want.length > 3) {
          assert.deepEqual(index.history(script, 2), want.slice(0, 2));
          const older = index.history(script, 1000, at(want, 1).height);
          assert.deepEqual(
            older,
            want.filter((h) => h.height < at(want, 1).height),
          );
        }
      }
      assert.deepEqual(chain.checkConsistency(), []);
    } finally {
      chain.close();
      t.cleanup();
    }
  });

  it('follows reorganisations: after each switch it equals a fresh replay of the winning branch', async () => {
    const t = tempDir();
    const { index, chain } = await openIndexed(t.dir);
    try {
      const a = branch(genesisParent(), [], 25, 1);
      await feed(chain, a);
      const fork = 12;
      const b = branch(parentOf(at(a, fork - 1), fork), a.slice(0, fork), 16, 2);
      const statuses = await feed(chain, b);
      assert.equal(statuses.at(-1), 'connected');
      assert.equal(chain.height(), fork + 16);
      assert.equal(index.tipHeight(), fork + 16);
      assert.equal(index.digest(), await replayDigest(mainChain(chain)));
      assert.deepEqual(chain.checkConsistency(), [], 'tip and every row match the chain UTXO set');

      // A grows past B again: back to A (blocks A created, B removed, A's coins restored).
      const more = branch(parentOf(at(a, 24), 25), a, 5, 1);
      await feed(chain, more);
      assert.equal(chain.tip().id, reverseHex(blockHash(at(more, 4))));
      assert.equal(index.digest(), await replayDigest([...a, ...more]));
      assert.deepEqual(
        sortCoins(index.coinsFor(SCRIPTS)),
        sortCoins([...replayModel([...a, ...more]).coins.values()]),
      );
      assert.deepEqual(chain.checkConsistency(), []);
    } finally {
      chain.close();
      t.cleanup();
    }
  });

  it('is rolled back with a block that another extension rejects', async () => {
    const refuseAt = { height: -1 };
    const refuser: ChainStateExtension = {
      name: 'refuser',
      connectBlock(_db: DatabaseSync, _b: Block, height: number, _u: ByteWriter) {
        if (height === refuseAt.height)
          throw new ConsensusError('bad-test-refusal', `refused block ${height}`);
      },
      disconnectBlock() {},
    };
    const t = tempDir();
    const { index, chain } = await openIndexed(t.dir, [refuser]);
    try {
      const blocks = branch(genesisParent(), [], 16, 3);
      await feed(chain, blocks.slice(0, 15));
      const before = index.digest();
      refuseAt.height = 16;
      const r = await chain.acceptBlock(at(blocks, 15));
      assert.equal(r.status, 'invalid');
      assert.equal(r.rule, 'bad-test-refusal');
      assert.equal(index.digest(), before, 'the index rows of the refused block were rolled back');
      assert.equal(index.tipHeight(), 15, 'the cached tip was reloaded');
      assert.deepEqual(chain.checkConsistency(), []);
    } finally {
      chain.close();
      t.cleanup();
    }
  });

  it('persists across reopening, and added to a synced chain starts from its UTXO set', async () => {
    const t = tempDir();
    const blocks = branch(genesisParent(), [], 24, 5);
    try {
      // A node that ran without the index…
      const plain = await openTestChain(t.dir);
      await feed(plain, blocks.slice(0, 18));
      plain.close();

      // …opens with it: coins and balances are complete at once, history starts at the next block.
      let { index, chain } = await openIndexed(t.dir);
      const model18 = replayModel(blocks.slice(0, 18));
      assert.deepEqual(sortCoins(index.coinsFor(SCRIPTS)), sortCoins([...model18.coins.values()]));
      assert.equal(index.historyFrom(), 19);
      assert.equal(index.tipHeight(), 18);
      await feed(chain, blocks.slice(18));
      chain.close();

      ({ index, chain } = await openIndexed(t.dir));
      const model = replayModel(blocks);
      assert.deepEqual(sortCoins(index.coinsFor(SCRIPTS)), sortCoins([...model.coins.values()]));
      for (const script of SCRIPTS) {
        const want = (model.history.get(toHex(script)) ?? []).filter((h) => h.height >= 19).reverse();
        assert.deepEqual(index.history(script, 1000), want);
      }
      // A row altered behind the chain's back is found on the next open.
      chain.db.exec(
        'UPDATE addr_utxo SET value = value + 1 WHERE (script, txid, vout) = (SELECT script, txid, vout FROM addr_utxo LIMIT 1)',
      );
      chain.close();
      await assert.rejects(openIndexed(t.dir), /address index lacks 1 unspent outputs/);
    } finally {
      t.cleanup();
    }
  });
});
