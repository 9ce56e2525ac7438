import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  AgentPlanner,
  computePlacement,
  desiredComponents,
  epochAt,
  hostOf,
  type PlacementSnapshot,
} from '../../../src/cloud/agent/placement-view.ts';
import type { NodeRecordView } from '../../../src/cloud/agent/types.ts';
import type { BenchmarkFigures } from '../../../src/cloud/benchmark/check.ts';
import type { RegisteredApp } from '../../../src/cloud/registry/app-registry.ts';
import { DEVNET_APP_LIMITS } from '../../../src/cloud/spec/limits.ts';
import type { AppSpec, ValidSpec } from '../../../src/cloud/spec/schema.ts';
import { devnet } from '../../../src/consensus/params/devnet.ts';

const ok: BenchmarkFigures = { cores: 2, ramMB: 4000, diskGB: 100, eps: 500, diskWriteMBps: 200 };

function node(i: number, over: Partial<NodeRecordView> = {}): NodeRecordView {
  return {
    collateral: `${i.toString(16).padStart(64, '0')}:0`,
    tier: 'cumulus',
    ip: `10.0.0.${i}:16125`,
    operatorPubKey: '02'.padEnd(66, '0'),
    status: 'confirmed',
    ...over,
  };
}

function app(name: string, instances: number, cpu = 0.2): RegisteredApp {
  const spec: AppSpec = {
    version: 1,
    name,
    description: '',
    owner: 'x',
    components: ['web', 'db'].map((c) => ({
      name: c,
      description: '',
      repotag: `reg.example:5000/${c}:1`,
      ports: [],
      containerPorts: [],
      environmentParameters: [],
      commands: [],
      containerData: '',
      cpu,
      ram: 100,
      hdd: 1,
    })),
    instances,
    expire: 100,
    geolocation: [],
  };
  return {
    name,
    owner: 'x',
    spec: spec as ValidSpec, // hand-made: the registry trusts what validation let through
    specHash: name.padEnd(64, '0'),
    height: 5,
    registeredHeight: 5,
    expiresAt: 105,
    paid: 1n,
    txid: '',
  };
}

function snapshot(
  nodes: NodeRecordView[],
  apps: RegisteredApp[],
  over: Partial<PlacementSnapshot> = {},
): PlacementSnapshot {
  return {
    apps,
    nodes,
    live: new Set(nodes.map((n) => n.collateral)),
    benchmarks: new Map(nodes.map((n) => [n.collateral, ok])),
    minimums: devnet.fluxnodes.hardwareMinimums,
    limits: DEVNET_APP_LIMITS,
    epoch: 0,
    ...over,
  };
}

test('every node computes the same placement whatever order it lists nodes and apps in', () => {
  const nodes = Array.from({ length: 12 }, (_, i) => node(i + 1));
  const apps = [app('alpha', 3), app('beta', 5), app('gamma', 4)];
  const a = computePlacement(snapshot(nodes, apps));
  const b = computePlacement(snapshot([...nodes].reverse(), [...apps].reverse()));
  assert.deepEqual([...a.assignment].sort(), [...b.assignment].sort());
  for (const x of apps) assert.equal(a.assignment.get(x.name)?.length, x.spec.instances);
  assert.deepEqual(a.eligible, nodes.map((n) => n.collateral).sort());
});

test('only confirmed, live nodes with a passing benchmark host, one instance per address', () => {
  const started = node(1, { status: 'started' });
  const silent = node(2);
  const slow = node(3);
  const unknown = node(4);
  const twinA = node(5, { ip: '10.9.9.9:16125' });
  const twinB = node(6, { ip: '10.9.9.9:16126' }); // same host, another port
  const good = [node(7), node(8)];
  const nodes = [started, silent, slow, unknown, twinA, twinB, ...good];
  const benchmarks = new Map(nodes.map((n) => [n.collateral, ok]));
  benchmarks.set(slow.collateral, { ...ok, eps: 1 });
  benchmarks.delete(unknown.collateral);
  const live = new Set(nodes.map((n) => n.collateral));
  live.delete(silent.collateral);
  const view = computePlacement(snapshot(nodes, [app('alpha', 5)], { benchmarks, live }));
  const placed = view.assignment.get('alpha')!;
  for (const bad of [started, silent, slow, unknown]) assert.ok(!placed.includes(bad.collateral));
  assert.equal(placed.filter((id) => id === twinA.collateral || id === twinB.collateral).length, 1);
  assert.equal(placed.length, 3, 'two good nodes and one of the twins');
  assert.deepEqual(view.unplaced.get('alpha'), 2);
});

