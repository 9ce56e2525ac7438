/**
 * Why an app runs where it runs, and why not elsewhere: every node that does not host it is
 * counted under the first filter it fails, in the order placement applies them (the way Nomad
 * reports "nodes filtered" per constraint). Read after the fact from a placement result, so the
 * hot placement loops stay as they are; only `app status` pays for it, one pass over the nodes.
 *
 * Filters, in order:
 * - `not-live`: no heartbeat in the live set;
 * - `benchmark-failed`: below its tier's minimums (or no benchmark heard);
 * - `not-named`: the app names the nodes it may run on, and not this one;
 * - `geo-excluded`: the app's geolocation rules leave its declared location out;
 * - `tier-too-small`: its whole capacity is less than one instance needs;
 * - `port-taken`: an app placed on it already claims one of the app's host ports;
 * - `full`: the apps placed on it leave less room than one instance needs;
 * - `same-ip`: another instance of the app runs on a node with the same address;
 * - `ranked-lower`: eligible, but the instances were all placed on nodes that score higher.
 */
import { geoAllows } from '../spec/geolocation.ts';
import { type PlacementApp, type PlacementNode, portList } from './placement.ts';

export const PLACEMENT_FILTERS = [
  'not-live',
  'benchmark-failed',
  'not-named',
  'geo-excluded',
  'tier-too-small',
  'port-taken',
  'full',
  'same-ip',
  'ranked-lower',
] as const;

export type PlacementFilter = (typeof PLACEMENT_FILTERS)[number];

export interface PlacementExplanation {
  /** Every node placement looked at. */
  nodes: number;
  /** Nodes running an instance. */
  hosting: number;
  /** Nodes left out, by the first filter they failed (filters that dropped none are absent). */
  filtered: Partial<Record<PlacementFilter, number>>;
}

interface Used {
  cpu: number;
  ram: number;
  hdd: number;
  ports: Set<number>;
}

/** The explanation for `appName` under `assignment` (undefined for an app placement does not know). */
export function explainPlacement(
  appName: string,
  apps: readonly PlacementApp[],
  nodes: readonly PlacementNode[],
  live: ReadonlySet<string>,
  assignment: ReadonlyMap<string, readonly string[]>,
): PlacementExplanation | undefined {
  const app = apps.find((a) => a.name === appName);
  if (!app) return undefined;
  const used = usage(apps, assignment, appName);
  const mine = new Set(assignment.get(appName) ?? []);
  const ipOf = new Map(nodes.map((n) => [n.id, n.ip]));
  const myIps = new Set([...mine].map((id) => ipOf.get(id)));
  const need = units(app.demand);
  const ports = portList(app.ports);
  const filtered: Partial<Record<PlacementFilter, number>> = {};
  let hosting = 0;
  for (const node of nodes) {
    if (mine.has(node.id)) {
      hosting++;
      continue;
    }
    const reason = firstFailed(node, live, app, need, ports, used.get(node.id));
    const why = reason ?? (myIps.has(node.ip) ? 'same-ip' : 'ranked-lower');
    filtered[why] = (filtered[why] ?? 0) + 1;
  }
  return { nodes: nodes.length, hosting, filtered };
}

function firstFailed(
  node: PlacementNode,
  live: ReadonlySet<string>,
  app: PlacementApp,
  need: { cpu: number; ram: number; hdd: number },
  ports: readonly number[],
  used: Used | undefined,
): PlacementFilter | undefined {
  if (!live.has(node.id)) return 'not-live';
  if (!node.benchmarkOk) return 'benchmark-failed';
  if (app.nodes !== undefined && !app.nodes.includes(node.id)) return 'not-named';
  if (!geoAllows(app.geolocation ?? [], node.location)) return 'geo-excluded';
  const cap = capacityUnits(node);
  if (cap.cpu < need.cpu || cap.ram < need.ram || cap.hdd < need.hdd) return 'tier-too-small';
  if (used && ports.some((p) => used.ports.has(p))) return 'port-taken';
  const u = used ?? { cpu: 0, ram: 0, hdd: 0 };
  if (cap.cpu - u.cpu < need.cpu || cap.ram - u.ram < need.ram || cap.hdd - u.hdd < need.hdd) return 'full';
  return undefined;
}

/** What the other apps placed use on each node, in placement's integer units. */
function usage(
  apps: readonly PlacementApp[],
  assignment: ReadonlyMap<string, readonly string[]>,
  except: string,
): Map<string, Used> {
  const out = new Map<string, Used>();
  for (const other of apps) {
    if (other.name === except) continue;
    const d = units(other.demand);
    for (const id of assignment.get(other.name) ?? []) {
      let u = out.get(id);
      if (!u) out.set(id, (u = { cpu: 0, ram: 0, hdd: 0, ports: new Set() }));
      u.cpu += d.cpu;
      u.ram += d.ram;
      u.hdd += d.hdd;
      for (const p of other.ports ?? []) u.ports.add(p);
    }
  }
  return out;
}

/** Demands rounded up as placement rounds them: cpu in tenths, MB, GB. */
function units(d: PlacementApp['demand']): { cpu: number; ram: number; hdd: number } {
  return { cpu: Math.ceil(Math.round(d.cpu * 100) / 10), ram: Math.ceil(d.ram), hdd: Math.ceil(d.hdd) };
}

function capacityUnits(n: PlacementNode): { cpu: number; ram: number; hdd: number } {
  return {
    cpu: Math.floor(Math.round(n.capacity.cpu * 100) / 10),
    ram: Math.floor(n.capacity.ram),
    hdd: Math.floor(n.capacity.hdd),
  };
}

/** "40 nodes: 3 hosting, 31 tier-too-small, 6 port-taken" (filters in placement order). */
export function explanationText(e: PlacementExplanation): string {
  const parts = [`${e.hosting} hosting`];
  for (const f of PLACEMENT_FILTERS) {
    const n = e.filtered[f];
    if (n) parts.push(`${n} ${f}`);
  }
  return `${e.nodes} node${e.nodes === 1 ? '' : 's'}: ${parts.join(', ')}`;
}
