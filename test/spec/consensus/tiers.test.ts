import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { paramsFor } from '../../../src/consensus/params/index.ts';
import type { Tier } from '../../../src/consensus/params/types.ts';
import {
  collateralFor,
  collateralTransitionOver,
  isTier,
  tierHardwareMinimums,
  tierOfCollateral,
  TIERS,
} from '../../../src/consensus/tiers.ts';
import { flux, grab, num, readme, tableRows } from './params-reference.ts';
import { at } from '../../support/at.ts';
import { must } from '../../../src/consensus/must.ts';

const mainnet = paramsFor('mainnet');
const devnet = paramsFor('devnet');

interface CollateralRow {
  tier: Tier;
  before: bigint;
  after: bigint;
  start: number;
  end: number;
}

// | Cumulus | 10,000 FLUX | 1,000 FLUX | 1,076,532 – 1,086,612 |
const rows: CollateralRow[] = tableRows('rewards.md', 'before transition', 4).map(
  ([name, before, after, window]) => ({
    tier: name.toLowerCase() as Tier,
    before: flux(grab(before, /^([\d,]+) FLUX/)),
    after: flux(grab(after, /^([\d,]+) FLUX/)),
    start: num(grab(window, /^([\d,]+)/)),
    end: num(grab(window, /– ([\d,]+)$/)),
  }),
);

describe('collateral by tier and height (rewards.md table)', () => {
  test('the table has the three tiers and the README gives the same windows', () => {
    assert.deepEqual(
      rows.map((r) => r.tier),
      TIERS,
    );
    for (const r of rows) {
      const name = must(r.tier[0], 'r.tier[0]').toUpperCase() + r.tier.slice(1);
      const window = new RegExp(`${name} ([\\d,]+)–([\\d,]+)`).exec(readme);
      assert.ok(window, name);
      assert.deepEqual([num(at(window, 1)), num(at(window, 2))], [r.start, r.end]);
    }
  });

  for (const r of rows) {
    test(`${r.tier}: old amount before the window, both inside it, only the new one after`, () => {
      assert.deepEqual(collateralFor(r.tier, r.start - 1, mainnet), [r.before]);
      assert.deepEqual(collateralFor(r.tier, r.start, mainnet), [r.after, r.before]);
      assert.deepEqual(collateralFor(r.tier, r.end - 1, mainnet), [r.after, r.before]);
      assert.deepEqual(collateralFor(r.tier, r.end, mainnet), [r.after]);

      assert.equal(tierOfCollateral(r.before, r.start - 1, mainnet), r.tier);
      assert.equal(tierOfCollateral(r.after, r.start - 1, mainnet), null);
      assert.equal(tierOfCollateral(r.before, r.start, mainnet), r.tier);
      assert.equal(tierOfCollateral(r.after, r.start, mainnet), r.tier);
      assert.equal(tierOfCollateral(r.before, r.end, mainnet), null);
      assert.equal(tierOfCollateral(r.after, r.end, mainnet), r.tier);

      assert.equal(collateralTransitionOver(r.tier, r.end - 1, mainnet), false);
      assert.equal(collateralTransitionOver(r.tier, r.end, mainnet), true);
    });
  }

  test('amounts one satoshi off are no tier', () => {
    for (const r of rows) {
      assert.equal(tierOfCollateral(r.after + 1n, r.end, mainnet), null);
      assert.equal(tierOfCollateral(r.after - 1n, r.end, mainnet), null);
    }
  });

  test('devnet accepts only the post-transition amounts, from genesis on', () => {
    for (const r of rows) {
      assert.deepEqual(collateralFor(r.tier, 0, devnet), [r.after]);
      assert.equal(tierOfCollateral(r.after, 5, devnet), r.tier);
      assert.equal(tierOfCollateral(r.before, 5, devnet), null);
    }
  });
});

describe('hardware minimums', () => {
  // | Cumulus | 2 | 8 GB | 220 GB | 240 | 180 MB/s |
  const hw = tableRows('rewards.md', 'cores', 6);

  test('mainnet minimums are the rewards.md table', () => {
    assert.equal(hw.length, 3);
    for (const [name, cores, ram, ssd, eps, write] of hw) {
      const tier = name.toLowerCase();
      assert.ok(isTier(tier));
      assert.deepEqual(tierHardwareMinimums(tier, mainnet), {
        cores: num(cores),
        ramGB: num(grab(ram, /^(\d+) GB/)),
        ssdGB: num(grab(ssd, /^(\d+) GB/)),
        eps: num(eps),
        diskWriteMBps: num(grab(write, /^(\d+) MB\/s/)),
      });
    }
  });

  test('devnet scales every tier down and keeps the tiers ordered', () => {
    let previous = 0;
    for (const tier of TIERS) {
      const d = tierHardwareMinimums(tier, devnet);
      const m = tierHardwareMinimums(tier, mainnet);
      for (const key of ['cores', 'ramGB', 'ssdGB', 'eps', 'diskWriteMBps'] as const)
        assert.ok(d[key] <= m[key], key);
      assert.ok(d.eps >= previous);
      previous = d.eps;
    }
  });
});
