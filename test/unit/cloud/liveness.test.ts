/**
 * The liveness rule (signed send time, hold-back, whole ticks) as the agent's intake applies it:
 * nodes that receive the same heartbeats, in any order and with any delay within the hold-back,
 * read the same live set at every tick.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PeerView } from '../../../src/cloud/agent/peer-view.ts';
import { HeldBackLiveness } from '../../../src/cloud/liveness/held-back.ts';
import { evaluationTime, HEARTBEAT_RUN, heartbeatPeriodMs } from '../../../src/cloud/liveness/rule.ts';
import type { Heartbeat } from '../../../src/cloud/messages/heartbeat.ts';

const RULE = { heartbeatMs: 2000, missedIntervals: 3, holdBackMs: 1000, tickMs: 1000 };

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    return a / 4294967296;
  };
}

test('the live set is read as of the last whole tick minus the hold-back', () => {
  assert.equal(evaluationTime(10_999, RULE), 9000);
  assert.equal(evaluationTime(11_000, RULE), 10_000);
});

test('a heartbeat counts by its send time only once it is a hold-back old', () => {
  const l = new HeldBackLiveness(RULE);
  assert.equal(l.intake('a', 1, 10_500), true);
  assert.deepEqual([...l.liveSetAt(11_400)], []); // 11,000 − 1,000 = 10,000: sent later, not yet
  assert.deepEqual([...l.liveSetAt(12_000)], ['a']);
});

test('a silent node leaves at the tick its window ends, the same on every node', () => {
  const l = new HeldBackLiveness(RULE);
  l.intake('a', 1, 10_300);
  const { enters, leaves } = l.countsFrom(10_300);
  assert.equal(enters, 12_000);
  assert.equal(leaves, 18_000); // 10,300 + 6,000 + 1,000 → the next whole tick
  assert.ok(l.liveSetAt(leaves - 1).has('a'));
  assert.ok(!l.liveSetAt(leaves).has('a'));
});

test('a replayed or older heartbeat is refused and cannot keep a dead node live', () => {
  const l = new HeldBackLiveness(RULE);
  assert.equal(l.intake('a', 5, 10_000), true);
  assert.equal(l.intake('a', 5, 30_000), false);
  assert.equal(l.intake('a', 4, 30_000), false);
  assert.ok(!l.liveSetAt(40_000).has('a'));
});

test('nodes hearing the same heartbeats with different delays and orders agree at every tick', () => {
  const nodes = ['a', 'b', 'c', 'd', 'e', 'f'];
  // Each sender beats every 2 s from its own phase; 'c' dies at 20 s, 'f' joins at 9 s.
  const beats: { node: string; seq: number; sent: number }[] = [];
  nodes.forEach((node, k) => {
    for (let sent = 137 * k; sent < 40_000; sent += RULE.heartbeatMs) {
      if (node === 'c' && sent > 20_000) break;
      if (node === 'f' && sent < 9000) continue;
      beats.push({ node, seq: sent + 1, sent });
    }
  });
  const receivers = [1, 2, 3, 4].map((seed) => {
    const r = rng(seed);
    // Arrival = send time + a delay within the hold-back; receivers see different orders.
    const arrivals = beats
      .map((b) => ({ ...b, at: b.sent + Math.floor(r() * 900) }))
      .sort((x, y) => x.at - y.at);
    return { intake: new HeldBackLiveness(RULE), arrivals, next: 0 };
  });
  for (let now = 0; now <= 45_000; now += 250) {
    const sets = receivers.map((rc) => {
      while (rc.next < rc.arrivals.length && (rc.arrivals[rc.next]?.at ?? Infinity) <= now) {
        const b = rc.arrivals[rc.next++];
        if (b) rc.intake.intake(b.node, b.seq, b.sent);
      }
      return [...rc.intake.liveSetAt(now)].sort().join(',');
    });
    assert.equal(new Set(sets).size, 1, `views differ at ${now}: ${sets.join(' | ')}`);
  }
});

test('the agent’s peer view keeps a silent node’s benchmark (the anchor stays) but drops its report', () => {
  let now = 100_000;
  const changes: string[][] = [];
  const view = new PeerView(
    { selfId: 'self', maxClockSkewMs: 15_000, ...RULE },
    () => undefined,
    { now: () => now },
    {
      liveChanged: (live) => changes.push(live),
      nodeAppeared: () => {},
      benchmarkChanged: () => {},
      report: () => {},
    },
  );
  const hb = (seq: number, time: number): Heartbeat => ({
    node: 'x',
    seq,
    time,
    height: 1,
    tipHash: '00'.repeat(32),
    ip: 'i',
  });
  view.heard(hb(1, now));
  view.benchmarkReceived({
    node: 'x',
    time: now,
    cores: 2,
    ramMB: 4000,
    diskGB: 100,
    eps: 500,
    diskWriteMBps: 200,
  });
  view.reportReceived({ node: 'x', seq: 1, time: now, apps: [] });
  now += 2000;
  view.refreshLive();
  assert.deepEqual(changes.at(-1), ['x']);
  now += 7000;
  view.refreshLive();
  assert.deepEqual(changes.at(-1), []);
  assert.ok(view.benchmarkFigures().has('x'), 'benchmark kept');
  assert.equal(view.reportOf('x'), undefined, 'report dropped');
});

test('the heartbeat period grows only when runs of 12 would still pass 500 signature checks a second', () => {
  assert.equal(heartbeatPeriodMs(5, 2000), 2000);
  assert.equal(heartbeatPeriodMs(12_270, 5000), 5000);
  assert.equal(heartbeatPeriodMs(12_270, 2000), 3000);
  assert.equal(heartbeatPeriodMs(50_000, 5000), 9000);
  for (const n of [1000, 12_270, 50_000, 200_000])
    assert.ok(n / ((heartbeatPeriodMs(n, 2000) / 1000) * HEARTBEAT_RUN) <= 500);
});