test('tier capacity limits what one node takes', () => {
  // Devnet cumulus offers 0.5 cores: two apps of 2 × 0.2 cores cannot share a node.
  const nodes = [node(1), node(2), node(3)];
  const view = computePlacement(snapshot(nodes, [app('alpha', 3), app('beta', 3)]));
  assert.equal(view.assignment.get('alpha')!.length, 3);
  assert.deepEqual(view.assignment.get('beta'), []);
  assert.equal(view.unplaced.get('beta'), 3);
});

test('a node runs every component of the apps placed on it, and nothing else', () => {
  const apps = [app('alpha', 1), app('beta', 1)];
  const assignment = new Map([
    ['alpha', ['n1']],
    ['beta', ['n2']],
  ]);
  assert.deepEqual(
    desiredComponents('n1', assignment, apps).map((d) => [d.app, d.component, d.image]),
    [
      ['alpha', 'web', 'reg.example:5000/web:1'],
      ['alpha', 'db', 'reg.example:5000/db:1'],
    ],
  );
  assert.deepEqual(desiredComponents('n3', assignment, apps), []);
});

test('addresses and epochs', () => {
  assert.equal(hostOf('127.0.0.11'), '127.0.0.11');
  assert.equal(hostOf('127.0.0.11:16125'), '127.0.0.11');
  assert.equal(hostOf('[2001:db8::1]:16125'), '2001:db8::1');
  assert.equal(hostOf('2001:db8::1'), '2001:db8::1');
  assert.equal(epochAt(12_345, 0), 0);
  assert.equal(epochAt(12_345, 1000), 12);
});

test('nodes’ declared locations keep an app with location rules on the nodes they allow, and the explanation names geolocation', () => {
  const nodes = Array.from({ length: 6 }, (_, i) => node(i + 1));
  const where = ['EU_DE', 'NA_US', 'EU_FR', 'AS_SG', 'NA_CA', 'EU_DE_Hesse'];
  const locations = new Map(nodes.map((n, i) => [n.collateral, where[i] ?? '']));
  const euOnly = app('euonly', 3);
  euOnly.spec.geolocation = ['acEU'];
  const view = computePlacement(snapshot(nodes, [euOnly], { locations }));
  const placed = view.assignment.get('euonly')!;
  assert.deepEqual(
    [...placed].sort(),
    [0, 2, 5].map((i) => nodes[i]!.collateral),
    'only the European nodes',
  );
  assert.deepEqual(view.explain('euonly'), { nodes: 6, hosting: 3, filtered: { 'geo-excluded': 3 } });
});

test('a node that changes its declared location is placed anew, the same on every node', () => {
  const nodes = Array.from({ length: 4 }, (_, i) => node(i + 1));
  const deOnly = app('deonly', 3);
  deOnly.spec.geolocation = ['acEU_DE'];
  const planner = new AgentPlanner();
  const before = new Map(nodes.map((n) => [n.collateral, 'NA_US']));
  before.set(nodes[0]!.collateral, 'EU_DE');
  assert.deepEqual(planner.place(snapshot(nodes, [deOnly], { locations: before })).assignment.get('deonly'), [
    nodes[0]!.collateral,
  ]);
  // One planner kept across calls must see the change (it is part of the chain-state key) and
  // agree with a planner that starts from nothing.
  const after = new Map(before);
  after.set(nodes[1]!.collateral, 'EU_DE');
  const kept = planner.place(snapshot(nodes, [deOnly], { locations: after })).assignment.get('deonly');
  const fresh = computePlacement(snapshot(nodes, [deOnly], { locations: after })).assignment.get('deonly');
  assert.deepEqual([...(kept ?? [])].sort(), [nodes[0]!.collateral, nodes[1]!.collateral].sort());
  assert.deepEqual(kept, fresh);
});
