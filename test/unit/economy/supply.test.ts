import type { Tier } from '../../../src/consensus/index.ts';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { EconomyError } from '../../../src/economy/errors.ts';
import type { BlockSummary, CollateralChange } from '../../../src/economy/inputs.ts';
import { computeSupply } from '../../../src/economy/supply/recompute.ts';
import { SupplyStats } from '../../../src/economy/supply/stats.ts';
import { at, tuple } from '../../support/at.ts';

const COIN = 100_000_000n;
const TIERS: Tier[] = ['cumulus', 'nimbus', 'stratus'];

interface RawBlock {
  time: number;
  subsidy: bigint;
  fees: bigint;
  payouts: { tier: Tier; amount: bigint }[];
  oneOffs: { kind: string; amount: bigint }[];
  apps: bigint[];
  burned: bigint;
  collateral: { tier: Tier; lock: boolean; amount: bigint }[];
}

const rawBlock: fc.Arbitrary<RawBlock> = fc.record({
  time: fc.integer({ min: 0, max: 600 }),
  subsidy: fc.bigInt({ min: 0n, max: 150n * COIN }),
  fees: fc.bigInt({ min: 0n, max: COIN }),
  payouts: fc.array(
    fc.record({ tier: fc.constantFrom(...TIERS), amount: fc.bigInt({ min: 1n, max: 30n * COIN }) }),
    {
      maxLength: 3,
    },
  ),
  oneOffs: fc.array(
    fc.record({
      kind: fc.constantFrom('exchange-fund', 'foundation', 'swap-pool'),
      amount: fc.bigInt({ min: 1n, max: 22_000_000n * COIN }),
    }),
    { maxLength: 1 },
  ),
  apps: fc.array(fc.bigInt({ min: 1n, max: 50n * COIN }), { maxLength: 3 }),
  burned: fc.bigInt({ min: 0n, max: COIN }),
  collateral: fc.array(
    fc.record({
      tier: fc.constantFrom(...TIERS),
      lock: fc.boolean(),
      amount: fc.bigInt({ min: 1n, max: 100_000n * COIN }),
    }),
    { maxLength: 3 },
  ),
});

/** Turns raw draws into a consecutive chain; a release never exceeds what that tier has locked. */
function chainOf(start: number, raws: RawBlock[]): BlockSummary[] {
  const locked: Record<Tier, bigint> = { cumulus: 0n, nimbus: 0n, stratus: 0n };
  let time = 1_650_000_000;
  return raws.map((r, i) => {
    time += r.time;
    const collateral: CollateralChange[] = [];
    for (const c of r.collateral) {
      const amount = c.lock ? c.amount : -(c.amount < locked[c.tier] ? c.amount : locked[c.tier]);
      if (amount === 0n) continue;
      locked[c.tier] += amount;
      collateral.push({ tier: c.tier, amount });
    }
    return {
      height: start + i,
      time,
      minerReward: r.subsidy + r.fees,
      fees: r.fees,
      operatorPayouts: r.payouts.map((p, k) => ({
        height: start + i,
        time,
        txid: `cb${start + i}`,
        payoutAddress: `t1op${k}`,
        collateral: `c${k}:0`,
        tier: p.tier,
        amount: p.amount,
        nodeStartTime: 0,
      })),
      oneOffs: r.oneOffs.map((o) => ({ address: 't3fund', kind: o.kind, amount: o.amount })),
      appPayments: r.apps.map((amount, k) => ({ txid: `app${start + i}-${k}`, amount })),
      burned: r.burned,
      collateral,
    };
  });
}

const chainArb = fc
  .tuple(fc.integer({ min: 0, max: 2_000_000 }), fc.array(rawBlock, { maxLength: 40 }))
  .map(([start, raws]) => chainOf(start, raws));

test('property: incremental stats equal the from-scratch sum over generated blocks', () => {
  fc.assert(
    fc.property(chainArb, (blocks) => {
      const stats = new SupplyStats();
      for (const b of blocks) stats.connect(b);
      const inc = stats.snapshot();
      assert.deepEqual(inc, computeSupply(blocks));
      // And both agree with the plain definition of new coins: the coinbase minus the fees it recycles.
      let created = 0n;
      for (const b of blocks) {
        created += b.minerReward - b.fees;
        for (const p of b.operatorPayouts) created += p.amount;
        for (const o of b.oneOffs) created += o.amount;
      }
      assert.equal(inc.minted, created);
      assert.equal(inc.minted, inc.minedByMiners + inc.paidToOperators + inc.oneOffs);
      assert.equal(inc.circulating, created - blocks.reduce((s, b) => s + b.burned, 0n));
      assert.equal(inc.liquid, inc.circulating - inc.collateralLocked);
      assert.ok(Object.values(inc.collateralByTier).every((v) => v >= 0n));
    }),
    { numRuns: 200 },
  );
});

