/**
 * Replicated app data on a real devnet (issue 15): four nodes on 127.0.0.61–64 (registry on .60,
 * bridges fluxbr61–64), each with its own Docker engine and its own Syncthing.
 * - an `s:` app: a file put in one instance's data folder is served by the other instances;
 * - a `g:` app counting seconds into its data: one primary runs it, the others stand by; the
 *   primary's node is SIGKILLed and a standby carries on from the replicated count.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { instancePort } from '../../../src/cloud/mesh/ports.ts';
import { listProcesses, processAlive } from '../../../src/devnet/dockerd.ts';
import { rpcOf } from '../../../src/devnet/host-process.ts';
import { killNode, nodeRunning } from '../../../src/devnet/node-control.ts';
import { pending, waitFor } from '../../../src/devnet/poll.ts';
import { publishSampleImage } from '../../../src/devnet/sample-image.ts';
import { type DevnetState, nodeOne, readState } from '../../../src/devnet/state.ts';
import { teardownDevnet } from '../../../src/devnet/teardown.ts';
import { devnetUp } from '../../../src/devnet/up.ts';
import {
  counterOn,
  type DataApp,
  type DataLocation,
  dataFile,
  dataLocations,
  nodeOf,
  registerDataApp,
  startsOn,
} from './appdata-fixture.ts';
import { dockerSkip, freePort } from './docker-fixture.ts';

describe('replicated app data on a four-node devnet', { skip: dockerSkip(), timeout: 300_000 }, () => {
  let base = '';
  let dir = '';
  let state: DevnetState;
  let gApp: DataApp;
  let sApp: DataApp;
  const live = () => state.nodes.filter(nodeRunning);
  const locations = (app: string) => dataLocations(live()[0]!, app);

  before(async () => {
    base = await mkdtemp('/tmp/fxappdata-');
    dir = path.join(base, 'devnet');
    await devnetUp({
      dir,
      nodes: 4,
      tiers: { cumulus: 2, nimbus: 1, stratus: 1 },
      baseAddress: '127.0.0.61',
      registryPort: await freePort('127.0.0.60'),
      mineIntervalMs: 500,
      skipApp: true,
    });
    state = readState(dir)!;
    const one = nodeOne(state.nodes);
    const image = await publishSampleImage(one.dockerd.socketPath!, state.registry.address!);
    const rpc = rpcOf(state, one);
    gApp = await registerDataApp(rpc, image.ref, { name: 'gdata', port: 31200, mode: 'g', counter: true });
    sApp = await registerDataApp(rpc, image.ref, { name: 'sdata', port: 31201, mode: 's' });
  });

  after(async () => {
    const left = readState(dir);
    if (left) await teardownDevnet(left);
    await rm(base, { recursive: true, force: true });
  });

  test('a file written in one s: instance appears in the others, served by their containers', async (t) => {
    const running = await waitFor(
      'the s: app running at 3 locations',
      async () => {
        const ls = await locations(sApp.name);
        const up = ls.filter((l) => l.state === 'running');
        return up.length === 3 ? up : pending(JSON.stringify(ls.map((l) => l.state)));
      },
      { timeoutMs: 90_000 },
    );
    for (const l of running) assert.equal(l.data?.[0]?.mode, 's');
    const [first, ...others] = running;
    const name = `probe-${randomBytes(4).toString('hex')}.txt`;
    const text = `written on ${first!.node}\n`;
    const t0 = Date.now();
    await writeFile(dataFile(nodeOf(state.nodes, first!), sApp.name, name), text);
    const lags = await Promise.all(
      others.map((l) =>
        waitFor(
          `${name} served by the instance on ${l.node}`,
          async () => {
            // The instance port reaches that node's own container (the public port is the mesh's);
            // a node without a mesh (no haproxy) publishes the container on the public port.
            const get = (port: number) =>
              fetch(`http://${l.ip}:${port}/${name}`, { signal: AbortSignal.timeout(2_000) });
            const res = await get(instancePort(sApp.port)).catch(() => get(sApp.port));
            return res.status === 200 && (await res.text()) === text
              ? Date.now() - t0
              : pending(`HTTP ${res.status}`);
          },
          { timeoutMs: 30_000, intervalMs: 100 },
        ),
      ),
    );
    t.diagnostic(`replication lag (write → served by the other instances): ${lags.map((ms) => ms / 1000)} s`);
  });

  test('a g: app runs one primary; when its node is killed a standby carries on from the replicated data', async (t) => {
    const settled = await waitFor('one g: primary and two standbys with the count', () => gSettled(gApp), {
      timeoutMs: 120_000,
    });
    const primary = nodeOf(state.nodes, settled.primary);
    t.diagnostic(`primary ${primary.name}, counter ${counterOn(primary, gApp.name)}`);
    const before = startsOn(primary, gApp.name).length;
    const t0 = Date.now();
    await killNode(state, primary.name);
    const last = counterOn(primary, gApp.name) ?? 0;
    await waitFor(
      `${primary.name}'s Syncthing to die with it`,
      async () => {
        const home = path.join(primary.dataDir, 'syncthing');
        const left = listProcesses().filter(
          (p) => p.argv.some((a) => a.includes(home)) && processAlive(p.pid),
        );
        return left.length === 0 || pending(left.map((p) => p.pid).join(','));
      },
      { timeoutMs: 5_000, intervalMs: 100 },
    );
    const next = await waitFor(
      'a standby to take over',
      async () => {
        const ls = await locations(gApp.name);
        const p = ls.filter((l) => l.data?.[0]?.role === 'primary');
        return p.length === 1 && p[0]!.node !== settled.primary.node ? p[0] : pending(roles(ls));
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    const failoverMs = Date.now() - t0;
    const successor = nodeOf(state.nodes, next);
    const start = await waitFor(
      `the counter to start on ${successor.name}`,
      async () =>
        startsOn(successor, gApp.name)
          .slice(before)
          .find((s) => s.node === successor.collateral),
      { timeoutMs: 15_000, intervalMs: 100 },
    );
    t.diagnostic(
      `failover ${failoverMs / 1000} s; old primary wrote ${last}, new primary started from ${start.from}: ` +
        `${last - start.from} s of writes lost`,
    );
    assert.ok(start.from > 0, 'the new primary started from the replicated count, not from nothing');
    assert.ok(last - start.from <= 10, `lost ${last - start.from} s of writes`);
  });

  /** Three instances, exactly one primary, the standbys holding a count of at least 5. */
  async function gSettled(app: DataApp): Promise<{ primary: DataLocation } | { pending: string }> {
    const ls = await locations(app.name);
    const primaries = ls.filter((l) => l.data?.[0]?.role === 'primary');
    const standbys = ls.filter((l) => l.data?.[0]?.role === 'standby');
    const counted = standbys.every((l) => (counterOn(nodeOf(state.nodes, l), app.name) ?? 0) >= 5);
    if (ls.length === 3 && primaries.length === 1 && standbys.length === 2 && counted)
      return { primary: primaries[0]! };
    return pending(roles(ls));
  }
});

function roles(ls: DataLocation[]): string {
  return ls.map((l) => `${l.node.slice(0, 6)}:${l.state}/${l.data?.[0]?.role}`).join(' ');
}
