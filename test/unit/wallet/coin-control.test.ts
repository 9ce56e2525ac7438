import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  feeFor,
  fundFromCoins,
  InsufficientFundsError,
  selectCoins,
} from '../../../src/wallet/coin-select.ts';

test('paying from chosen coins spends all of them: amount + fee + change, change above dust or none', () => {
  const coin = fc.record({ value: fc.bigInt({ min: 1n, max: 10n ** 11n }), height: fc.nat(1000) });
  fc.assert(
    fc.property(
      fc.array(coin, { minLength: 1, maxLength: 12 }),
      fc.bigInt({ min: 1n, max: 10n ** 11n }),
      fc.integer({ min: -6, max: 200 }),
      (raw, amount, extraBytes) => {
        const coins = raw.map((c, i) => ({ ...c, key: `c${i}` }));
        const opts = { amount, outputs: 1, feePerKb: 1000n, dustThreshold: 546n, extraBytes };
        const total = coins.reduce((n, c) => n + c.value, 0n);
        const size = (change: boolean) => 20 + extraBytes + coins.length * 148 + (change ? 2 : 1) * 34;
        try {
          const s = fundFromCoins(coins, opts);
          assert.equal(s.inputs.length, coins.length);
          assert.equal(total, amount + s.fee + s.change);
          assert.ok(s.change === 0n || s.change >= 546n);
          assert.ok(s.fee >= feeFor(size(s.change > 0n), 1000n));
        } catch (err) {
          assert.ok(err instanceof InsufficientFundsError);
          assert.equal(err.available, total);
          assert.ok(total < amount + feeFor(size(false), 1000n));
        }
      },
    ),
  );
});

test('extra bytes raise the fee coin selection asks for', () => {
  const coins = [{ key: 'a', value: 10_000_000n, height: 1 }];
  const base = selectCoins(coins, { amount: 1_000_000n, outputs: 1, feePerKb: 1000n, dustThreshold: 546n });
  const more = selectCoins(coins, {
    amount: 1_000_000n,
    outputs: 1,
    feePerKb: 1000n,
    dustThreshold: 546n,
    extraBytes: 100,
  });
  assert.equal(more.fee - base.fee, 100n);
  assert.equal(base.fee, feeFor(20 + 148 + 2 * 34, 1000n));
});
