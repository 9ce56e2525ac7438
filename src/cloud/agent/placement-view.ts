/**
 * Placement as every agent computes it: the anchored placement (cloud/placement/planner.ts, the
 * planner the simulator drives), a pure function of the active apps, the registered nodes, the
 * known benchmark results (figures and declared locations), the epoch and the live set. Nothing node-local goes in (no history of
 * earlier placements), so two agents that hear the same heartbeats and share the tip compute the
 * same assignment, and a node that just (re)started computes what everybody else already has.
 */
import type { HardwareMinimums, Tier } from '../../consensus/index.ts';
import { type BenchmarkFigures, checkBenchmark } from '../benchmark/check.ts';
import { explainPlacement, type PlacementExplanation } from '../placement/explain.ts';
import { placementApp } from '../placement/from-spec.ts';
import type { PlacementApp, PlacementNode, PlacementResult } from '../placement/placement.ts';
import { AnchoredPlanner, type ChainPlacementState } from '../placement/planner.ts';
import type { DesiredComponent } from '../reconciler/plan.ts';
import type { RegisteredApp } from '../registry/app-registry.ts';
import type { RuntimeComponent } from '../runtime/types.ts';
import type { AppSpecLimits } from '../spec/limits.ts';
import type { AppComponent } from '../spec/schema.ts';
import type { NodeRecordView } from './types.ts';

export interface PlacementSnapshot {
  apps: readonly RegisteredApp[];
  nodes: readonly NodeRecordView[];
  live: ReadonlySet<string>;
  /** Latest verified benchmark figures per node id. */
  benchmarks: ReadonlyMap<string, BenchmarkFigures>;
  /** Where nodes say they are, from their signed benchmarks (absent: not declared). */
  locations?: ReadonlyMap<string, string>;
  minimums: Record<Tier, HardwareMinimums>;
  limits: AppSpecLimits;
  epoch: number;
}

export interface PlacementView extends PlacementResult {
  /** Node ids that could host apps: confirmed, benchmark passed, live (sorted). */
  eligible: string[];
  /** Why an app's instances are where they are: nodes left out, counted by filter (explain.ts). */
  explain(app: string): PlacementExplanation | undefined;
}

/** The host part of "ip", "ip:port" or "[v6]:port": placement allows one instance per host address. */
export function hostOf(ip: string): string {
  const v6 = /^\[([^\]]+)\](?::\d+)?$/.exec(ip);
  if (v6?.[1]) return v6[1];
  const [host = ip, port, ...rest] = ip.split(':');
  return port !== undefined && rest.length === 0 ? host : ip;
}

export function epochAt(height: number, epochLength: number): number {
  return epochLength > 0 ? Math.floor(Math.max(height, 0) / epochLength) % 0x100000000 : 0;
}

export function isHostable(node: NodeRecordView): boolean {
  return node.status === undefined || node.status === 'confirmed';
}

export function benchmarkPasses(
  node: NodeRecordView,
  benchmarks: ReadonlyMap<string, BenchmarkFigures>,
  minimums: Record<Tier, HardwareMinimums>,
): boolean {
  const figures = benchmarks.get(node.collateral);
  const min = minimums[node.tier];
  return figures !== undefined && min !== undefined && checkBenchmark(figures, min).ok;
}

/** The placement of a snapshot from nothing (a fresh planner); the agent keeps one `AgentPlanner`. */
export function computePlacement(s: PlacementSnapshot): PlacementView {
  return new AgentPlanner().place(s);
}

/**
 * Keeps the production planner across calls: the anchor is built once per chain state (apps, nodes,
 * benchmark verdicts, epoch), recognised by its content, and each live set re-places only what lost
 * a node.
 */
export class AgentPlanner {
  readonly #planner = new AnchoredPlanner();
  #key = '';
  #state: ChainPlacementState | undefined;

  place(s: PlacementSnapshot): PlacementView {
    const { apps, nodes } = placementInputs(s);
    const key = stateKey(apps, nodes, s.epoch);
    if (!this.#state || key !== this.#key) {
      this.#state = { version: (this.#state?.version ?? 0) + 1, apps, nodes, epoch: s.epoch };
      this.#key = key;
    }
    const result = this.#planner.place(this.#state, s.live);
    const eligible = nodes
      .filter((n) => n.benchmarkOk && s.live.has(n.id))
      .map((n) => n.id)
      .sort();
    const explain = (app: string) => explainPlacement(app, apps, nodes, s.live, result.assignment);
    return { ...result, eligible, explain };
  }
}

function stateKey(apps: readonly PlacementApp[], nodes: readonly PlacementNode[], epoch: number): string {
  const a = apps.map((x) => `${x.name}/${x.hash}/${x.height}/${x.instances}`);
  const n = nodes.map((x) => `${x.id}/${x.ip}/${x.tier}/${x.benchmarkOk ? 1 : 0}/${x.location ?? ''}`);
  return `${epoch}|${a.join(',')}|${n.join(',')}`;
}

function placementInputs(s: PlacementSnapshot): { apps: PlacementApp[]; nodes: PlacementNode[] } {
  const seen = new Set<string>();
  const nodes: PlacementNode[] = [];
  for (const n of s.nodes) {
    // A registry view never lists a node twice; if one did, the first record wins everywhere alike.
    if (!isHostable(n) || seen.has(n.collateral) || !s.limits.tiers[n.tier]) continue;
    seen.add(n.collateral);
    const location = s.locations?.get(n.collateral);
    nodes.push({
      id: n.collateral,
      ip: hostOf(n.ip),
      tier: n.tier,
      capacity: s.limits.tiers[n.tier],
      benchmarkOk: benchmarkPasses(n, s.benchmarks, s.minimums),
      ...(location ? { location } : {}),
    });
  }
  const apps = s.apps.map((a) => placementApp(a.spec, a.registeredHeight, a.specHash));
  return { apps, nodes };
}

/** The components `nodeId` must run under `assignment`. */
export function desiredComponents(
  nodeId: string,
  assignment: ReadonlyMap<string, readonly string[]>,
  apps: readonly RegisteredApp[],
): DesiredComponent[] {
  const out: DesiredComponent[] = [];
  for (const app of apps) {
    if (!assignment.get(app.name)?.includes(nodeId)) continue;
    for (const c of app.spec.components) {
      out.push({ app: app.name, component: c.name, specHash: app.specHash, image: c.repotag });
    }
  }
  return out;
}

/** The runtime's view of a component; `secretEnv` (opened sealed secrets) comes after the public entries. */
export function runtimeComponent(c: AppComponent, secretEnv: readonly string[] = []): RuntimeComponent {
  return {
    name: c.name,
    image: c.repotag,
    ports: [...c.ports],
    containerPorts: [...c.containerPorts],
    env: [...c.environmentParameters, ...secretEnv],
    commands: [...c.commands],
    containerData: c.containerData,
    cpu: c.cpu,
    ram: c.ram,
    hdd: c.hdd,
    writableRoot: c.writableRootFilesystem === true,
  };
}

/** Stable text of an assignment, to notice when it changed. */
export function assignmentKey(assignment: ReadonlyMap<string, readonly string[]>): string {
  return [...assignment]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([app, nodes]) => `${app}=${[...nodes].sort().join(',')}`)
    .join(';');
}
