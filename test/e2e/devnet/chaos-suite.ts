/**
 * The chaos run (issue 17), on a real devnet: five node processes, each with its own Docker engine,
 * and the sample app at 3 instances. Blows, each followed by the invariants of chaos-fixture.ts:
 * node 1 (bootstrap and miner) killed; a sixth node joining after the app was registered; nodes 2
 * and 3 cut off from the rest and healed; every node SIGKILLed at once and restarted with no
 * bootstrap. Shared by the loopback run and the network-namespace run.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { CLI_MAIN, rpcOf } from '../../../src/devnet/host-process.ts';
import { killNode, nodeRunning, restartNode } from '../../../src/devnet/node-control.ts';
import { type DevnetState, readState } from '../../../src/devnet/state.ts';
import { teardownDevnet } from '../../../src/devnet/teardown.ts';
import { devnetUp } from '../../../src/devnet/up.ts';
import {
  chainProblem,
  cloudProblem,
  type Snapshot,
  settle,
  snapshot,
  wholeProblem,
} from './chaos-fixture.ts';
import { dockerSkip, freePort } from './docker-fixture.ts';
import { livenessDetectionMs, MeshProbe, meshGet } from './mesh-probe.ts';
import { at } from '../../support/at.ts';

const execFileAsync = promisify(execFile);
const INSTANCES = 3;
const APP_PORT = 31000;

export interface ChaosOptions {
  /** Node 1's address (nodes follow, the registry is just below). */
  base: string;
  /** Each node and its engine in a network namespace of its own (`devnet up --netns`). */
  netns?: boolean;
  skip?: string | false;
}

/** The registry's port: any free one on loopback; a fixed one on a namespaced devnet's bridge (not made yet). */
async function registryPort(o: ChaosOptions): Promise<number> {
  if (o.netns) return 5000 + Number(o.base.split('.')[3]);
  const octets = o.base.split('.');
  return freePort(`${octets.slice(0, 3).join('.')}.${Number(octets[3]) - 1}`);
}

