/**
 * The placement planner a node runs, and the simulator drives: chain state + live set → assignment.
 *
 * Per chain state (apps, nodes, epoch: everything the tip decides) it keeps the candidate index
 * up to date and builds the anchor once (`AnchoredPlacer`, anchored.ts); per live set it re-places
 * only the apps that lost a node. The result is exactly
 * `placeApps({ apps, nodes, live, epoch, previous: anchorPlacement(...) })`, a pure function of
 * (chain state, live set): two nodes on the same tip reading the same live set agree, and a death
 * moves only the dead node's instances.
 *
 * `version` numbers chain states: a caller gives a new, larger number whenever apps, nodes or epoch
 * change. The index only moves forward, so a state older than the newest indexed goes without the
 * hint (same result, slower).
 */
import { AnchoredPlacer } from './anchored.ts';
import { CandidateIndex } from './candidates.ts';
import type { PlacementApp, PlacementNode, PlacementResult, RankedCandidates } from './placement.ts';

export interface ChainPlacementState {
  version: number;
  apps: readonly PlacementApp[];
  nodes: readonly PlacementNode[];
  epoch: number;
}

/** Runs one phase of the work; the simulator passes one that measures CPU time. */
export type PlanMeter = <T>(phase: 'index' | 'anchor' | 'place', work: () => T) => T;

const run: PlanMeter = (_phase, work) => work();

export class AnchoredPlanner {
  readonly #index = new CandidateIndex();
  #indexed = -1;
  readonly #placers = new Map<number, AnchoredPlacer>();
  readonly #keep: number;

  /** `keep`: how many chain states' anchors to hold (nodes briefly on older tips reuse them). */
  constructor(keep = 3) {
    this.#keep = keep;
  }

  /** The anchored placer for a chain state, built once per version. */
  placerFor(state: ChainPlacementState, meter: PlanMeter = run): AnchoredPlacer {
    const known = this.#placers.get(state.version);
    if (known) return known;
    let ranked: RankedCandidates | undefined;
    if (state.version > this.#indexed) {
      ranked = meter('index', () => this.#index.update(state.apps, state.nodes, state.epoch));
      this.#indexed = state.version;
    }
    const input = { apps: state.apps, nodes: state.nodes, epoch: state.epoch, ranked };
    const placer = meter('anchor', () => new AnchoredPlacer(input));
    this.#placers.set(state.version, placer);
    for (const v of this.#placers.keys()) if (v <= state.version - this.#keep) this.#placers.delete(v);
    return placer;
  }

  /** The assignment for a live set under a chain state. */
  place(state: ChainPlacementState, live: ReadonlySet<string>, meter: PlanMeter = run): PlacementResult {
    const placer = this.placerFor(state, meter);
    return meter('place', () => placer.place(live));
  }

  indexCounters(): CandidateIndex['counters'] {
    return this.#index.counters;
  }
}
