import { TIERS } from '../../../src/consensus/index.ts';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { placementApp } from '../../../src/cloud/placement/from-spec.ts';
import { appKey, fmix32, fnv1a32, nodeKey, rendezvousScore } from '../../../src/cloud/placement/hash32.ts';
import {
  type PlacementApp,
  PlacementInputError,
  type PlacementNode,
  type PlacementResult,
  placeApps,
} from '../../../src/cloud/placement/placement.ts';
import { specHash } from '../../../src/cloud/spec/hash.ts';
import { MAINNET_APP_LIMITS } from '../../../src/cloud/spec/limits.ts';
import { validateAppSpec } from '../../../src/cloud/spec/validate.ts';
import { at } from '../../support/at.ts';

interface World {
  apps: PlacementApp[];
  nodes: PlacementNode[];
  live: Set<string>;
  epoch: number;
}

const SMALL_TIERS = {
  cumulus: { cpu: 1, ram: 1000, hdd: 10 },
  nimbus: { cpu: 2, ram: 2000, hdd: 20 },
  stratus: { cpu: 4, ram: 4000, hdd: 40 },
};

/** Random networks: few enough nodes that capacity, shared IPs and dead nodes all matter. */
function worldArb(opts: { ample?: boolean; uniqueIps?: boolean; ports?: boolean } = {}): fc.Arbitrary<World> {
  const nodeArb = fc.record({
    ip: fc.integer({ min: 0, max: 30 }),
    tier: fc.constantFrom(...TIERS),
    benchmarkOk: fc.integer({ min: 0, max: 9 }).map((x) => x > 0),
    alive: fc.double({ min: 0, max: 1, noNaN: true }),
  });
  const appArb = fc.record({
    height: fc.integer({ min: 0, max: 4 }),
    hash: fc.integer({ min: 0, max: 0xffff }),
    instances: fc.integer({ min: 0, max: 8 }),
    cpu: fc.integer({ min: 1, max: 10 }),
    ram: fc.integer({ min: 1, max: 10 }),
    hdd: fc.integer({ min: 1, max: 10 }),
    ports: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }),
  });
  return fc
    .record({
      nodes: fc.array(nodeArb, { minLength: 1, maxLength: 30 }),
      apps: fc.array(appArb, { minLength: 1, maxLength: 12 }),
      epoch: fc.integer({ min: 0, max: 0xffffffff }),
    })
    .map(({ nodes, apps, epoch }) => {
      const placementNodes: PlacementNode[] = nodes.map((n, i) => ({
        id: `node${i}`,
        ip: opts.uniqueIps ? `10.0.0.${i}` : `10.0.0.${n.ip}`,
        tier: n.tier,
        capacity: opts.ample ? { cpu: 1000, ram: 1e6, hdd: 1e6 } : SMALL_TIERS[n.tier],
        benchmarkOk: n.benchmarkOk,
      }));
      const live = new Set(placementNodes.filter((_, i) => at(nodes, i).alive < 0.85).map((n) => n.id));
      const placementApps: PlacementApp[] = apps.map((a, i) => ({
        name: `app${i}`,
        height: a.height,
        hash: a.hash.toString(16).padStart(4, '0'),
        instances: a.instances,
        demand: { cpu: a.cpu / 10, ram: a.ram * 100, hdd: a.hdd },
        ...(opts.ports ? { ports: a.ports.map((p) => 31000 + p) } : {}),
      }));
      return { apps: placementApps, nodes: placementNodes, live, epoch };
    });
}

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [at(out, j), at(out, i)];
  }
  return out;
}

function asPlain(r: PlacementResult) {
  return {
    assignment: [...r.assignment.entries()].sort(([a], [b]) => (a < b ? -1 : 1)),
    unplaced: [...r.unplaced.entries()].sort(([a], [b]) => (a < b ? -1 : 1)),
  };
}

const eligible = (w: World, id: string) => {
  const node = w.nodes.find((n) => n.id === id);
  return node?.benchmarkOk === true && w.live.has(id);
};

