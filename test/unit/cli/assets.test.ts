/**
 * `fluxnode assets` against a node's JSON-RPC: a real devnet chain whose fluxnodes were paid, the
 * node's API server with the chain, address and economy methods, and the CLI run as its own process
 * with the operator's key. The CLI builds and signs the claim transaction itself; the node pools it
 * and records the claim once a block carries it.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ApiServer } from '../../../src/api/http-server.ts';
import { RpcDispatcher } from '../../../src/api/jsonrpc.ts';
import { registerAddressMethods } from '../../../src/api/rpc/address-methods.ts';
import { registerChainMethods } from '../../../src/api/rpc/chain-methods.ts';
import { reverseHex } from '../../../src/consensus/bytes.ts';
import { txid } from '../../../src/consensus/primitives/transaction.ts';
import type { Transaction } from '../../../src/consensus/primitives/types.ts';
import { registerEconomyMethods } from '../../../src/api/rpc/economy-methods.ts';
import type { TxIndexExtension } from '../../../src/chain/tx-index.ts';
import { type ClaimProof, verifyClaimProof } from '../../../src/economy/parallel/ledger.ts';
import { EconomyTestNode, type Operator, registerOperators, tempDir } from '../economy/chain-support.ts';
import { jsonOf, runCli } from '../../support/cli-harness.ts';
import { parseTokenAmount } from '../../../src/cli/commands/assets.ts';
import { at } from '../../support/at.ts';

const Y2022 = Date.UTC(2022, 0, 1) / 1000;
const KDA_TARGET = 'k:ac07e9862bf04fe680c879286f273413d35b87667cce4a76d355fa319a51d82e';
const UNITS = 100_000_000n;

const t = tempDir('fluxnode-assets-cli-');
let node: EconomyTestNode;
let api: ApiServer;
let conn: string[];
let op: Operator;
let wif: string;
let miner: string;

before(async () => {
  node = await EconomyTestNode.open(t.dir, {
    blockTime: (h) => Y2022 + 3 * h,
    economy: { snapshotInterval: 40 },
  });
  miner = node.wallet.newAddress('miner');
  op = at(await registerOperators(node, miner, ['nimbus']), 0);
  // Payments start at 24; with the 10-block coinbase maturity the first ones count from 33.
  while (node.chain.height() < 36) await node.mineBlock(miner);
  wif = node.wallet.exportWif(op.address);

  const rpc = new RpcDispatcher();
  const ctx = {
    params: node.chain.params,
    chain: node.chain,
    mempool: node.mempool,
    // Not in the chain of this test: nothing is found in it, so every transaction goes to the pool.
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
  registerChainMethods(rpc, ctx);
  registerAddressMethods(rpc, ctx, node.addressIndex);
  registerEconomyMethods(rpc, node.economy);
  api = new ApiServer({ host: '127.0.0.1', port: 0, rpc, rpcAuth: { user: 'u', password: 'p' } });
  const { port } = await api.listen();
  conn = ['--rpc-url', `http://127.0.0.1:${port}`, '--rpc-user', 'u', '--rpc-password', 'p'];
});

after(async () => {
  await api?.close();
  node?.close();
  t.cleanup();
});

const assets = (...args: string[]) => runCli(['assets', ...args, ...conn]);

test('assets balance: the node’s figures for the payout address, as JSON and as a table', async () => {
  // CLI runs are independent processes: run them side by side (each pays Node's start-up).
  const [r, human] = await Promise.all([
    assets('balance', op.address, '--json'),
    assets('balance', op.address),
  ]);
  assert.equal(r.status, 0, r.stderr);
  const b = jsonOf<{
    address: string;
    height: number;
    earnings: { payouts: number };
    assets: { asset: string; accrued: string; claimable: string; pending: string; next_nonce: number }[];
  }>(r);
  const direct = node.economy.balance(op.address);
  assert.equal(b.address, op.address);
  assert.equal(b.height, 36);
  assert.equal(b.earnings.payouts, direct.earnings.payouts);
  assert.ok(b.earnings.payouts >= 13);
  for (const a of direct.assets) {
    const row = b.assets.find((x) => x.asset === a.assetId)!;
    assert.equal(row.accrued, a.accrued.toString());
    assert.equal(row.claimable, a.claimable.toString());
    assert.equal(row.pending, a.pending.toString());
  }
  const kda = direct.assets.find((a) => a.assetId === 'FLUX-KDA')!;
  assert.ok(kda.claimable > 0n);

  assert.equal(human.status, 0, human.stderr);
  assert.match(human.stdout, /asset\s+chain\s+status\s+accrued\s+claimable/);
  // Tokens with their decimals, exactly: the KDA row shows the claimable units / 10^8.
  const whole = kda.claimable / UNITS;
  const frac = (kda.claimable % UNITS).toString().padStart(8, '0').replace(/0+$/, '');
  assert.match(
    human.stdout,
    new RegExp(`FLUX-KDA\\s+Kadena\\s+claimable\\s+\\S+\\s+${whole}${frac ? `\\.${frac}` : ''}\\s`),
  );
  assert.match(human.stdout, /FLUX-ERG\s+Ergo\s+pending/);
});

test('assets claim: a transaction signed with the WIF key, recorded once a block carries it', async () => {
  const r = await assets(
    'claim',
    '--asset',
    'FLUX-KDA',
    '--to',
    KDA_TARGET,
    '--key',
    wif,
    '--amount',
    '0.1',
    '--json',
  );
  assert.equal(r.status, 0, r.stderr);
  const sent = jsonOf<{ txid: string; amount: string; sourceAddress: string; nonce: number }>(r);
  assert.equal(sent.amount, '10000000');
  assert.equal(sent.sourceAddress, op.address);
  assert.equal(sent.nonce, 0);
  assert.ok(node.mempool.has(sent.txid), 'the claim waits in the pool');
  assert.deepEqual(node.economy.claims('FLUX-KDA'), [], 'not a claim before a block carries it');
  await node.mineBlock(miner);
  const first = node.economy.claims('FLUX-KDA');
  assert.equal(first.length, 1);
  assert.equal(node.economy.claimPlace(at(first, 0).id)?.txid, sent.txid);

  const rest = node.economy.balance(op.address).assets.find((a) => a.assetId === 'FLUX-KDA')!.claimable;
  const all = await assets('claim', '--asset', 'flux-kda', '--to', KDA_TARGET, '--key', wif);
  assert.equal(all.status, 0, all.stderr);
  assert.match(all.stdout, /sent claim of [\d.]+ FLUX-KDA/);
  // Sent at one tip, mined at the next: claimable only grows, so the claim still fits.
  await node.mineBlock(miner);
  const claims = node.economy.claims('FLUX-KDA');
  assert.equal(claims.length, 2);
  assert.equal(at(claims, 1).amount, rest);
  assert.equal(at(claims, 1).nonce, 1);
});

test('assets claim: bad input is refused with a clear message and changes nothing', async () => {
  const cases: [string[], number, RegExp][] = [
    [['--asset', 'FLUX-KDA', '--to', KDA_TARGET, '--key', wif, '--amount', '1000000'], 2, /is more than the/],
    [
      ['--asset', 'FLUX-ETH', '--to', '0x720CD16b011b987Da3518fbf38c3071d4F0D1495', '--key', 'not-a-key'],
      2,
      /--key: /,
    ],
    [['--asset', 'FLUX-DOGE', '--to', KDA_TARGET, '--key', wif], 2, /not a parallel asset; known: FLUX-KDA/],
    [['--asset', 'FLUX-ERG', '--to', KDA_TARGET, '--key', wif], 1, /FLUX-ERG has not launched/],
    [
      ['--asset', 'FLUX-ETH', '--to', '0x720cd16b011b987da3518fbf38c3071d4f0d14', '--key', wif],
      2,
      /bad-target-address/,
    ],
    [
      [
        '--asset',
        'FLUX-ETH',
        '--to',
        '0x720CD16b011b987Da3518fbf38c3071d4F0D1495',
        '--key',
        wif,
        '--amount',
        '1000000',
      ],
      2,
      /is more than the/,
    ],
  ];
  const results = await Promise.all(cases.map(([args]) => assets('claim', ...args)));
  for (const [i, [args, status, message]] of cases.entries()) {
    assert.equal(at(results, i).status, status, `${args.join(' ')}: ${at(results, i).stderr}`);
    assert.match(at(results, i).stderr, message);
  }
  assert.equal(node.economy.claims('FLUX-ETH').length, 0);
  assert.equal(node.economy.claims('FLUX-KDA').length, 2);
});

test('token amounts: exact units, no more decimals than the asset has', () => {
  assert.equal(parseTokenAmount('12.5', 8), 1_250_000_000n);
  assert.equal(parseTokenAmount('0.00000001', 8), 1n);
  assert.throws(() => parseTokenAmount('0.000000001', 8), /9 decimals, the asset has 8/);
  assert.throws(() => parseTokenAmount('0', 8), /more than zero/);
  assert.throws(() => parseTokenAmount('1e3', 8), /number of tokens/);
});

test('assets snapshot: the Merkle root sealed at the interval height, with proofs a contract can check', async () => {
  const none = await assets('snapshot', '--asset', 'FLUX-KDA');
  assert.equal(none.status, 0, none.stderr);
  assert.match(none.stdout, /no snapshot yet; 2 claims awaiting one/);
  while (node.chain.height() % 40 !== 0) await node.mineBlock(miner);
  const [r, show] = await Promise.all([
    assets('snapshot', '--asset', 'FLUX-KDA', '--json'),
    assets('snapshot', '--asset', 'FLUX-KDA'),
  ]);
  assert.equal(r.status, 0, r.stderr);
  const s = jsonOf<{
    snapshot: { snapshot: number; root: string; leafCount: number };
    claims: { id: string; proof: ClaimProof }[];
  }>(r);
  assert.equal(s.snapshot.snapshot, 0);
  assert.equal(s.snapshot.leafCount, 2);
  assert.equal(s.snapshot.root, at(node.economy.snapshots('FLUX-KDA'), 0).root);
  for (const c of s.claims) {
    assert.equal(c.proof.root, s.snapshot.root);
    assert.equal(verifyClaimProof(c.proof), true, c.id);
  }
  assert.equal(show.status, 0, show.stderr);
  assert.match(show.stdout, new RegExp(`root ${s.snapshot.root}`));
});
