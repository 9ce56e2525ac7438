import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { feeFor, InsufficientFundsError, selectCoins } from '../../../src/wallet/coin-select.ts';
import { loadKeys, saveKeys } from '../../../src/wallet/keystore.ts';

test('keys survive an encrypted round trip; a wrong passphrase or an altered file is refused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wallet-'));
  try {
    const file = join(dir, 'wallet.json');
    const keys = [{ secret: 'ab'.repeat(32), label: 'miner', created: 1 }];
    saveKeys(file, 'correct horse', keys);
    assert.ok(!readFileSync(file, 'utf8').includes('abab'), 'the secret is not in the file in clear');
    assert.deepEqual(loadKeys(file, 'correct horse'), keys);
    assert.throws(() => loadKeys(file, 'wrong'), /wrong passphrase/);
    const altered = JSON.parse(readFileSync(file, 'utf8'));
    altered.data = `A${altered.data.slice(1)}`;
    writeFileSync(file, JSON.stringify(altered));
    assert.throws(() => loadKeys(file, 'correct horse'), /wrong passphrase|altered/);
    assert.throws(() => loadKeys(join(dir, 'none.json'), 'x'), /no wallet at/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('coin selection always pays amount + fee exactly, with change above dust or none', () => {
  const coin = fc.record({ value: fc.bigInt({ min: 1n, max: 10n ** 12n }), height: fc.nat(1000) });
  fc.assert(
    fc.property(
      fc.array(coin, { minLength: 1, maxLength: 30 }),
      fc.bigInt({ min: 1n, max: 10n ** 12n }),
      (raw, amount) => {
        const coins = raw.map((c, i) => ({ ...c, key: `c${i}` }));
        const opts = { amount, outputs: 1, feePerKb: 1000n, dustThreshold: 546n };
        try {
          const s = selectCoins(coins, opts);
          const total = s.inputs.reduce((n, c) => n + c.value, 0n);
          assert.equal(total, amount + s.fee + s.change);
          assert.ok(s.change === 0n || s.change >= 546n);
          const bytes = 20 + s.inputs.length * 148 + (1 + (s.change > 0n ? 1 : 0)) * 34;
          assert.ok(s.fee >= feeFor(bytes, 1000n), 'fee covers the size');
          assert.equal(new Set(s.inputs.map((c) => c.key)).size, s.inputs.length);
        } catch (err) {
          assert.ok(err instanceof InsufficientFundsError);
          assert.ok(
            coins.reduce((n, c) => n + c.value, 0n) < amount + feeFor(20 + coins.length * 148 + 68, 1000n),
          );
        }
      },
    ),
  );
});

test('a single coin that pays exactly (up to dust) is chosen over making change', () => {
  const coins = [
    { key: 'big', value: 10_000_000n, height: 1 },
    { key: 'fit', value: 100_000n + 192n + 100n, height: 2 },
  ];
  const s = selectCoins(coins, { amount: 100_000n, outputs: 1, feePerKb: 1000n, dustThreshold: 546n });
  assert.deepEqual(
    s.inputs.map((c) => c.key),
    ['fit'],
  );
  assert.equal(s.change, 0n);
});
