import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { LivenessTracker } from '../../../src/cloud/liveness/tracker.ts';
import {
  type ActualContainer,
  containerName,
  type DesiredComponent,
  planReconcile,
} from '../../../src/cloud/reconciler/plan.ts';

const want = (app: string, component = 'web', specHash = 'h1'): DesiredComponent => ({
  app,
  component,
  specHash,
  image: 'r/img:1',
});
const have = (
  app: string,
  state: ActualContainer['state'] = 'running',
  specHash = 'h1',
  id = `${app}-id`,
): ActualContainer => ({
  id,
  name: containerName('web', app),
  app,
  component: 'web',
  specHash,
  state,
});

test('desired minus actual: create what is missing, start what stopped, remove what is not ours to run', () => {
  const actions = planReconcile(
    [want('a'), want('b'), want('c'), want('d', 'web', 'h2')],
    [
      have('b'),
      have('c', 'exited'),
      have('d', 'running', 'h1'),
      have('x'),
      have('b', 'running', 'h1', 'b-dup'),
    ],
  );
  assert.deepEqual(
    actions.map((a) =>
      a.kind === 'create'
        ? `create ${a.desired.app}`
        : `${a.kind} ${a.container.id}${a.kind === 'remove' ? ` ${a.reason}` : ''}`,
    ),
    [
      'remove b-id duplicate',
      'remove d-id spec-changed',
      'remove x-id not-placed-here',
      'start c-id',
      'create a',
      'create d',
    ],
  );
});

test('a held component (a g: standby) gets no container, and a running one is removed', () => {
  const held = { ...want('g'), hold: true };
  assert.deepEqual(planReconcile([held], []), []);
  const actions = planReconcile([held], [have('g')]);
  assert.deepEqual(
    actions.map((a) => [a.kind, a.kind === 'remove' ? a.reason : '']),
    [['remove', 'held']],
  );
});

test('applying the plan and planning again gives nothing to do (idempotent)', () => {
  const apps = fc.constantFrom('a', 'b', 'c', 'd', 'e');
  const states = fc.constantFrom<ActualContainer['state']>('running', 'exited', 'created', 'dead');
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.record({ app: apps, hash: fc.constantFrom('h1', 'h2') }), { selector: (d) => d.app }),
      fc.array(fc.record({ app: apps, hash: fc.constantFrom('h1', 'h2'), state: states }), { maxLength: 8 }),
      (desiredRaw, actualRaw) => {
        const desired = desiredRaw.map((d) => want(d.app, 'web', d.hash));
        let containers = actualRaw.map((a, i) => have(a.app, a.state, a.hash, `id${i}`));
        let next = 100;
        for (const action of planReconcile(desired, containers)) {
          if (action.kind === 'remove') containers = containers.filter((c) => c.id !== action.container.id);
          else if (action.kind === 'start')
            containers = containers.map((c) =>
              c.id === action.container.id ? { ...c, state: 'running' } : c,
            );
          else containers.push(have(action.desired.app, 'running', action.desired.specHash, `id${next++}`));
        }
        assert.deepEqual(planReconcile(desired, containers), []);
        assert.equal(containers.length, desired.length, 'exactly one container per desired component');
      },
    ),
  );
});

test('a node is live until it misses three heartbeat intervals; replayed heartbeats do not revive it', () => {
  const t = new LivenessTracker({ intervalMs: 1000, missedIntervals: 3 });
  assert.ok(t.heard('n1', 1, 0));
  assert.ok(t.heard('n2', 1, 0));
  assert.ok(t.heard('n2', 2, 2500));
  assert.deepEqual([...t.liveSet(2999)].sort(), ['n1', 'n2']);
  assert.deepEqual([...t.liveSet(3000)], ['n2']);
  assert.equal(t.heard('n1', 1, 3100), false, 'same sequence number again is a replay');
  assert.equal(t.isLive('n1', 3100), false);
  assert.equal(t.nextExpiry(3100), 2400);
  assert.ok(t.heard('n1', 2, 3200));
  assert.equal(t.isLive('n1', 3200), true);
});

test('an app its owner stopped is held: neither started nor created, but an outdated or unplaced one still goes', () => {
  const held = new Set(['a', 'b', 'd', 'x']);
  const actions = planReconcile(
    [want('a'), want('b'), want('c'), want('d', 'web', 'h2')],
    [have('a', 'exited'), have('c', 'exited'), have('d', 'exited', 'h1'), have('x', 'exited')],
    held,
  );
  assert.deepEqual(
    actions.map((a) => `${a.kind} ${a.kind === 'create' ? a.desired.app : a.container.app}`),
    ['remove d', 'remove x', 'start c'],
  );
  // Once released, the same state converges as usual.
  assert.deepEqual(
    planReconcile([want('a')], [have('a', 'exited')], new Set()).map((a) => a.kind),
    ['start'],
  );
});
