/**
 * The check every node makes of an owner's request before it does anything (owner-ops.ts), and
 * what the operations leave behind (owner-state.ts): a wrong signer, a node the request does not
 * name, a stale request and a replay are refused, the replay also after the node restarts; a stop
 * is held until start or redeploy, across restarts too. An engine in memory stands for Docker.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { sha256 } from '@noble/hashes/sha2.js';
import { Registry } from 'prom-client';
import { type CloudMetrics, createCloudMetrics } from '../../../src/cloud/metrics.ts';
import { MAX_LINE_CHARS, MAX_LOG_BYTES, OwnerOps } from '../../../src/cloud/agent/owner-ops.ts';
import { OwnerState } from '../../../src/cloud/agent/owner-state.ts';
import { SerialQueue } from '../../../src/cloud/agent/serial.ts';
import { NOOP_LOG } from '../../../src/cloud/agent/agent-options.ts';
import type { AgentRuntime } from '../../../src/cloud/agent/types.ts';
import { MessageVerifyError } from '../../../src/cloud/messages/errors.ts';
import { type OwnerRequestFields, signOwnerRequest } from '../../../src/cloud/messages/owner-request.ts';
import type { RegisteredApp } from '../../../src/cloud/registry/app-registry.ts';
import type { ManagedContainer } from '../../../src/cloud/runtime/types.ts';
import type { ValidSpec } from '../../../src/cloud/spec/schema.ts';
import { addressForPublicKey, paramsFor, publicKeyOf } from '../../../src/consensus/index.ts';

const devnet = paramsFor('devnet');
const key = (n: number) => sha256(new TextEncoder().encode(`owner ops test key ${n}`));
const OWNER_KEY = key(1);
const OWNER = addressForPublicKey(publicKeyOf(OWNER_KEY), devnet.base58);
const HERE = `${'aa'.repeat(32)}:0`;
const THERE = `${'bb'.repeat(32)}:0`;
const WINDOW = 60_000;

const APP = {
  name: 'hello',
  owner: OWNER,
  spec: {
    name: 'hello',
    owner: OWNER,
    components: [{ name: 'web' }, { name: 'db' }],
  } as unknown as ValidSpec,
  specHash: 'h1',
} as RegisteredApp;

/** Two containers of `hello` in memory; records what was done to them. */
function engine() {
  const calls: string[] = [];
  const containers: ManagedContainer[] = ['web', 'db'].map((component) => ({
    id: `${component}-id`,
    name: `flux${component}_hello`,
    app: 'hello',
    component,
    specHash: 'h1',
    node: HERE,
    image: 'r/img:1',
    state: 'running',
    status: 'Up',
    created: 1,
  }));
  const runtime = {
    listManagedContainers: async () => containers.map((c) => ({ ...c })),
    restart: async (id: string) => void calls.push(`restart ${id}`),
    stop: async (id: string) => {
      calls.push(`stop ${id}`);
      const c = containers.find((x) => x.id === id);
      if (c) c.state = 'exited';
      return true;
    },
    start: async (id: string) => void calls.push(`start ${id}`),
    remove: async (id: string) => {
      calls.push(`remove ${id}`);
      containers.splice(
        containers.findIndex((x) => x.id === id),
        1,
      );
      return true;
    },
    removeData: async (app: string, component: string) => {
      calls.push(`wipe ${app}/${component}`);
      return true;
    },
    logLines: async (id: string) => [
      { time: id === 'web-id' ? 20 : 10, stream: 'stdout' as const, text: `from ${id}` },
    ],
    usage: async () => ({ memoryBytes: 1, memoryLimitBytes: 2, cpuSeconds: 3 }),
  } as unknown as AgentRuntime;
  return { calls, runtime };
}

function opsWith(
  state: OwnerState,
  now: () => number,
  reconciles: string[] = [],
  metrics: CloudMetrics | null = null,
) {
  const { calls, runtime } = engine();
  const ops = new OwnerOps({
    nodeId: HERE,
    runtime,
    serial: new SerialQueue(),
    state,
    log: NOOP_LOG,
    activeApps: () => [APP],
    placedHere: () => true,
    reconcile: () => void reconciles.push('reconcile'),
    now,
    windowMs: WINDOW,
    metrics,
  });
  return { ops, calls };
}

let n = 0;
const T0 = 1_700_000_000_000;
function request(f: Partial<OwnerRequestFields> = {}, signer = OWNER_KEY) {
  const nonce = (++n).toString(16).padStart(32, '0');
  return signOwnerRequest(
    { op: 'restart', app: 'hello', nodes: [HERE, THERE], nonce, issuedAt: T0, ...f },
    signer,
  );
}

const refused = (rule: string) => (e: unknown) => e instanceof MessageVerifyError && e.rule === rule;

