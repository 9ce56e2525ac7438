import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Chain } from '../../../src/chain/chain.ts';
import { reverseHex } from '../../../src/consensus/bytes.ts';
import { blockHash, encodeBlock } from '../../../src/consensus/primitives/block.ts';
import { encodeHeader } from '../../../src/consensus/primitives/header.ts';
import { txid } from '../../../src/consensus/primitives/transaction.ts';
import type { Block } from '../../../src/consensus/primitives/types.ts';
import {
  ANYONE,
  ChainBuilder,
  coinbaseOutpoint,
  DEVNET_GENESIS,
  devnet,
  genesisParent,
  openTestChain,
  SUBSIDY,
  spendTx,
  tempDir,
} from '../../support/chain-fixtures.ts';
import { at, tuple } from '../../support/at.ts';

describe('chain: connecting blocks', () => {
  const t = tempDir();
  let chain: Chain;
  const builder = new ChainBuilder(genesisParent(), SUBSIDY);
  const blocks: Block[] = [];

  before(async () => {
    chain = await openTestChain(t.dir);
  });
  after(() => {
    chain.close();
    t.cleanup();
  });

  it('starts at the devnet genesis block with an empty UTXO set', () => {
    assert.equal(chain.height(), 0);
    assert.equal(chain.tip().id, devnet.genesis.hash);
    assert.equal(chain.utxoStats().count, 0);
  });

  it('connects 200 blocks, each as the new tip, with events in order', async () => {
    const connected: number[] = [];
    const tips: number[] = [];
    chain.on('connect', (_b, e) => connected.push(e.height));
    chain.on('tip', (e) => tips.push(e.height));
    for (let i = 0; i < 200; i++) {
      const b = builder.next();
      blocks.push(b);
      const r = await chain.acceptBlock(b);
      assert.equal(r.status, 'connected', `block ${i + 1}: ${r.rule ?? ''} ${r.reason ?? ''}`);
      assert.equal(r.height, i + 1);
    }
    assert.equal(chain.height(), 200);
    assert.deepEqual(
      connected,
      Array.from({ length: 200 }, (_, i) => i + 1),
    );
    assert.equal(tips.at(-1), 200);
    const stats = chain.utxoStats();
    assert.equal(stats.count, 200);
    assert.equal(stats.totalValue, 200n * SUBSIDY);
    chain.removeAllListeners();
  });

  it('serves blocks and headers by height, hash and id, byte for byte', () => {
    for (const h of [1, 57, 200]) {
      const b = at(blocks, h - 1);
      const hash = blockHash(b);
      assert.deepEqual(encodeBlock(chain.getBlock(h)!), encodeBlock(b));
      assert.deepEqual(encodeBlock(chain.getBlock(hash)!), encodeBlock(b));
      assert.deepEqual(chain.getBlockBytes(reverseHex(hash)), encodeBlock(b));
      const info = chain.getHeader(reverseHex(hash))!;
      assert.equal(info.entry.height, h);
      assert.equal(info.inMainChain, true);
      assert.deepEqual(encodeHeader(info.header), encodeHeader(b.header));
    }
    assert.equal(chain.getBlock(201), undefined);
    assert.equal(chain.getEntry('zz'), undefined);
  });

  it('keeps each coinbase output in the UTXO set with its height and coinbase flag', () => {
    const coin = chain.getUtxo(coinbaseOutpoint(at(blocks, 41)))!;
    assert.equal(coin.height, 42);
    assert.equal(coin.coinbase, true);
    assert.equal(coin.value, SUBSIDY);
    assert.deepEqual(coin.scriptPubKey, ANYONE);
  });

  it('accumulates chain work from the bits of every block', () => {
    const tip = chain.tip();
    const g = chain.genesis();
    assert.ok(tip.chainWork > g.chainWork);
    const perBlock = (tip.chainWork - g.chainWork) / 200n;
    assert.equal(perBlock * 200n, tip.chainWork - g.chainWork, 'same bits, same work per block');
  });

  it('builds a locator with the last 10 blocks, then doubling steps, ending at genesis', () => {
    const loc = chain.locator().map((h) => chain.getEntry(h)!.height);
    assert.deepEqual(loc.slice(0, 11), [200, 199, 198, 197, 196, 195, 194, 193, 192, 191, 190]);
    assert.deepEqual(loc.slice(11), [188, 184, 176, 160, 128, 64, 0]);
  });

  it('answers headersAfter from the newest shared locator hash', () => {
    const loc = [blockHash(at(blocks, 149)), blockHash(at(blocks, 99))];
    const hs = chain.headersAfter(loc, 20);
    assert.equal(hs.length, 20);
    assert.deepEqual(encodeHeader(at(hs, 0)), encodeHeader(at(blocks, 150).header));
    const stop = chain.headersAfter([blockHash(at(blocks, 195))], 2000, blockHash(at(blocks, 197)));
    assert.deepEqual(
      stop.map((h) => encodeHeader(h)),
      [at(blocks, 196), at(blocks, 197)].map((b) => encodeHeader(b.header)),
    );
    // Nothing shared: start after genesis.
    assert.deepEqual(
      encodeHeader(at(chain.headersAfter([new Uint8Array(32).fill(7)], 1), 0)),
      encodeHeader(at(blocks, 0).header),
    );
  });

  it('spends a mature coinbase and records who spent what', async () => {
    const src = coinbaseOutpoint(at(blocks, 0));
    const tx = spendTx(
      [src],
      [
        { value: SUBSIDY / 2n, scriptPubKey: ANYONE },
        { value: SUBSIDY / 2n - 1000n, scriptPubKey: ANYONE },
      ],
    );
    const b = builder.next([tx], { fees: 1000n });
    const r = await chain.acceptBlock(b);
    assert.equal(r.status, 'connected', r.reason);
    assert.equal(chain.getUtxo(src), undefined);
    const made = chain.getUtxo({ txid: txid(tx), index: 1 })!;
    assert.equal(made.value, SUBSIDY / 2n - 1000n);
    assert.equal(made.coinbase, false);
    assert.equal(made.height, 201);
    // The coinbase took the fee: total value grew by exactly one subsidy.
    assert.equal(chain.utxoStats().totalValue, 201n * SUBSIDY);
  });

  it('reports a block it already has as a duplicate and changes nothing', async () => {
    const before = chain.utxoSetHash();
    const r = await chain.acceptBlock(at(blocks, 10));
    assert.equal(r.status, 'duplicate');
    assert.equal(chain.utxoSetHash(), before);
  });

  it('reopens at the same tip with the same UTXO set', async () => {
    const hash = chain.utxoSetHash();
    const tip = chain.tip().id;
    chain.close();
    chain = await openTestChain(t.dir);
    assert.equal(chain.tip().id, tip);
    assert.equal(chain.height(), 201);
    assert.equal(chain.utxoSetHash(), hash);
    assert.deepEqual(chain.checkConsistency(true), []);
  });

  it('refuses to open another network’s database', async () => {
    await assert.rejects(
      openTestChain(t.dir, { genesis: { ...DEVNET_GENESIS, header: { ...DEVNET_GENESIS.header, time: 1 } } }),
      /another genesis/,
    );
  });
});