/** The rules every placement must satisfy, checked from the outside. */
function checkInvariants(w: World, r: PlacementResult): void {
  const byId = new Map(w.nodes.map((n) => [n.id, n]));
  const used = new Map<string, { cpu: number; ram: number; hdd: number }>();
  for (const app of w.apps) {
    const placed = r.assignment.get(app.name);
    assert.ok(placed, `every app has an entry: ${app.name}`);
    assert.ok(placed.length <= app.instances, 'never more instances than asked');
    assert.equal(new Set(placed).size, placed.length, 'at most one instance per node');
    assert.equal(
      new Set(placed.map((id) => byId.get(id)!.ip)).size,
      placed.length,
      'at most one instance per IP',
    );
    assert.equal(
      r.unplaced.get(app.name) ?? 0,
      app.instances - placed.length,
      'unplaced counts what is missing',
    );
    for (const id of placed) {
      assert.ok(eligible(w, id), 'only live nodes that passed the benchmark');
      const u = used.get(id) ?? { cpu: 0, ram: 0, hdd: 0 };
      u.cpu += Math.round(app.demand.cpu * 10);
      u.ram += app.demand.ram;
      u.hdd += app.demand.hdd;
      used.set(id, u);
    }
  }
  for (const [id, u] of used) {
    const cap = byId.get(id)!.capacity;
    assert.ok(
      u.cpu <= Math.round(cap.cpu * 10) && u.ram <= cap.ram && u.hdd <= cap.hdd,
      `capacity of ${id} exceeded`,
    );
  }
  // No node hosts two apps claiming one host port.
  const claimed = new Map<string, Set<number>>();
  for (const app of w.apps) {
    for (const id of r.assignment.get(app.name) ?? []) {
      const ports = claimed.get(id) ?? new Set<number>();
      for (const p of new Set(app.ports ?? [])) {
        assert.ok(!ports.has(p), `${id} runs two apps claiming port ${p}`);
        ports.add(p);
      }
      claimed.set(id, ports);
    }
  }
  // Greedy is maximal: an app short of instances has no eligible node left with room and a fresh IP.
  for (const app of w.apps) {
    if (!r.unplaced.has(app.name)) continue;
    const placed = r.assignment.get(app.name)!;
    const ips = new Set(placed.map((id) => byId.get(id)!.ip));
    for (const node of w.nodes) {
      if (!eligible(w, node.id) || placed.includes(node.id) || ips.has(node.ip)) continue;
      if ((app.ports ?? []).some((p) => claimed.get(node.id)?.has(p))) continue;
      const u = used.get(node.id) ?? { cpu: 0, ram: 0, hdd: 0 };
      const fits =
        u.cpu + Math.round(app.demand.cpu * 10) <= Math.round(node.capacity.cpu * 10) &&
        u.ram + app.demand.ram <= node.capacity.ram &&
        u.hdd + app.demand.hdd <= node.capacity.hdd;
      assert.ok(!fits, `${app.name} is short yet ${node.id} could take it`);
    }
  }
}

test('hash32: FNV-1a and MurmurHash3 finalizer match their published vectors', () => {
  // FNV-1a 32-bit reference values (Fowler/Noll/Vo test suite).
  assert.equal(fnv1a32(''), 0x811c9dc5);
  assert.equal(fnv1a32('a'), 0xe40c292c);
  assert.equal(fnv1a32('foobar'), 0xbf9cf968);
  // MurmurHash3_x86_32 of the empty input is fmix32(seed): seed 1 → 0x514e28b7, seed 0xffffffff → 0x81f16f39.
  assert.equal(fmix32(0), 0);
  assert.equal(fmix32(1), 0x514e28b7);
  assert.equal(fmix32(0xffffffff), 0x81f16f39);
});

test('with ample room, placement is rendezvous hashing: best scores first, one node per IP', () => {
  fc.assert(
    fc.property(worldArb({ ample: true }), (w) => {
      const r = placeApps(w);
      for (const app of w.apps) {
        const key = appKey(app.name, w.epoch);
        const ranked = w.nodes
          .filter((n) => eligible(w, n.id))
          .map((n) => ({ id: n.id, ip: n.ip, s: rendezvousScore(key, nodeKey(n.id)) }))
          .sort((a, b) => b.s - a.s || (a.id < b.id ? -1 : 1));
        const expected: string[] = [];
        const ips = new Set<string>();
        for (const n of ranked) {
          if (expected.length === app.instances) break;
          if (ips.has(n.ip)) continue;
          ips.add(n.ip);
          expected.push(n.id);
        }
        assert.deepEqual(r.assignment.get(app.name), expected);
      }
    }),
    { numRuns: 300 },
  );
});

test('exactly min(instances, eligible nodes with distinct IPs) are placed when room is ample', () => {
  fc.assert(
    fc.property(worldArb({ ample: true }), (w) => {
      const r = placeApps(w);
      const ips = new Set(w.nodes.filter((n) => eligible(w, n.id)).map((n) => n.ip));
      for (const app of w.apps)
        assert.equal(r.assignment.get(app.name)!.length, Math.min(app.instances, ips.size));
      checkInvariants(w, r);
    }),
    { numRuns: 200 },
  );
});