test('property: after reorgs (tip disconnects and new blocks) the stats equal a recount of the chain kept', () => {
  fc.assert(
    fc.property(chainArb, chainArb, fc.nat(), (main, alt, cutSeed) => {
      const stats = new SupplyStats();
      for (const b of main) stats.connect(b);
      const keep = main.length === 0 ? 0 : cutSeed % (main.length + 1);
      for (let i = main.length - 1; i >= keep; i--) stats.disconnect(at(main, i));
      // Re-base the alternative branch onto the kept part (collateral stays non-negative: its releases are its own locks).
      const base = main.length > 0 ? at(main, 0).height : 0;
      const branch = chainOf(base + keep, []).concat(
        alt.map((b, i) => ({
          ...b,
          height: base + keep + i,
          collateral: b.collateral.filter((c) => c.amount > 0n),
        })),
      );
      for (const b of branch) stats.connect(b);
      assert.deepEqual(stats.snapshot(), computeSupply([...main.slice(0, keep), ...branch]));
    }),
    { numRuns: 150 },
  );
});

test('a 2022 block with the exchange-fund one-off: 75 FLUX subsidy plus 7,500,000 FLUX created', () => {
  // Height 836,274 (reference/README.md): subsidy 75 FLUX split 7.5 / 12.5 / 30 % to the tiers, rest to the miner.
  const subsidy = 75n * COIN;
  const cumulus = (subsidy * 75n) / 1000n;
  const nimbus = (subsidy * 125n) / 1000n;
  const stratus = (subsidy * 300n) / 1000n;
  const fees = 12_345n;
  const payout = (tier: Tier, amount: bigint) => ({
    height: 836_274,
    time: 1_616_900_000,
    txid: 'cb',
    payoutAddress: `t1${tier}`,
    collateral: `${tier}:0`,
    tier,
    amount,
    nodeStartTime: 0,
  });
  const block: BlockSummary = {
    height: 836_274,
    time: 1_616_900_000,
    minerReward: subsidy - cumulus - nimbus - stratus + fees,
    fees,
    operatorPayouts: [payout('cumulus', cumulus), payout('nimbus', nimbus), payout('stratus', stratus)],
    oneOffs: [
      { address: 't3PMbbA5YBMrjSD3dD16SSdXKuKovwmj6tS', amount: 7_500_000n * COIN, kind: 'exchange-fund' },
    ],
    appPayments: [],
    burned: 0n,
    collateral: [{ tier: 'stratus', amount: 100_000n * COIN }],
  };
  const stats = new SupplyStats();
  stats.connect(block);
  const s = stats.snapshot();
  assert.equal(s.minted, subsidy + 7_500_000n * COIN);
  assert.equal(s.minedByMiners, subsidy / 2n);
  assert.equal(s.paidToOperators, subsidy / 2n);
  assert.deepEqual(s.oneOffsByKind, { 'exchange-fund': 7_500_000n * COIN });
  assert.equal(s.liquid, s.minted - 100_000n * COIN);
});

test('out-of-order, inconsistent or impossible blocks are refused and change nothing', () => {
  const [b0, b1, b2] = tuple(
    chainOf(100, [
      { time: 1, subsidy: COIN, fees: 0n, payouts: [], oneOffs: [], apps: [], burned: 0n, collateral: [] },
      { time: 1, subsidy: COIN, fees: 5n, payouts: [], oneOffs: [], apps: [2n], burned: 1n, collateral: [] },
      { time: 1, subsidy: COIN, fees: 0n, payouts: [], oneOffs: [], apps: [], burned: 0n, collateral: [] },
    ]),
    3,
  );
  const stats = new SupplyStats();
  stats.connect(b0);
  stats.connect(b1);
  const before = stats.snapshot();
  const code = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      if (e instanceof EconomyError) return e.code;
      throw e;
    }
    return 'accepted';
  };
  assert.equal(
    code(() => stats.connect({ ...b2, height: 103 })),
    'not-next-block',
  );
  assert.equal(
    code(() => stats.connect(b1)),
    'not-next-block',
  );
  assert.equal(
    code(() => stats.disconnect(b0)),
    'not-tip-block',
  );
  assert.equal(
    code(() => stats.connect({ ...b2, fees: b2.minerReward + 1n })),
    'fees-exceed-miner-reward',
  );
  assert.equal(
    code(() => stats.connect({ ...b2, collateral: [{ tier: 'nimbus', amount: -1n }] })),
    'collateral-underflow',
  );
  assert.equal(
    code(() => stats.connect({ ...b2, burned: -1n })),
    'bad-amount',
  );
  assert.deepEqual(stats.snapshot(), before);
  assert.equal(
    code(() => computeSupply([b0, b2])),
    'not-next-block',
  );
});
