/**
 * Safety properties of the placement the agent runs (AgentPlanner → the anchored production
 * planner), on random networks with tight room, shared addresses and failed benchmarks.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  AgentPlanner,
  type PlacementSnapshot,
  type PlacementView,
} from '../../../src/cloud/agent/placement-view.ts';
import type { NodeRecordView } from '../../../src/cloud/agent/types.ts';
import type { BenchmarkFigures } from '../../../src/cloud/benchmark/check.ts';
import type { RegisteredApp } from '../../../src/cloud/registry/app-registry.ts';
import { DEVNET_APP_LIMITS } from '../../../src/cloud/spec/limits.ts';
import type { AppSpec, ValidSpec } from '../../../src/cloud/spec/schema.ts';
import { devnet } from '../../../src/consensus/params/devnet.ts';

const good: BenchmarkFigures = { cores: 2, ramMB: 4000, diskGB: 100, eps: 500, diskWriteMBps: 200 };
const bad: BenchmarkFigures = { ...good, eps: 1 };

/** mulberry32: a small seeded generator, so a failing case can be replayed from its seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function node(i: number, ip: number): NodeRecordView {
  return {
    collateral: `${i.toString(16).padStart(64, '0')}:0`,
    tier: 'cumulus',
    ip: `10.0.${ip >> 8}.${ip & 255}:16125`,
    operatorPubKey: '02'.padEnd(66, '0'),
    status: 'confirmed',
  };
}

function app(name: string, instances: number, cpu: number, height: number): RegisteredApp {
  const spec: AppSpec = {
    version: 1,
    name,
    description: '',
    owner: 'x',
    components: [
      {
        name: 'web',
        description: '',
        repotag: 'reg.example:5000/web:1',
        ports: [],
        containerPorts: [],
        environmentParameters: [],
        commands: [],
        containerData: '',
        cpu,
        ram: 100,
        hdd: 1,
      },
    ],
    instances,
    expire: 100,
    geolocation: [],
  };
  const specHash = name.padEnd(64, '0');
  return {
    name,
    owner: 'x',
    spec: spec as ValidSpec, // hand-made: the registry trusts what validation let through
    specHash,
    height,
    registeredHeight: height,
    expiresAt: 1000,
    paid: 1n,
    txid: '',
  };
}

interface World {
  snap: PlacementSnapshot;
  ids: string[];
}

function world(seed: number): World {
  const r = rng(seed);
  const n = 5 + Math.floor(r() * 30);
  // Some nodes share an address (one instance per address), some fail their benchmark.
  const nodes = Array.from({ length: n }, (_, i) => node(i + 1, r() < 0.2 ? 1 : i + 2));
  const ids = nodes.map((x) => x.collateral);
  const apps = Array.from({ length: 1 + Math.floor(r() * 12) }, (_, k) =>
    app(`app${k}`, 3 + Math.floor(r() * 4), [0.5, 1, 1.5][Math.floor(r() * 3)] ?? 1, 1 + Math.floor(r() * 5)),
  );
  const benchmarks = new Map(ids.map((id) => [id, r() < 0.1 ? bad : good] as const));
  const snap: PlacementSnapshot = {
    apps,
    nodes,
    live: new Set(ids),
    benchmarks,
    minimums: devnet.fluxnodes.hardwareMinimums,
    limits: DEVNET_APP_LIMITS,
    epoch: seed % 7,
  };
  return { snap, ids };
}

function someOf(ids: readonly string[], share: number, r: () => number): Set<string> {
  return new Set(ids.filter(() => r() < share));
}

function assertSafe(view: PlacementView, snap: PlacementSnapshot, seed: number): void {
  const ipOf = new Map(snap.nodes.map((x) => [x.collateral, x.ip.split(':')[0]]));
  for (const a of snap.apps) {
    const hosts = view.assignment.get(a.name) ?? [];
    assert.ok(hosts.length <= a.spec.instances, `seed ${seed}: ${a.name} has more instances than asked`);
    assert.equal(new Set(hosts).size, hosts.length, `seed ${seed}: ${a.name} twice on one node`);
    assert.equal(
      new Set(hosts.map((h) => ipOf.get(h))).size,
      hosts.length,
      `seed ${seed}: twice on one address`,
    );
    for (const h of hosts) assert.ok(view.eligible.includes(h), `seed ${seed}: ${a.name} on ineligible ${h}`);
  }
}

test('every node computes the same placement from the same inputs, whatever it saw before', () => {
  for (let seed = 1; seed <= 60; seed++) {
    const { snap, ids } = world(seed);
    const r = rng(seed * 31);
    const live = someOf(ids, 0.8, r);
    const fresh = new AgentPlanner().place({ ...snap, live });
    // Another node lived through other live sets first, and lists apps and nodes in another order.
    const seasoned = new AgentPlanner();
    for (let k = 0; k < 5; k++) seasoned.place({ ...snap, live: someOf(ids, 0.6, r) });
    const shuffled = {
      ...snap,
      live,
      apps: [...snap.apps].reverse(),
      nodes: [...snap.nodes].sort(() => r() - 0.5),
    };
    const other = seasoned.place(shuffled);
    assert.deepEqual([...other.assignment].sort(), [...fresh.assignment].sort(), `seed ${seed}`);
    assert.deepEqual([...other.unplaced].sort(), [...fresh.unplaced].sort(), `seed ${seed}`);
  }
});

test('no app ever gets more instances than asked, two on one node or two on one address', () => {
  for (let seed = 1; seed <= 80; seed++) {
    const { snap, ids } = world(seed);
    const planner = new AgentPlanner();
    const r = rng(seed * 17);
    for (let k = 0; k < 6; k++) {
      const s = { ...snap, live: someOf(ids, 0.3 + 0.7 * r(), r) };
      assertSafe(planner.place(s), s, seed);
    }
  }
});

test('a death moves only the dead nodes’ instances, and their return restores the placement', () => {
  for (let seed = 1; seed <= 80; seed++) {
    const { snap, ids } = world(seed);
    const planner = new AgentPlanner();
    const before = planner.place(snap);
    const dead = someOf(ids, 0.15, rng(seed * 7));
    const after = planner.place({ ...snap, live: new Set(ids.filter((id) => !dead.has(id))) });
    for (const [name, hosts] of before.assignment) {
      const now = after.assignment.get(name) ?? [];
      const survivors = hosts.filter((h) => !dead.has(h));
      // Every instance on a surviving node stays where it was.
      for (const h of survivors) assert.ok(now.includes(h), `seed ${seed}: ${name} left live ${h}`);
      // An app that lost nothing is untouched; one that lost k instances gains at most k new nodes.
      const gained = now.filter((h) => !hosts.includes(h));
      assert.ok(
        gained.length <= hosts.length - survivors.length,
        `seed ${seed}: ${name} moved more than it lost`,
      );
    }
    const back = planner.place(snap);
    assert.deepEqual([...back.assignment], [...before.assignment], `seed ${seed}: not restored`);
  }
});