export function chaosSuite(title: string, opts: ChaosOptions): void {
  describe(title, { skip: opts.skip ?? dockerSkip(), timeout: 400_000 }, () => {
    let base = '';
    let dir = '';
    let state: DevnetState;
    let app = '';
    const take = () => snapshot(state, app, APP_PORT);
    const rpc = (name: string) => rpcOf(state, state.nodes.find((n) => n.name === name)!, 5_000);
    const whole = (what: string, ms: number) => settle(what, take, wholeProblem(INSTANCES), ms);

    before(async () => {
      base = await mkdtemp('/tmp/fxchaos-');
      dir = path.join(base, 'devnet');
      await devnetUp({
        dir,
        nodes: 5,
        tiers: { cumulus: 2, nimbus: 2, stratus: 1 },
        baseAddress: opts.base,
        registryPort: await registryPort(opts),
        mineIntervalMs: 500,
        netns: opts.netns,
      });
      state = readState(dir)!;
      app = state.app!.name;
      await whole('the devnet to settle', 60_000);
    });

    after(async () => {
      const left = readState(dir);
      if (left) await teardownDevnet(left);
      await rm(base, { recursive: true, force: true });
    });

    test('node 1 killed: the others keep two peers, blocks go on, the app is whole again within 15 s', async (t) => {
      const first = await take();
      const height = at(first.nodes, 0).height;
      t.diagnostic(`node 1 ran ${at(first.nodes, 0).containers} instance(s) of the app`);
      const t0 = Date.now();
      await killNode(state, 'node1');
      const cloud = await settle(
        'the app back at 3 instances',
        take,
        (s) => cloudProblem(s, INSTANCES),
        15_000,
      );
      t.diagnostic(`app whole again ${(Date.now() - t0) / 1000} s after the kill`);
      for (const n of cloud.snapshot.nodes) assert.ok(n.peers >= 2, `${n.name} has ${n.peers} peers`);
      await settle(
        'blocks to go on and every tip to agree',
        take,
        (s) =>
          chainProblem(s) ??
          (at(s.nodes, 0).height > height + 2 ? undefined : `height ${at(s.nodes, 0).height}`),
        30_000,
      );
      const s = (await whole('the network whole without node 1', 30_000)).snapshot;
      assert.equal(s.nodes.length, 4);
      for (const n of s.nodes) assert.ok(n.peers >= 2, `${n.name} has ${n.peers} peers`);
    });

    test('node 1 restarts with no bootstrap and rejoins the same cloud', async () => {
      await restartNode(state, 'node1', { timeoutMs: 90_000 });
      const s = (await whole('node 1 back in agreement', 60_000)).snapshot;
      assert.equal(s.nodes.length, 5);
    });

    test('a sixth node joining after the app was registered learns the app and agrees', async (t) => {
      const run = await execFileAsync(process.execPath, [CLI_MAIN, 'devnet', 'add', '--dir', dir, '--json'], {
        timeout: 180_000,
      });
      const added = JSON.parse(run.stdout) as { node: string; steps: { name: string; ms: number }[] };
      t.diagnostic(`devnet add: ${JSON.stringify(added.steps)}`);
      assert.equal(added.node, 'node6');
      state = readState(dir)!;
      const s = (await whole('node 6 in agreement', 60_000)).snapshot;
      assert.equal(s.nodes.length, 6);
      assert.equal(s.nodes.find((n) => n.name === 'node6')?.locations.length, INSTANCES);
    });

    test('nodes 2 and 3 cut off from the rest, then healed: one chain, 3 instances, no duplicates', async (t) => {
      const island = state.nodes.filter((n) => n.name === 'node2' || n.name === 'node3');
      const rest = state.nodes.filter((n) => !island.includes(n) && nodeRunning(n));
      const ban = (cmd: 'add' | 'remove') =>
        Promise.all(
          island.flatMap((a) =>
            rest.flatMap((b) => [
              rpc(a.name).call('setban', [b.host, cmd]),
              rpc(b.name).call('setban', [a.host, cmd]),
            ]),
          ),
        );
      await ban('add');
      const split = await settle(
        'the partition',
        take,
        (s) => {
          const cut = s.nodes.filter((n) => island.some((i) => i.name === n.name));
          return cut.every((n) => n.peers <= 1) ? undefined : `island peers ${cut.map((n) => n.peers)}`;
        },
        15_000,
      );
      const before = new Map(split.snapshot.nodes.map((n) => [n.name, n.height]));
      // Both sides mine (node 1 on one, node 2 on the other): let them each grow a branch.
      await settle(
        'both sides to mine',
        take,
        (s) => {
          const grown = s.nodes.every((n) => n.height >= (before.get(n.name) ?? 0) + 3);
          const isle = (n: { name: string }) => island.some((i) => i.name === n.name);
          const tips = (inside: boolean) =>
            new Set(s.nodes.filter((n) => isle(n) === inside).map((n) => n.tip));
          // Two branches: the island's tip is not the rest's.
          const forked = [...tips(true)].every((tip) => !tips(false).has(tip));
          return grown && forked ? undefined : `grown ${grown}, forked ${forked}`;
        },
        30_000,
      );
      await ban('remove');
      const healed = await whole('one network again', 90_000);
      t.diagnostic(`healed in ${healed.ms / 1000} s`);
      for (const n of state.nodes) assert.deepEqual(await rpc(n.name).call('listbanned'), []);
    });

    test('every node SIGKILLed at once and restarted without bootstrap: the mesh reassembles from the peer books', async (t) => {
      const names = state.nodes.map((n) => n.name);
      await Promise.all(names.map((n) => killNode(state, n)));
      assert.equal(state.nodes.filter(nodeRunning).length, 0);
      const t0 = Date.now();
      await Promise.all(names.map((n) => restartNode(state, n, { timeoutMs: 120_000 })));
      for (const n of state.nodes) {
        const argv = readFileSync(`/proc/${n.pid}/cmdline`, 'utf8').split('\0');
        assert.equal(argv.includes('--bootstrap'), false, `${n.name} restarted without --bootstrap`);
      }
      const s = (await whole('the whole network back', 120_000)).snapshot;
      t.diagnostic(`reassembled in ${(Date.now() - t0) / 1000} s`);
      assert.equal(s.nodes.length, 6);
      for (const n of s.nodes) assert.ok(n.peers >= 3, `${n.name} has ${n.peers} peers`);
      assertNoStar(s);
    });

    test('the routing mesh: a node without an instance answers for the app, and a killed host’s share moves within the liveness detection time', async (t) => {
      const s = (await whole('the network whole before the mesh check', 30_000)).snapshot;
      const hostIps = new Set(at(s.nodes, 0).locations.map((k) => k.split('@')[1]));
      const running = state.nodes.filter(nodeRunning);
      const viewer = running.find((n) => !hostIps.has(n.host));
      const victim = running.find((n) => hostIps.has(n.host) && n.name !== 'node1');
      assert.ok(
        viewer && victim,
        `a node without an instance and a host among ${running.map((n) => n.name)}`,
      );
      assert.match(
        (await meshGet(viewer.host, APP_PORT)) ?? 'no answer',
        /hello from /,
        `${viewer.name} answers`,
      );

      const probe = new MeshProbe(viewer.host, APP_PORT);
      await new Promise((r) => setTimeout(r, 500));
      const t0 = Date.now();
      await killNode(state, victim.name);
      const after = (await settle('the app whole again', take, (x) => cloudProblem(x, INSTANCES), 30_000))
        .snapshot;
      const placed = at(after.nodes, 0).locations.map((k) => at(k.split('@'), 0));
      // The mesh reaches the replacement instance too once the view has it.
      const reached = () => new Set(probe.results.filter((r) => r.at > t0).map((r) => servedBy(r.body)));
      await until(
        () => placed.every((node) => reached().has(node)),
        15_000,
        () => `reached ${[...reached()]}, placed ${placed}`,
      );
      const detection = livenessDetectionMs();
      // Keep probing past the detection time: the answers after it are the ones judged below.
      while (Date.now() < t0 + detection + 1_000) await new Promise((r) => setTimeout(r, 200));
      const results = await probe.stop();

      const failed = results.filter((r) => r.body === undefined);
      const lastFailure = failed.length ? Math.max(...failed.map((r) => r.at)) - t0 : 0;
      t.diagnostic(
        `${results.length} requests through ${viewer.name} while ${victim.name} died: ${failed.length} failed, the last ${lastFailure} ms after the kill (detection time ${detection} ms)`,
      );
      assert.ok(results.filter((r) => r.at < t0 && r.body).length > 0, 'served before the kill');
      assert.ok(lastFailure <= detection, `a request failed ${lastFailure} ms after the kill`);
      const late = results.filter((r) => r.at > t0 + detection);
      assert.ok(late.length > 0);
      for (const r of late) assert.ok(placed.includes(servedBy(r.body) ?? ''), `late answer ${r.body}`);
    });
  });
}

/** The node an answer of the sample app names ("hello from <node>"). */
function servedBy(page: string | undefined): string | undefined {
  return page ? /hello from ([^<\s]+)/.exec(page)?.[1] : undefined;
}

async function until(ok: () => boolean, ms: number, last: () => string): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    assert.ok(Date.now() < end, `not within ${ms / 1000} s: ${last()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** No hub: no node is the only peer of the others. */
function assertNoStar(s: Snapshot): void {
  const lonely = s.nodes.filter((n) => n.peers < 2);
  assert.deepEqual(lonely, [], 'every node has at least two peers');
}
