/**
 * The pool's books follow the main chain: a reorg that takes a stake away takes it out of the books
 * (the follower is rebuilt from the pool's start), and the rebuilt books equal a fresh follower's.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { reverseHex } from '../../../src/consensus/bytes.ts';
import { txid } from '../../../src/consensus/primitives/transaction.ts';
import type { OutPoint } from '../../../src/consensus/primitives/types.ts';
import { PoolFollower, type PoolDefinition } from '../../../src/economy/pool/follower.ts';
import { stakePayment } from '../../../src/economy/pool/pool-payment.ts';
import { followChain } from '../../../src/node/modules/pool-sync.ts';
import { devnet, EconomyTestNode, tempDir } from '../economy/chain-support.ts';

const COIN = 100_000_000n;
const blockTime = (h: number) => Date.UTC(2022, 0, 1) / 1000 + 3 * h;
const dirs = [tempDir('fluxnode-pool-sync-'), tempDir('fluxnode-pool-sync-')];
const nodes: EconomyTestNode[] = [];

after(() => {
  for (const n of nodes) n.close();
  for (const d of dirs) d.cleanup();
});

function source(n: EconomyTestNode) {
  const outputScript = (o: OutPoint) => {
    const id = reverseHex(o.txid);
    for (const b of n.blocks())
      for (const tx of b.txs) if (reverseHex(txid(tx)) === id) return tx.outputs[o.index]?.scriptPubKey;
    return undefined;
  };
  return { chain: n.chain, params: devnet, economy: n.economy, outputScript };
}

test('a reorg that removes a stake removes it from the books; they equal a fresh follower’s', async () => {
  const a = await EconomyTestNode.open(dirs[0]!.dir, { blockTime });
  nodes.push(a);
  const miner = a.wallet.newAddress('miner');
  await a.mine(11, miner);
  const holder = a.wallet.newAddress('holder');
  const pool = a.wallet.newAddress('pool');
  a.submit(a.wallet.createPayment({ to: [{ address: holder, amount: 500n * COIN }] }).tx);
  await a.mineBlock(miner);
  const def: PoolDefinition = {
    address: pool,
    startHeight: a.chain.height(),
    params: { collateral: 40_000n * COIN, feeBps: 500, noticeBlocks: 3 },
  };
  const forkAt = a.chain.height();
  a.submit(stakePayment(a.wallet, holder, pool, 200n * COIN).tx);
  await a.mine(2, miner);
  let books = followChain(new PoolFollower(def, devnet), def, source(a));
  assert.equal(books.pool.staker(holder)?.stake, 200n * COIN);

  const b = await EconomyTestNode.open(dirs[1]!.dir, { blockTime });
  nodes.push(b);
  for (const block of a.blocks().slice(0, forkAt)) await b.chain.acceptBlock(block);
  const other = b.wallet.newAddress('other');
  while (b.chain.height() <= a.chain.height()) await b.mineBlock(other);
  for (const block of b.blocks().slice(forkAt)) await a.chain.acceptBlock(block);
  assert.equal(a.chain.tip().id, b.chain.tip().id);

  books = followChain(books, def, source(a));
  assert.equal(books.pool.staker(holder), undefined, 'the stake left with its block');
  assert.equal(books.height, a.chain.height());
  const fresh = followChain(new PoolFollower(def, devnet), def, source(a));
  assert.deepEqual(books.pool.state(), fresh.pool.state());
});
