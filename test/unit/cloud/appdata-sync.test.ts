import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DataSync, type SyncthingPort } from '../../../src/cloud/appdata/data-sync.ts';
import { folderId } from '../../../src/cloud/appdata/folders.ts';
import type { StConfig, StFolder, StFolderStatus } from '../../../src/cloud/appdata/syncthing-api.ts';
import type { RunningState } from '../../../src/cloud/messages/running-report.ts';
import type { RegisteredApp } from '../../../src/cloud/registry/app-registry.ts';

const NOLOG = { debug() {}, info() {}, warn() {}, error() {} };

/** Syncthing's config and folder states in memory, with every call recorded. */
class SyncthingTwin implements SyncthingPort {
  cfg: StConfig = { folders: [], devices: [{ deviceID: 'ME', addresses: ['dynamic'] }] };
  status: StFolderStatus = { state: 'idle', needBytes: 0, needFiles: 0, globalBytes: 0, localBytes: 0 };
  calls: string[] = [];
  async deviceId() {
    return 'ME';
  }
  async config() {
    return structuredClone(this.cfg);
  }
  async putFolder(f: StFolder) {
    this.calls.push(`put-folder ${f.id} ${f.type}`);
    this.cfg.folders = [...this.cfg.folders.filter((x) => x.id !== f.id), f];
  }
  async deleteFolder(id: string) {
    this.calls.push(`remove-folder ${id}`);
    this.cfg.folders = this.cfg.folders.filter((x) => x.id !== id);
  }
  async putDevice(d: StConfig['devices'][number]) {
    this.calls.push(`put-device ${d.deviceID}`);
    this.cfg.devices = [...this.cfg.devices.filter((x) => x.deviceID !== d.deviceID), d];
  }
  async deleteDevice(id: string) {
    this.calls.push(`remove-device ${id}`);
    this.cfg.devices = this.cfg.devices.filter((x) => x.deviceID !== id);
  }
  async folderStatus() {
    return this.status;
  }
}

const APP = {
  name: 'db',
  specHash: 'cd'.repeat(32),
  spec: { components: [{ name: 'store', containerData: 'g:/var/lib/db' }] },
} as unknown as RegisteredApp;

function input(states: Record<string, RunningState>, nodes = ['n1', 'n2', 'n3']) {
  return {
    self: 'n2',
    assignment: new Map([['db', nodes]]),
    apps: [APP],
    hostDir: (a: string, c: string) => `/node/appdata/${a}/${c}`,
    stateOf: (node: string) => states[node],
    endpoints: (node: string) => ({ device: `DEV-${node}`, address: `tcp://${node}:16129` }),
  };
}

describe('the app-data step', () => {
  test('a g: standby holds, shares its folder with the other instances, receive-only until a full copy', async () => {
    const st = new SyncthingTwin();
    const sync = new DataSync({ api: st, address: 'tcp://n2:16129', log: NOLOG });
    const r = await sync.round(input({ n1: 'running' }));
    assert.deepEqual([...r.held], [['db/store', 'syncing']]);
    assert.deepEqual(st.calls, [
      'put-device DEV-n1',
      'put-device DEV-n3',
      `put-folder ${folderId('db', 'store')} receiveonly`,
    ]);
    assert.deepEqual(sync.endpoint(), { device: 'ME', address: 'tcp://n2:16129' });
  });

  test('once the folder is idle with nothing needed it turns send-receive, and the node reports standby', async () => {
    const st = new SyncthingTwin();
    const sync = new DataSync({ api: st, address: 'tcp://n2:16129', log: NOLOG });
    await sync.round(input({ n1: 'running' }));
    st.status = { ...st.status, globalBytes: 1234 };
    st.calls = [];
    const r = await sync.round(input({ n1: 'running' }));
    assert.deepEqual(st.calls, [`put-folder ${folderId('db', 'store')} sendreceive`]);
    assert.deepEqual([...r.held], [['db/store', 'standby']]);
    st.calls = [];
    await sync.round(input({ n1: 'running' }));
    assert.deepEqual(st.calls, [], 'a converged configuration makes no calls');
  });

  test('the primary gone, this standby runs; the app gone, its folder and devices go', async () => {
    const st = new SyncthingTwin();
    const sync = new DataSync({ api: st, address: 'tcp://n2:16129', log: NOLOG });
    await sync.round(input({ n1: 'running' }));
    const r = await sync.round(input({ n3: 'standby', n2: 'standby' }, ['n2', 'n3', 'n4']));
    assert.equal(r.held.size, 0, 'n2 is the first standby by id: it takes over');
    st.calls = [];
    await sync.round({ ...input({}), assignment: new Map() });
    assert.deepEqual(st.calls.slice(0, 1), [`remove-folder ${folderId('db', 'store')}`]);
    assert.deepEqual(
      st.cfg.devices.map((d) => d.deviceID),
      ['ME'],
    );
  });

  test('without a reachable Syncthing the roles still hold: a g: standby does not run', async () => {
    const st = new SyncthingTwin();
    st.config = async () => {
      throw new Error('connection refused');
    };
    const sync = new DataSync({ api: st, address: 'tcp://n2:16129', log: NOLOG });
    const r = await sync.round(input({ n1: 'running' }));
    assert.deepEqual([...r.held], [['db/store', 'syncing']]);
    assert.deepEqual(st.calls, []);
  });
});
