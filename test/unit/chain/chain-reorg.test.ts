import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Chain } from '../../../src/chain/chain.ts';
import { reverseHex } from '../../../src/consensus/bytes.ts';
import { blockHash } from '../../../src/consensus/primitives/block.ts';
import { txid } from '../../../src/consensus/primitives/transaction.ts';
import type { Block, OutPoint, Transaction } from '../../../src/consensus/primitives/types.ts';
import {
  ANYONE,
  ChainBuilder,
  coinbaseOutpoint,
  genesisParent,
  openTestChain,
  parentOf,
  type Parent,
  replayHash,
  SUBSIDY,
  spendTx,
  tempDir,
} from '../../support/chain-fixtures.ts';
import { at } from '../../support/at.ts';

/**
 * A branch whose blocks spend the coinbase created `maturity` blocks earlier (in the branch's own
 * history) into two outputs, and spend the first of those outputs again in the next block, so
 * the UTXO set churns and disconnecting must restore coins created inside the branch.
 */
function churningBranch(base: Parent, history: Block[], n: number, tag: number): Block[] {
  const b = new ChainBuilder(base, SUBSIDY, tag);
  const all = [...history];
  let carry: OutPoint | undefined;
  for (let i = 0; i < n; i++) {
    const height = b.tip.height + 1;
    const txs: Transaction[] = [];
    const mature = all[height - 10 - 1]; // the block at height - 10 (history[0] is height 1)
    let fees = 0n;
    if (mature) {
      const split = spendTx(
        [coinbaseOutpoint(mature)],
        [
          { value: SUBSIDY / 2n, scriptPubKey: ANYONE },
          { value: SUBSIDY / 2n - 500n, scriptPubKey: ANYONE },
        ],
      );
      txs.push(split);
      fees += 500n;
      if (carry) {
        const hop = spendTx([carry], [{ value: SUBSIDY / 2n - 100n, scriptPubKey: ANYONE }]);
        txs.push(hop);
        fees += 100n;
      }
      carry = { txid: txid(split), index: 0 };
    }
    all.push(b.next(txs, { fees }));
  }
  return all.slice(history.length);
}

async function feed(chain: Chain, blocks: Block[]): Promise<string[]> {
  const out: string[] = [];
  for (const b of blocks) out.push((await chain.acceptBlock(b)).status);
  return out;
}

function mainChain(chain: Chain): Block[] {
  const out: Block[] = [];
  for (let h = 1; h <= chain.height(); h++) out.push(chain.getBlock(h)!);
  return out;
}

