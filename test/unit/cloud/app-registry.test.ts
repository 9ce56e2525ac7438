import assert from 'node:assert/strict';
import { test } from 'node:test';
import { activeApps, judgeAppPayments, type PaidSpec } from '../../../src/cloud/registry/app-registry.ts';
import type { AppSpec, ValidSpec } from '../../../src/cloud/spec/schema.ts';
import { at } from '../../support/at.ts';

function spec(name: string, owner: string, cpu: number, expire = 100): AppSpec {
  return {
    version: 1,
    name,
    description: 'test',
    owner,
    components: [
      {
        name: 'web',
        description: '',
        repotag: '127.0.0.1:5000/flux/hello:1',
        ports: [31000],
        containerPorts: [80],
        environmentParameters: [],
        commands: [],
        containerData: '/data',
        cpu,
        ram: 100,
        hdd: 1,
      },
    ],
    instances: 3,
    expire,
    geolocation: [],
  };
}

// Price: 1,000 satoshis per 0.1 cpu per 100 blocks of lifetime; simple enough to check by hand.
const rules = {
  priceAt: (s: AppSpec) => BigInt(Math.round(at(s.components, 0).cpu * 10)) * 1000n * BigInt(s.expire / 100),
};
let n = 0;
const paid = (
  s: AppSpec,
  height: number,
  amount: bigint,
  hash = `${s.name}-${at(s.components, 0).cpu}-${s.owner}`,
): PaidSpec => ({
  spec: s as ValidSpec, // hand-made: the registry rules trust what validation let through
  specHash: hash,
  payment: { specHash: hash, txid: `tx${n++}`.padStart(8, '0'), height, paid: amount },
});

test('a spec becomes an app when paid in full, and stops being one when it expires', () => {
  const s = spec('hello', 'alice', 0.5);
  const list = [paid(s, 10, 5000n)];
  assert.deepEqual(activeApps(list, 9, rules), [], 'not before its payment');
  assert.deepEqual(
    activeApps(list, 10, rules).map((a) => [a.name, a.expiresAt]),
    [['hello', 110]],
  );
  assert.equal(activeApps(list, 109, rules).length, 1);
  assert.equal(activeApps(list, 110, rules).length, 0, 'expired after expire blocks');
  assert.deepEqual(activeApps([paid(s, 10, 4999n)], 20, rules), [], 'underpaid is never run');
});

test('a name belongs to its first owner while the app lives; then anyone may take it', () => {
  const list = [
    paid(spec('hello', 'alice', 0.5), 10, 5000n),
    paid(spec('hello', 'mallory', 0.1), 20, 99_000n),
  ];
  assert.deepEqual(
    activeApps(list, 50, rules).map((a) => a.owner),
    ['alice'],
  );
  const later = [...list, paid(spec('hello', 'mallory', 0.2), 120, 2000n)];
  assert.deepEqual(
    activeApps(later, 130, rules).map((a) => [a.owner, a.registeredHeight]),
    [['mallory', 120]],
  );
});

test('an update by the owner pays its price minus the unused value of the old version', () => {
  const v1 = spec('hello', 'alice', 0.5); // price 5,000 over 100 blocks
  const v2 = spec('hello', 'alice', 1.0); // price 10,000
  // At height 60, 50 of 100 blocks of v1 are unused: worth 2,500. v2 is due 7,500.
  const short = activeApps([paid(v1, 10, 5000n), paid(v2, 60, 7499n)], 70, rules);
  assert.equal(at(at(short, 0).spec.components, 0).cpu, 0.5, 'an underpaid update is ignored');
  const ok = activeApps([paid(v1, 10, 5000n), paid(v2, 60, 7500n)], 70, rules);
  assert.deepEqual(
    ok.map((a) => [at(a.spec.components, 0).cpu, a.height, a.registeredHeight, a.expiresAt]),
    [[1, 60, 10, 160]],
  );
});

test('the list is the same whatever order the paid specs arrive in', () => {
  const list = [
    paid(spec('b', 'bob', 0.3), 12, 3000n),
    paid(spec('a', 'alice', 0.5), 10, 5000n),
    paid(spec('c', 'carol', 0.1), 11, 1000n),
  ];
  const forward = activeApps(list, 50, rules).map((a) => a.name);
  assert.deepEqual(forward, ['a', 'c', 'b']);
  assert.deepEqual(
    activeApps([...list].reverse(), 50, rules).map((a) => a.name),
    forward,
  );
});

test('paying again for the live spec renews it: the expiry moves by the blocks the payment buys', () => {
  const s = spec('hello', 'alice', 0.5); // 5,000 for 100 blocks: 50 a block
  const list = [paid(s, 10, 5000n), paid(s, 50, 2500n)];
  const { apps, unmatched } = judgeAppPayments(list, 60, rules);
  assert.deepEqual(
    apps.map((a) => [a.height, a.expiresAt, a.paid]),
    [[10, 160, 7500n]],
  );
  assert.deepEqual(unmatched, []);
  const tooSmall = judgeAppPayments([paid(s, 10, 5000n), paid(s, 50, 49n)], 60, rules);
  assert.equal(tooSmall.apps[0]?.expiresAt, 110);
  assert.deepEqual(
    tooSmall.unmatched.map((u) => u.reason),
    ['too-small'],
  );
});

test('an update whose credit exceeds its price keeps the surplus as extra blocks', () => {
  const v1 = spec('hello', 'alice', 1.0); // 10,000 per 100 blocks
  const v2 = spec('hello', 'alice', 0.2); // 2,000 per 100 blocks
  // At 20, 90 blocks of v1 are unused: worth 9,000. v2 is due nothing; the credit buys 450 blocks.
  const [app] = activeApps([paid(v1, 10, 10_000n), paid(v2, 20, 1n)], 30, rules);
  assert.equal(app?.spec.components[0]?.cpu, 0.2);
  assert.equal(app?.expiresAt, 20 + 450, '9,001 sat of a 2,000-per-100-blocks spec buy 450 blocks');
});

test('every payment that changed nothing is listed with why', () => {
  const list = [
    paid(spec('hello', 'alice', 0.5), 10, 5000n),
    paid(spec('hello', 'mallory', 0.1), 20, 99_000n),
    paid(spec('other', 'bob', 0.5), 30, 10n),
  ];
  const { unmatched } = judgeAppPayments(list, 50, rules);
  assert.deepEqual(
    unmatched.map((u) => [u.name, u.owner, u.reason]),
    [
      ['hello', 'mallory', 'name-owned'],
      ['other', 'bob', 'underpaid'],
    ],
  );
});
