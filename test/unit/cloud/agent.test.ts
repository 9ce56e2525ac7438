// The cloud agent's decisions without Docker or libp2p: agents talk over an in-memory gossip bus
// that runs the validators as P2PHost does, and each has an in-memory engine. The real thing
// (real dockerds, real libp2p) is covered by test/e2e/cloud/agent-docker.test.ts.

import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { sha256 } from '@noble/hashes/sha2.js';
import { CloudAgent } from '../../../src/cloud/agent/agent.ts';
import type {
  AgentRuntime,
  ChainView,
  Gossip,
  GossipTopic,
  GossipVerdict,
  NodeRecordView,
} from '../../../src/cloud/agent/types.ts';
import { GOSSIP_TOPICS } from '../../../src/cloud/agent/types.ts';
import type { BenchmarkFigures } from '../../../src/cloud/benchmark/check.ts';
import { encodeHeartbeat } from '../../../src/cloud/messages/heartbeat.ts';
import type { RegisteredApp } from '../../../src/cloud/registry/app-registry.ts';
import type {
  ContainerEvent,
  ContainerState,
  ManagedContainer,
  RuntimeApp,
  RuntimeComponent,
} from '../../../src/cloud/runtime/types.ts';
import { specHash } from '../../../src/cloud/spec/hash.ts';
import { DEVNET_APP_LIMITS } from '../../../src/cloud/spec/limits.ts';
import type { AppSpec, ValidSpec } from '../../../src/cloud/spec/schema.ts';
import { toHex } from '../../../src/consensus/bytes.ts';
import { publicKeyOf } from '../../../src/consensus/keys/keys.ts';
import { devnet } from '../../../src/consensus/params/devnet.ts';
import { ScriptVerifierPool } from '../../../src/chain/index.ts';
import { at } from '../../support/at.ts';

const HB = 400;

type Validator = (data: Uint8Array, from: string) => GossipVerdict | Promise<GossipVerdict>;
type Handler = (data: Uint8Array, from: string) => void;
interface Sub {
  v: Validator;
  h: Handler;
}

class Bus {
  readonly verdicts: { topic: string; verdict: GossipVerdict['result']; from: string; to: string }[] = [];
  private readonly ends: { name: string; subs: Map<string, Sub[]>; up: boolean }[] = [];

  endpoint(name: string): Gossip & { up: boolean } {
    const end = { name, subs: new Map<string, Sub[]>(), up: true };
    this.ends.push(end);
    const bus = this;
    return {
      get up() {
        return end.up;
      },
      set up(v: boolean) {
        end.up = v;
      },
      async publish(topic, data) {
        if (!end.up) return;
        for (const other of bus.ends) {
          if (other === end || !other.up) continue;
          for (const s of other.subs.get(topic.name) ?? []) {
            setImmediate(async () => {
              const verdict = (await s.v(data, name)).result;
              bus.verdicts.push({ topic: topic.name, verdict, from: name, to: other.name });
              if (verdict === 'accept') s.h(data, name);
            });
          }
        }
      },
      subscribe(topic, validator, handler) {
        const list = end.subs.get(topic.name) ?? [];
        list.push({ v: validator, h: handler });
        end.subs.set(topic.name, list);
      },
    };
  }
}

/** An engine in memory: containers, and the events a real one would send. */
class FakeEngine implements AgentRuntime {
  readonly containers = new Map<string, ManagedContainer>();
  readonly calls: string[] = [];
  /** Containers of these apps exit as soon as they start. */
  crashing = new Set<string>();
  private listeners: ((e: ContainerEvent) => void)[] = [];
  private n = 0;
  readonly node: string;
  constructor(node: string) {
    this.node = node;
  }

