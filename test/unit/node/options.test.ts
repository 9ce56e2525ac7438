import assert from 'node:assert/strict';
import { test } from 'node:test';
import { paramsFor } from '../../../src/consensus/index.ts';
import {
  type NodeOptions,
  NodeOptionsError,
  parseHolderSnapshot,
  rolesOf,
} from '../../../src/node/options.ts';
import { economyOptionsOf } from '../../../src/node/services.ts';

const base: NodeOptions = {
  network: 'devnet',
  dataDir: '/tmp/never-opened',
  host: '127.0.0.1',
  p2pPort: 0,
  apiPort: 0,
  bootstrap: [],
};

test('a plain full node has the miner module (idle) and no stratum or cloud agent', () => {
  assert.deepEqual(rolesOf(base), { miner: { mineTo: undefined, mineIntervalMs: undefined } });
});

test('the options alone decide which roles the root adds, each with its own typed options', () => {
  const roles = rolesOf({
    ...base,
    mineTo: 'tmAddress',
    mineIntervalMs: 500,
    stratumPort: 0,
    fluxnode: true,
    dockerSocket: '/run/docker.sock',
  });
  assert.deepEqual(roles.miner, { mineTo: 'tmAddress', mineIntervalMs: 500 });
  assert.deepEqual(roles.stratum, { host: '127.0.0.1', port: 0 });
  assert.deepEqual(roles.cloudAgent, {
    dockerSocket: '/run/docker.sock',
    dataDir: '/tmp/never-opened',
    host: '127.0.0.1',
    syncthing: { syncPort: 0, restPort: 0, binary: 'syncthing' },
  });
});

test('a fluxnode runs the routing mesh on its own address unless --no-mesh; a plain node never does', () => {
  const fluxnode = { ...base, fluxnode: true, dockerSocket: '/run/docker.sock' };
  assert.deepEqual(rolesOf(fluxnode).mesh, { host: '127.0.0.1', dataDir: '/tmp/never-opened' });
  assert.equal(rolesOf({ ...fluxnode, mesh: false }).mesh, undefined);
  assert.equal(rolesOf({ ...base, mesh: true }).mesh, undefined);
});

test('a fluxnode without its own Docker engine is refused before anything opens, naming the field', () => {
  assert.throws(
    () => rolesOf({ ...base, fluxnode: true }),
    (e: unknown) => e instanceof NodeOptionsError && e.field === 'dockerSocket',
  );
});

test('--geolocation must be a location in FluxOS’s form, and reaches the cloud agent', () => {
  const agent = { ...base, fluxnode: true, dockerSocket: '/run/docker.sock' };
  assert.equal(rolesOf({ ...agent, geolocation: 'EU_DE_Hesse' }).cloudAgent?.geolocation, 'EU_DE_Hesse');
  assert.equal(rolesOf(agent).cloudAgent?.geolocation, undefined);
  assert.throws(
    () => rolesOf({ ...agent, geolocation: 'Germany' }),
    (err: unknown) => err instanceof NodeOptionsError && err.field === 'geolocation',
  );
});

test('--holder-snapshot ASSET:HEIGHT names a known asset and a height, else is refused naming the field', () => {
  assert.deepEqual(parseHolderSnapshot('FLUX-KDA:1000'), { assetId: 'FLUX-KDA', height: 1000 });
  for (const bad of ['FLUX-NOPE:10', 'FLUX-KDA:-1', 'FLUX-KDA:1.5', 'FLUX-KDA', ':10'])
    assert.throws(
      () => parseHolderSnapshot(bad),
      (e: unknown) => e instanceof NodeOptionsError && e.field === 'holderSnapshots',
      bad,
    );
});

test('the economy is given the holder snapshots the options ask for, with the address index as source', () => {
  const holders = { name: 'addressindex', balances: () => [] };
  const snapshots = [{ assetId: 'FLUX-KDA', height: 5 }];
  const economy = economyOptionsOf({ ...base, holderSnapshots: snapshots }, paramsFor('devnet'), holders);
  assert.deepEqual(economy.holderSnapshots, snapshots);
  assert.equal(economy.holders, holders);
  assert.deepEqual(economyOptionsOf(base, paramsFor('devnet'), holders).holderSnapshots, []);
});
