import assert from 'node:assert/strict';
import { test } from 'node:test';
import { attributeStakes } from '../../../src/economy/chain/holders.ts';

test('a pool’s balance counts for its holders pro rata by principal, floors left with the pool', () => {
  const balances = new Map([
    ['pool', 100n],
    ['a', 5n],
  ]);
  const principal = new Map([
    [
      'pool',
      new Map([
        ['a', 2n],
        ['b', 1n],
        ['gone', -4n],
      ]),
    ],
  ]);
  const out = attributeStakes(balances, principal);
  // 100 held, 3 of principal: all of the principal moves (the rest is the pool's own).
  assert.deepEqual(Object.fromEntries(out), { pool: 97n, a: 7n, b: 1n });
});

test('a pool holding less than its principal shares what it holds, never more', () => {
  const out = attributeStakes(
    new Map([['pool', 10n]]),
    new Map([
      [
        'pool',
        new Map([
          ['a', 20n],
          ['b', 10n],
        ]),
      ],
    ]),
  );
  assert.deepEqual(Object.fromEntries(out), { pool: 1n, a: 6n, b: 3n });
  let total = 0n;
  for (const v of out.values()) total += v;
  assert.equal(total, 10n, 'nothing is created or lost');
});
