import assert from 'node:assert/strict';
import type { DatabaseSync } from 'node:sqlite';
import { describe, it } from 'node:test';
import type { ChainStateExtension } from '../../../src/chain/extension.ts';
import { ByteReader, type ByteWriter } from '../../../src/consensus/bytes.ts';
import { ConsensusError } from '../../../src/consensus/errors.ts';
import type { Block } from '../../../src/consensus/primitives/types.ts';
import {
  ChainBuilder,
  genesisParent,
  openTestChain,
  SUBSIDY,
  tempDir,
} from '../../support/chain-fixtures.ts';
import { at } from '../../support/at.ts';

/**
 * A toy state store: counts connected blocks and sums their coinbase values in its own table, and
 * (when armed) refuses a block whose coinbase pays `failOnValue`, with a rule of its own.
 */
class Tally implements ChainStateExtension {
  readonly name = 'tally';
  rollbacks = 0;
  failOnValue: bigint | undefined;

  init(db: DatabaseSync): void {
    db.exec(
      'CREATE TABLE IF NOT EXISTS tally (id INTEGER PRIMARY KEY CHECK (id = 1), blocks INTEGER, paid INTEGER)',
    );
    db.exec('INSERT OR IGNORE INTO tally (id, blocks, paid) VALUES (1, 0, 0)');
  }

  read(db: DatabaseSync): { blocks: number; paid: bigint } {
    const stmt = db.prepare('SELECT blocks, paid FROM tally WHERE id = 1');
    stmt.setReadBigInts(true);
    const row = stmt.get() as { blocks: bigint; paid: bigint };
    return { blocks: Number(row.blocks), paid: row.paid };
  }

  connectBlock(db: DatabaseSync, block: Block, _height: number, undo: ByteWriter): void {
    const before = this.read(db);
    undo.u32(before.blocks).i64(before.paid);
    const value = at(block.txs, 0).outputs.reduce((s, o) => s + o.value, 0n);
    db.prepare('UPDATE tally SET blocks = ?, paid = ? WHERE id = 1').run(
      before.blocks + 1,
      before.paid + value,
    );
    if (this.failOnValue !== undefined && value === this.failOnValue) {
      throw new ConsensusError('bad-tally', `coinbase value ${value} is refused by the tally`);
    }
  }

  disconnectBlock(db: DatabaseSync, _block: Block, _height: number, undo: Uint8Array): void {
    const r = new ByteReader(undo);
    const blocks = r.u32('blocks');
    const paid = r.i64('paid');
    db.prepare('UPDATE tally SET blocks = ?, paid = ? WHERE id = 1').run(blocks, paid);
  }

  onRollback(): void {
    this.rollbacks++;
  }

  checkConsistency(db: DatabaseSync, tip: { height: number }): string[] {
    const { blocks } = this.read(db);
    return blocks === tip.height ? [] : [`tally counts ${blocks} blocks at height ${tip.height}`];
  }
}

describe('chain: state extensions', () => {
  it('update their tables in the same transaction as each connect and disconnect', async () => {
    const t = tempDir();
    const tally = new Tally();
    const chain = await openTestChain(t.dir, { extensions: [tally] });
    try {
      const a = new ChainBuilder(genesisParent(), SUBSIDY, 1).extend(6);
      for (const b of a) await chain.acceptBlock(b);
      assert.deepEqual(tally.read(chain.db), { blocks: 6, paid: 6n * SUBSIDY });

      // A heavier branch from height 2 whose coinbases pay less: the tally follows the reorg.
      const bb = new ChainBuilder({ ...genesisParent() }, SUBSIDY, 2);
      const branch: Block[] = [];
      for (let i = 0; i < 7; i++) branch.push(bb.next([], { coinbaseValue: SUBSIDY - 1000n }));
      for (const b of branch) await chain.acceptBlock(b);
      assert.equal(chain.height(), 7);
      assert.deepEqual(tally.read(chain.db), { blocks: 7, paid: 7n * (SUBSIDY - 1000n) });
      assert.deepEqual(chain.checkConsistency(), []);
    } finally {
      chain.close();
      t.cleanup();
    }
  });

  it('reject a block by throwing: everything of that block rolls back and it is marked invalid', async () => {
    const t = tempDir();
    const tally = new Tally();
    const chain = await openTestChain(t.dir, { extensions: [tally] });
    try {
      const b = new ChainBuilder(genesisParent(), SUBSIDY);
      for (const blk of b.extend(3)) await chain.acceptBlock(blk);
      const utxo = chain.utxoSetHash();
      tally.failOnValue = SUBSIDY - 7n;
      const bad = b.next([], { coinbaseValue: SUBSIDY - 7n });
      const r = await chain.acceptBlock(bad);
      assert.equal(r.status, 'invalid');
      assert.equal(r.rule, 'bad-tally');
      assert.equal(tally.rollbacks, 1);
      assert.equal(chain.height(), 3);
      assert.equal(chain.utxoSetHash(), utxo);
      assert.deepEqual(tally.read(chain.db), { blocks: 3, paid: 3n * SUBSIDY });
      assert.deepEqual(chain.checkConsistency(), []);
    } finally {
      chain.close();
      t.cleanup();
    }
  });

  it('are checked on open: a table out of step with the tip stops the chain from opening', async () => {
    const t = tempDir();
    const tally = new Tally();
    const chain = await openTestChain(t.dir, { extensions: [tally] });
    const b = new ChainBuilder(genesisParent(), SUBSIDY);
    for (const blk of b.extend(2)) await chain.acceptBlock(blk);
    chain.db.exec('UPDATE tally SET blocks = 5');
    chain.close();
    try {
      await assert.rejects(
        openTestChain(t.dir, { extensions: [new Tally()] }),
        /tally counts 5 blocks at height 2/,
      );
    } finally {
      t.cleanup();
    }
  });
});