describe('chain: reorganisation', () => {
  it('switches to a longer branch, restoring and re-spending coins, and back again', async () => {
    const t = tempDir();
    const chain = await openTestChain(t.dir);
    try {
      const a = churningBranch(genesisParent(), [], 30, 1);
      assert.deepEqual(new Set(await feed(chain, a)), new Set(['connected']));

      // Record the UTXO set at every height of A to check each disconnect lands exactly there.
      const hashAt = new Map<number, string>();
      const probeDir = tempDir();
      const probe = await openTestChain(probeDir.dir);
      for (const b of a) {
        await probe.acceptBlock(b);
        hashAt.set(probe.height(), probe.utxoSetHash());
      }
      probe.close();
      probeDir.cleanup();

      const fork = 18;
      const forkParent: Parent = {
        hash: blockHash(at(a, fork - 1)),
        height: fork,
        time: at(a, fork - 1).header.time,
      };
      const b = churningBranch(forkParent, a.slice(0, fork), 15, 2);

      const disconnected: { height: number; hash: string }[] = [];
      chain.on('disconnect', (_blk, e) =>
        disconnected.push({ height: e.height - 1, hash: chain.utxoSetHash() }),
      );

      // 12 blocks of B: less work than A (30 vs 30): stays on A.
      const first = await feed(chain, b.slice(0, 12));
      assert.ok(
        first.every((s) => s === 'side-branch'),
        first.join(),
      );
      assert.equal(chain.tip().id, reverseHex(blockHash(at(a, 29))));

      // The 13th gives B more work: reorg to B.
      const r = await chain.acceptBlock(at(b, 12));
      assert.equal(r.status, 'connected');
      assert.equal(chain.height(), fork + 13);
      assert.equal(disconnected.length, 30 - fork);
      for (const d of disconnected)
        assert.equal(d.hash, hashAt.get(d.height), `after disconnecting to ${d.height}`);

      await feed(chain, b.slice(13));
      const replayB = await replayHash(mainChain(chain));
      assert.equal(chain.utxoSetHash(), replayB.hash);
      assert.equal(replayB.height, fork + 15);

      // A grows past B again: back to A.
      const more = churningBranch(
        { hash: blockHash(at(a, 29)), height: 30, time: at(a, 29).header.time },
        a,
        4,
        1,
      );
      await feed(chain, more);
      assert.equal(chain.height(), 34);
      assert.equal(chain.tip().id, reverseHex(blockHash(at(more, 3))));
      const replayA = await replayHash([...a, ...more]);
      assert.equal(chain.utxoSetHash(), replayA.hash);
      assert.deepEqual(chain.checkConsistency(true), []);
    } finally {
      chain.close();
      t.cleanup();
    }
  });

  it('stays on the first-seen branch when a competitor only equals its work', async () => {
    const t = tempDir();
    const chain = await openTestChain(t.dir);
    try {
      const a = new ChainBuilder(genesisParent(), SUBSIDY, 1).extend(5);
      const b = new ChainBuilder(genesisParent(), SUBSIDY, 2).extend(5);
      await feed(chain, a);
      assert.deepEqual(await feed(chain, b), Array(5).fill('side-branch'));
      assert.equal(chain.tip().id, reverseHex(blockHash(at(a, 4))));
    } finally {
      chain.close();
      t.cleanup();
    }
  });

  it('marks an invalid block on a heavier branch and its descendants invalid, and stays put', async () => {
    const t = tempDir();
    const chain = await openTestChain(t.dir);
    try {
      const a = churningBranch(genesisParent(), [], 20, 1);
      await feed(chain, a);
      const before = chain.utxoSetHash();
      const tipBefore = chain.tip().id;

      const fork = 14;
      const bb = new ChainBuilder(
        { hash: blockHash(at(a, fork - 1)), height: fork, time: at(a, fork - 1).header.time },
        SUBSIDY,
        2,
      );
      const branch = [bb.next(), bb.next()];
      // Block fork+3 spends more than its input holds.
      const over = spendTx([coinbaseOutpoint(at(a, 6))], [{ value: SUBSIDY + 1n, scriptPubKey: ANYONE }]);
      const bad = bb.next([over]);
      branch.push(bad);
      for (let i = 0; i < 5; i++) branch.push(bb.next());

      const invalid: string[] = [];
      chain.on('invalid', (_e, rule) => invalid.push(rule));
      const statuses = await feed(chain, branch);
      // Up to 6 blocks (work 20) it is a side branch; the 7th outweighs A and fails on activation.
      assert.deepEqual(statuses.slice(0, 6), Array(6).fill('side-branch'));
      assert.equal(statuses[6], 'invalid');
      assert.equal(statuses[7], 'invalid', 'the 8th builds on a known-invalid block');
      assert.deepEqual(invalid, ['bad-txns-in-belowout']);

      const badEntry = chain.getEntry(blockHash(bad))!;
      assert.equal(badEntry.status, 'invalid');
      assert.equal(badEntry.invalidRule, 'bad-txns-in-belowout');
      for (const d of branch.slice(3, 7)) {
        const e = chain.getEntry(blockHash(d))!;
        assert.equal(e.status, 'invalid');
        assert.equal(e.invalidRule, 'bad-prevblk');
      }
      for (const good of branch.slice(0, 2))
        assert.notEqual(chain.getEntry(blockHash(good))!.status, 'invalid');
      assert.equal(chain.tip().id, tipBefore);
      assert.equal(chain.utxoSetHash(), before);

      // Another child of a block known to be invalid is refused at once.
      const late = new ChainBuilder(parentOf(at(branch, 5), fork + 6), SUBSIDY, 3).next();
      const lr = await chain.acceptBlock(late);
      assert.equal(lr.status, 'invalid');
      assert.equal(lr.rule, 'bad-prevblk');

      // The invalid marks survive a restart.
      chain.close();
      const again = await openTestChain(t.dir);
      assert.equal(again.getEntry(blockHash(bad))!.invalidRule, 'bad-txns-in-belowout');
      assert.equal((await again.acceptBlock(bad)).status, 'invalid');
      assert.equal(again.tip().id, tipBefore);
      again.close();
    } finally {
      chain.close();
      t.cleanup();
    }
  });

  it('connects the valid part of a heavier branch when it alone outweighs the old tip', async () => {
    const t = tempDir();
    const chain = await openTestChain(t.dir);
    try {
      const a = new ChainBuilder(genesisParent(), SUBSIDY, 1).extend(3);
      await feed(chain, a);
      const bb = new ChainBuilder(genesisParent(), SUBSIDY, 2);
      const good = bb.extend(4);
      const bad = bb.next([], { coinbaseValue: SUBSIDY + 1n });
      const statuses = await feed(chain, [...good, bad]);
      assert.deepEqual(statuses, ['side-branch', 'side-branch', 'side-branch', 'connected', 'invalid']);
      assert.equal(chain.tip().id, reverseHex(blockHash(at(good, 3))));
      assert.equal(chain.getEntry(blockHash(bad))!.invalidRule, 'bad-cb-amount');
      assert.equal(chain.utxoSetHash(), (await replayHash(good)).hash);
    } finally {
      chain.close();
      t.cleanup();
    }
  });
});
