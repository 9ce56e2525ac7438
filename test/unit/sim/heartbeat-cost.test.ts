/**
 * Heartbeat cost in the simulator: with the period the node derives from the network's size
 * (cloud/liveness/rule.ts), a node checks at most 500 heartbeat signatures a second, and a node
 * that dies is still detected by every node at one tick, within the rule's window.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { simulate } from '../../../src/sim/simulator.ts';

test('at 3,000 nodes the period is 6 s, checks stay under 500/s and a kill is seen within 3 periods + hold-back', () => {
  const report = simulate({ nodes: 3000, apps: 600, seed: 3, scenario: 'kill' });
  assert.equal(report.options.heartbeatMs, 6000);
  assert.ok(report.totals.verificationsPerNodeSecond <= 500, `${report.totals.verificationsPerNodeSecond}/s`);
  assert.ok(report.totals.verificationsPerNodeSecond > 400, 'every live node is still heard every period');
  const kill = report.windows.find((w) => w.event.startsWith('kill'));
  assert.ok(kill, 'the scenario has a kill');
  const { heartbeatMs, missedIntervals, holdBackMs, tickMs } = report.options;
  const bound = (missedIntervals * heartbeatMs + holdBackMs + tickMs) / 1000;
  assert.ok(kill.detectedAfter !== null && kill.detectedAfter <= bound, `seen after ${kill.detectedAfter} s`);
  assert.equal(kill.maxViews, 1, 'every node held the same view at every tick');
  assert.equal(kill.maxOver, 0);
  assert.equal(kill.duplicates, 0);
});
