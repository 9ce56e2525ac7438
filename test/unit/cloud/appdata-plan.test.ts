import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { desiredSyncConfig, folderId, replicatedHere } from '../../../src/cloud/appdata/folders.ts';
import { planSync } from '../../../src/cloud/appdata/plan.ts';
import type { StConfig } from '../../../src/cloud/appdata/syncthing-api.ts';
import type { RegisteredApp } from '../../../src/cloud/registry/app-registry.ts';

const SELF = 'SELFDEV';
const devOf = (n: string) => ({ device: `DEV-${n}`, address: `tcp://${n}:16129` });

function app(name: string, containerData: string): RegisteredApp {
  return {
    name,
    specHash: 'ab'.repeat(32),
    spec: { components: [{ name: 'web', containerData }] },
  } as unknown as RegisteredApp;
}

const apps = [app('gapp', 'g:/data'), app('sapp', 's:/www'), app('plain', '/www')];
const assignment = new Map([
  ['gapp', ['n1', 'n2', 'n3']],
  ['sapp', ['n1', 'n4', 'n5']],
  ['plain', ['n1', 'n2', 'n3']],
]);
const hostDir = (a: string, c: string) => `/node/appdata/${a}/${c}`;

function desired(ready: Set<string>, writer: Set<string>): StConfig {
  const here = replicatedHere('n1', assignment, apps, hostDir);
  return desiredSyncConfig(
    SELF,
    here,
    devOf,
    (f) => ready.has(f),
    (f) => writer.has(f),
  );
}

describe('the Syncthing configuration a node wants', () => {
  test('one folder per replicated component here, shared with the other instances’ nodes; plain data is not shared', () => {
    const d = desired(new Set(), new Set());
    assert.deepEqual(
      d.folders.map((f) => [f.id, f.path, f.devices.map((x) => x.deviceID)]),
      [
        [folderId('gapp', 'web'), '/node/appdata/gapp/web', ['DEV-n2', 'DEV-n3', SELF]],
        [folderId('sapp', 'web'), '/node/appdata/sapp/web', ['DEV-n4', 'DEV-n5', SELF]],
      ],
    );
    assert.deepEqual(
      d.devices.map((x) => x.deviceID),
      ['DEV-n2', 'DEV-n3', 'DEV-n4', 'DEV-n5'],
    );
  });

  test('a g: folder is receive-only until it had a full copy or this node writes; s: always sends', () => {
    const id = folderId('gapp', 'web');
    const type = (d: StConfig, f: string) => d.folders.find((x) => x.id === f)?.type;
    assert.equal(type(desired(new Set(), new Set()), id), 'receiveonly');
    assert.equal(type(desired(new Set([id]), new Set()), id), 'sendreceive');
    assert.equal(type(desired(new Set(), new Set([id])), id), 'sendreceive');
    assert.equal(type(desired(new Set(), new Set()), folderId('sapp', 'web')), 'sendreceive');
  });
});

describe('planning Syncthing calls', () => {
  const empty: StConfig = { folders: [], devices: [{ deviceID: SELF, addresses: ['dynamic'] }] };

  test('from nothing: devices first, then folders', () => {
    const plan = planSync(desired(new Set(), new Set()), empty, SELF);
    assert.deepEqual(
      plan.map((a) => a.kind),
      ['put-device', 'put-device', 'put-device', 'put-device', 'put-folder', 'put-folder'],
    );
  });

  test('planning a configuration against itself gives no calls (idempotent)', () => {
    const d = desired(new Set(), new Set());
    const actual: StConfig = { folders: d.folders, devices: [...empty.devices, ...d.devices] };
    assert.deepEqual(planSync(d, actual, SELF), []);
  });

  test('a folder of a component that left goes first, an unused device last; other folders stay', () => {
    const d = desired(new Set(), new Set());
    const actual: StConfig = {
      folders: [
        ...d.folders,
        { id: folderId('gone', 'web'), path: '/x', type: 'sendreceive', devices: [] },
        { id: 'operators-own', path: '/y', type: 'sendreceive', devices: [] },
      ],
      devices: [...empty.devices, ...d.devices, { deviceID: 'DEV-old', addresses: [] }],
    };
    assert.deepEqual(planSync(d, actual, SELF), [
      { kind: 'remove-folder', id: folderId('gone', 'web') },
      { kind: 'remove-device', id: 'DEV-old' },
    ]);
  });

  test('a changed folder type is put again, keeping fields Syncthing added', () => {
    const d = desired(new Set(), new Set());
    const actual: StConfig = {
      folders: d.folders.map((f) => ({ ...f, type: 'sendreceive' as const, paused: false })),
      devices: [...empty.devices, ...d.devices],
    };
    const plan = planSync(d, actual, SELF);
    assert.equal(plan.length, 1);
    const a = plan[0];
    assert.ok(a?.kind === 'put-folder');
    assert.equal(a.folder.type, 'receiveonly');
    assert.equal(a.folder.paused, false);
  });
});
