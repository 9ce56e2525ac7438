import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AllowListError, allowList, isLoopback } from '../../../src/api/allow-list.ts';

test('loopback is always allowed; other clients only when named by address or range', () => {
  const none = allowList([]);
  assert.ok(none.check('127.0.0.1', 'ipv4'));
  assert.ok(none.check('127.0.0.42', 'ipv4'), 'a devnet node’s own loopback address');
  assert.ok(none.check('::1', 'ipv6'));
  assert.ok(!none.check('192.168.1.5', 'ipv4'));
  const some = allowList(['192.168.1.0/24', '10.0.0.7', 'fd00::/8']);
  assert.ok(some.check('192.168.1.5', 'ipv4'));
  assert.ok(!some.check('192.168.2.5', 'ipv4'));
  assert.ok(some.check('10.0.0.7', 'ipv4'));
  assert.ok(!some.check('10.0.0.8', 'ipv4'));
  assert.ok(some.check('fd12::1', 'ipv6'));
});

test('an entry that is no address or range is refused, naming it', () => {
  for (const bad of ['everyone', '10.0.0.0/33', '10.0.0.0/8/1', '::/200', '1.2.3.4/x']) {
    assert.throws(
      () => allowList([bad]),
      (err: unknown) => err instanceof AllowListError && err.value === bad,
      bad,
    );
  }
});

test('loopback means 127.0.0.0/8 and ::1 only', () => {
  assert.ok(isLoopback('127.0.0.1') && isLoopback('127.1.2.3') && isLoopback('::1'));
  assert.ok(!isLoopback('0.0.0.0') && !isLoopback('10.0.0.1') && !isLoopback('::'));
});
