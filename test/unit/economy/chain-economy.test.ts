/**
 * The economy on a real chain (devnet params, blocks mined with real Equihash, real fluxnodes that
 * START, CONFIRM, get paid, are spent and expire, an app payment, coin burned in a coinbase). The
 * oracle is a fresh walk over the chain's own blocks that classifies every output itself: the supply
 * figures must equal it, and equal the chain's UTXO total; after a reorg they must equal a fresh
 * replay; operator accruals must be 0.1 × the payments found in the coinbases.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { RpcDispatcher } from '../../../src/api/jsonrpc.ts';
import { registerEconomyMethods } from '../../../src/api/rpc/economy-methods.ts';
import { appPaymentAddress } from '../../../src/cloud/registry/app-address.ts';
import { appPaymentData } from '../../../src/cloud/registry/payment-tx.ts';
import { equalBytes, reverseHex, toHex } from '../../../src/consensus/bytes.ts';
import { scriptForAddress } from '../../../src/consensus/keys/address.ts';
import { txid } from '../../../src/consensus/primitives/transaction.ts';
import type { Block } from '../../../src/consensus/primitives/types.ts';
import type { Tier } from '../../../src/consensus/tiers.ts';
import { ACCRUAL_EPOCH, PARALLEL_ASSETS, withLaunchTime } from '../../../src/economy/parallel/assets.ts';
import { computeSupply } from '../../../src/economy/supply/recompute.ts';
import {
  APP_SCRIPT,
  confirmTx,
  devnet,
  EconomyTestNode,
  type Operator,
  registerOperators,
  spendCollateral,
  tempDir,
} from './chain-support.ts';
import { at } from '../../support/at.ts';

const COIN = 100_000_000n;
const E = ACCRUAL_EPOCH;
/** 1 January 2022: after the first five assets launched. */
const Y2022 = Date.UTC(2022, 0, 1) / 1000;
/** Blocks up to 26 fall before the accrual epoch, 27–35 just after it, from 36 on in 2022. */
const blockTime = (h: number) => (h <= 26 ? E - 80 + 3 * h : h <= 35 ? E + 3 * h : Y2022 + 3 * h);
const AVAX_LAUNCH_HEIGHT = 45;
const ASSETS = withLaunchTime(PARALLEL_ASSETS, 'FLUX-AVAX', blockTime(AVAX_LAUNCH_HEIGHT), 'test launch');
const KDA_TARGET = 'k:ac07e9862bf04fe680c879286f273413d35b87667cce4a76d355fa319a51d82e';

const dirs: { cleanup: () => void }[] = [];
const open: EconomyTestNode[] = [];
let dirA: string;
let a: EconomyTestNode;
let miner: string;
let ops: Operator[];
let balanceBeforeAvax: ReturnType<EconomyTestNode['economy']['balance']>;

function dir(): string {
  const t = tempDir();
  dirs.push(t);
  return t.dir;
}

async function node(path: string, economyFirst = false): Promise<EconomyTestNode> {
  const n = await EconomyTestNode.open(path, { blockTime, economyFirst, economy: { assets: ASSETS } });
  open.push(n);
  return n;
}

function closeNode(n: EconomyTestNode): void {
  n.close();
  open.splice(open.indexOf(n), 1);
}

// ── the oracle: a fresh sum over the chain's outputs, written without the economy's code ─────────

interface FreshSum {
  minedByMiners: bigint;
  fees: bigint;
  operatorsByTier: Record<Tier, bigint>;
  burned: bigint;
  appPayments: bigint;
  appPaymentCount: number;
  /** Σ values of the unspent outputs this walk is left with. */
  unspent: bigint;
  /** Satoshis each payout script received in coinbases at or after the accrual epoch. */
  eligibleByScript: Map<string, bigint>;
}

