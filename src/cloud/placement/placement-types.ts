// The inputs and outputs of deterministic placement (placement.ts): the apps and nodes it places, the
// optional ranked-candidates hint, the assignment it returns, and the error for an input it refuses.

import type { Tier } from '../../consensus/index.ts';
import type { Resources } from '../spec/limits.ts';

export interface PlacementApp {
  name: string;
  /** Height of the block that confirmed the registration. */
  height: number;
  /** Spec hash (hex); orders apps registered in the same block. */
  hash: string;
  instances: number;
  /** What one instance needs: cores (0.1 steps), MB, GB. */
  demand: Resources;
  /** Host ports its components publish: no node runs two apps claiming one port. */
  ports?: readonly number[];
  /** Location rules of the spec (`acEU`, `a!cEU_FR`, …, see spec/geolocation.ts). */
  geolocation?: readonly string[];
  /** The only nodes (ids) that may run it, when the spec names them; absent: any node. */
  nodes?: readonly string[];
}

export interface PlacementNode {
  id: string;
  ip: string;
  tier: Tier;
  /** What the node offers to apps: cores, MB, GB. */
  capacity: Resources;
  benchmarkOk: boolean;
  /** Where the node says it is: "EU" or "EU_FR"; absent when it did not say. */
  location?: string;
}

export interface PlacementInput {
  apps: readonly PlacementApp[];
  nodes: readonly PlacementNode[];
  live: ReadonlySet<string>;
  /** Unsigned 32-bit number mixed into every score (e.g. height / epoch length). */
  epoch: number;
  /** The last placement (app → node ids); instances still valid there stay put. */
  previous?: ReadonlyMap<string, readonly string[]>;
  /**
   * A speed-up that never changes the result: each app's best-scoring nodes, built by
   * `rankCandidates` or a `CandidateIndex` (candidates.ts) for this very `nodes` array and epoch.
   * Step 4 walks an app's list before scanning every node; a hint built for other inputs is ignored.
   */
  ranked?: RankedCandidates;
}

/** Per app, a prefix of the ranking of all `nodes` by rendezvous score (see candidates.ts). */
export interface RankedCandidates {
  readonly nodes: readonly PlacementNode[];
  readonly epoch: number;
  /** app name → positions in `nodes`, best first (score descending, then node id ascending). */
  readonly lists: ReadonlyMap<string, Int32Array>;
}

export interface PlacementResult {
  /** app name → node ids, highest rendezvous score first; every app of the input has an entry. */
  assignment: Map<string, string[]>;
  /** app name → instances that found no node (only apps short of instances appear). */
  unplaced: Map<string, number>;
  /** Instances kept from `previous`, newly placed, and previous ones dropped. */
  stats: { kept: number; placed: number; dropped: number };
}

export class PlacementInputError extends Error {
  readonly field: string;
  readonly value: unknown;

  constructor(field: string, value: unknown, detail: string) {
    super(`${field}: ${detail}`);
    this.name = 'PlacementInputError';
    this.field = field;
    this.value = value;
  }
}
