/**
 * The placement pieces the simulator relies on: ranked candidates (a speed-up that must never change
 * a result), their incremental index, and anchored placement (a pure function of chain state and
 * live set that moves only the instances of nodes that went away).
 */
import { TIERS } from '../../../src/consensus/index.ts';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { AnchoredPlacer, anchorPlacement, placeAnchored } from '../../../src/cloud/placement/anchored.ts';
import { CandidateIndex, rankCandidates } from '../../../src/cloud/placement/candidates.ts';
import { appKey, nodeKey, rendezvousScore } from '../../../src/cloud/placement/hash32.ts';
import {
  type PlacementApp,
  type PlacementNode,
  type PlacementResult,
  placeApps,
} from '../../../src/cloud/placement/placement.ts';
import { Rng } from '../../../src/sim/rng.ts';
import { makeNodes } from '../../../src/sim/workload.ts';
import { at } from '../../support/at.ts';

const TIGHT = {
  cumulus: { cpu: 1, ram: 1000, hdd: 10 },
  nimbus: { cpu: 2, ram: 2000, hdd: 20 },
  stratus: { cpu: 4, ram: 4000, hdd: 40 },
};

interface World {
  apps: PlacementApp[];
  nodes: PlacementNode[];
  live: Set<string>;
  epoch: number;
}

/** Small random networks where room, shared IPs, dead and failed nodes all matter. */
const worldArb: fc.Arbitrary<World> = fc
  .record({
    nodes: fc.array(
      fc.record({
        ip: fc.integer({ min: 0, max: 25 }),
        tier: fc.constantFrom(...TIERS),
        ok: fc.integer({ min: 0, max: 9 }),
        where: fc.constantFrom('EU_FR', 'EU_DE', 'NA_US', ''),
        alive: fc.integer({ min: 0, max: 9 }),
      }),
      { minLength: 1, maxLength: 40 },
    ),
    apps: fc.array(
      fc.record({
        height: fc.integer({ min: 0, max: 5 }),
        instances: fc.integer({ min: 0, max: 9 }),
        cpu: fc.integer({ min: 1, max: 12 }),
        ram: fc.integer({ min: 1, max: 12 }),
        // Few distinct host ports, so apps often claim the same one and must go elsewhere.
        ports: fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 2 }),
        geolocation: fc.subarray(['acEU', 'a!cEU_FR', 'acNA']),
      }),
      { minLength: 1, maxLength: 15 },
    ),
    epoch: fc.integer({ min: 0, max: 0xffffffff }),
  })
  .map(({ nodes, apps, epoch }) => {
    const ns: PlacementNode[] = nodes.map((n, i) => ({
      id: `n${i}`,
      ip: `10.0.0.${n.ip}`,
      tier: n.tier,
      capacity: TIGHT[n.tier],
      benchmarkOk: n.ok > 0,
      ...(n.where ? { location: n.where } : {}),
    }));
    return {
      nodes: ns,
      live: new Set(ns.filter((_, i) => at(nodes, i).alive > 1).map((n) => n.id)),
      apps: apps.map((a, i) => ({
        name: `a${i}`,
        height: a.height,
        hash: String(i),
        instances: a.instances,
        demand: { cpu: a.cpu / 10, ram: a.ram * 100, hdd: a.cpu },
        ports: a.ports.map((p) => 31000 + p),
        geolocation: a.geolocation,
      })),
      epoch,
    };
  });

const plain = (r: PlacementResult) => ({
  assignment: [...r.assignment].sort(([a], [b]) => (a < b ? -1 : 1)),
  unplaced: [...r.unplaced].sort(([a], [b]) => (a < b ? -1 : 1)),
});

test('ranked candidates never change a placement, whatever their depth (even 1, forcing the scan)', () => {
  fc.assert(
    fc.property(worldArb, fc.integer({ min: 1, max: 12 }), fc.boolean(), (w, depth, withPrevious) => {
      const previous = withPrevious ? placeApps({ ...w, epoch: (w.epoch + 1) >>> 0 }).assignment : undefined;
      const ranked = rankCandidates(w.apps, w.nodes, w.epoch, () => depth);
      const a = placeApps({ ...w, previous });
      const b = placeApps({ ...w, previous, ranked });
      assert.deepEqual(plain(b), plain(a));
      assert.deepEqual(b.stats, a.stats);
    }),
    { numRuns: 400 },
  );
});

