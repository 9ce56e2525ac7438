/**
 * Heartbeat cost in the simulator: with heartbeats signed once per run of 12 (the rest proven by a
 * hash chain, as the agent sends them) a node checks a twelfth of the signatures at the same
 * period, so the detection time stays what the period gives; every node sees a kill at one tick.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { simulate } from '../../../src/sim/simulator.ts';

const RUN = { nodes: 3000, apps: 600, seed: 3, scenario: 'kill' as const };

test('at 3,000 nodes runs of 12 keep the 5 s period with a twelfth of the signature checks', () => {
  const chained = simulate(RUN);
  const signed = simulate({ ...RUN, heartbeatRun: 1, heartbeatMs: 5000 });
  assert.equal(chained.options.heartbeatMs, 5000);
  assert.equal(chained.options.heartbeatRun, 12);
  const { verificationsPerNodeSecond: checks, hashChecksPerNodeSecond: hashes } = chained.totals;
  assert.ok(checks <= 500, `${checks}/s`);
  assert.ok(Math.abs(checks * 12 - hashes) < 1e-6, 'one signature per 12 heartbeats heard');
  assert.ok(signed.totals.verificationsPerNodeSecond > 500, 'a signature on every heartbeat is over budget');
  assert.ok(hashes > 500, 'every live node is still heard every period');
});

test('a kill is seen by every node at one tick, within 3 periods + hold-back + a tick', () => {
  const report = simulate(RUN);
  const kill = report.windows.find((w) => w.event.startsWith('kill'));
  assert.ok(kill, 'the scenario has a kill');
  const { heartbeatMs, missedIntervals, holdBackMs, tickMs } = report.options;
  const bound = (missedIntervals * heartbeatMs + holdBackMs + tickMs) / 1000;
  assert.ok(kill.detectedAfter !== null && kill.detectedAfter <= bound, `seen after ${kill.detectedAfter} s`);
  assert.equal(kill.maxViews, 1, 'every node held the same view at every tick');
  assert.equal(kill.maxOver, 0);
  assert.equal(kill.duplicates, 0);
});