describe('chain: orphans', () => {
  it('holds a block whose parent is unknown and connects it when the parent arrives', async () => {
    const t = tempDir();
    const chain = await openTestChain(t.dir);
    try {
      const builder = new ChainBuilder(genesisParent(), SUBSIDY);
      const [b1, b2, b3] = tuple(builder.extend(3), 3);
      assert.equal((await chain.acceptBlock(b3)).status, 'orphan');
      assert.equal((await chain.acceptBlock(b2)).status, 'orphan');
      assert.equal(chain.height(), 0);
      const r = await chain.acceptBlock(b1);
      assert.equal(r.status, 'connected');
      assert.equal(chain.height(), 3);
      assert.equal(chain.tip().id, reverseHex(blockHash(b3)));
    } finally {
      chain.close();
      t.cleanup();
    }
  });

  it('accepts headers first, then the bodies', async () => {
    const t = tempDir();
    const chain = await openTestChain(t.dir);
    try {
      const builder = new ChainBuilder(genesisParent(), SUBSIDY);
      const bs = builder.extend(5);
      const rs = await chain.acceptHeaders(bs.map((b) => b.header));
      assert.deepEqual(
        rs.map((r) => r.status),
        ['accepted', 'accepted', 'accepted', 'accepted', 'accepted'],
      );
      assert.equal(chain.bestHeader().height, 5);
      assert.equal(chain.height(), 0);
      assert.deepEqual(
        chain.blocksToFetch(3).map((e) => e.height),
        [1, 2, 3],
      );
      assert.equal((await chain.acceptBlock(at(bs, 1))).status, 'side-branch');
      assert.deepEqual(
        chain.blocksToFetch().map((e) => e.height),
        [1, 3, 4, 5],
      );
      assert.equal(chain.height(), 0, 'block 2 cannot connect without block 1');
      assert.equal((await chain.acceptBlock(at(bs, 0))).status, 'connected');
      assert.equal(chain.height(), 2, 'block 1 makes block 2 connectable');
      for (const b of bs.slice(2)) await chain.acceptBlock(b);
      assert.equal(chain.height(), 5);
    } finally {
      chain.close();
      t.cleanup();
    }
  });
});

describe('chain: consistency on open', () => {
  for (const [what, tamper] of [
    ['a missing undo record', 'DELETE FROM block_undo WHERE rowid = (SELECT max(rowid) FROM block_undo)'],
    [
      'a main-chain row that is not the tip’s ancestry',
      'UPDATE main_chain SET hash = zeroblob(32) WHERE height = 2',
    ],
    ['a tip that is not in the index', "UPDATE meta SET value = zeroblob(32) WHERE key = 'tip'"],
  ] as const) {
    it(`refuses to open with ${what}`, async () => {
      const t = tempDir();
      try {
        const chain = await openTestChain(t.dir);
        for (const b of new ChainBuilder(genesisParent(), SUBSIDY).extend(4)) await chain.acceptBlock(b);
        chain.db.exec(tamper);
        chain.close();
        await assert.rejects(openTestChain(t.dir), { name: 'ChainStateError' });
      } finally {
        t.cleanup();
      }
    });
  }
});