  async listManagedContainers() {
    return [...this.containers.values()].map((c) => ({ ...c }));
  }
  async hasImage() {
    return true;
  }
  async pullImage() {}
  async createAndStart(app: RuntimeApp, component: RuntimeComponent) {
    const name = `flux${component.name}_${app.name}`;
    if ([...this.containers.values()].some((c) => c.name === name)) throw new Error(`${name} exists`);
    const c: ManagedContainer = {
      id: `c${++this.n}`,
      name,
      app: app.name,
      component: component.name,
      specHash: app.specHash,
      node: this.node,
      image: component.image,
      state: 'running',
      status: 'Up',
      created: Date.now(),
    };
    this.containers.set(c.id, c);
    this.calls.push(`create ${app.name}`);
    this.afterStart(c);
    return c;
  }
  async start(id: string) {
    const c = this.containers.get(id)!;
    this.calls.push(`start ${c.app}`);
    this.set(c, 'running', 'start');
    this.afterStart(c);
  }
  async remove(id: string) {
    const c = this.containers.get(id);
    if (!c) return false;
    this.calls.push(`remove ${c.app}`);
    this.containers.delete(id);
    this.emit(c, 'destroy');
    return true;
  }
  async removeAppNetworkIfUnused() {
    return false;
  }
  async removeData() {
    return false;
  }
  async restart(id: string) {
    this.calls.push(`restart ${this.containers.get(id)!.app}`);
  }
  async stop(id: string) {
    const c = this.containers.get(id);
    if (!c) return false;
    this.set(c, 'exited', 'stop');
    return true;
  }
  async logs() {
    return '';
  }
  async logLines() {
    return [];
  }
  async usage() {
    return undefined;
  }
  async *events(signal?: AbortSignal): AsyncGenerator<ContainerEvent> {
    const queue: ContainerEvent[] = [];
    let wake: (() => void) | undefined;
    const fn = (e: ContainerEvent) => {
      queue.push(e);
      wake?.();
    };
    this.listeners.push(fn);
    signal?.addEventListener('abort', () => wake?.());
    try {
      while (!signal?.aborted) {
        if (queue.length === 0) await new Promise<void>((r) => (wake = r));
        while (queue.length) yield queue.shift()!;
      }
    } finally {
      this.listeners = this.listeners.filter((l) => l !== fn);
    }
  }
  running(app: string) {
    return [...this.containers.values()].filter((c) => c.app === app && c.state === 'running').length;
  }
  private afterStart(c: ManagedContainer) {
    if (this.crashing.has(c.app)) setTimeout(() => this.set(c, 'exited', 'die'), 5);
  }
  private set(c: ManagedContainer, state: ContainerState, action: string) {
    c.state = state;
    this.emit(c, action);
  }
  private emit(c: ManagedContainer, action: string) {
    const e = {
      action,
      id: c.id,
      name: c.name,
      app: c.app,
      component: c.component,
      specHash: c.specHash,
      node: c.node,
      time: Date.now(),
    };
    for (const l of this.listeners) l(e);
  }
}

class Chain extends EventEmitter implements ChainView {
  apps: RegisteredApp[] = [];
  readonly nodes: NodeRecordView[];
  constructor(nodes: NodeRecordView[]) {
    super();
    this.nodes = nodes;
  }
  tipHeight() {
    return 50;
  }
  tipHash() {
    return 'ee'.repeat(32);
  }
  confirmedNodes() {
    return this.nodes;
  }
  activeApps() {
    return this.apps;
  }
  setApps(apps: RegisteredApp[]) {
    this.apps = apps;
    this.emit('tip');
  }
}

const good: BenchmarkFigures = { cores: 2, ramMB: 4000, diskGB: 100, eps: 500, diskWriteMBps: 200 };
const slow: BenchmarkFigures = { ...good, eps: 3 }; // devnet cumulus needs 10

function app(name: string, instances = 3): RegisteredApp {
  const spec: AppSpec = {
    version: 1,
    name,
    description: 'test',
    owner: 'tmAnyOwnerAddressNotCheckedHere',
    components: [
      {
        name: 'web',
        description: '',
        repotag: '127.0.0.1:5000/flux/hello:1',
        ports: [31000],
        containerPorts: [80],
        environmentParameters: [],
        commands: [],
        containerData: '',
        cpu: 0.2,
        ram: 100,
        hdd: 1,
      },
    ],
    instances,
    expire: 100,
    geolocation: [],
  };
  return {
    name,
    owner: spec.owner,
    spec: spec as ValidSpec, // hand-made: the registry trusts what validation let through
    specHash: specHash(spec),
    height: 10,
    registeredHeight: 10,
    expiresAt: 110,
    paid: 1n,
    txid: '00'.repeat(32),
  };
}

/**
 * Waits for a condition, polling. The bound is only a backstop against hanging: on two loaded cores
 * (load 15+) detection and reconcile rounds run seconds late, so a tight bound failed healthy runs.
 */
