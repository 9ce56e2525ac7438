import assert from 'node:assert/strict';
import { BlockList } from 'node:net';
import { test } from 'node:test';
import { AllowListError, allowList, isLoopback } from '../../../src/api/allow-list.ts';
import { ApiServer } from '../../../src/api/http-server.ts';
import { RpcDispatcher } from '../../../src/api/jsonrpc.ts';

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

test('a server with an allow list answers 403 to a client not on it, before reading the request', async () => {
  const rpc = new RpcDispatcher();
  rpc.register('ping', 'ping', () => 'pong');
  const body = JSON.stringify({ id: 1, method: 'ping', params: [] });
  const open = new ApiServer({ host: '127.0.0.1', port: 0, rpc, allowClients: allowList([]) });
  const closed = new ApiServer({ host: '127.0.0.1', port: 0, rpc, allowClients: new BlockList() });
  const a = await open.listen();
  const b = await closed.listen();
  try {
    const ok = await fetch(`http://127.0.0.1:${a.port}`, { method: 'POST', body });
    assert.equal(((await ok.json()) as { result: string }).result, 'pong', 'loopback is allowed');
    const refused = await fetch(`http://127.0.0.1:${b.port}`, { method: 'POST', body });
    assert.equal(refused.status, 403);
    assert.match(((await refused.json()) as { error: string }).error, /--rpc-allow-ip/);
  } finally {
    await open.close();
    await closed.close();
  }
});