function freshSum(blocks: Block[], operatorTier: Map<string, Tier>): FreshSum {
  const utxo = new Map<string, bigint>();
  const out: FreshSum = {
    minedByMiners: 0n,
    fees: 0n,
    operatorsByTier: { cumulus: 0n, nimbus: 0n, stratus: 0n },
    burned: 0n,
    appPayments: 0n,
    appPaymentCount: 0,
    unspent: 0n,
    eligibleByScript: new Map(),
  };
  for (const block of blocks) {
    let coinbaseTotal = 0n;
    let toOperators = 0n;
    let fees = 0n;
    for (const [t, tx] of block.txs.entries()) {
      const id = reverseHex(txid(tx));
      if (t > 0) {
        for (const input of tx.inputs) {
          const key = `${reverseHex(input.prevout.txid)}:${input.prevout.index}`;
          const v = utxo.get(key);
          assert.ok(v !== undefined, `input ${key} spends a known unspent output`);
          fees += v;
          utxo.delete(key);
        }
      }
      let paysApp = false;
      for (const [i, o] of tx.outputs.entries()) {
        const script = toHex(o.scriptPubKey);
        const burnt = o.scriptPubKey[0] === 0x6a;
        if (burnt) out.burned += o.value;
        else utxo.set(`${id}:${i}`, o.value);
        if (t === 0) {
          coinbaseTotal += o.value;
          const tier = operatorTier.get(script);
          if (tier) {
            toOperators += o.value;
            out.operatorsByTier[tier] += o.value;
            if (block.header.time >= E)
              out.eligibleByScript.set(script, (out.eligibleByScript.get(script) ?? 0n) + o.value);
          }
        } else {
          fees -= o.value;
          if (equalBytes(o.scriptPubKey, APP_SCRIPT)) {
            out.appPayments += o.value;
            paysApp = true;
          }
        }
      }
      if (paysApp) out.appPaymentCount++;
    }
    // devnet schedules no fund outputs: the coinbase is miner + operators.
    out.minedByMiners += coinbaseTotal - toOperators - fees;
    out.fees += fees;
  }
  for (const v of utxo.values()) out.unspent += v;
  return out;
}

function operatorTiers(): Map<string, Tier> {
  return new Map(ops.map((o) => [toHex(scriptForAddress(o.address, devnet.base58)), o.tier]));
}

/** The supply figures of `n` against the fresh walk of its main chain and its UTXO set. */
function assertSupplyMatchesChain(n: EconomyTestNode): void {
  const s = n.economy.supply();
  const fresh = freshSum(n.blocks(), operatorTiers());
  assert.equal(s.tipHeight, n.chain.height());
  assert.equal(s.blocks, n.chain.height(), 'every block since genesis is counted');
  assert.equal(s.minedByMiners, fresh.minedByMiners, 'miners');
  assert.equal(s.feesToMiners, fresh.fees, 'fees');
  assert.deepEqual(s.operatorsByTier, fresh.operatorsByTier, 'node operators by tier');
  assert.equal(s.burned, fresh.burned, 'burned');
  assert.equal(s.appPayments, fresh.appPayments, 'app payments');
  assert.equal(s.appPaymentCount, fresh.appPaymentCount, 'app payment count');
  assert.equal(s.circulating, fresh.unspent, 'circulating = Σ unspent outputs of the walk');
  assert.equal(s.circulating, n.chain.utxoStats().totalValue, 'circulating = the chain’s UTXO total');
  // Collateral locked: what the registered nodes hold, by tier.
  const locked: Record<Tier, bigint> = { cumulus: 0n, nimbus: 0n, stratus: 0n };
  for (const r of n.chain.fluxnodes.list()) locked[r.tier] += r.amount;
  assert.deepEqual(s.collateralByTier, locked, 'collateral by tier');
  assert.equal(s.liquid, s.circulating - s.collateralLocked);
  // And the running figures equal a recomputation from the stored summaries.
  const summaries = [];
  for (let h = 1; h <= n.chain.height(); h++) summaries.push(n.economy.blockSummary(h)!);
  assert.deepEqual(computeSupply(summaries), s);
}

function assertAccrualsMatchChain(n: EconomyTestNode): void {
  const fresh = freshSum(n.blocks(), operatorTiers());
  for (const op of ops) {
    const script = toHex(scriptForAddress(op.address, devnet.base58));
    const eligible = fresh.eligibleByScript.get(script) ?? 0n;
    const b = n.economy.balance(op.address);
    assert.equal(b.earnings.eligible, eligible, `${op.tier} ${op.address} eligible earnings`);
    for (const asset of b.assets) {
      // 8 decimals on both sides: 0.1 token per FLUX is one unit per 10 satoshis.
      assert.equal(asset.accrued, eligible / 10n, `${asset.assetId} accrual of ${op.address}`);
    }
  }
}

