// setban / listbanned / clearbanned: fluxd's names and codes, over whatever bans the node keeps.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NodeContext } from '../../../src/api/context.ts';
import { RpcDispatcher } from '../../../src/api/jsonrpc.ts';
import { RPC } from '../../../src/api/rpc-errors.ts';
import { registerChainMethods } from '../../../src/api/rpc/chain-methods.ts';

function node(withBans = true) {
  const banned = new Set<string>();
  const ctx = {
    chain: {},
    peers: () => [],
    ...(withBans
      ? {
          bans: {
            add: async (ip: string) => {
              banned.add(ip);
            },
            remove: (ip: string) => banned.delete(ip),
            list: () => [...banned].sort(),
          },
        }
      : {}),
  } as unknown as NodeContext;
  const rpc = new RpcDispatcher();
  registerChainMethods(rpc, ctx);
  const call = (method: string, params: unknown[] = []) => rpc.handleOne({ id: 1, method, params });
  return { call, banned };
}

test('setban adds and removes an IP address; listbanned shows them; clearbanned lifts them all', async () => {
  const { call, banned } = node();
  assert.equal((await call('setban', ['10.77.0.12', 'add'])).error ?? null, null);
  await call('setban', ['10.77.0.13', 'add']);
  assert.deepEqual((await call('listbanned')).result, [{ address: '10.77.0.12' }, { address: '10.77.0.13' }]);
  await call('setban', ['10.77.0.12', 'remove']);
  assert.deepEqual([...banned], ['10.77.0.13']);
  await call('clearbanned');
  assert.deepEqual((await call('listbanned')).result, []);
});

test('setban refuses what fluxd refuses, with its codes', async () => {
  const { call } = node();
  assert.equal((await call('setban', ['not-an-ip', 'add'])).error?.code, RPC.CLIENT_INVALID_IP_OR_SUBNET);
  assert.equal((await call('setban', ['10.0.0.1', 'ban'])).error?.code, RPC.INVALID_PARAMETER);
  assert.equal((await call('setban', ['10.0.0.1', 'remove'])).error?.code, RPC.MISC_ERROR, 'not banned');
  assert.equal((await call('setban', ['10.0.0.1'])).error?.code, RPC.INVALID_PARAMS);
  const { call: noP2p } = node(false);
  assert.match((await noP2p('listbanned')).error?.message ?? '', /no p2p/);
});