test('a ranked list is the top of the full ranking: score descending, then node id', () => {
  fc.assert(
    fc.property(worldArb, fc.integer({ min: 1, max: 50 }), (w, depth) => {
      const ranked = rankCandidates(w.apps, w.nodes, w.epoch, () => depth);
      for (const app of w.apps) {
        const key = appKey(app.name, w.epoch);
        const full = [...w.nodes]
          .map((n) => ({ id: n.id, s: rendezvousScore(key, nodeKey(n.id)) }))
          .sort((x, y) => y.s - x.s || (x.id < y.id ? -1 : 1))
          .map((x) => x.id);
        const got = [...(ranked.lists.get(app.name) ?? [])].map((p) => at(w.nodes, p).id);
        assert.deepEqual(got, full.slice(0, depth));
      }
    }),
    { numRuns: 200 },
  );
});

test('a hint built for another node list or epoch is ignored, not trusted', () => {
  fc.assert(
    fc.property(worldArb, (w) => {
      const other = [...w.nodes].reverse();
      const wrongNodes = rankCandidates(w.apps, other, w.epoch);
      const wrongEpoch = rankCandidates(w.apps, w.nodes, (w.epoch + 1) >>> 0);
      const expected = plain(placeApps(w));
      assert.deepEqual(plain(placeApps({ ...w, ranked: wrongNodes })), expected);
      assert.deepEqual(plain(placeApps({ ...w, ranked: wrongEpoch })), expected);
    }),
    { numRuns: 100 },
  );
});

test('the candidate index stays a prefix of the fresh ranking through joins, expiries, new apps and epochs', () => {
  const rng = new Rng(7, 'index');
  const pool = makeNodes(400, 0, rng);
  const app = (i: number, instances: number): PlacementApp => ({
    name: `app${i}`,
    height: i,
    hash: '',
    instances,
    demand: { cpu: 0.1, ram: 100, hdd: 1 },
  });
  let nodes = pool.slice(0, 150);
  let apps = Array.from({ length: 60 }, (_, i) => app(i, 3 + (i % 5)));
  let epoch = 3;
  const depth = (k: number) => Math.max(6, 2 * k);
  const index = new CandidateIndex(depth);
  let nextApp = 60;
  let nextNode = 150;
  for (let step = 0; step < 40; step++) {
    const r = rng.next();
    if (r < 0.3) nodes = [...nodes, ...pool.slice(nextNode, (nextNode += 1 + rng.int(8)))];
    else if (r < 0.6) nodes = nodes.filter(() => rng.next() > 0.05);
    else if (r < 0.75) apps = [...apps, app(nextApp++, 3 + rng.int(12))];
    else if (r < 0.9)
      apps = apps
        .filter(() => rng.next() > 0.1)
        .map((a) => (rng.next() < 0.1 ? { ...a, instances: a.instances + 5 } : a));
    else epoch++;
    const got = index.update(apps, nodes, epoch);
    const fresh = rankCandidates(apps, nodes, epoch, depth);
    for (const a of apps) {
      const have = [...(got.lists.get(a.name) ?? [])].map((p) => at(nodes, p).id);
      const want = [...(fresh.lists.get(a.name) ?? [])].map((p) => at(nodes, p).id);
      assert.deepEqual(have, want.slice(0, have.length), `step ${step}: ${a.name} is a prefix`);
      assert.ok(
        have.length >= Math.min(want.length, Math.ceil(depth(a.instances) / 2)),
        'and not cut too short',
      );
    }
    const live = new Set(nodes.filter(() => rng.next() < 0.9).map((n) => n.id));
    assert.deepEqual(
      plain(placeApps({ apps, nodes, live, epoch, ranked: got })),
      plain(placeApps({ apps, nodes, live, epoch })),
    );
  }
  assert.ok(
    index.counters.nodeInserts > 0 && index.counters.nodeRemovals > 0,
    'the incremental paths were taken',
  );
});

