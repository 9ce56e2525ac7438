/**
 * Parallel mining and holders on a real devnet chain: the miner's coinbase outputs accrue 0.1 of
 * every asset per FLUX as fluxnode payments do; a holder snapshot at a chosen height gives every
 * address 0.1 per FLUX it held then (collateral and pool stakes counted for their owners); the per-asset
 * supply figures are the sums over addresses. The oracle is a walk over the chain's own blocks.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { reverseHex } from '../../../src/consensus/bytes.ts';
import { addressForScript } from '../../../src/consensus/keys/address.ts';
import { txid } from '../../../src/consensus/primitives/transaction.ts';
import type { Block } from '../../../src/consensus/primitives/types.ts';
import { PARALLEL_ASSETS } from '../../../src/economy/parallel/assets.ts';
import { claimPayment } from '../../../src/economy/parallel/claim-payment.ts';
import { stakePayment } from '../../../src/economy/pool/pool-payment.ts';
import { devnet, EconomyTestNode, type Operator, registerOperators, tempDir } from './chain-support.ts';
import { at } from '../../support/at.ts';

const Y2022 = Date.UTC(2022, 0, 1) / 1000;
const blockTime = (h: number) => Y2022 + 3 * h;
const SNAPSHOT_HEIGHT = 26;
const economy = {
  holderSnapshots: [{ assetId: 'FLUX-SOL', height: SNAPSHOT_HEIGHT }],
  snapshotInterval: 1000,
};

const dirs: { cleanup: () => void }[] = [];
const nodes: EconomyTestNode[] = [];
let a: EconomyTestNode;
let miner: string;
let op: Operator;
let poolAddress: string;
let holder: string;
const STAKE = 60n * 100_000_000n;

async function open(): Promise<EconomyTestNode> {
  const t = tempDir('fluxnode-parallel-');
  dirs.push(t);
  const n = await EconomyTestNode.open(t.dir, { blockTime, economy, wallet: nodes[0]?.wallet });
  nodes.push(n);
  return n;
}

/** Every address's unspent satoshis after `blocks`, walked without the economy's code. */
function balancesAfter(blocks: Block[]): Map<string, bigint> {
  const utxo = new Map<string, { address: string; value: bigint }>();
  for (const block of blocks) {
    for (const [t, tx] of block.txs.entries()) {
      if (t > 0) for (const i of tx.inputs) utxo.delete(`${reverseHex(i.prevout.txid)}:${i.prevout.index}`);
      const id = reverseHex(txid(tx));
      for (const [v, o] of tx.outputs.entries()) {
        const address = addressForScript(o.scriptPubKey, devnet.base58);
        if (address && o.value > 0n) utxo.set(`${id}:${v}`, { address, value: o.value });
      }
    }
  }
  const out = new Map<string, bigint>();
  for (const { address, value } of utxo.values()) out.set(address, (out.get(address) ?? 0n) + value);
  return out;
}

/** Satoshis the coinbases paid `address` as the miner's first output. */
function minedBy(blocks: Block[], address: string): bigint {
  let sum = 0n;
  for (const block of blocks) {
    const out = at(at(block.txs, 0).outputs, 0);
    if (addressForScript(out.scriptPubKey, devnet.base58) === address) sum += out.value;
  }
  return sum;
}

const asset = (n: EconomyTestNode, address: string, id: string) =>
  n.economy.balance(address).assets.find((x) => x.assetId === id)!;

before(async () => {
  a = await open();
  miner = a.wallet.newAddress('miner');
  op = at(await registerOperators(a, miner, ['nimbus']), 0);
  // A holder stakes in a pool before the snapshot: the stake counts for the holder, not the pool.
  poolAddress = a.wallet.newAddress('pool');
  holder = a.wallet.newAddress('holder');
  a.submit(a.wallet.createPayment({ to: [{ address: holder, amount: 100n * 100_000_000n }] }).tx);
  await a.mineBlock(miner);
  a.submit(stakePayment(a.wallet, holder, poolAddress, STAKE).tx);
  await a.mineBlock(miner);
  assert.ok(a.chain.height() < SNAPSHOT_HEIGHT, `staked at ${a.chain.height()}, before the snapshot`);
  while (a.chain.height() < 40) await a.mineBlock(miner);
});

after(() => {
  for (const n of nodes) n.close();
  for (const d of dirs) d.cleanup();
});

