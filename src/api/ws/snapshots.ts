import type { FluxnodeRecord } from '../../chain/index.ts';
import type { AppRecord } from '../rest/providers.ts';
import type { ApiEvent, AppLocation } from '../rest/types.ts';

type NodeChanges = Extract<ApiEvent, { type: 'nodes' }>['data']['changes'];
type PlacementChanges = Extract<ApiEvent, { type: 'placements' }>['data']['changes'];

/** What a `nodes` event compares: the fields a node list shows (payments are in `block` events). */
export type NodeSnapshot = Map<string, { tier: FluxnodeRecord['tier']; status: string; ip: string }>;

export function nodeSnapshot(records: readonly FluxnodeRecord[]): NodeSnapshot {
  return new Map(records.map((r) => [r.collateral, { tier: r.tier, status: r.status, ip: r.ip }]));
}

export function diffNodes(before: NodeSnapshot, after: NodeSnapshot): NodeChanges {
  const changes: NodeChanges = [];
  for (const [collateral, n] of after) {
    const old = before.get(collateral);
    if (!old) changes.push({ collateral, change: 'added', tier: n.tier, status: n.status });
    else if (old.status !== n.status || old.ip !== n.ip || old.tier !== n.tier)
      changes.push({ collateral, change: 'updated', tier: n.tier, status: n.status });
  }
  for (const [collateral, n] of before)
    if (!after.has(collateral))
      changes.push({ collateral, change: 'removed', tier: n.tier, status: n.status });
  return changes;
}

/** app → its locations, keyed by node, with what an instance's state shows. */
export type PlacementSnapshot = Map<string, Map<string, AppLocation>>;

export function placementSnapshot(apps: readonly AppRecord[]): PlacementSnapshot {
  return new Map(apps.map((a) => [a.name, new Map(a.locations.map((l) => [l.node, l]))]));
}

function sameLocation(a: AppLocation, b: AppLocation): boolean {
  return a.ip === b.ip && a.state === b.state && (a.ports ?? []).join() === (b.ports ?? []).join();
}

export function diffPlacements(before: PlacementSnapshot, after: PlacementSnapshot): PlacementChanges {
  const changes: PlacementChanges = [];
  const names = new Set([...before.keys(), ...after.keys()]);
  for (const app of [...names].sort()) {
    const was = before.get(app) ?? new Map<string, AppLocation>();
    const now = after.get(app) ?? new Map<string, AppLocation>();
    const added = [...now.keys()].filter((n) => !was.has(n)).sort();
    const removed = [...was.keys()].filter((n) => !now.has(n)).sort();
    const changedState = [...now].some(([n, l]) => was.has(n) && !sameLocation(was.get(n)!, l));
    if (added.length || removed.length || changedState || before.has(app) !== after.has(app))
      changes.push({ app, added, removed, locations: [...now.values()] });
  }
  return changes;
}
