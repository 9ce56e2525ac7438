import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { fluxdShareOf } from '../../../src/consensus/money/fluxd-double.ts';
import {
  coinbaseSplit,
  maxCoinbaseValue,
  oneOffsAt,
  tierPayment,
  tierSharesAt,
} from '../../../src/consensus/money/rewards.ts';
import { blockSubsidy, halvingHeight } from '../../../src/consensus/money/subsidy.ts';
import { paramsFor } from '../../../src/consensus/params/index.ts';
import { COIN } from '../../../src/consensus/primitives/types.ts';
import { TIERS } from '../../../src/consensus/tiers.ts';
import { flux, grab, num, readme, rewards, tableRows } from './params-reference.ts';
import { at } from '../../support/at.ts';
import { tuple } from '../../support/at.ts';

const mainnet = paramsFor('mainnet');
const regtest = paramsFor('regtest');
const devnet = paramsFor('devnet');

// rewards.md: "From 5,000: `150 FLUX >> ((h − 2,500) / 655,350)`"; README: "150 → 75 at 657,850 → 37.5 at 1,313,200"
const fullSubsidy = flux(grab(rewards, /From [\d,]+: `([\d.]+) FLUX >>/));
const slowStart = num(grab(readme, /slow start over the first ([\d,]+) blocks/));
const interval = num(grab(readme, /halving interval ([\d,]+) \(regtest/));
const shift = num(grab(rewards, /\(\(h − ([\d,]+)\) \//));
const halvingText = /[\d.]+ → ([\d.]+) at ([\d,]+) → ([\d.]+) at ([\d,]+)/.exec(readme);
if (!halvingText) throw new Error('reference README no longer lists the halvings');
const halvings = tuple(halvingText, 5);
const firstHalving = num(halvings[2]);

describe('block subsidy', () => {
  test('slow start: a linear ramp over the first blocks that skips the half-way payout (Zcash style)', () => {
    const step = fullSubsidy / BigInt(slowStart);
    assert.equal(blockSubsidy(0, mainnet), 0n);
    assert.equal(blockSubsidy(2, mainnet), step * 2n);
    assert.equal(blockSubsidy(shift - 1, mainnet), step * BigInt(shift - 1));
    assert.equal(blockSubsidy(shift, mainnet), step * BigInt(shift + 1));
    assert.equal(blockSubsidy(slowStart - 1, mainnet), fullSubsidy);
    assert.equal(blockSubsidy(slowStart, mainnet), fullSubsidy);
    // the ramp pays out exactly what blocks 1..shift would have paid without it (block 1 aside)
    let ramp = 0n;
    for (let h = 2; h < slowStart; h++) ramp += blockSubsidy(h, mainnet);
    assert.equal(ramp + step * 1n, fullSubsidy * BigInt(slowStart - shift));
  });

  test('fluxd pays 13,020,000 FLUX in block 1 (the premine) and nothing at genesis', () => {
    assert.equal(blockSubsidy(1, mainnet), 13_020_000n * COIN);
    assert.equal(
      blockSubsidy(1, devnet),
      13_020_000n * COIN,
      'devnet keeps fluxd’s premine: it funds collaterals',
    );
    assert.equal(blockSubsidy(2, devnet), 150n * COIN);
  });

  test('halvings fall at the slow-start shift plus multiples of the interval', () => {
    assert.equal(shift, slowStart / 2);
    assert.equal(firstHalving, shift + interval);
    assert.equal(halvingHeight(1, mainnet), firstHalving);
    assert.equal(blockSubsidy(firstHalving - 1, mainnet), fullSubsidy);
    assert.equal(blockSubsidy(firstHalving, mainnet), flux(halvings[1]));
  });

  test('the second halving gives 37.5 FLUX (fluxd and Flux put it at 1,313,200, not at the Halving upgrade)', () => {
    const secondFigure = flux(halvings[3]);
    const second = shift + 2 * interval;
    assert.equal(second, num(halvings[4]));
    assert.equal(halvingHeight(2, mainnet), second);
    assert.equal(blockSubsidy(second - 1, mainnet), fullSubsidy / 2n);
    assert.equal(blockSubsidy(second, mainnet), secondFigure);
    // The "Halving" upgrade changed collateral, not the subsidy (rewards.md).
    const halvingUpgrade = num(grab(readme, /Halving ([\d,]+)\./));
    assert.equal(blockSubsidy(halvingUpgrade, mainnet), fullSubsidy / 2n);
  });

  test('fluxd cancels the third halving: 37.5 FLUX stays', () => {
    assert.equal(halvingHeight(3, mainnet), null);
    assert.equal(blockSubsidy(shift + 3 * interval, mainnet), fullSubsidy / 4n);
    assert.equal(blockSubsidy(shift + 10 * interval, mainnet), fullSubsidy / 4n);
  });

  test('regtest halves every 150 blocks with no slow start', () => {
    assert.equal(blockSubsidy(2, regtest), 150n * COIN);
    assert.equal(blockSubsidy(149, regtest), 150n * COIN);
    assert.equal(blockSubsidy(150, regtest), 75n * COIN);
    assert.equal(blockSubsidy(300, regtest), 3750000000n);
  });

  test('bad heights are refused', () => {
    assert.throws(() => blockSubsidy(-1, mainnet), RangeError);
    assert.throws(() => blockSubsidy(1.5, mainnet), RangeError);
  });
});

describe('coinbase split', () => {
  // | heights | subsidy | Cumulus | Nimbus | Stratus | miner |, amounts in FLUX
  const splitRows = tableRows('rewards.md', 'Cumulus | Nimbus', 6);

  test('the reference split table: each era pays the tiers and the miner those amounts', () => {
    assert.equal(splitRows.length, 4);
    for (const [heights, subsidy, c, n, s, miner] of splitRows) {
      const from = num(grab(heights, /^([\d,]+)/));
      const to = /– ([\d,]+)$/.exec(heights);
      for (const h of [from, from + 1, to ? num(at(to, 1)) : from + 1000]) {
        const split = coinbaseSplit(h, mainnet, { fees: 0n, tiersPresent: TIERS });
        assert.deepEqual(
          [split.subsidy, split.cumulus, split.nimbus, split.stratus, split.miner],
          [subsidy, c, n, s, miner].map(flux),
          `height ${h}`,
        );
      }
    }
  });

  test('from the Flux upgrade the miner keeps 50 %', () => {
    const fluxUpgrade = num(grab(readme, /Flux ([\d,]+) · Halving/));
    const split = coinbaseSplit(fluxUpgrade, mainnet, { fees: 0n, tiersPresent: TIERS });
    assert.equal(split.miner * 2n, split.subsidy);
    assert.equal(split.miner, split.cumulus + split.nimbus + split.stratus);
  });

  test('before node payments start the miner takes everything', () => {
    const start = num(grab(readme, /payments start at height ([\d,]+)/));
    assert.equal(tierSharesAt(start - 1, mainnet), null);
    const split = coinbaseSplit(start - 1, mainnet, { fees: 7n, tiersPresent: TIERS });
    assert.deepEqual([split.cumulus, split.nimbus, split.stratus], [0n, 0n, 0n]);
    assert.equal(split.miner, blockSubsidy(start - 1, mainnet) + 7n);
  });

  test('an absent tier’s share and all fees go to the miner', () => {
    const h = 900_000;
    const all = coinbaseSplit(h, mainnet, { fees: 0n, tiersPresent: TIERS });
    const noStratus = coinbaseSplit(h, mainnet, { fees: 12_345n, tiersPresent: ['cumulus', 'nimbus'] });
    assert.equal(noStratus.stratus, 0n);
    assert.equal(noStratus.miner, all.miner + all.stratus + 12_345n);
    const none = coinbaseSplit(h, mainnet, { fees: 0n, tiersPresent: new Set() });
    assert.equal(none.miner, none.subsidy);
    assert.throws(() => coinbaseSplit(h, mainnet, { fees: -1n, tiersPresent: [] }), RangeError);
  });

  test('tier payments follow the subsidy through the second halving', () => {
    assert.equal(tierPayment(1_313_200, 'stratus', mainnet), 1_125_000_000n);
    assert.equal(tierPayment(1_313_200, 'cumulus', mainnet), 281_250_000n);
  });
});

describe('one-off fund outputs', () => {
  test('paid exactly at their heights, on top of the subsidy', () => {
    const exchangeAt = num(grab(readme, /FLUX at height ([\d,]+) to t3/));
    assert.deepEqual(oneOffsAt(exchangeAt, mainnet), [
      { kind: 'exchange-fund', address: 't3PMbbA5YBMrjSD3dD16SSdXKuKovwmj6tS', amount: 7_500_000n * COIN },
    ]);
    assert.deepEqual(oneOffsAt(exchangeAt + 1, mainnet), []);
    assert.equal(
      maxCoinbaseValue(exchangeAt, mainnet, 5n),
      blockSubsidy(exchangeAt, mainnet) + 5n + 7_500_000n * COIN,
    );
  });

  test('the swap pool pays every 21,600 blocks, 10 times', () => {
    const from = num(grab(readme, /blocks from ([\d,]+), \d+ times/));
    const every = num(grab(readme, /swap pool [\d,]+ every ([\d,]+) blocks/));
    const paid: number[] = [];
    for (let h = from - every; h <= from + 12 * every; h += every / 2) {
      if (oneOffsAt(h, mainnet).some((o) => o.kind === 'swap-pool')) paid.push(h);
    }
    assert.deepEqual(
      paid,
      Array.from({ length: 10 }, (_, i) => from + i * every),
    );
  });
});

describe('fluxd’s double-precision tier arithmetic, reproduced with integers', () => {
  test('matches IEEE-754 doubles truncated, for any amount and rate', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 21n * 10n ** 15n }),
        fc.integer({ min: 0, max: 10_000 }),
        (amount, bp) => {
          const viaDouble = BigInt(Math.trunc(Number(amount) * (bp / 10_000)));
          assert.equal(fluxdShareOf(amount, bp), viaDouble);
        },
      ),
      { numRuns: 5000 },
    );
  });

  test('the doubled Flux-era rates equal fluxd’s percentage × 2.0', () => {
    for (const [bp, pct] of [
      [750, 0.0375],
      [1250, 0.0625],
      [3000, 0.15],
    ] as const) {
      fc.assert(
        fc.property(fc.bigInt({ min: 0n, max: 2n ** 53n }), (amount) => {
          assert.equal(fluxdShareOf(amount, bp), BigInt(Math.trunc(Number(amount) * (pct * 2))));
        }),
        { numRuns: 500 },
      );
    }
  });

  test('a case where the double falls below the exact product and truncation follows the double', () => {
    // 0.0003 is stored a hair under 3/10,000, so 10,000 × 0.0003 = 2.9999999999999996 → 2, not 3.
    assert.equal((10_000n * 3n) / 10_000n, 3n);
    assert.equal(fluxdShareOf(10_000n, 3), 2n);
    assert.equal(fluxdShareOf(0n, 700), 0n);
    assert.throws(() => fluxdShareOf(-1n, 700), RangeError);
    assert.throws(() => fluxdShareOf(1n, 1.5), RangeError);
  });
});
