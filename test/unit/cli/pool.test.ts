/**
 * `fluxnode pool` against a node's JSON-RPC: a real devnet chain, the pool's books followed from
 * it, and the CLI run as its own process with a holder's key that only the CLI holds. The holder
 * stakes and asks for part back with transactions signed in the CLI; the node's books show both.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import pino from 'pino';
import { ApiServer } from '../../../src/api/http-server.ts';
import { RpcDispatcher } from '../../../src/api/jsonrpc.ts';
import { registerAddressMethods } from '../../../src/api/rpc/address-methods.ts';
import { registerChainMethods } from '../../../src/api/rpc/chain-methods.ts';
import { registerPoolMethods } from '../../../src/api/rpc/pool-methods.ts';
import { registerStateMethods } from '../../../src/api/rpc/state-methods.ts';
import type { TxIndexExtension } from '../../../src/chain/tx-index.ts';
import { benchmarkAttesterFor } from '../../../src/cloud/benchmark/attest.ts';
import { reverseHex } from '../../../src/consensus/bytes.ts';
import { txid } from '../../../src/consensus/primitives/transaction.ts';
import type { OutPoint, Transaction } from '../../../src/consensus/primitives/types.ts';
import { FluxnodeOperator } from '../../../src/node/modules/operator.ts';
import { PoolModule } from '../../../src/node/modules/pool.ts';
import { Wallet } from '../../../src/wallet/wallet.ts';
import { jsonOf, runCli } from '../../support/cli-harness.ts';
import { devnet, EconomyTestNode, tempDir } from '../economy/chain-support.ts';

const COIN = 100_000_000n;
const t = tempDir('fluxnode-pool-cli-');
const stateDir = mkdtempSync(join(tmpdir(), 'fluxnode-pool-cli-state-'));
let node: EconomyTestNode;
let api: ApiServer;
let conn: string[];
let miner: string;
let holder: string;
let wif: string;
let pool: PoolModule;

before(async () => {
  node = await EconomyTestNode.open(t.dir, { blockTime: (h) => Date.UTC(2022, 0, 1) / 1000 + 3 * h });
  miner = node.wallet.newAddress('miner');
  await node.mine(11, miner);
  const own = new Wallet(devnet);
  holder = own.newAddress('holder');
  wif = own.exportWif(holder);
  node.submit(node.wallet.createPayment({ to: [{ address: holder, amount: 300n * COIN }] }).tx);
  await node.mineBlock(miner);
  const outputScript = (o: OutPoint) => {
    const id = reverseHex(o.txid);
    for (const b of node.blocks())
      for (const tx of b.txs) if (reverseHex(txid(tx)) === id) return tx.outputs[o.index]?.scriptPubKey;
    return undefined;
  };
  const log = pino({ level: 'silent' });
  const submit = async (tx: Transaction) => node.submit(tx);
  const operator = new FluxnodeOperator({
    chain: node.chain,
    params: devnet,
    registry: () => node.chain.fluxnodes,
    mempool: node.mempool,
    wallet: node.wallet,
    operatorKey: Uint8Array.from({ length: 32 }, (_, i) => i + 3),
    ip: '127.0.0.1:16127',
    stateFile: join(stateDir, 'fluxnode.json'),
    submit,
    attestBenchmark: benchmarkAttesterFor(devnet),
    log,
  });
  pool = new PoolModule(
    {
      address: node.wallet.newAddress('pool'),
      startHeight: node.chain.height(),
      params: { collateral: 40_000n * COIN, feeBps: 500, noticeBlocks: 2 },
    },
    {
      chain: node.chain,
      params: devnet,
      economy: node.economy,
      outputScript,
      wallet: node.wallet,
      operator,
      submit,
      stateFile: join(stateDir, 'pool.json'),
      log,
    },
  );
  const ctx = {
    params: devnet,
    chain: node.chain,
    mempool: node.mempool,
    txIndex: { locate: () => undefined } as unknown as TxIndexExtension,
    registry: () => node.chain.fluxnodes,
    acceptTransaction: async (tx: Transaction) => {
      node.submit(tx);
      return node.mempool.get(reverseHex(txid(tx)))!;
    },
    submitBlock: () => Promise.reject(new Error('not in this test')),
    peers: () => [],
    startedAt: Date.now(),
    version: 'test',
  };
  const rpc = new RpcDispatcher();
  registerChainMethods(rpc, ctx);
  registerAddressMethods(rpc, ctx, node.addressIndex);
  registerStateMethods(rpc, ctx, { walletBalance: () => 0n, keypoolSize: () => 0 });
  registerPoolMethods(rpc, ctx, {
    follower: () => pool.follower,
    recompute: () => pool.recompute(),
    node: () => null,
    stake: () => Promise.reject(new Error('the node holds no holder keys here')),
    withdraw: () => Promise.reject(new Error('the node holds no holder keys here')),
  });
  api = new ApiServer({ host: '127.0.0.1', port: 0, rpc, rpcAuth: { user: 'u', password: 'p' } });
  const { port } = await api.listen();
  conn = ['--rpc-url', `http://127.0.0.1:${port}`, '--rpc-user', 'u', '--rpc-password', 'p'];
});

after(async () => {
  await api?.close();
  node?.close();
  t.cleanup();
  rmSync(stateDir, { recursive: true, force: true });
});

const cli = (...args: string[]) => runCli(['pool', ...args, ...conn]);

test('pool stake and withdraw: signed in the CLI with the holder’s key; the books show stake, share and the pending amount', async () => {
  const staked = await cli('stake', '100', '--key', wif, '--json');
  assert.equal(staked.status, 0, staked.stderr);
  assert.ok(node.mempool.has(jsonOf<{ txid: string }>(staked).txid));
  await node.mineBlock(miner);
  const s = jsonOf<{ stake: { sat: string }; share_ppm: number }>(await cli('staker', holder, '--json'));
  assert.equal(s.stake.sat, String(100n * COIN));
  assert.equal(s.share_ppm, 1_000_000);

  const asked = await cli('withdraw', '40', '--key', wif);
  assert.equal(asked.status, 0, asked.stderr);
  assert.match(asked.stdout, /asked to withdraw 40 FLUX/);
  await node.mineBlock(miner);
  const after = jsonOf<{
    stake: { sat: string };
    pending_withdrawals: { amount: { sat: string }; due: number }[];
  }>(await cli('staker', holder, '--json'));
  assert.equal(after.stake.sat, String(60n * COIN));
  assert.deepEqual(
    after.pending_withdrawals.map((w) => [w.amount.sat, w.due]),
    [[String(40n * COIN), node.chain.height() + 2]],
  );
  const [info, verify, journal] = await Promise.all([
    cli('info', '--json'),
    cli('verify', '--json'),
    cli('journal', '--json'),
  ]);
  assert.equal(jsonOf<{ stakers: number }>(info).stakers, 1);
  assert.equal(verify.status, 0, verify.stdout);
  assert.deepEqual(
    jsonOf<{ type: string }[]>(journal).map((e) => e.type),
    ['init', 'deposit', 'withdraw-request'],
  );
});

test('pool stake refuses a bad amount, and asks for a key or a wallet address', async () => {
  const [bad, none] = await Promise.all([cli('stake', '1.123456789', '--key', wif), cli('stake', '5')]);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /at most 8 decimals/);
  assert.equal(none.status, 2);
  assert.match(none.stderr, /--key WIF .* or --from ADDRESS/);
});
