import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { choosePrimary, runsHere } from '../../../src/cloud/appdata/roles.ts';
import type { RunningState } from '../../../src/cloud/messages/running-report.ts';

const states = (m: Record<string, RunningState>) => (n: string) => m[n];

describe('g: primary choice', () => {
  test('a fresh app (nobody reported) gets the first node by id as primary', () => {
    assert.equal(choosePrimary(['c', 'a', 'b'], states({})), 'a');
  });

  test('a node already running keeps the primary role even when a lower id joins', () => {
    assert.equal(choosePrimary(['a', 'b', 'c'], states({ b: 'running', a: 'standby' })), 'b');
  });

  test('when the primary is gone the first standby with a full copy takes over, not a syncing node', () => {
    assert.equal(choosePrimary(['a', 'b', 'c'], states({ a: 'syncing', b: 'standby', c: 'standby' })), 'b');
  });

  test('two running at once (a brief overlap) resolve to the first by id on every node', () => {
    const s = states({ b: 'running', c: 'running' });
    assert.equal(choosePrimary(['c', 'b', 'a'], s), 'b');
    assert.equal(choosePrimary(['a', 'b', 'c'], s), 'b');
  });

  test('every node computes the same primary from the same inputs, whatever order it lists them in', () => {
    const s = states({ d: 'standby', b: 'exited', e: 'standby' });
    const orders = [
      ['a', 'b', 'd', 'e'],
      ['e', 'd', 'b', 'a'],
      ['d', 'a', 'e', 'b'],
    ];
    assert.deepEqual(new Set(orders.map((o) => choosePrimary(o, s))), new Set(['d']));
  });

  test('exactly one of the assigned nodes runs a g: component', () => {
    const nodes = ['a', 'b', 'c'];
    const s = states({ a: 'standby', c: 'running' });
    const runs = nodes.filter((self) => runsHere({ mode: 'g', self, nodes, stateOf: s, ready: true }));
    assert.deepEqual(runs, ['c']);
  });
});

describe('r: receive first', () => {
  const nodes = ['a', 'b', 'c'];
  test('a new instance holds until it has a full copy while others hold the data', () => {
    const s = states({ a: 'running', b: 'running' });
    assert.equal(runsHere({ mode: 'r', self: 'c', nodes, stateOf: s, ready: false }), false);
    assert.equal(runsHere({ mode: 'r', self: 'c', nodes, stateOf: s, ready: true }), true);
  });

  test('the first start runs at once: there is nothing to receive', () => {
    assert.equal(runsHere({ mode: 'r', self: 'a', nodes, stateOf: states({}), ready: false }), true);
  });

  test('s: and local data always run', () => {
    const s = states({ a: 'running' });
    assert.equal(runsHere({ mode: 's', self: 'b', nodes, stateOf: s, ready: false }), true);
    assert.equal(runsHere({ mode: 'local', self: 'b', nodes, stateOf: s, ready: false }), true);
  });
});
