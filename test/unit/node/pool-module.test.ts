/**
 * The staking-pool role on a real devnet chain (real Equihash blocks, the fluxnode registry, the
 * economy, the operator module with the devnet benchmark attester): three holders stake enough for
 * one Stratus node; the pool locks the collateral, STARTs the node, keeps it confirmed, is paid and
 * shares every payment by stake-blocks less its fee; a holder withdraws after the notice period and
 * is paid; a withdrawal that leaves too little winds the node down. Every balance equals a replay of
 * the journal and a fresh follower over the chain.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import pino from 'pino';
import { benchmarkAttesterFor } from '../../../src/cloud/benchmark/attest.ts';
import { reverseHex } from '../../../src/consensus/bytes.ts';
import { hash160 } from '../../../src/consensus/hash.ts';
import { scriptForAddress } from '../../../src/consensus/keys/address.ts';
import { txid } from '../../../src/consensus/primitives/transaction.ts';
import type { OutPoint } from '../../../src/consensus/primitives/types.ts';
import { PoolFollower } from '../../../src/economy/pool/follower.ts';
import { stakeData, withdrawData } from '../../../src/economy/pool/pool-data.ts';
import { replay } from '../../../src/economy/pool/replay.ts';
import { FluxnodeOperator } from '../../../src/node/modules/operator.ts';
import { PoolModule } from '../../../src/node/modules/pool.ts';
import { followChain } from '../../../src/node/modules/pool-sync.ts';
import { devnet, EconomyTestNode, tempDir } from '../economy/chain-support.ts';

const COIN = 100_000_000n;
const T0 = Math.floor(Date.now() / 1000) - 5_000;
const blockTime = (h: number) => T0 + 3 * h;
const params = { collateral: 40_000n * COIN, feeBps: 1_000, noticeBlocks: 4 };
const log = pino({ level: 'silent' });

const t = tempDir('fluxnode-pool-');
const stateDir = mkdtempSync(join(tmpdir(), 'fluxnode-pool-state-'));
let node: EconomyTestNode;
let miner: string;
let poolAddress: string;
let holders: string[];
let pool: PoolModule;
let operator: FluxnodeOperator;

/** Scripts of every output on the main chain (what the node's tx index answers). */
function outputScript(o: OutPoint): Uint8Array | undefined {
  const id = reverseHex(o.txid);
  for (const block of node.blocks())
    for (const tx of block.txs) if (reverseHex(txid(tx)) === id) return tx.outputs[o.index]?.scriptPubKey;
  return undefined;
}

/** Mines one block, then lets the pool and the operator act on the new tip, as their tip events do. */
async function step(n = 1): Promise<void> {
  for (let i = 0; i < n; i++) {
    await node.mineBlock(miner);
    await pool.tick();
    await operator.tick();
  }
}

function holderTx(holder: string, to: string, amount: bigint, data: Uint8Array) {
  const coin = node.wallet.coins().find((c) => c.address === holder && c.status === 'spendable');
  assert.ok(coin, `${holder} has a spendable coin`);
  return node.wallet.createPayment({
    to: [{ address: to, amount }],
    opReturn: data,
    changeAddress: holder,
    inputs: [coin.outpoint],
  }).tx;
}

function checkBooks(): void {
  const f = pool.follower;
  const replayed = replay(f.pool.journal);
  // The journal ends at its last entry; the books went on to the tip with nothing to record.
  replayed.advance(f.height);
  assert.equal(replayed.journal.length, f.pool.journal.length);
  assert.deepEqual(replayed.state(), f.pool.state(), 'the journal replays to the same balances');
  const fresh = followChain(new PoolFollower(pool.def, devnet), pool.def, {
    chain: node.chain,
    params: devnet,
    economy: node.economy,
    outputScript,
  });
  assert.deepEqual(fresh.pool.state(), f.pool.state(), 'the chain replays to the same balances');
}

before(async () => {
  node = await EconomyTestNode.open(t.dir, { blockTime });
  miner = node.wallet.newAddress('miner');
  await node.mine(11, miner);
  poolAddress = node.wallet.newAddress('pool');
  holders = [node.wallet.newAddress('h1'), node.wallet.newAddress('h2'), node.wallet.newAddress('h3')];
  node.submit(
    node.wallet.createPayment({ to: holders.map((address) => ({ address, amount: 20_000n * COIN })) }).tx,
  );
  await node.mineBlock(miner);
  operator = new FluxnodeOperator({
    chain: node.chain,
    params: devnet,
    registry: () => node.chain.fluxnodes,
    mempool: node.mempool,
    wallet: node.wallet,
    operatorKey: Uint8Array.from({ length: 32 }, (_, i) => i + 1),
    ip: '127.0.0.1:16127',
    stateFile: join(stateDir, 'fluxnode.json'),
    submit: async (tx) => node.submit(tx),
    attestBenchmark: benchmarkAttesterFor(devnet),
    log,
  });
  pool = new PoolModule(
    { address: poolAddress, startHeight: node.chain.height(), params },
    {
      chain: node.chain,
      params: devnet,
      economy: node.economy,
      outputScript,
      wallet: node.wallet,
      operator,
      submit: async (tx) => node.submit(tx),
      stateFile: join(stateDir, 'pool.json'),
      log,
    },
  );
});

