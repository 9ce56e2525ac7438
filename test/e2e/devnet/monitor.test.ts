// `devnet up --monitor` through the real CLI: two nodes with their own Docker engines and a real
// prometheus (Debian's) scraping both. A PromQL query through prometheus's HTTP API must return
// every node's chain height, and the cloud agents' metrics move; `devnet status` shows prometheus, and
// `devnet down` stops it.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { processAlive } from '../../../src/devnet/dockerd.ts';
import { CLI_MAIN, rpcOf } from '../../../src/devnet/host-process.ts';
import { readState } from '../../../src/devnet/state.ts';
import type { DevnetStatus } from '../../../src/devnet/status.ts';
import { teardownDevnet } from '../../../src/devnet/teardown.ts';
import type { DevnetSummary } from '../../../src/devnet/up.ts';
import { dockerSkip, freePort, refused } from './docker-fixture.ts';

const execFileAsync = promisify(execFile);
const REPO = path.resolve(path.dirname(CLI_MAIN), '..', '..');
const BASE = 211; // nodes on 127.0.0.211-212; registry and prometheus on .210; bridges fluxbr211-212
const MONITOR_HOST = `127.0.0.${BASE - 1}`;

async function cli(args: string[], timeoutMs: number): Promise<string> {
  try {
    return (await execFileAsync(process.execPath, [CLI_MAIN, ...args], { timeout: timeoutMs, cwd: REPO }))
      .stdout;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`fluxnode ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
}

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

async function promQuery(url: string, query: string): Promise<Sample[]> {
  const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(query)}`);
  const body = (await res.json()) as { status: string; data: { resultType: string; result: Sample[] } };
  assert.equal(body.status, 'success', `query ${query}`);
  assert.equal(body.data.resultType, 'vector');
  return body.data.result;
}

/** Queries until every node has a sample (the first scrapes take a second or two), at most `ms`. */
async function untilEveryNode(url: string, query: string, nodes: string[], ms: number): Promise<Sample[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const result = await promQuery(url, query);
    const seen = new Set(result.map((s) => s.metric.node));
    if (nodes.every((n) => seen.has(n))) return result;
    if (Date.now() > deadline)
      assert.fail(`${query}: samples of ${[...seen].join(', ') || 'no node'} after ${ms} ms, want ${nodes}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('devnet up --monitor', { skip: dockerSkip(), timeout: 240_000 }, () => {
  let base = '';
  let dir = '';

  before(async () => {
    base = await mkdtemp('/tmp/fxmon-');
    dir = path.join(base, 'devnet');
  });

  after(async () => {
    const left = readState(dir);
    if (left) await teardownDevnet(left);
    await rm(base, { recursive: true, force: true });
  });

  test("prometheus scrapes every node, a PromQL query returns each node's height, and down stops it", async () => {
    const registryPort = await freePort(MONITOR_HOST);
    const monitorPort = await freePort(MONITOR_HOST);
    const out = await cli(
      [
        ...['devnet', 'up', '--dir', dir, '--nodes', '2', '--tiers', '1,1,0', '--no-app', '--monitor'],
        ...['--base-address', `127.0.0.${BASE}`, '--registry-port', String(registryPort)],
        ...['--monitor-port', String(monitorPort), '--block-interval-ms', '500', '--json'],
      ],
      180_000,
    );
    const summary = JSON.parse(out) as DevnetSummary;
    const url = `http://${MONITOR_HOST}:${monitorPort}`;
    assert.equal(summary.monitor, url);
    const state = readState(dir)!;
    assert.ok(state.monitor?.pid && processAlive(state.monitor.pid), 'prometheus runs');
    const config = await readFile(path.join(dir, 'prometheus.yml'), 'utf8');
    for (const n of state.nodes)
      assert.ok(config.includes(`${n.host}:${n.apiPort}`), `${n.name} is a target`);

    const names = state.nodes.map((n) => n.name);
    const heights = await untilEveryNode(url, 'fluxnode_chain_tip_height', names, 30_000);
    assert.equal(heights.length, names.length);
    for (const n of state.nodes) {
      const scraped = Number(heights.find((s) => s.metric.node === n.name)?.value[1]);
      const now = await rpcOf(state, n).call<number>('getblockcount');
      // The devnet mined past coinbase maturity before funding the fluxnodes.
      assert.ok(scraped >= state.nodes.length && scraped <= now, `${n.name}: scraped ${scraped}, RPC ${now}`);
    }
    // The scrapes themselves succeed, and the nodes see each other.
    for (const s of await untilEveryNode(url, 'up{job="fluxnode"}', names, 5_000))
      assert.equal(s.value[1], '1');
    for (const s of await untilEveryNode(url, 'fluxnode_p2p_peers', names, 5_000))
      assert.ok(Number(s.value[1]) >= 1, `${s.metric.node} has peers`);

    // Every node runs the cloud agent: it hears the other's heartbeats and reconciles.
    await untilEveryNode(url, 'fluxnode_cloud_heartbeats_received_total > 0', names, 30_000);
    await untilEveryNode(url, 'sum by (node) (fluxnode_cloud_reconcile_passes_total) > 0', names, 30_000);
    const accepted = 'sum by (node) (fluxnode_p2p_gossip_messages_total{verdict="accept"}) > 0';
    await untilEveryNode(url, accepted, names, 10_000);

    const status = JSON.parse(
      await cli(['devnet', 'status', '--dir', dir, '--json'], 30_000),
    ) as DevnetStatus;
    assert.deepEqual(status.monitor, { url, running: true });

    await cli(['devnet', 'down', '--dir', dir, '--json'], 120_000);
    assert.equal(processAlive(state.monitor.pid), false, 'prometheus stopped');
    assert.equal(await refused(MONITOR_HOST, monitorPort), true, 'prometheus port closed');
    assert.equal(existsSync(dir), false, 'the devnet folder (prometheus data included) is gone');
  });
});