before(async () => {
  dirA = dir();
  // The economy first in A's extension list, last in every other node's: the order must not matter.
  a = await node(dirA, true);
  miner = a.wallet.newAddress('miner');
  ops = await registerOperators(a, miner, ['cumulus', 'nimbus', 'stratus', 'cumulus']); // up to 23
  await a.mine(6, miner); // 24–29: every tier paid, the two cumulus nodes in turn
  a.submit(
    a.wallet.createPayment({
      to: [{ address: appPaymentAddress(devnet), amount: 25n * COIN }],
      opReturn: appPaymentData('ab'.repeat(32)),
    }).tx,
  );
  await a.mineBlock(miner); // 30: an app payment
  await a.mineBlock(miner, { burn: 2n * COIN }); // 31: coin burned in the coinbase
  a.submit(spendCollateral(a, at(ops, 3), miner));
  await a.mineBlock(miner); // 32: the second cumulus node's collateral is spent
  await a.mine(2, miner);
  for (const op of ops.slice(0, 2)) a.submit(confirmTx(a, op)); // the stratus node stops confirming
  await a.mineBlock(miner); // 35
  while (a.chain.height() < AVAX_LAUNCH_HEIGHT - 1) await a.mineBlock(miner);
  balanceBeforeAvax = a.economy.balance(at(ops, 1).address);
  while (a.chain.height() < 56) await a.mineBlock(miner); // the stratus node expires at 54
});

after(() => {
  for (const n of [...open]) n.close();
  for (const d of dirs) d.cleanup();
});

test('the chain did what the scenario says (nodes paid, spent, expired)', () => {
  assert.equal(a.chain.height(), 56);
  assert.equal(a.chain.fluxnodes.get(at(ops, 3).collateral), undefined, 'spent collateral removed');
  assert.equal(a.chain.fluxnodes.get(at(ops, 2).collateral), undefined, 'stratus node expired');
  assert.equal(a.chain.fluxnodes.confirmed().length, 2);
});

test('supply figures equal a fresh sum over the chain’s outputs and the UTXO total', () => {
  assertSupplyMatchesChain(a);
  const s = a.economy.supply();
  // The scenario leaves a mark in every figure, so none of them can be passing by being zero.
  assert.equal(s.burned, 2n * COIN);
  assert.equal(s.appPayments, 25n * COIN);
  assert.equal(s.appPaymentCount, 1);
  assert.ok(s.feesToMiners > 0n);
  for (const t of ['cumulus', 'nimbus', 'stratus'] as const) assert.ok(s.operatorsByTier[t] > 0n, t);
  assert.deepEqual(s.collateralByTier, { cumulus: 1_000n * COIN, nimbus: 12_500n * COIN, stratus: 0n });
  assert.deepEqual(a.economy.coverage(), { fromHeight: 1, tipHeight: 56, complete: true });
});

test('block summaries: payees, collateral locks and releases, burns, app payments', () => {
  const b31 = a.economy.blockSummary(31)!;
  assert.equal(b31.burned, 2n * COIN);
  assert.equal(b31.operatorPayouts.length, 3);
  const b30 = a.economy.blockSummary(30)!;
  assert.equal(b30.appPayments.length, 1);
  assert.equal(at(b30.appPayments, 0).amount, 25n * COIN);
  // START at 22 locks every collateral; the spend at 32 and the expiry at 54 release them.
  assert.deepEqual(a.economy.blockSummary(22)!.collateral, [
    { tier: 'cumulus', amount: 2_000n * COIN },
    { tier: 'nimbus', amount: 12_500n * COIN },
    { tier: 'stratus', amount: 40_000n * COIN },
  ]);
  assert.deepEqual(a.economy.blockSummary(32)!.collateral, [{ tier: 'cumulus', amount: -1_000n * COIN }]);
  assert.deepEqual(a.economy.blockSummary(54)!.collateral, [{ tier: 'stratus', amount: -40_000n * COIN }]);
  // Each payment names the node the coinbase paid: its collateral, tier and START block time.
  for (const p of a.economy.blockSummary(25)!.operatorPayouts) {
    const op = ops.find((o) => o.collateral === p.collateral)!;
    assert.equal(p.payoutAddress, op.address);
    assert.equal(p.tier, op.tier);
    assert.equal(p.nodeStartTime, blockTime(22));
  }
  assert.equal(a.economy.blockSummary(12)!.operatorPayouts.length, 0, 'no nodes yet');
});

