import type { Tier } from '../../../src/consensus/index.ts';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { EconomyError } from '../../../src/economy/errors.ts';
import type { OperatorPayout } from '../../../src/economy/inputs.ts';
import { ACCRUAL_EPOCH, PARALLEL_ASSETS, withLaunchTime } from '../../../src/economy/parallel/assets.ts';
import { claimMessage } from '../../../src/economy/parallel/claim-message.ts';
import { ParallelLedger } from '../../../src/economy/parallel/ledger.ts';
import { TestKeyring, utc } from './support.ts';

const DAY = 86_400;
const ADDRESSES = ['t1alpha', 't1bravo', 't1charlie', 't1delta', 't1echo'];
const TIER_LIST: Tier[] = ['cumulus', 'nimbus', 'stratus'];

interface RawPayout {
  address: string;
  tier: Tier;
  amount: bigint;
  time: number;
  startBefore: number;
}

/** Payments scattered from two months before the epoch to a year after; node starts likewise. */
const payoutArb: fc.Arbitrary<RawPayout> = fc.record({
  address: fc.constantFrom(...ADDRESSES),
  tier: fc.constantFrom(...TIER_LIST),
  amount: fc.bigInt({ min: 1n, max: 40n * 100_000_000n }),
  time: fc.integer({ min: ACCRUAL_EPOCH - 60 * DAY, max: ACCRUAL_EPOCH + 365 * DAY }),
  startBefore: fc.integer({ min: 0, max: 400 * DAY }),
});

function toPayouts(raw: RawPayout[]): OperatorPayout[] {
  return raw.map((r, i) => ({
    height: 800_000 + i,
    time: r.time,
    txid: `cb${i.toString(16).padStart(62, '0')}`,
    payoutAddress: r.address,
    collateral: `${i.toString(16).padStart(64, 'c')}:0`,
    tier: r.tier,
    amount: r.amount,
    nodeStartTime: Math.max(0, r.time - r.startBefore),
  }));
}

/** The rule written out plainly: a payment counts if paid at or after max(node start, 27 March 2021 UTC). */
function eligibleByAddress(payouts: OperatorPayout[]): Map<string, bigint> {
  const march27 = Date.UTC(2021, 2, 27) / 1000;
  const out = new Map<string, bigint>();
  for (const p of payouts) {
    if (p.time >= Math.max(p.nodeStartTime, march27))
      out.set(p.payoutAddress, (out.get(p.payoutAddress) ?? 0n) + p.amount);
  }
  return out;
}

test('the accrual epoch is 27 March 2021, 00:00 UTC', () => {
  assert.equal(new Date(ACCRUAL_EPOCH * 1000).toISOString(), '2021-03-27T00:00:00.000Z');
});

test('property: accrued parallel units are exactly 0.1 × eligible operator rewards, per asset', () => {
  const keys = new TestKeyring();
  fc.assert(
    fc.property(fc.array(payoutArb, { maxLength: 60 }), (raw) => {
      const payouts = toPayouts(raw);
      const ledger = new ParallelLedger({ verifySignature: keys.verify });
      for (const p of payouts) ledger.applyPayout(p);
      const expected = eligibleByAddress(payouts);
      const totalEligible = [...expected.values()].reduce((s, v) => s + v, 0n);
      const totalAll = payouts.reduce((s, p) => s + p.amount, 0n);
      assert.equal(ledger.totals().eligibleSat, totalEligible);
      assert.equal(ledger.totals().eligibleSat + ledger.totals().ineligibleSat, totalAll);
      const now = utc(2022, 6, 1);
      for (const asset of PARALLEL_ASSETS) {
        let sumUnits = 0n;
        for (const address of ADDRESSES) {
          const sat = expected.get(address) ?? 0n;
          // 0.1 token per FLUX: sat/1e8 FLUX × 0.1 × 10^decimals units, rounded down once per address.
          const want = (sat * 10n ** BigInt(asset.decimals)) / (10n * 100_000_000n);
          const pos = ledger.position(address, asset.id, now);
          assert.equal(pos.accrued, want, `${asset.id} ${address}`);
          assert.equal(pos.claimable + pos.pending, pos.accrued);
          sumUnits += pos.accrued;
        }
        // Against the exact total: the floors lose less than one unit per address.
        const exactTimesDivisor = totalEligible * 10n ** BigInt(asset.decimals);
        const divisor = 10n * 100_000_000n;
        assert.ok(sumUnits * divisor <= exactTimesDivisor);
        assert.ok(exactTimesDivisor - sumUnits * divisor < BigInt(ADDRESSES.length) * divisor);
      }
    }),
    { numRuns: 150 },
  );
});

test('payments before the epoch or before the node started accrue nothing', () => {
  const keys = new TestKeyring();
  const ledger = new ParallelLedger({ verifySignature: keys.verify });
  const base = {
    height: 1,
    txid: 'a',
    tier: 'stratus' as const,
    amount: 1_125_000_000n,
    payoutAddress: 't1x',
  };
  assert.equal(
    ledger.applyPayout({ ...base, collateral: 'c:0', time: ACCRUAL_EPOCH - 1, nodeStartTime: 0 }),
    false,
  );
  assert.equal(
    ledger.applyPayout({
      ...base,
      collateral: 'c:1',
      time: ACCRUAL_EPOCH + 10,
      nodeStartTime: ACCRUAL_EPOCH + 11,
    }),
    false,
  );
  assert.equal(
    ledger.applyPayout({ ...base, collateral: 'c:2', time: ACCRUAL_EPOCH, nodeStartTime: ACCRUAL_EPOCH }),
    true,
  );
  assert.equal(ledger.basisOf('t1x'), 1_125_000_000n);
  assert.equal(ledger.position('t1x', 'FLUX-ETH', utc(2022, 1, 1)).accrued, 112_500_000n);
});

