/**
 * Placement as the simulated nodes compute it, with the real code: per chain version the anchor
 * and per live-set view the anchored placement, in one of three ways:
 * - `incremental` (what a node runs): the production `AnchoredPlanner` (cloud/placement/planner.ts),
 *   the very object the cloud agent uses: candidate index kept up to date across tips, and an
 *   `AnchoredPlacer` that re-places only the apps that lost a node;
 * - `index`: `placeApps` with the anchor as `previous` and the ranked candidates as a hint;
 * - `scan`: `placeApps` with the anchor as `previous`, every app scanning every node (the code as it
 *   was before the index): the baseline the other two are measured against.
 * All three give identical placements (the tests check it; `verify` re-checks every one here).
 *
 * Nodes with identical inputs compute identical placements (that is the determinism contract), so
 * each distinct (chain version, view) is computed once and shared: the simulator does the work one
 * real node does, once per distinct input, and charges its measured CPU time to every node that
 * used that input. CPU is process CPU time (user + system) around the placement calls only.
 */
import {
  type AnchoredPlacer,
  AnchoredPlanner,
  anchorPlacement,
  CandidateIndex,
  placeAnchored,
  type PlacementResult,
  type PlanMeter,
  type RankedCandidates,
} from '../cloud/index.ts';
import type { ChainVersion } from './chain.ts';

export type PlacerKind = 'incremental' | 'index' | 'scan';

export interface AnchorEntry {
  version: ChainVersion;
  ranked: RankedCandidates | undefined;
  anchor: PlacementResult;
  placer: AnchoredPlacer | undefined;
  /** Seconds: candidate index update, then the anchor placement. */
  indexCpu: number;
  anchorCpu: number;
}

export interface PlanEntry {
  result: PlacementResult;
  /** node id → names of the apps placed on it. */
  share: Map<string, string[]>;
  /** Seconds of CPU for this placement. */
  cpu: number;
}

function cpuSeconds<T>(work: () => T): [T, number] {
  const t0 = process.cpuUsage();
  const out = work();
  const d = process.cpuUsage(t0);
  return [out, (d.user + d.system) / 1e6];
}

export class Planner {
  private readonly kind: PlacerKind;
  private readonly verify: boolean;
  private readonly epoch: number;
  private readonly index = new CandidateIndex();
  private readonly production = new AnchoredPlanner(3);
  private indexedVersion = -1;
  private readonly anchors = new Map<number, AnchorEntry>();
  private readonly plans = new Map<string, PlanEntry>();
  private readonly keep: number;
  /** Every placement computed: CPU seconds and how many instances it had to place anew. */
  readonly computed: { kind: 'anchor' | 'view'; cpu: number; placed: number; at: number }[] = [];

  constructor(opts: { placer: PlacerKind; epoch: number; keep?: number; verify?: boolean }) {
    this.kind = opts.placer;
    this.verify = opts.verify ?? false;
    this.epoch = opts.epoch;
    this.keep = opts.keep ?? 16;
  }

  anchorFor(version: ChainVersion, now: number): AnchorEntry {
    let entry = this.anchors.get(version.version);
    if (entry) return entry;
    entry = this.kind === 'incremental' ? this.productionAnchor(version) : this.baselineAnchor(version);
    this.anchors.set(version.version, entry);
    for (const v of this.anchors.keys()) if (v < version.version - 2) this.anchors.delete(v);
    const { indexCpu, anchorCpu, anchor } = entry;
    this.computed.push({ kind: 'anchor', cpu: indexCpu + anchorCpu, placed: anchor.stats.placed, at: now });
    return entry;
  }

  /** The node's own planner, with its phases timed. */
  private productionAnchor(version: ChainVersion): AnchorEntry {
    const cpu = { index: 0, anchor: 0, place: 0 };
    const meter: PlanMeter = (phase, work) => {
      const [out, s] = cpuSeconds(work);
      cpu[phase] += s;
      return out;
    };
    const placer = this.production.placerFor({ ...version, epoch: this.epoch }, meter);
    return {
      version,
      ranked: undefined,
      anchor: placer.anchor,
      placer,
      indexCpu: cpu.index,
      anchorCpu: cpu.anchor,
    };
  }

  /** The two baselines the production planner is measured against (index hint, or full scan). */
  private baselineAnchor(version: ChainVersion): AnchorEntry {
    let ranked: RankedCandidates | undefined;
    let indexCpu = 0;
    // The index moves forward only; an older version (a node still on an older tip) goes without.
    if (this.kind !== 'scan' && version.version > this.indexedVersion) {
      [ranked, indexCpu] = cpuSeconds(() => this.index.update(version.apps, version.nodes, this.epoch));
      this.indexedVersion = version.version;
    }
    const input = { apps: version.apps, nodes: version.nodes, epoch: this.epoch, ranked };
    const [anchor, anchorCpu] = cpuSeconds(() => anchorPlacement(input));
    return { version, ranked, anchor, placer: undefined, indexCpu, anchorCpu };
  }

  /** The placement for one view; `live` is only asked for when the view was not seen before. */
  planFor(version: ChainVersion, viewKey: string, live: () => ReadonlySet<string>, now: number): PlanEntry {
    const key = `${version.version}|${viewKey}`;
    const hit = this.plans.get(key);
    if (hit) {
      // Most recently used last, so the view most nodes share is never the one forgotten.
      this.plans.delete(key);
      this.plans.set(key, hit);
      return hit;
    }
    const a = this.anchorFor(version, now);
    const liveSet = live();
    const input = {
      apps: version.apps,
      nodes: version.nodes,
      epoch: this.epoch,
      ranked: a.ranked,
      live: liveSet,
    };
    const [result, cpu] = cpuSeconds(() =>
      a.placer
        ? this.production.place({ ...version, epoch: this.epoch }, liveSet)
        : placeAnchored(input, a.anchor),
    );
    if (this.verify) {
      const reference = placeAnchored({ ...input, ranked: undefined }, a.anchor);
      const same = (x: PlacementResult) => JSON.stringify([[...x.assignment], [...x.unplaced], x.stats]);
      if (same(result) !== same(reference))
        throw new Error(`placement for view ${key} differs from placeApps`);
    }
    const share = new Map<string, string[]>();
    for (const [app, nodes] of result.assignment) {
      for (const id of nodes) {
        const list = share.get(id);
        if (list) list.push(app);
        else share.set(id, [app]);
      }
    }
    const entry = { result, share, cpu };
    this.plans.set(key, entry);
    if (this.plans.size > this.keep) this.plans.delete(this.plans.keys().next().value as string);
    this.computed.push({ kind: 'view', cpu, placed: result.stats.placed, at: now });
    return entry;
  }

  /** Instances without room in a placement computed earlier (key: "version|view"), or 0 if forgotten. */
  unplacedOf(key: string): number {
    const plan = this.plans.get(key);
    if (!plan) return 0;
    let n = 0;
    for (const k of plan.result.unplaced.values()) n += k;
    return n;
  }

  indexCounters(): CandidateIndex['counters'] {
    return this.kind === 'incremental' ? this.production.indexCounters() : this.index.counters;
  }
}