test('operator accruals equal 0.1 × the payments found in the coinbases, from the accrual epoch on', () => {
  assertAccrualsMatchChain(a);
  const early = a.economy.earnings(at(ops, 1).address);
  assert.ok(early.total > early.eligible, 'payments before 27 March 2021 do not accrue');
  // Matured payments only count toward claims.
  const b = a.economy.balance(at(ops, 1).address);
  assert.equal(b.maturedHeight, 56 + 1 - devnet.coinbaseMaturity);
  const kda = b.assets.find((x) => x.assetId === 'FLUX-KDA')!;
  assert.ok(kda.immature > 0n && kda.matured > 0n);
  assert.equal(kda.matured + kda.immature, kda.accrued);
  assert.equal(kda.claimable, kda.matured, 'launched: matured accrual is claimable at once');
  const erg = b.assets.find((x) => x.assetId === 'FLUX-ERG')!;
  assert.equal(erg.claimable, 0n);
  assert.equal(erg.pending, erg.matured, 'not launched: pending');
});

test('an asset launched later makes the accrual since the start rule claimable (backdated)', () => {
  const before = balanceBeforeAvax.assets.find((x) => x.assetId === 'FLUX-AVAX')!;
  assert.equal(before.launched, false);
  assert.equal(before.claimable, 0n);
  assert.ok(before.pending > 0n);
  const now = a.economy.balance(at(ops, 1).address).assets.find((x) => x.assetId === 'FLUX-AVAX')!;
  assert.equal(now.launched, true);
  assert.equal(now.pending, 0n);
  assert.ok(now.claimable >= before.pending, 'everything pending became claimable');
  // Backdated: the accrual includes payments from before the launch, from the epoch on.
  const kda = a.economy.balance(at(ops, 1).address).assets.find((x) => x.assetId === 'FLUX-KDA')!;
  assert.equal(now.matured, kda.matured);
});

test('reopening the chain restores the figures and balances from the tables', async () => {
  const supply = a.economy.supply();
  const balance = a.economy.balance(at(ops, 1).address);
  const wallet = a.wallet;
  closeNode(a);
  a = await EconomyTestNode.open(dirA, {
    blockTime,
    economyFirst: true,
    economy: { assets: ASSETS },
    wallet,
  });
  open.push(a);
  assert.deepEqual(a.economy.supply(), supply);
  assert.deepEqual(a.economy.balance(at(ops, 1).address), balance);
  assert.deepEqual(a.chain.checkConsistency(), []);
  assert.deepEqual(a.economy.coverage(), { fromHeight: 1, tipHeight: 56, complete: true });
});

test('after a reorg the figures equal a fresh replay of the new chain, and the fresh sum', async () => {
  // B shares A's chain up to 53, then mines a longer branch of its own with another miner address.
  const b = await node(dir());
  for (const block of a.blocks().slice(0, 53))
    assert.equal((await b.chain.acceptBlock(block)).status, 'connected');
  a.submit(
    a.wallet.createPayment({
      to: [{ address: appPaymentAddress(devnet), amount: 3n * COIN }],
      opReturn: appPaymentData('cd'.repeat(32)),
    }).tx,
  );
  await a.mineBlock(miner); // 57 on A only: an app payment that the reorg will remove
  const appsBefore = a.economy.supply().appPaymentCount;
  const otherMiner = b.wallet.newAddress('other miner');
  for (let i = 0; i < 5; i++) await b.mineBlock(otherMiner); // 54–58
  for (const block of b.blocks().slice(53)) await a.chain.acceptBlock(block);
  assert.equal(a.chain.tip().id, b.chain.tip().id, 'A switched to B’s branch');
  assert.equal(a.economy.supply().appPaymentCount, appsBefore - 1, 'the disconnected app payment is gone');
  assertSupplyMatchesChain(a);
  assertAccrualsMatchChain(a);

  // A fresh node replaying A's new chain from genesis ends with the same figures and summaries.
  const c = await node(dir());
  for (const block of a.blocks()) assert.equal((await c.chain.acceptBlock(block)).status, 'connected');
  assert.deepEqual(a.economy.supply(), c.economy.supply());
  assert.deepEqual(a.economy.supply(), b.economy.supply());
  for (let h = 1; h <= a.chain.height(); h++)
    assert.deepEqual(a.economy.blockSummary(h), c.economy.blockSummary(h), `summary ${h}`);
  for (const op of ops) assert.deepEqual(a.economy.earnings(op.address), c.economy.earnings(op.address));
  assert.deepEqual(a.chain.checkConsistency(), []);
});

