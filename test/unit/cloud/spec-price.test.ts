import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEVNET_APP_LIMITS, MAINNET_APP_LIMITS } from '../../../src/cloud/spec/limits.ts';
import {
  appPrice,
  formatFlux,
  MAINNET_PRICE_SCHEDULE,
  type PriceParams,
  priceParamsAt,
} from '../../../src/cloud/spec/price.ts';
import type { AppSpec } from '../../../src/cloud/spec/schema.ts';
import { validateAppSpec } from '../../../src/cloud/spec/validate.ts';

// Expected figures are worked out by hand from FluxOS's published rule (appsService appPricePerMonth):
// per 0.1 core, per 100 MB, per GB, per charged port; base rounded up to 0.01 FLUX; each instance
// above 3 adds base/3 (rounded up to 0.01); total = period price × expire / 22,000, rounded up to 0.01.

const sat = (flux: string) => {
  const [w = '', f = ''] = flux.split('.');
  return BigInt(w) * 100_000_000n + BigInt(f.padEnd(8, '0'));
};

function spec(
  components: { cpu: number; ram: number; hdd: number; ports?: number[] }[],
  instances: number,
  expire: number,
  limits = MAINNET_APP_LIMITS,
): AppSpec {
  return validateAppSpec(
    {
      version: 1,
      name: 'priced',
      description: 'price test',
      owner: 't1LUs6quf7TB2zVZmexqPQdnqmrFMGZGjV6',
      instances,
      expire,
      components: components.map((c, i) => ({
        name: `c${i}`,
        repotag: 'busybox:1.36',
        ports: c.ports ?? [31000 + i],
        containerPorts: (c.ports ?? [31000 + i]).map(() => 80),
        containerData: '/data',
        cpu: c.cpu,
        ram: c.ram,
        hdd: c.hdd,
      })),
    },
    limits,
  );
}

test('the price fork is the last one whose height is below the registration height', () => {
  assert.equal(priceParamsAt(MAINNET_PRICE_SCHEDULE, 1).height, -1);
  assert.equal(priceParamsAt(MAINNET_PRICE_SCHEDULE, 983000).height, -1);
  assert.equal(priceParamsAt(MAINNET_PRICE_SCHEDULE, 983001).height, 983000);
  assert.equal(priceParamsAt(MAINNET_PRICE_SCHEDULE, 1004001).height, 1004000);
  assert.equal(priceParamsAt(MAINNET_PRICE_SCHEDULE, 2_000_000).height, 1288000);
  // FluxOS's 2022 figures: 0.06 FLUX per 0.1 core, 0.02 per 100 MB, 0.01 per GB, minimum 0.01.
  const p = priceParamsAt(MAINNET_PRICE_SCHEDULE, 1_100_000);
  assert.deepEqual(
    [p.cpu, p.ram, p.hdd, p.minPrice, p.port],
    [sat('0.06'), sat('0.02'), sat('0.01'), sat('0.01'), sat('2')],
  );
});

test('smallest app, 2022 prices: 0.06 + 0.02 + 0.01 = 0.09 FLUX for 3 instances and 22,000 blocks', () => {
  const price = appPrice(
    spec([{ cpu: 0.1, ram: 100, hdd: 1 }], 3, 22000),
    priceParamsAt(MAINNET_PRICE_SCHEDULE, 1_100_000),
  );
  assert.equal(price.perPeriod, sat('0.09'));
  assert.equal(price.total, sat('0.09'));
  // 9,000,000 sat / 22,000 blocks = 409.09… → 410 per block, rounded up.
  assert.equal(price.perBlock, 410n);
  assert.deepEqual(price.breakdown, {
    cpu: sat('0.06'),
    ram: sat('0.02'),
    hdd: sat('0.01'),
    ports: 0n,
    base: sat('0.09'),
    extraInstances: 0n,
  });
});

test('two components, 5 instances, 44,000 blocks, 2022 prices', () => {
  // cpu 1.5 → 15 × 0.06 = 0.90; ram 1,300 → 13 × 0.02 = 0.26; hdd 7 × 0.01 = 0.07; base 1.23.
  // 2 extra instances: 1.23 × 2 / 3 = 0.82 → period 2.05; 44,000 blocks = 2 periods → 4.10.
  const s = spec(
    [
      { cpu: 0.5, ram: 300, hdd: 2 },
      { cpu: 1, ram: 1000, hdd: 5 },
    ],
    5,
    44000,
  );
  const price = appPrice(s, priceParamsAt(MAINNET_PRICE_SCHEDULE, 1_100_000));
  assert.equal(price.breakdown.base, sat('1.23'));
  assert.equal(price.breakdown.extraInstances, sat('0.82'));
  assert.equal(price.perPeriod, sat('2.05'));
  assert.equal(price.total, sat('4.10'));
  assert.equal(formatFlux(price.total), '4.10000000');
});