async function until(what: string, cond: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe('cloud agent over an in-memory network', () => {
  const bus = new Bus();
  const keys = [1, 2, 3, 4, 5].map((i) => sha256(new TextEncoder().encode(`agent unit key ${i}`)));
  const ids = keys.map((_, i) => `${String(i + 1).repeat(64)}:0`);
  const chain = new Chain(
    ids.map((id, i) => ({
      collateral: id,
      tier: 'cumulus',
      ip: `10.0.0.${i + 1}`,
      operatorPubKey: toHex(publicKeyOf(at(keys, i))),
      status: 'confirmed',
    })),
  );
  const engines = ids.map((id) => new FakeEngine(id));
  const pool = new ScriptVerifierPool({ threads: 1 });
  const gossip = ids.map((id) => bus.endpoint(id));
  const agents = ids.map(
    (id, i) =>
      new CloudAgent(
        {
          chain,
          gossip: at(gossip, i),
          runtime: at(engines, i),
          identity: { nodeId: id, operatorPrivateKey: at(keys, i), ip: `10.0.0.${i + 1}`, tier: 'cumulus' },
          benchmark: async () => (i === 4 ? slow : good), // the fifth node is below the minimums
          // Every other node checks heartbeat signatures in batches on a verifier pool, as a node does.
          verifier: i % 2 ? pool : undefined,
        },
        {
          heartbeatMs: HB,
          missedIntervals: 3,
          reconcileMs: 3 * HB,
          appLimits: DEVNET_APP_LIMITS,
          hardwareMinimums: devnet.fluxnodes.hardwareMinimums,
          benchmarkRetryMs: 0,
        },
      ),
  );
  const up = () => agents.filter((_, i) => at(gossip, i).up);
  const total = (name: string) => engines.reduce((n, e) => n + e.running(name), 0);

  after(async () => {
    await Promise.all(agents.map((a) => a.stop()));
    await pool.close();
  });

  test('nothing is done before the live set is known', async () => {
    // Asked right after the first start() begins, before the other agents start and before its
    // benchmark resolves: on a loaded machine those (each signing, the first sign building the
    // curve tables) took longer than the startup grace period. One throwaway sign warms the tables.
    const hb = { node: at(ids, 0), seq: 0, time: 0, height: 0, tipHash: '00'.repeat(32), ip: 'x' };
    encodeHeartbeat(hb, at(keys, 0));
    const first = at(agents, 0).start();
    const early = await at(agents, 0).reconcileNow('test');
    await Promise.all([first, ...agents.slice(1).map((a) => a.start())]);
    assert.equal(early.skipped, true);
  });

  test('a node below its tier minimums is live but never eligible, on every node', async () => {
    await until('four eligible nodes everywhere', () =>
      agents.every((a) => a.placement().eligible.length === 4 && a.liveNodes().length === 5),
    );
    for (const a of agents) assert.deepEqual(a.placement().eligible, ids.slice(0, 4));
    assert.deepEqual(at(agents, 0).status().benchmark?.verdict, { ok: true, shortfalls: [] });
    assert.deepEqual(
      at(agents, 4)
        .status()
        .benchmark?.verdict.shortfalls.map((s) => s.field),
      ['eps'],
    );
  });

  test('an app gets exactly its instances, never on the failing node, and everyone agrees where', async () => {
    chain.setApps([app('hello')]);
    await until('3 instances', () => total('hello') === 3);
    assert.equal(at(engines, 4).running('hello'), 0);
    const where = agents.map((a) => JSON.stringify(a.placement().assignment.get('hello')));
    assert.equal(new Set(where).size, 1);
    await until('locations everywhere', () =>
      agents.every((a) => a.locations('hello').filter((l) => l.running).length === 3),
    );
    const hosts = engines.filter((e) => e.running('hello') === 1).map((e) => e.node);
    for (const a of agents)
      assert.deepEqual(
        a.locations('hello').map((l) => l.node),
        hosts,
      );
  });

  test('forged, unknown and stale messages are refused before anything believes them', async () => {
    const stranger = sha256(new TextEncoder().encode('stranger'));
    const hb = {
      node: at(ids, 0),
      seq: Date.now() * 2,
      time: Date.now(),
      height: 1,
      tipHash: '00'.repeat(32),
      ip: 'x',
    };
    const injector = bus.endpoint('injector');
    await injector.publish(GOSSIP_TOPICS.heartbeat, encodeHeartbeat(hb, stranger)); // forged: wrong key
    await injector.publish(
      GOSSIP_TOPICS.heartbeat,
      encodeHeartbeat({ ...hb, node: `${'9'.repeat(64)}:0` }, stranger),
    );
    await injector.publish(
      GOSSIP_TOPICS.heartbeat,
      encodeHeartbeat({ ...hb, time: Date.now() - 3_600_000 }, at(keys, 0)),
    );
    await injector.publish(GOSSIP_TOPICS.running, new TextEncoder().encode('not a report'));
    injector.up = false;
    // Every agent's verdict on each of the four messages, however late the bus delivers them.
    const fromInjector = () => bus.verdicts.filter((v) => v.from === 'injector').length;
    await until('the verdicts on the injected messages', () => fromInjector() >= 4 * ids.length);
    const seen = (to: string, topic: GossipTopic) =>
      bus.verdicts
        .filter((v) => v.from === 'injector' && v.to === to && v.topic === topic.name)
        .map((v) => v.verdict);
    for (const to of ids.slice(1)) {
      // forged (someone else's key): reject; unknown node: ignore; an hour old: ignore
      assert.deepEqual(seen(to, GOSSIP_TOPICS.heartbeat), ['reject', 'ignore', 'ignore'], to);
      assert.deepEqual(seen(to, GOSSIP_TOPICS.running), ['reject'], to);
    }
    // Node 0 itself rejects the forgery too, and ignores its own old heartbeat.
    assert.deepEqual(seen(at(ids, 0), GOSSIP_TOPICS.heartbeat), ['reject', 'ignore', 'ignore']);
    // The forged heartbeat's huge seq was not recorded: node 0's real heartbeats still count.
    // Polled, not slept: on a loaded machine a heartbeat can run late without anything being wrong.
    const deadline = Date.now() + HB * 20;
    while (!agents.every((a) => a.liveNodes().includes(at(ids, 0))) && Date.now() < deadline)
      await sleep(HB / 2);
    for (const a of agents) assert.ok(a.liveNodes().includes(at(ids, 0)));
  });

  test('a silent host is replaced by the next eligible node; it comes back without duplicates', async () => {
    const host = engines.findIndex((e) => e.running('hello') === 1);
    at(gossip, host).up = false; // silent, as a crashed or cut-off node
    await at(agents, host).stop();
    try {
      const others = () => engines.filter((_, i) => i !== host).reduce((n, e) => n + e.running('hello'), 0);
      await until('3 instances on the others', () => others() === 3);
      assert.equal(at(engines, 4).running('hello'), 0, 'never on the failing node');
      // It returns with an empty engine, like a node whose dockerd was stopped with it.
      at(engines, host).containers.clear();
    } finally {
      // Back in any case, so that a failure here is not also the next tests' failure.
      at(gossip, host).up = true;
      await at(agents, host).start();
    }
    await until(
      'settled with 3',
      () => total('hello') === 3 && up().every((a) => a.liveNodes().length === 5),
    );
    for (let i = 0; i < 10; i++) {
      assert.ok(total('hello') <= 3);
      await sleep(HB);
    }
  });

  test('a container that keeps dying is restarted ever more slowly, not in a loop', async () => {
    for (const e of engines) e.crashing.add('crashy');
    chain.setApps([...chain.apps, app('crashy', 3)]);
    // The window counts from the first attempt anywhere (a loaded machine may start it late).
    await until('a first attempt', () => engines.some((e) => e.calls.includes('create crashy')));
    await sleep(2500);
    for (const e of engines) {
      const attempts = e.calls.filter((c) => c === 'create crashy' || c === 'start crashy').length;
      if (e.node === ids[4]) assert.equal(attempts, 0);
      // With no backoff this would be one attempt per event round trip (dozens); with it: t=0, 1 s, 3 s.
      else assert.ok(attempts <= 3, `${attempts} attempts on ${e.node}`);
    }
    assert.ok(engines.some((e) => e.calls.includes('create crashy')));
  });

  test('apps that leave the chain are removed everywhere', async () => {
    chain.setApps([]);
    await until('nothing running', () => engines.every((e) => e.containers.size === 0));
    for (const a of agents) assert.deepEqual(a.locations('hello'), []);
  });
});