test('summaries that do not reach the tip are dropped on open and coverage restarts', async () => {
  const path = dir();
  const f = await node(path);
  for (const block of a.blocks().slice(0, 30)) await f.chain.acceptBlock(block);
  const db = f.chain.db;
  db.exec('DELETE FROM economy_blocks WHERE height > 20');
  closeNode(f);
  const g = await node(path);
  const cov = g.economy.coverage();
  assert.equal(cov.fromHeight, 31);
  assert.equal(cov.complete, false);
  assert.match(cov.resetReason ?? '', /last summary is for height 20/);
  assert.equal(g.economy.supply().blocks, 0);
  await g.chain.acceptBlock(at(a.blocks(), 30));
  assert.equal(g.economy.supply().blocks, 1);
  assert.equal(g.economy.supply().tipHeight, 31);
  assert.deepEqual(g.chain.checkConsistency(), []);
});

test('a block another extension refuses leaves the economy exactly as it was', async () => {
  // A CONFIRM signed by the wrong key: the economy's own registry copy trusts signatures and takes
  // the block, the fluxnode registry after it refuses it, and the whole block is rolled back.
  const supply = a.economy.supply();
  const height = a.chain.height();
  const forged = confirmTx(a, { ...at(ops, 1), operatorKey: at(ops, 0).operatorKey });
  const { result } = await a.tryMineBlock(miner, { extraTxs: [forged] });
  assert.equal(result.status, 'invalid');
  assert.equal(result.rule, 'bad-fluxnode-confirm-signature');
  assert.equal(a.chain.height(), height);
  assert.deepEqual(a.economy.supply(), supply);
  assert.equal(a.economy.blockSummary(height + 1), undefined);
  assert.deepEqual(a.chain.checkConsistency(), []);
  await a.mineBlock(miner);
  assertSupplyMatchesChain(a);
});