test('never two instances of an app on one node or one IP, capacity never exceeded, greedy is maximal', () => {
  fc.assert(
    fc.property(worldArb(), (w) => {
      checkInvariants(w, placeApps(w));
    }),
    { numRuns: 300 },
  );
});

test('two apps claiming one host port never share a node, and an app short of nodes had none free of its ports', () => {
  fc.assert(
    fc.property(worldArb({ ports: true }), (w) => {
      checkInvariants(w, placeApps(w));
    }),
    { numRuns: 300 },
  );
  // Two nodes, two apps on port 31000 with room for both on each: one node each.
  const nodes: PlacementNode[] = ['a', 'b'].map((id, i) => ({
    id,
    ip: `10.0.0.${i}`,
    tier: 'stratus',
    capacity: { cpu: 8, ram: 8000, hdd: 100 },
    benchmarkOk: true,
  }));
  const apps: PlacementApp[] = ['x', 'y', 'z'].map((name, i) => ({
    name,
    height: i,
    hash: '00',
    instances: 1,
    demand: { cpu: 0.1, ram: 100, hdd: 1 },
    ports: [31000],
  }));
  const r = placeApps({ apps, nodes, live: new Set(['a', 'b']), epoch: 1 });
  assert.notEqual(r.assignment.get('x')?.[0], r.assignment.get('y')?.[0]);
  assert.deepEqual(r.assignment.get('z'), []);
  assert.equal(r.unplaced.get('z'), 1);
});

test('geolocation rules keep an app on nodes whose declared location they allow', () => {
  const nodes: PlacementNode[] = ['EU_FR', 'EU_DE', 'NA_US', undefined].map((location, i) => ({
    id: `n${i}`,
    ip: `10.0.0.${i}`,
    tier: 'stratus',
    capacity: { cpu: 8, ram: 8000, hdd: 100 },
    benchmarkOk: true,
    ...(location ? { location } : {}),
  }));
  const live = new Set(nodes.map((n) => n.id));
  const place = (geolocation: string[]) =>
    placeApps({
      apps: [
        { name: 'x', height: 1, hash: '00', instances: 4, demand: { cpu: 1, ram: 1, hdd: 1 }, geolocation },
      ],
      nodes,
      live,
      epoch: 3,
    })
      .assignment.get('x')
      ?.sort();
  // A node that declared nothing is not held back; the others must match.
  assert.deepEqual(place(['acEU']), ['n0', 'n1', 'n3']);
  assert.deepEqual(place(['acEU', 'a!cEU_FR']), ['n1', 'n3']);
  assert.deepEqual(place(['a!cEU']), ['n2', 'n3']);
  assert.deepEqual(place(['acNA_US', 'acEU_DE']), ['n1', 'n2', 'n3']);
  assert.deepEqual(place([]), ['n0', 'n1', 'n2', 'n3']);
});

test('the result does not depend on the order of apps, nodes, the live set or previous lists', () => {
  fc.assert(
    fc.property(worldArb(), fc.integer({ min: 1, max: 1e9 }), (w, seed) => {
      const first = placeApps(w);
      const previous = new Map([...first.assignment].map(([k, v]) => [k, shuffled(v, seed)]));
      const reordered: World = {
        apps: shuffled(w.apps, seed),
        nodes: shuffled(w.nodes, seed + 1),
        live: new Set(shuffled([...w.live], seed + 2)),
        epoch: w.epoch,
      };
      assert.deepEqual(asPlain(placeApps(reordered)), asPlain(first));
      // A placement fed back as `previous` is a fixed point.
      assert.deepEqual(asPlain(placeApps({ ...reordered, previous })), asPlain(first));
      // With a previous placement too (here from a different epoch, so it differs from scratch).
      const prevOther = placeApps({ ...w, epoch: (w.epoch + 1) >>> 0 }).assignment;
      const prevShuffled = new Map(
        shuffled([...prevOther], seed).map(([k, v]) => [k, shuffled(v, seed + 3)]),
      );
      assert.deepEqual(
        asPlain(placeApps({ ...reordered, previous: prevShuffled })),
        asPlain(placeApps({ ...w, previous: prevOther })),
      );
    }),
    { numRuns: 200 },
  );
});