test('anchored placement is a pure function of apps, nodes, live set and epoch', () => {
  fc.assert(
    fc.property(worldArb, fc.integer({ min: 1, max: 1e9 }), (w, seed) => {
      const rng = new Rng(seed);
      const shuffled = <T>(xs: readonly T[]) => rng.sample(xs, xs.length);
      const a = placeAnchored(w);
      const b = placeAnchored({
        apps: shuffled(w.apps),
        nodes: shuffled(w.nodes),
        live: new Set(shuffled([...w.live])),
        epoch: w.epoch,
      });
      assert.deepEqual(plain(b), plain(a));
    }),
    { numRuns: 200 },
  );
});

test('anchored: when nodes die only their instances move, and when they return the anchor is restored', () => {
  fc.assert(
    fc.property(worldArb, (w) => {
      const all = new Set(w.nodes.map((n) => n.id));
      const anchor = anchorPlacement(w);
      const r = placeAnchored(w, anchor);
      let lost = 0;
      let added = 0;
      for (const app of w.apps) {
        const before = anchor.assignment.get(app.name) ?? [];
        const after = r.assignment.get(app.name) ?? [];
        for (const id of before) {
          if (w.live.has(id)) assert.ok(after.includes(id), `${app.name} keeps ${id}`);
          else lost++;
        }
        added += after.filter((id) => !before.includes(id)).length;
      }
      assert.equal(r.stats.dropped, lost);
      assert.ok(added <= lost, 'no more new instances than lost ones');
      assert.deepEqual(plain(placeAnchored({ ...w, live: all }, anchor)), plain(anchor));
    }),
    { numRuns: 300 },
  );
});

test('the incremental AnchoredPlacer returns exactly what placeApps with the anchor as previous returns', () => {
  fc.assert(
    fc.property(worldArb, fc.boolean(), fc.integer({ min: 1, max: 10 }), (w, hinted, depth) => {
      const ranked = hinted ? rankCandidates(w.apps, w.nodes, w.epoch, () => depth) : undefined;
      const placer = new AnchoredPlacer({ ...w, ranked });
      const anchor = anchorPlacement(w);
      assert.deepEqual([...placer.anchor.assignment], [...anchor.assignment]);
      const rng = new Rng(w.epoch);
      // The world's own live set, a few random others, everyone, and no one.
      const lives = [w.live, new Set(w.nodes.map((n) => n.id)), new Set<string>()];
      for (let k = 0; k < 3; k++)
        lives.push(new Set(w.nodes.filter(() => rng.next() < 0.7).map((n) => n.id)));
      for (const live of lives) {
        const want = placeApps({ ...w, live, previous: anchor.assignment });
        const got = placer.place(live);
        assert.deepEqual([...got.assignment], [...want.assignment], 'same nodes, same order, same app order');
        assert.deepEqual([...got.unplaced], [...want.unplaced]);
        assert.deepEqual(got.stats, want.stats);
      }
    }),
    { numRuns: 400 },
  );
});

test('anchored moves fewer instances than plain rendezvous placement when room is tight', () => {
  const rng = new Rng(11, 'tight');
  const nodes = makeNodes(300, 0, rng).map((n) => ({ ...n, capacity: TIGHT[n.tier] }));
  const apps: PlacementApp[] = Array.from({ length: 400 }, (_, i) => ({
    name: `app${i}`,
    height: i,
    hash: '',
    instances: 3,
    demand: { cpu: 0.1 * (1 + (i % 4)), ram: 100 * (1 + (i % 7)), hdd: 1 },
  }));
  const all = new Set(nodes.map((n) => n.id));
  const live = new Set([...all].filter(() => rng.next() > 0.05));
  const moved = (from: PlacementResult, to: PlacementResult) => {
    let n = 0;
    for (const [app, ids] of to.assignment)
      for (const id of ids) if (!from.assignment.get(app)?.includes(id)) n++;
    return n;
  };
  const base = placeApps({ apps, nodes, live: all, epoch: 5 });
  const anchored = placeAnchored({ apps, nodes, live, epoch: 5 }, base);
  const scratch = placeApps({ apps, nodes, live, epoch: 5 });
  assert.equal(moved(base, anchored), anchored.stats.placed);
  assert.ok(
    moved(base, anchored) < moved(base, scratch),
    `anchored ${moved(base, anchored)} < from scratch ${moved(base, scratch)}`,
  );
});
