/**
 * Two real Syncthings (the node module that supervises them) configured by the agent's app-data
 * step (cloud/appdata/data-sync.ts), as two nodes placed the same `g:` app would be: the primary's
 * files reach the standby, whose folder is receive-only until it has had a full copy and then
 * turns send-receive; a second round changes nothing. No Docker: only Syncthing on 127.0.0.1.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { DataSync } from '../../../src/cloud/appdata/data-sync.ts';
import { folderId } from '../../../src/cloud/appdata/folders.ts';
import type { RunningState, SyncEndpoint } from '../../../src/cloud/messages/running-report.ts';
import type { RegisteredApp } from '../../../src/cloud/registry/app-registry.ts';
import { listProcesses } from '../../../src/devnet/dockerd.ts';
import { SyncthingModule } from '../../../src/node/modules/syncthing.ts';
import { pending, waitFor } from '../../../src/devnet/poll.ts';

const APP = {
  name: 'gapp',
  specHash: 'ab'.repeat(32),
  spec: { components: [{ name: 'web', containerData: 'g:/data' }] },
} as unknown as RegisteredApp;
const NODES = ['node-a', 'node-b'] as const;

describe('two Syncthings configured by the app-data step', { timeout: 90_000 }, () => {
  let base = '';
  const mods: SyncthingModule[] = [];
  const syncs: DataSync[] = [];
  const states = new Map<string, RunningState>([['node-a', 'running']]);
  const dirOf = (i: number) => path.join(base, `n${i}`);
  const hostDir = (i: number) => (app: string, c: string) => path.join(dirOf(i), 'appdata', app, c);

  before(async () => {
    base = await mkdtemp(path.join(tmpdir(), 'fxsync-'));
    const log = pino({ level: 'silent' });
    for (const i of [0, 1]) {
      mkdirSync(path.join(dirOf(i), 'appdata', 'gapp', 'web'), { recursive: true });
      const m = new SyncthingModule(
        { dataDir: dirOf(i), host: '127.0.0.1', syncPort: 0, restPort: 0, binary: 'syncthing' },
        log,
      );
      await m.open();
      assert.ok(m.api, 'syncthing runs (installed by scripts/setup-host.sh)');
      mods.push(m);
      syncs.push(new DataSync({ api: m.api, address: m.address, log }));
    }
  });

  after(async () => {
    for (const m of mods) await m.close();
    await rm(base, { recursive: true, force: true });
  });

  test('each Syncthing keeps to the nodes it is told about, its GUI asks for a password, its key stays private', async () => {
    const cfg = (await mods[0]!.api!.config()) as unknown as {
      options: Record<string, unknown>;
      gui: { user: string };
    };
    assert.deepEqual(
      [cfg.options.globalAnnounceEnabled, cfg.options.localAnnounceEnabled, cfg.options.relaysEnabled],
      [false, false, false],
    );
    assert.deepEqual([cfg.options.natEnabled, cfg.options.urAccepted], [false, -1]);
    assert.deepEqual(cfg.options.listenAddresses, [mods[0]!.address]);
    assert.equal(cfg.gui.user, 'fluxnode');
    const res = await fetch(`http://${mods[0]!.restAddress}/rest/system/status`);
    assert.equal(res.status, 401, 'no key, no answer');
    const key = readFileSync(path.join(dirOf(0), 'syncthing', 'apikey'), 'utf8').trim();
    const shown = listProcesses().filter((p) => p.argv.some((a) => a.includes(key)));
    assert.deepEqual(shown, [], 'the REST key is on no command line');
  });

  const round = (i: number) =>
    syncs[i]!.round({
      self: NODES[i]!,
      assignment: new Map([['gapp', [...NODES]]]),
      apps: [APP],
      hostDir: hostDir(i),
      stateOf: (node) => states.get(node),
      endpoints: (node): SyncEndpoint | undefined => syncs[NODES.indexOf(node as 'node-a')]?.endpoint(),
    });

  test('the primary runs, the standby holds; the primary’s file arrives and the standby becomes a full copy', async () => {
    await round(0);
    await round(1);
    const first = await round(0);
    const second = await round(1);
    assert.equal(first.held.size, 0, 'node-a (running) is the primary');
    assert.deepEqual([...second.held], [['gapp/web', 'syncing']]);
    writeFileSync(path.join(hostDir(0)('gapp', 'web'), 'counter'), '41 node-a\n');
    const copy = path.join(hostDir(1)('gapp', 'web'), 'counter');
    await waitFor('the counter on node-b', async () => existsSync(copy) || pending('absent'), {
      timeoutMs: 30_000,
      intervalMs: 100,
    });
    assert.equal(readFileSync(copy, 'utf8'), '41 node-a\n');
    const ready = await waitFor(
      'node-b to hold a full copy',
      async () => {
        const r = await round(1);
        return r.held.get('gapp/web') === 'standby' ? r : pending(String(r.held.get('gapp/web')));
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    assert.equal(ready.needBytes.get('gapp/web'), 0);
    const cfg = await mods[1]!.api!.config();
    assert.equal(cfg.folders.find((f) => f.id === folderId('gapp', 'web'))?.type, 'sendreceive');
  });

  test('with the primary gone the standby takes over, and writes from it reach the old primary', async () => {
    states.set('node-a', 'exited');
    states.set('node-b', 'standby');
    const r = await round(1);
    assert.equal(r.held.size, 0, 'node-b now runs the component');
    writeFileSync(path.join(hostDir(1)('gapp', 'web'), 'counter'), '42 node-b\n');
    const back = path.join(hostDir(0)('gapp', 'web'), 'counter');
    await waitFor(
      'node-b’s write on node-a',
      async () => readFileSync(back, 'utf8') === '42 node-b\n' || pending(readFileSync(back, 'utf8')),
      { timeoutMs: 30_000, intervalMs: 100 },
    );
  });
});
