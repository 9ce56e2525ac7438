import assert from 'node:assert/strict';
import { test } from 'node:test';
import { explainPlacement, explanationText } from '../../../src/cloud/placement/explain.ts';
import { type PlacementApp, type PlacementNode, placeApps } from '../../../src/cloud/placement/placement.ts';

const node = (id: string, over: Partial<PlacementNode> = {}): PlacementNode => ({
  id,
  ip: `10.0.0.${id.slice(1)}`,
  tier: 'stratus',
  capacity: { cpu: 4, ram: 4000, hdd: 40 },
  benchmarkOk: true,
  ...over,
});

const app = (name: string, height: number, over: Partial<PlacementApp> = {}): PlacementApp => ({
  name,
  height,
  hash: '00',
  instances: 1,
  demand: { cpu: 1, ram: 1000, hdd: 10 },
  ...over,
});

test('every node left out is counted under the first filter it fails, in placement order', () => {
  const nodes = [
    node('n1'),
    node('n2'),
    node('n3', { capacity: { cpu: 0.5, ram: 500, hdd: 5 } }),
    node('n4', { benchmarkOk: false }),
    node('n5'),
    node('n6', { ip: '10.0.0.1' }),
  ];
  const live = new Set(['n1', 'n2', 'n3', 'n4', 'n6']); // n5 is silent
  // Two apps on port 31000 fill n1 and n2 first; the third wants that port and all the room.
  const apps = [
    app('first', 1, { ports: [31000] }),
    app('second', 2, { ports: [31000] }),
    app('web', 3, { instances: 3, ports: [31000], demand: { cpu: 1, ram: 1000, hdd: 10 } }),
  ];
  const { assignment } = placeApps({ apps, nodes, live, epoch: 7 });
  const hosts = [...(assignment.get('first') ?? []), ...(assignment.get('second') ?? [])].sort();
  assert.equal(hosts.length, 2);
  const e = explainPlacement('web', apps, nodes, live, assignment);
  assert.ok(e);
  const hosting = assignment.get('web')?.length ?? 0;
  assert.equal(e.nodes, 6);
  assert.equal(e.hosting, hosting);
  assert.equal(e.filtered['not-live'], 1, 'n5');
  assert.equal(e.filtered['benchmark-failed'], 1, 'n4');
  assert.equal(e.filtered['tier-too-small'], 1, 'n3');
  const total = Object.values(e.filtered).reduce((s, n) => s + (n ?? 0), 0);
  assert.equal(total + e.hosting, 6, 'every node is counted once');
  assert.equal((e.filtered['port-taken'] ?? 0) + e.hosting, 6 - 3, 'the others are port-taken or host it');
  assert.match(explanationText(e), /^6 nodes: \d hosting, 1 not-live, 1 benchmark-failed, 1 tier-too-small/);
});

test('a node whose declared location the app’s rules exclude is geo-excluded', () => {
  const nodes = [node('n1', { location: 'EU_FR' }), node('n2', { location: 'NA_US' }), node('n3')];
  const live = new Set(['n1', 'n2', 'n3']);
  const apps = [app('eu', 1, { instances: 3, geolocation: ['acEU'] })];
  const { assignment } = placeApps({ apps, nodes, live, epoch: 2 });
  assert.deepEqual(assignment.get('eu')?.sort(), ['n1', 'n3']);
  assert.deepEqual(explainPlacement('eu', apps, nodes, live, assignment), {
    nodes: 3,
    hosting: 2,
    filtered: { 'geo-excluded': 1 },
  });
});

test('an eligible node with room that the app does not need ranks lower; a full one is full', () => {
  const nodes = [node('n1'), node('n2'), node('n3', { capacity: { cpu: 1, ram: 1000, hdd: 10 } })];
  const live = new Set(['n1', 'n2', 'n3']);
  const apps = [app('big', 1, { instances: 3 }), app('small', 2, { instances: 1 })];
  const { assignment } = placeApps({ apps, nodes, live, epoch: 1 });
  const e = explainPlacement('small', apps, nodes, live, assignment);
  assert.deepEqual(e, { nodes: 3, hosting: 1, filtered: { full: 1, 'ranked-lower': 1 } });
  assert.equal(explanationText(e!), '3 nodes: 1 hosting, 1 full, 1 ranked-lower');
  assert.equal(explainPlacement('absent', apps, nodes, live, assignment), undefined);
});
