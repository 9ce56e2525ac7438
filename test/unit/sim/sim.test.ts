/**
 * The network simulator on a small network (200 nodes, 300 apps): every event of the full scenario
 * is repaired to exact instance counts, nothing runs twice on one node, views agree wherever the
 * liveness rule says they must, and a seed replays the same run.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../../../src/sim/rng.ts';
import { type SimReport, simulate, type WindowReport } from '../../../src/sim/simulator.ts';

const SMALL = { nodes: 200, apps: 300 };
const I = 5; // seconds, the default heartbeat interval

let cached: SimReport | undefined;
function fullRun(): SimReport {
  cached ??= simulate({ ...SMALL, seed: 1, scenario: 'full' });
  return cached;
}
const win = (r: SimReport, prefix: string): WindowReport => {
  const w = r.windows.find((x) => x.event.startsWith(prefix));
  assert.ok(w, `a "${prefix}" window`);
  return w;
};

test('the starting network is fully placed and runs exactly its targets', () => {
  const r = fullRun();
  assert.equal(r.setup.unplaced, 0);
  assert.ok(r.setup.instances >= 3 * SMALL.apps, 'every app runs at least its 3 instances');
  const steady = win(r, 'steady');
  assert.equal(steady.maxOver, 0);
  assert.equal(steady.maxUnder, 0);
});

test('every event ends at exact instance counts: 0 over and 0 under target', () => {
  const r = fullRun();
  for (const w of r.windows) {
    if (w.event === 'partition') continue; // both halves run full sets until the heal
    assert.equal(w.endOver, 0, `${w.event}: over target at the end`);
    assert.equal(w.endUnder, 0, `${w.event}: under target at the end`);
    assert.notEqual(w.convergedAfter, null, `${w.event} converged`);
  }
  const last = r.series.at(-1);
  assert.deepEqual([last?.over, last?.under], [0, 0]);
});

test('never two containers of one app on one node, at any moment of the run', () => {
  const r = fullRun();
  assert.equal(r.totals.duplicates, 0);
  for (const w of r.windows) assert.equal(w.duplicates, 0, w.event);
});

test('kill 5%: the dead leave every view within 3 intervals (+ hold-back, + a tick), repair takes under 3 more', () => {
  const r = fullRun();
  const w = win(r, 'kill');
  assert.ok(w.maxUnder > 0, 'the kill did take instances down');
  assert.equal(w.maxOver, 0, 'and nothing ran beside them');
  assert.equal(w.maxViews, 1, 'every node saw the same live set at every tick');
  const seen = w.detectedAfter as number;
  assert.ok(seen > 2 * I && seen <= 3 * I + 1 + 1, `seen after ${seen} s`);
  const repair = (w.convergedAfter as number) - seen;
  assert.ok(repair >= 0 && repair <= 3 * I, `repaired ${repair} s after the last dead node left the views`);
  assert.ok(w.nodeCpuMax > 0 && w.nodeCpuMax < 2, 'each node recomputed placement, well under 2 s of CPU');
});

test('a partition shows as over-target instances on both sides, and the heal brings them back to 0', () => {
  const r = fullRun();
  const split = win(r, 'partition');
  assert.ok(split.maxOver > 0, 'each half re-placed the other half');
  assert.equal(split.maxViews, 2, 'two sides, two views');
  const heal = win(r, 'heal');
  assert.equal(heal.endOver, 0);
  assert.ok((heal.convergedAfter as number) <= 3 * I, `healed in ${heal.convergedAfter} s`);
});

test('restart, join, heartbeat loss and app registrations and expiries all converge', () => {
  const r = fullRun();
  for (const prefix of ['restart', 'join', 'heartbeat loss', 'register', 'expire']) {
    const w = win(r, prefix);
    assert.ok(w.creates > 0, `${prefix}: something had to start`);
    assert.ok((w.convergedAfter as number) < 60, `${prefix}: converged in ${w.convergedAfter} s`);
  }
  assert.ok(win(r, 'heartbeat loss').maxViews > 1, 'lossy receivers had views of their own');
  assert.ok(r.totals.privateDrops > 0);
});

test('every placement the nodes computed equals plain placeApps with the anchor as previous', () => {
  // verify: the simulator recomputes each view's placement the slow, obvious way and compares.
  const r = simulate({ nodes: 150, apps: 200, seed: 8, scenario: 'full', verify: true });
  assert.ok(r.totals.placements.count > 20, 'many distinct views were checked');
});

test('other seeds: every event still ends at exact counts, with no duplicates', () => {
  for (const seed of [2, 3, 4]) {
    const r = simulate({ ...SMALL, seed, scenario: 'full' });
    assert.equal(r.setup.unplaced, 0, `seed ${seed} fits`);
    assert.equal(r.totals.duplicates, 0, `seed ${seed}`);
    for (const w of r.windows) {
      if (w.event === 'partition') continue;
      assert.deepEqual([w.endOver, w.endUnder], [0, 0], `seed ${seed}, ${w.event}`);
    }
  }
});

test('the same seed replays the same run; another seed does not', () => {
  const strip = (r: SimReport) =>
    JSON.stringify({ ...r, totals: { ...r.totals, wallSeconds: 0, placements: 0, anchors: 0 } }, (k, v) =>
      /cpu|Cpu/.test(k) || k === 'placements' || k === 'anchors' ? undefined : v,
    );
  const a = simulate({ nodes: 120, apps: 150, seed: 5, scenario: 'kill' });
  const b = simulate({ nodes: 120, apps: 150, seed: 5, scenario: 'kill' });
  const c = simulate({ nodes: 120, apps: 150, seed: 6, scenario: 'kill' });
  assert.equal(strip(a), strip(b));
  assert.notEqual(strip(a), strip(c));
});

test('the gossip load is counted per node: every live node relays every heartbeat', () => {
  const r = fullRun();
  const w = win(r, 'steady');
  // Each of ~200 nodes hears ~200 heartbeats per 5 s interval, and checks one signature per run of
  // 12 of a sender's heartbeats: ~40 / 12 signature checks per second.
  const heard = SMALL.nodes / I;
  assert.ok(Math.abs(w.verificationsPerNodeSecond * r.options.heartbeatRun - heard) < 0.05 * heard);
  assert.ok(w.messagesPerNodeMinute > w.batchedMessagesPerNodeMinute);
});

test('rng: streams are seeded, independent by label, and Poisson counts have the right mean', () => {
  const a = new Rng(1, 'x');
  const b = new Rng(1, 'x');
  const c = new Rng(1, 'y');
  const xs = Array.from({ length: 5 }, () => a.u32());
  assert.deepEqual(
    Array.from({ length: 5 }, () => b.u32()),
    xs,
  );
  assert.notDeepEqual(
    Array.from({ length: 5 }, () => c.u32()),
    xs,
  );
  for (const mean of [0.3, 4, 150]) {
    const r = new Rng(9, `p${mean}`);
    let sum = 0;
    const n = 20000;
    for (let i = 0; i < n; i++) sum += r.poisson(mean);
    assert.ok(Math.abs(sum / n - mean) < 0.05 * mean + 0.02, `mean ${sum / n} for ${mean}`);
  }
});