test('a miner accrues 0.1 of every parallel asset per FLUX of its coinbase outputs', () => {
  const mined = minedBy(a.blocks(), miner);
  const b = a.economy.balance(miner);
  assert.equal(b.earnings.mined.eligible, mined);
  assert.equal(b.earnings.mined.outputs, 40);
  assert.equal(b.earnings.payouts, 0, 'no fluxnode payments');
  const eth = asset(a, miner, 'FLUX-ETH');
  // 8 decimals on both sides: 0.1 token per FLUX is one unit per 10 satoshis.
  assert.equal(eth.accrued, mined / 10n);
  assert.ok(eth.claimable > 0n && eth.claimable < eth.accrued, 'the matured part is claimable');
});

test('a holder snapshot gives every address 0.1 per FLUX it held at that height, collateral and pool stakes to their owners', () => {
  const held = balancesAfter(a.blocks().slice(0, SNAPSHOT_HEIGHT));
  assert.equal(held.get(poolAddress), STAKE, 'the pool’s address holds the stake');
  // The pool's balance is its holder's principal: all of it counts for the holder.
  held.set(holder, (held.get(holder) ?? 0n) + STAKE);
  held.set(poolAddress, 0n);
  assert.ok(held.size >= 4, `${held.size} holders`);
  for (const [address, sat] of held) {
    // FLUX-SOL has the snapshot, FLUX-TRX (same decimals, same launch) has not: the difference is it.
    const allocation = asset(a, address, 'FLUX-SOL').accrued - asset(a, address, 'FLUX-TRX').accrued;
    assert.equal(allocation, sat / 10n, address);
  }
  const collateral = 12_500n * 100_000_000n;
  assert.ok((held.get(op.address) ?? 0n) >= collateral, 'the collateral sits at its owner’s address');
});

test('supply per asset: accrued, claimable and claimed are the sums over every address', async () => {
  const sol = a.economy.balance(op.address).assets.find((x) => x.assetId === 'FLUX-SOL')!;
  a.submit(
    claimPayment(
      a.wallet,
      {
        assetId: 'FLUX-SOL',
        sourceAddress: op.address,
        targetAddress: 'So11111111111111111111111111111111111111112',
        amount: sol.claimable / 2n,
        nonce: 0,
      },
      PARALLEL_ASSETS,
    ).tx,
  );
  await a.mineBlock(miner);
  const addresses = new Set([...balancesAfter(a.blocks()).keys(), miner, op.address]);
  for (const row of a.economy.assetSupply()) {
    const sum = { accrued: 0n, claimed: 0n, claimable: 0n, pending: 0n };
    for (const address of addresses) {
      const p = asset(a, address, row.assetId);
      sum.accrued += p.accrued;
      sum.claimed += p.claimed;
      sum.claimable += p.claimable;
      sum.pending += p.pending;
    }
    assert.deepEqual(
      { accrued: row.accrued, claimed: row.claimed, claimable: row.claimable, pending: row.pending },
      sum,
      row.assetId,
    );
  }
  const solRow = a.economy.assetSupply().find((x) => x.assetId === 'FLUX-SOL')!;
  assert.equal(solRow.claimed, sol.claimable / 2n);
  assert.equal(a.economy.assetSupply().find((x) => x.assetId === 'FLUX-ERG')!.claimable, 0n, 'not launched');
});

test('another node fed the same blocks has the same figures; a reorg below the snapshot redoes it', async () => {
  const b = await open();
  for (const block of a.blocks()) await b.chain.acceptBlock(block);
  assert.deepEqual(b.economy.assetSupply(), a.economy.assetSupply());
  // C forks below the snapshot height and overtakes A: the allocation is made again from C's chain.
  const c = await open();
  for (const block of a.blocks().slice(0, SNAPSHOT_HEIGHT - 3)) await c.chain.acceptBlock(block);
  const other = c.wallet.newAddress('fork miner');
  while (c.chain.height() <= a.chain.height()) await c.mineBlock(other);
  for (const block of c.blocks().slice(SNAPSHOT_HEIGHT - 3)) await a.chain.acceptBlock(block);
  assert.equal(a.chain.tip().id, c.chain.tip().id);
  assert.deepEqual(a.economy.assetSupply(), c.economy.assetSupply());
  const held = balancesAfter(c.blocks().slice(0, SNAPSHOT_HEIGHT));
  assert.equal(
    asset(a, other, 'FLUX-SOL').accrued - asset(a, other, 'FLUX-TRX').accrued,
    (held.get(other) ?? 0n) / 10n,
  );
  assert.deepEqual(a.chain.checkConsistency(), []);
});