after(() => {
  node?.close();
  t.cleanup();
  rmSync(stateDir, { recursive: true, force: true });
});

test('three holders stake; at the collateral the pool locks it, STARTs a Stratus node and keeps it confirmed', async () => {
  const amounts = [15_000n * COIN, 15_000n * COIN, 12_000n * COIN];
  for (const [i, h] of holders.entries()) node.submit(holderTx(h, poolAddress, amounts[i]!, stakeData()));
  await step();
  const f = pool.follower;
  assert.deepEqual(
    holders.map((h) => f.pool.staker(h)?.stake),
    amounts,
  );
  assert.equal(f.pool.nodeList().length, 1, 'one node slot opened at 42,000 FLUX staked');
  assert.ok(pool.actions.collateral, 'the collateral payment is sent');
  await step(devnet.fluxnodes.collateralMinConfirmations + 1);
  assert.equal(operator.collateral, pool.actions.collateral, 'the operator runs the pool’s collateral');
  await step(3);
  const r = node.chain.fluxnodes.get(pool.actions.collateral!);
  assert.equal(r?.tier, 'stratus');
  assert.equal(r?.status, 'confirmed');
  checkBooks();
});

test('every payment to the node is split by stake-blocks less the operator fee, to the satoshi', async () => {
  for (let i = 0; i < 30 && !pool.follower.pool.journal.some((e) => e.type === 'reward'); i++) await step();
  await step(3);
  const s = pool.follower.pool.state();
  assert.ok(s.totals.rewards > 0n, 'the pool’s node was paid');
  assert.equal(
    s.totals.fees,
    pool.follower.pool.journal
      .filter((e) => e.type === 'fee')
      .reduce((n, e) => n + (e.type === 'fee' ? e.amount : 0n), 0n),
  );
  assert.equal(s.totals.rewards - s.totals.fees, s.totals.credited + s.totals.undistributed);
  const earned = holders.map((h) => pool.follower.pool.staker(h)!.earned);
  assert.ok(earned[0]! > earned[2]!, 'a larger stake earns more');
  assert.equal(node.chain.fluxnodes.get(pool.actions.collateral!)?.status, 'confirmed');
  checkBooks();
});

test('a holder withdraws: paid after the notice period, from the pool address, exactly', async () => {
  const h3 = holders[2]!;
  const amount = 1_000n * COIN;
  const poolHash = hash160(scriptForAddress(poolAddress, devnet.base58));
  node.submit(holderTx(h3, h3, 10_000n, withdrawData(amount, poolHash)));
  await step();
  const request = pool.follower.pool.journal.find((e) => e.type === 'withdraw-request');
  assert.ok(request && request.type === 'withdraw-request');
  assert.equal(pool.follower.pool.staker(h3)!.pending, amount);
  await step(params.noticeBlocks - 1);
  assert.equal(Object.keys(pool.actions.paid).length, 0, 'not before the notice period');
  await step();
  const paid = Object.values(pool.actions.paid);
  assert.equal(paid.length, 1);
  await step();
  const payment = node.chain
    .getBlock(node.chain.height())!
    .txs.find((tx) => reverseHex(txid(tx)) === paid[0]);
  assert.ok(payment, 'the payment is mined');
  const h3Script = scriptForAddress(h3, devnet.base58);
  assert.equal(payment.outputs.find((o) => Buffer.from(o.scriptPubKey).equals(h3Script))?.value, amount);
  assert.equal(pool.follower.pool.staker(h3)!.withdrawn, amount);
  assert.equal(pool.follower.pool.nodeList().length, 1, 'the node stays: enough stake is left');
  checkBooks();
});

test('a withdrawal that takes the pool below the collateral winds the node down in order', async () => {
  const h1 = holders[0]!;
  const poolHash = hash160(scriptForAddress(poolAddress, devnet.base58));
  const collateral = pool.actions.collateral!;
  node.submit(holderTx(h1, h1, 10_000n, withdrawData(15_000n * COIN, poolHash)));
  await step(params.noticeBlocks + 2);
  assert.ok(pool.follower.pool.journal.some((e) => e.type === 'node-close'));
  assert.equal(pool.follower.pool.nodeList().length, 0);
  assert.equal(pool.actions.collateral, undefined, 'the collateral was released');
  await step(2);
  assert.equal(pool.follower.pool.staker(h1)!.withdrawn, 15_000n * COIN);
  assert.equal(node.chain.fluxnodes.get(collateral), undefined, 'the node left the list with its collateral');
  checkBooks();
});