test('the same coinbase payment cannot be counted twice, and a bad payment changes nothing', () => {
  const keys = new TestKeyring();
  const ledger = new ParallelLedger({ verifySignature: keys.verify });
  const p: OperatorPayout = {
    height: 900_000,
    time: utc(2021, 8, 1),
    txid: 'ff',
    payoutAddress: 't1y',
    collateral: 'ab:0',
    tier: 'nimbus',
    amount: 468_750_000n,
    nodeStartTime: utc(2021, 1, 1),
  };
  ledger.applyPayout(p);
  assert.throws(
    () => ledger.applyPayout(p),
    (e: unknown) => e instanceof EconomyError && e.code === 'duplicate-payout',
  );
  assert.throws(() => ledger.applyPayout({ ...p, collateral: 'ab:1', amount: -1n }), /bad-amount/);
  assert.throws(() => ledger.applyPayout({ ...p, collateral: 'ab:2', tier: 'cirrus' as Tier }), /bad-tier/);
  assert.equal(ledger.basisOf('t1y'), 468_750_000n);
  assert.equal(ledger.totals().payouts, 1);
});

test('property: an unlaunched asset is pending until launch, then the whole backdated amount is claimable', () => {
  fc.assert(
    fc.property(
      fc.array(payoutArb, { minLength: 1, maxLength: 40 }),
      fc.integer({ min: 1, max: 500 * DAY }),
      fc.integer({ min: 0, max: 30 * DAY }),
      (raw, launchAfterEpoch, claimDelay) => {
        const keys = new TestKeyring();
        const operator = keys.make(7);
        const payouts = toPayouts(raw).map((p) => ({ ...p, payoutAddress: operator.address }));
        const launch = ACCRUAL_EPOCH + launchAfterEpoch;
        const registry = withLaunchTime(PARALLEL_ASSETS, 'FLUX-AVAX', launch);
        const ledger = new ParallelLedger({ verifySignature: keys.verify, registry });
        for (const p of payouts) ledger.applyPayout(p);
        const sat = eligibleByAddress(payouts).get(operator.address) ?? 0n;
        const owed = sat / 10n; // 8 decimals: 0.1 × satoshis

        const before = ledger.position(operator.address, 'FLUX-AVAX', launch - 1);
        assert.deepEqual(
          { status: before.status, claimable: before.claimable, pending: before.pending },
          { status: 'pending', claimable: 0n, pending: owed },
        );
        const fields = {
          assetId: 'FLUX-AVAX',
          sourceAddress: operator.address,
          targetAddress: '0xc4B06F17ECcB2215a5DBf042C672101Fc20daF55',
          amount: owed > 0n ? owed : 1n,
          nonce: 0,
        };
        const request = { ...fields, signature: operator.sign(claimMessage(fields)) };
        assert.throws(() => ledger.claim(request, launch - 1), /asset-not-launched/);

        const after = ledger.position(operator.address, 'FLUX-AVAX', launch + claimDelay);
        assert.deepEqual(
          { status: after.status, claimable: after.claimable, pending: after.pending },
          { status: 'claimable', claimable: owed, pending: 0n },
        );
        if (owed > 0n) {
          const record = ledger.claim(request, launch + claimDelay);
          assert.equal(record.amount, owed);
          assert.equal(ledger.position(operator.address, 'FLUX-AVAX', launch + claimDelay).claimable, 0n);
        }
      },
    ),
    { numRuns: 100 },
  );
});

test('assets without a launch date stay pending; the 2022 launched five are claimable', () => {
  const keys = new TestKeyring();
  const ledger = new ParallelLedger({ verifySignature: keys.verify });
  ledger.applyPayout({
    height: 1,
    time: utc(2021, 5, 1),
    txid: 'a',
    payoutAddress: 't1z',
    collateral: 'c:0',
    tier: 'cumulus',
    amount: 281_250_000n,
    nodeStartTime: utc(2020, 1, 1),
  });
  const statuses = Object.fromEntries(
    ledger.positions('t1z', utc(2022, 6, 1)).map((p) => [p.assetId, p.status]),
  );
  assert.deepEqual(statuses, {
    'FLUX-KDA': 'claimable',
    'FLUX-ETH': 'claimable',
    'FLUX-BSC': 'claimable',
    'FLUX-SOL': 'claimable',
    'FLUX-TRX': 'claimable',
    'FLUX-AVAX': 'pending',
    'FLUX-ERG': 'pending',
    'FLUX-ALGO': 'pending',
    'FLUX-MATIC': 'pending',
    'FLUX-BASE': 'pending',
  });
  // Kadena launched at the end of April 2021: pending on 1 April, claimable on 1 May.
  assert.equal(ledger.position('t1z', 'FLUX-KDA', utc(2021, 4, 1)).status, 'pending');
  assert.equal(ledger.position('t1z', 'FLUX-KDA', utc(2021, 5, 1)).status, 'claimable');
});