test('killing a node moves only its instances; restoring it duplicates nothing and moves nothing back', () => {
  fc.assert(
    fc.property(worldArb(), fc.nat(), (w, pick) => {
      const p0 = placeApps(w);
      const liveIds = [...w.live].sort();
      fc.pre(liveIds.length > 0);
      const dead = at(liveIds, pick % liveIds.length);
      const live1 = new Set(liveIds.filter((id) => id !== dead));
      const w1 = { ...w, live: live1 };
      const p1 = placeApps({ ...w1, previous: p0.assignment });
      checkInvariants(w1, p1);
      let hosted = 0;
      for (const app of w.apps) {
        const before = p0.assignment.get(app.name)!;
        const after = p1.assignment.get(app.name)!;
        const survivors = before.filter((id) => id !== dead);
        for (const id of survivors) assert.ok(after.includes(id), `${app.name} kept ${id}`);
        const added = after.filter((id) => !before.includes(id));
        const lost = before.includes(dead) ? 1 : 0;
        hosted += lost;
        assert.ok(added.length <= lost, `${app.name} gained ${added.length} nodes though it lost ${lost}`);
      }
      assert.equal(p1.stats.dropped, hosted);

      const p2 = placeApps({ ...w, previous: p1.assignment });
      checkInvariants(w, p2);
      for (const app of w.apps) {
        const before = p1.assignment.get(app.name)!;
        const after = p2.assignment.get(app.name)!;
        for (const id of before) assert.ok(after.includes(id), 'nothing moves back');
        if (!p1.unplaced.has(app.name)) assert.deepEqual(after, before, 'a fully placed app is untouched');
      }
    }),
    { numRuns: 300 },
  );
});

test('with ample room, a dead node’s instances are all re-placed and nothing else is touched', () => {
  fc.assert(
    fc.property(worldArb({ ample: true, uniqueIps: true }), fc.nat(), (w, pick) => {
      const p0 = placeApps(w);
      const liveIds = [...w.live].sort();
      fc.pre(liveIds.length > 0);
      const dead = at(liveIds, pick % liveIds.length);
      const live1 = new Set(liveIds.filter((id) => id !== dead));
      const p1 = placeApps({ ...w, live: live1, previous: p0.assignment });
      const hosted = w.apps.filter((a) => p0.assignment.get(a.name)!.includes(dead));
      // An app that lost its instance gets a new node if one eligible node is left that it is not on.
      const eligibleAfter = w.nodes.filter((n) => n.benchmarkOk && live1.has(n.id)).length;
      const refillable = hosted.filter((a) => eligibleAfter >= p0.assignment.get(a.name)!.length);
      assert.equal(p1.stats.dropped, hosted.length);
      assert.equal(p1.stats.placed, refillable.length);
      const total0 = [...p0.assignment.values()].reduce((sum, v) => sum + v.length, 0);
      assert.equal(p1.stats.kept, total0 - hosted.length);
    }),
    { numRuns: 200 },
  );
});

test('lowering an app’s instances keeps its best-scoring nodes; raising it adds without moving', () => {
  const nodes: PlacementNode[] = Array.from({ length: 20 }, (_, i) => ({
    id: `n${String(i).padStart(2, '0')}`,
    ip: `10.1.0.${i}`,
    tier: 'stratus',
    capacity: MAINNET_APP_LIMITS.tiers.stratus,
    benchmarkOk: true,
  }));
  const live = new Set(nodes.map((n) => n.id));
  const app = (instances: number): PlacementApp => ({
    name: 'web',
    height: 1,
    hash: 'aa',
    instances,
    demand: { cpu: 1, ram: 1000, hdd: 10 },
  });
  const six = placeApps({ apps: [app(6)], nodes, live, epoch: 3 }).assignment.get('web')!;
  const three = placeApps({ apps: [app(3)], nodes, live, epoch: 3, previous: new Map([['web', six]]) });
  assert.deepEqual(three.assignment.get('web'), six.slice(0, 3));
  assert.equal(three.stats.dropped, 3);
  const nine = placeApps({ apps: [app(9)], nodes, live, epoch: 3, previous: three.assignment });
  for (const id of three.assignment.get('web')!) assert.ok(nine.assignment.get('web')!.includes(id));
  assert.equal(nine.stats.placed, 6);
});