test('JSON-RPC: getsupply, getassetbalance, createclaimdata, claimasset and getassetsnapshot check their input', async () => {
  const rpc = new RpcDispatcher();
  registerEconomyMethods(rpc, a.economy);
  const call = async (method: string, params: unknown[] = []) => {
    const r = await rpc.handleOne({ id: 1, method, params });
    return JSON.parse(JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)));
  };
  const supply = await call('getsupply');
  assert.equal(supply.error, null);
  const s = a.economy.supply();
  assert.equal(supply.result.satoshis.circulating, a.chain.utxoStats().totalValue.toString());
  assert.equal(supply.result.circulating, Number(s.circulating) / 1e8);
  assert.equal(supply.result.distribution.node_operators, Number(s.paidToOperators) / 1e8);
  assert.equal(supply.result.distribution.locked_as_collateral, Number(s.collateralLocked) / 1e8);
  assert.equal(supply.result.distribution.app_payments, Number(s.appPayments) / 1e8);
  assert.equal(supply.result.coverage.complete, true);
  const perAsset = a.economy.assetSupply();
  assert.deepEqual(
    supply.result.parallel_assets.map(
      (x: { asset: string; accrued: string; claimable: string; claimed: string }) => [
        x.asset,
        x.accrued,
        x.claimable,
        x.claimed,
      ],
    ),
    perAsset.map((x) => [x.assetId, x.accrued.toString(), x.claimable.toString(), x.claimed.toString()]),
  );

  const bal = await call('getassetbalance', [at(ops, 1).address]);
  const direct = a.economy.balance(at(ops, 1).address);
  assert.equal(bal.result.assets.length, direct.assets.length);
  assert.equal(bal.result.assets[0].accrued, at(direct.assets, 0).accrued.toString());
  assert.equal(bal.result.earnings.total_sat, direct.earnings.total.toString());

  const bad: [unknown[], number, RegExp][] = [
    [[], -3, /createclaimdata takes one object/],
    [[{ assetId: 'FLUX-KDA' }], -3, /claim.sourceAddress/],
    [
      [{ assetId: 'FLUX-KDA', sourceAddress: 'x', targetAddress: 'y', amount: 1.5 }],
      -3,
      /whole number of asset units/,
    ],
    [
      [{ assetId: 'FLUX-NOPE', sourceAddress: at(ops, 1).address, targetAddress: 'y', amount: '1' }],
      -8,
      /unknown-asset/,
    ],
  ];
  for (const [params, code, message] of bad) {
    const r = await call('createclaimdata', params);
    assert.equal(r.error?.code, code, JSON.stringify(params));
    assert.match(r.error.message, message);
  }
  const data = await call('createclaimdata', [
    { assetId: 'FLUX-KDA', sourceAddress: at(ops, 1).address, targetAddress: KDA_TARGET, amount: '5' },
  ]);
  assert.equal(data.result.nonce, 0);
  assert.match(data.result.opreturn, /^46584301/);
  const noWallet = await call('claimasset', [
    { assetId: 'FLUX-KDA', sourceAddress: at(ops, 1).address, targetAddress: KDA_TARGET, amount: '5' },
  ]);
  assert.equal(noWallet.error.code, -4);
  const snap = await call('getassetsnapshot', ['FLUX-KDA']);
  assert.equal(snap.result.snapshot, null);
  assert.equal((await call('getassetsnapshot', ['FLUX-KDA', 5])).error.code, -8);
  const unknown = await call('getassetsnapshot', ['NOPE']);
  assert.equal(unknown.error.code, -8);
  assert.match(unknown.error.message, /asset.*"NOPE"/);
  const list = await call('listparallelassets');
  assert.deepEqual(
    list.result.map((x: { asset: string }) => x.asset),
    ASSETS.map((x) => x.id),
  );
});

test('economy added to an existing node: coverage starts at the next block, deep reorgs stay exact', async () => {
  // G ran without the economy up to 40; H forks at 30 and never spends the second cumulus collateral.
  const path = dir();
  const before = await EconomyTestNode.open(path, { blockTime, withoutEconomy: true });
  for (const block of a.blocks().slice(0, 40)) await before.chain.acceptBlock(block);
  before.close();
  const g = await node(path);
  assert.deepEqual(g.economy.coverage(), { fromHeight: 41, tipHeight: null, complete: false });
  const h = await node(dir());
  for (const block of a.blocks().slice(0, 30)) await h.chain.acceptBlock(block);
  const forkMiner = h.wallet.newAddress('fork miner');
  for (let i = 0; i < 12; i++) await h.mineBlock(forkMiner);
  assert.ok(h.chain.fluxnodes.get(at(ops, 3).collateral), 'the second cumulus node lives on this branch');
  // Disconnecting 40..31 needs the registry's state before each of them: blocks the economy never saw.
  for (const block of h.blocks().slice(30)) await g.chain.acceptBlock(block);
  assert.equal(g.chain.tip().id, h.chain.tip().id);
  assert.deepEqual(g.economy.coverage(), { fromHeight: 31, tipHeight: 42, complete: false });
  const payees = new Set<string>();
  for (let height = 31; height <= 42; height++) {
    assert.deepEqual(g.economy.blockSummary(height), h.economy.blockSummary(height), `summary ${height}`);
    for (const p of g.economy.blockSummary(height)!.operatorPayouts) payees.add(p.collateral);
  }
  assert.ok(
    payees.has(at(ops, 3).collateral) && payees.has(at(ops, 0).collateral),
    'both cumulus nodes paid in turn',
  );
  const summaries = [];
  for (let height = 31; height <= 42; height++) summaries.push(h.economy.blockSummary(height)!);
  assert.deepEqual(g.economy.supply(), computeSupply(summaries));
  assert.deepEqual(g.chain.checkConsistency(), []);
});