describe('an owner request on a hosting node', () => {
  const dir = mkdtempSync(join(tmpdir(), 'owner-ops-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('the owner’s request naming this node is carried out once; a replay is refused', async () => {
    const { ops, calls } = opsWith(new OwnerState(), () => T0 + 1000);
    const req = request();
    const r = await ops.run(req);
    assert.deepEqual(r.done, ['fluxweb_hello', 'fluxdb_hello']);
    assert.deepEqual(calls, ['restart web-id', 'restart db-id']);
    await assert.rejects(ops.run(req), refused('replayed'));
    assert.equal(calls.length, 2, 'nothing was done for the replay');
  });

  test('a wrong signer, an unnamed node, a stale or early request and an unknown app are refused, and nothing is done', async () => {
    const registry = new Registry();
    const { ops, calls } = opsWith(new OwnerState(), () => T0, [], createCloudMetrics(registry));
    await assert.rejects(ops.run(request({}, key(2))), refused('bad-signature'));
    await assert.rejects(ops.run(request({ nodes: [THERE] })), refused('wrong-node'));
    await assert.rejects(ops.run(request({ issuedAt: T0 - WINDOW - 1 })), refused('stale-request'));
    await assert.rejects(ops.run(request({ issuedAt: T0 + WINDOW + 1 })), refused('stale-request'));
    await assert.rejects(ops.run(request({ app: 'other' })), refused('unknown-app'));
    assert.deepEqual(calls, []);
    const counted = (await registry.getSingleMetric('fluxnode_cloud_owner_requests_total')!.get()).values;
    assert.deepEqual(
      counted.map((v) => [v.labels.op, v.labels.result, v.value]),
      [
        ['restart', 'bad-signature', 1],
        ['restart', 'wrong-node', 1],
        ['restart', 'stale-request', 2],
        ['restart', 'unknown-app', 1],
      ],
    );
  });

  test('a refused request does not use up its nonce: the owner’s own request with it still works', async () => {
    const { ops } = opsWith(new OwnerState(), () => T0);
    const mine = request();
    await assert.rejects(ops.run({ ...mine, op: 'stop' }), refused('bad-signature'));
    assert.deepEqual((await ops.run(mine)).done.length, 2);
  });

  test('a request carried out before a restart stays refused after it, until it would be stale anyway', async () => {
    const file = join(dir, 'state.json');
    const req = request({ op: 'inspect' });
    await opsWith(new OwnerState(file), () => T0).ops.run(req);
    const restarted = opsWith(new OwnerState(file), () => T0 + 5000).ops;
    await assert.rejects(restarted.run(req), refused('replayed'));
    // Past the window its nonce is forgotten, and the time check refuses it instead.
    const later = opsWith(new OwnerState(file), () => T0 + WINDOW + 1).ops;
    await assert.rejects(later.run(req), refused('stale-request'));
    assert.equal(new OwnerState(file).has(req.nonce), true, 'kept until the next use prunes it');
    await later.run(request({ op: 'inspect', issuedAt: T0 + WINDOW }));
    assert.equal(new OwnerState(file).has(req.nonce), false);
  });

  test('a stop is held across restarts until start; redeploy --hard wipes the data and asks for a reconcile', async () => {
    const file = join(dir, 'held.json');
    const { ops, calls } = opsWith(new OwnerState(file), () => T0);
    const stopped = await ops.run(request({ op: 'stop' }));
    assert.equal(stopped.stopped, true);
    assert.deepEqual(
      stopped.containers.map((c) => c.state),
      ['exited', 'exited'],
    );
    assert.deepEqual([...new OwnerState(file).stopped()], ['hello'], 'held on disk');
    const reconciles: string[] = [];
    const after = opsWith(new OwnerState(file), () => T0, reconciles);
    const started = await after.ops.run(request({ op: 'start' }));
    assert.equal(started.stopped, false);
    assert.deepEqual(after.calls, ['start web-id', 'start db-id']);
    assert.deepEqual([...new OwnerState(file).stopped()], []);
    await after.ops.run(request({ op: 'redeploy', hard: true }));
    assert.deepEqual(after.calls.slice(2), [
      'remove web-id',
      'remove db-id',
      'wipe hello/web',
      'wipe hello/db',
    ]);
    assert.deepEqual(reconciles, ['reconcile', 'reconcile']);
    assert.deepEqual(calls, ['stop web-id', 'stop db-id']);
  });

  test('logs come back in time order, each line labelled with node and container; inspect adds usage', async () => {
    const { ops } = opsWith(new OwnerState(), () => T0);
    const r = await ops.run(request({ op: 'logs', tail: 10 }));
    assert.deepEqual(
      r.lines?.map((l) => [l.node, l.container, l.time, l.text]),
      [
        [HERE, 'fluxdb_hello', 10, 'from db-id'],
        [HERE, 'fluxweb_hello', 20, 'from web-id'],
      ],
    );
    const i = await ops.run(request({ op: 'inspect' }));
    assert.deepEqual(i.containers[0]?.usage, { memoryBytes: 1, memoryLimitBytes: 2, cpuSeconds: 3 });
    assert.deepEqual(i.done, []);
  });

  test('a logs answer keeps the newest lines that fit one reply, each cut to a bounded length', async () => {
    const { runtime } = engine();
    const long = Array.from({ length: 1000 }, (_, i) => ({
      time: i,
      stream: 'stdout' as const,
      text: '\u001b'.repeat(5000),
    }));
    const ops = new OwnerOps({
      nodeId: HERE,
      runtime: { ...runtime, logLines: async () => long.map((l) => ({ ...l })) } as AgentRuntime,
      serial: new SerialQueue(),
      state: new OwnerState(),
      log: NOOP_LOG,
      activeApps: () => [APP],
      placedHere: () => true,
      reconcile: () => {},
      now: () => T0,
      windowMs: WINDOW,
    });
    const lines = (await ops.run(request({ op: 'logs', tail: 1000 }))).lines ?? [];
    const bytes = Buffer.byteLength(JSON.stringify(lines));
    assert.ok(bytes <= MAX_LOG_BYTES + lines.length, `${bytes} bytes`);
    assert.ok(lines.every((l) => l.text.length <= MAX_LINE_CHARS + 1));
    assert.equal(lines.at(-1)?.time, 999, 'the newest line is kept');
    assert.ok(lines.length > 50);
  });
});