test('apps are served in registration order: the earlier app wins the last room', () => {
  const nodes: PlacementNode[] = [
    {
      id: 'only',
      ip: '10.0.0.1',
      tier: 'cumulus',
      capacity: { cpu: 1, ram: 1000, hdd: 10 },
      benchmarkOk: true,
    },
  ];
  const live = new Set(['only']);
  const demand = { cpu: 1, ram: 1000, hdd: 10 };
  const apps: PlacementApp[] = [
    { name: 'late', height: 20, hash: '00', instances: 3, demand },
    { name: 'early', height: 10, hash: 'ff', instances: 3, demand },
  ];
  const r = placeApps({ apps, nodes, live, epoch: 0 });
  assert.deepEqual(r.assignment.get('early'), ['only']);
  assert.deepEqual(r.assignment.get('late'), []);
  assert.deepEqual(
    [...r.unplaced],
    [
      ['early', 2],
      ['late', 3],
    ],
  );
});

test('load spreads evenly: 1,000 three-instance apps over 100 nodes', () => {
  const nodes: PlacementNode[] = Array.from({ length: 100 }, (_, i) => ({
    id: `node-${i}`,
    ip: `10.2.0.${i}`,
    tier: 'stratus',
    capacity: { cpu: 1000, ram: 1e7, hdd: 1e6 },
    benchmarkOk: true,
  }));
  const apps: PlacementApp[] = Array.from({ length: 1000 }, (_, i) => ({
    name: `app${i}`,
    height: i,
    hash: '',
    instances: 3,
    demand: { cpu: 0.1, ram: 100, hdd: 1 },
  }));
  const r = placeApps({ apps, nodes, live: new Set(nodes.map((n) => n.id)), epoch: 42 });
  const load = new Map<string, number>();
  for (const ids of r.assignment.values()) for (const id of ids) load.set(id, (load.get(id) ?? 0) + 1);
  const counts = nodes.map((n) => load.get(n.id) ?? 0);
  // Mean 30; a binomial(1000, 0.03) stays well inside [10, 55].
  assert.ok(
    Math.min(...counts) >= 10 && Math.max(...counts) <= 55,
    `loads ${Math.min(...counts)}..${Math.max(...counts)}`,
  );
});

test('bad input is refused with the field at fault', () => {
  const node: PlacementNode = {
    id: 'a',
    ip: '1',
    tier: 'nimbus',
    capacity: { cpu: 1, ram: 1, hdd: 1 },
    benchmarkOk: true,
  };
  const app: PlacementApp = {
    name: 'x',
    height: 0,
    hash: '',
    instances: 3,
    demand: { cpu: 0.1, ram: 1, hdd: 1 },
  };
  const base = { apps: [app], nodes: [node], live: new Set(['a']), epoch: 0 };
  assert.throws(
    () => placeApps({ ...base, nodes: [node, node] }),
    (e: unknown) => e instanceof PlacementInputError && e.field === 'nodes',
  );
  assert.throws(
    () => placeApps({ ...base, apps: [app, app] }),
    (e: unknown) => e instanceof PlacementInputError && e.field === 'apps',
  );
  assert.throws(() => placeApps({ ...base, epoch: -1 }), PlacementInputError);
  assert.throws(
    () => placeApps({ ...base, apps: [{ ...app, instances: 1.5 }] }),
    (e: unknown) => e instanceof PlacementInputError && e.field === 'apps[x].instances',
  );
  assert.throws(
    () => placeApps({ ...base, apps: [{ ...app, demand: { cpu: Number.NaN, ram: 1, hdd: 1 } }] }),
    (e: unknown) => e instanceof PlacementInputError && e.field === 'apps[x].demand.cpu',
  );
});

test('a validated spec becomes a placement app with its summed demand', () => {
  const component = (name: string, port: number, cpu: number, ram: number, hdd: number) => ({
    name,
    repotag: 'busybox:1.36',
    ports: [port],
    containerPorts: [80],
    containerData: '/data',
    cpu,
    ram,
    hdd,
  });
  const spec = validateAppSpec(
    {
      version: 1,
      name: 'two',
      description: 'two parts',
      owner: 't1LUs6quf7TB2zVZmexqPQdnqmrFMGZGjV6',
      instances: 4,
      components: [component('a', 31000, 0.1, 100, 1), component('b', 31001, 0.2, 300, 2)],
    },
    MAINNET_APP_LIMITS,
  );
  assert.deepEqual(placementApp(spec, 1234), {
    name: 'two',
    height: 1234,
    hash: specHash(spec),
    instances: 4,
    demand: { cpu: 0.3, ram: 400, hdd: 3 },
    ports: [31000, 31001],
    geolocation: [],
  });
});
