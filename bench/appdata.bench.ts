/**
 * Replicated app data (issue 15) on the shared bench devnet (devnet-bench-support.ts: five nodes,
 * each with its own Docker engine and Syncthing):
 * - replication lag: a file written into one `s:` instance's data folder → the same bytes in the
 *   folders of the two other instances (seconds until the last has it);
 * - `g:` failover: the primary's node SIGKILLed → another node reported primary and its container
 *   counting on from the replicated data (seconds), with the writes lost printed beside it.
 * Needs root and the host tools of scripts/setup-host.sh; without them each benchmark is an error row.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { killNode, restartNode } from '../src/devnet/node-control.ts';
import type { NodeState } from '../src/devnet/state.ts';
import {
  counterOn,
  type DataApp,
  type DataLocation,
  dataFile,
  dataLocations,
  nodeOf,
  registerDataApp,
  startsOn,
} from '../test/e2e/devnet/appdata-fixture.ts';
import { benchDevnet, fluxnodeStatus, poll, waitConfirmed } from './devnet-bench-support.ts';
import type { Benchmark } from './harness.ts';

const runId = randomBytes(3).toString('hex');
let sApp: DataApp | undefined;
let gApp: DataApp | undefined;

/** A node of the devnet still running, to ask the REST API. */
function observer(nodes: readonly NodeState[]): NodeState {
  const n = nodes.find((x) => !x.killed);
  if (!n) throw new Error('no running node left');
  return n;
}

async function running(nodes: readonly NodeState[], app: DataApp, role: string): Promise<DataLocation[]> {
  return poll(
    `${app.name}: 3 instances, roles ${role}`,
    async () => {
      const ls = await dataLocations(observer(nodes), app.name);
      const roles = ls.map((l) => l.data?.[0]?.role ?? '-').sort();
      return roles.join(',') === role ? ls : roles.join(',');
    },
    { timeoutMs: 120_000, intervalMs: 250 },
  );
}

const replicationLag: Benchmark = {
  name: 'app data: s: write → on the other instances (devnet)',
  unit: 's',
  target: '< 2 s',
  trials: 5,
  reportSeconds: true,
  setup: async () => {
    const dn = await benchDevnet();
    sApp = await registerDataApp(dn.rpc, dn.image, { name: `benchs${runId}`, port: 31_090, mode: 's' });
    await waitConfirmed(dn, sApp.txid);
  },
  run: async () => {
    const dn = await benchDevnet();
    const app = sApp;
    if (!app) throw new Error('the s: app was not registered (setup failed)');
    const ls = await running(dn.state.nodes, app, 'replica,replica,replica');
    const [first, ...others] = ls.map((l) => nodeOf(dn.state.nodes, l));
    const name = `lag-${randomBytes(4).toString('hex')}`;
    const text = `${name}\n`;
    const t0 = performance.now();
    writeFileSync(dataFile(first!, app.name, name), text);
    const t1 = await poll(
      `${name} on every other instance`,
      async () => {
        const missing = others.filter((n) => {
          try {
            return readFileSync(dataFile(n, app.name, name), 'utf8') !== text;
          } catch {
            return true;
          }
        });
        return missing.length === 0 ? performance.now() : `missing on ${missing.map((n) => n.name)}`;
      },
      { timeoutMs: 30_000, intervalMs: 20 },
    );
    return (t1 - t0) / 1000;
  },
};

const failover: Benchmark = {
  name: 'app data: g: primary killed → standby runs on (devnet)',
  unit: 's',
  target: '≤ 10 s',
  trials: 2,
  reportSeconds: true,
  setup: async () => {
    const dn = await benchDevnet();
    gApp = await registerDataApp(dn.rpc, dn.image, {
      name: `benchg${runId}`,
      port: 31_091,
      mode: 'g',
      counter: true,
    });
    await waitConfirmed(dn, gApp.txid);
  },
  run: async () => {
    const dn = await benchDevnet();
    const app = gApp;
    if (!app) throw new Error('the g: app was not registered (setup failed)');
    const nodes = dn.state.nodes;
    const ls = await running(nodes, app, 'primary,standby,standby');
    const old = nodeOf(nodes, ls.find((l) => l.data?.[0]?.role === 'primary')!);
    // A standby that came back with the last trial's restart must have caught up first.
    const standbys = ls.filter((l) => l.data?.[0]?.role === 'standby').map((l) => nodeOf(nodes, l));
    await poll(
      'the standbys within 2 of the primary’s count (at least 5)',
      async () => {
        const count = counterOn(old, app.name) ?? 0;
        const behind = standbys.map((n) => count - (counterOn(n, app.name) ?? 0));
        return count >= 5 && behind.every((b) => b <= 2) ? true : `count ${count}, behind ${behind}`;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    // Starts already recorded (a node may have been primary before): the new one comes after them.
    const before = startsOn(old, app.name).length;
    const t0 = performance.now();
    await killNode(dn.state, old.name);
    const last = counterOn(old, app.name) ?? 0;
    const { t1, from, node } = await poll(
      'another node primary, counting',
      async () => {
        const now = await dataLocations(observer(nodes), app.name);
        const p = now.find((l) => l.data?.[0]?.role === 'primary' && l.node !== old.collateral);
        if (!p) return 'no new primary yet';
        const n = nodeOf(nodes, p);
        const start = startsOn(n, app.name)
          .slice(before)
          .find((s) => s.node === n.collateral);
        return start
          ? { t1: performance.now(), from: start.from, node: n.name }
          : `${n.name} not counting yet`;
      },
      { timeoutMs: 60_000, intervalMs: 50 },
    );
    const seconds = (t1 - t0) / 1000;
    process.stderr.write(
      `  ${old.name} killed: ${node} primary after ${seconds.toFixed(2)} s, counting on from ${from}; ` +
        `${old.name} had written ${last}: ${last - from} s of writes lost\n`,
    );
    await restartNode(dn.state, old.name, { timeoutMs: 120_000 });
    await poll(
      `${old.name} to be a confirmed fluxnode again`,
      async () => ((await fluxnodeStatus(dn, old)) === 'confirmed' ? true : 'not confirmed'),
      { timeoutMs: 180_000, intervalMs: 1_000 },
    );
    return seconds;
  },
};

export const benchmarks: Benchmark[] = [replicationLag, failover];