test('each rounding goes up to 0.01 FLUX (2023 prices, 4 instances, 5,000 blocks)', () => {
  // cpu 0.3 → 3 × 0.15 = 0.45; ram 200 → 2 × 0.05 = 0.10; hdd 3 × 0.02 = 0.06; base 0.61.
  // 1 extra instance: 0.61 / 3 = 0.2033… → 0.21; period 0.82.
  // 5,000 blocks: 0.82 × 5,000 / 22,000 = 0.18636… → 0.19.   Per block: 82,000,000 / 22,000 = 3,727.3 → 3,728.
  const price = appPrice(
    spec([{ cpu: 0.3, ram: 200, hdd: 3 }], 4, 5000),
    priceParamsAt(MAINNET_PRICE_SCHEDULE, 1_300_000),
  );
  assert.equal(price.breakdown.extraInstances, sat('0.21'));
  assert.equal(price.perPeriod, sat('0.82'));
  assert.equal(price.total, sat('0.19'));
  assert.equal(price.perBlock, 3728n);
});

test('where the float sum of FluxOS rounds a cent too high, the integer price stays exact', () => {
  // cpu 0.1 → 0.06, ram 200 → 2 × 0.02 = 0.04, hdd 2 × 0.01 = 0.02: exactly 0.12 FLUX. FluxOS sums
  // 0.1 × 0.06 × 10 + 200 × 0.02 / 100 + 2 × 0.01 = 0.12000000000000001 in doubles and its ceiling
  // to 0.01 charges 0.13. Integer satoshis give the price the rule means.
  const floatSum = 0.1 * 0.06 * 10 + (200 * 0.02) / 100 + 2 * 0.01;
  assert.equal(Math.ceil(floatSum * 100) / 100, 0.13);
  const price = appPrice(
    spec([{ cpu: 0.1, ram: 200, hdd: 2 }], 3, 22000),
    priceParamsAt(MAINNET_PRICE_SCHEDULE, 1_100_000),
  );
  assert.equal(price.perPeriod, sat('0.12'));
});

test('the minimum price applies to the period and to the total', () => {
  const params: PriceParams = { ...priceParamsAt(MAINNET_PRICE_SCHEDULE, 1_100_000), minPrice: sat('0.50') };
  const price = appPrice(spec([{ cpu: 0.1, ram: 100, hdd: 1 }], 3, 11000), params);
  // 0.09 < 0.50 → period 0.50; half a period is 0.25 < 0.50 → total 0.50.
  assert.equal(price.perPeriod, sat('0.50'));
  assert.equal(price.total, sat('0.50'));
});

test('charged ports cost the port price each; ordinary app ports cost nothing', () => {
  const wide = {
    ...DEVNET_APP_LIMITS,
    ports: { ...DEVNET_APP_LIMITS.ports, min: 1, max: 65535, reserved: [] },
  };
  const params = priceParamsAt(MAINNET_PRICE_SCHEDULE, 1_100_000);
  // FluxOS's charged ("enterprise") ports: 0-1023, 8080, 8081, 8443, 25565, 6667 at 2 FLUX each.
  const charged = appPrice(
    spec([{ cpu: 0.1, ram: 100, hdd: 1, ports: [443, 8080, 31000] }], 3, 22000, wide),
    params,
  );
  assert.equal(charged.breakdown.ports, sat('4'));
  assert.equal(charged.perPeriod, sat('4.09'));
  const plain = appPrice(
    spec([{ cpu: 0.1, ram: 100, hdd: 1, ports: [31000, 31001] }], 3, 22000, wide),
    params,
  );
  assert.equal(plain.breakdown.ports, 0n);
});

test('price grows with every resource and with instances', () => {
  const params = priceParamsAt(MAINNET_PRICE_SCHEDULE, 1_100_000);
  const base = appPrice(spec([{ cpu: 1, ram: 1000, hdd: 10 }], 3, 22000), params).total;
  for (const bigger of [
    spec([{ cpu: 1.1, ram: 1000, hdd: 10 }], 3, 22000),
    spec([{ cpu: 1, ram: 1100, hdd: 10 }], 3, 22000),
    spec([{ cpu: 1, ram: 1000, hdd: 11 }], 3, 22000),
    spec([{ cpu: 1, ram: 1000, hdd: 10 }], 4, 22000),
    spec([{ cpu: 1, ram: 1000, hdd: 10 }], 3, 23000),
  ]) {
    assert.ok(appPrice(bigger, params).total > base);
  }
});
