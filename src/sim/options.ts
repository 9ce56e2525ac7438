/**
 * The simulator's options and their defaults: what a run may set, and the resolved set every part
 * of the simulator (and its report) reads.
 */
import { HEARTBEAT_CHECK_BUDGET, HEARTBEAT_RUN, heartbeatPeriodMs } from '../cloud/index.ts';
import type { PlacerKind } from './planner.ts';
import { type ScenarioEvent, type ScenarioName, scenario } from './scenario.ts';

export interface SimOptions {
  nodes: number;
  apps: number;
  seed: number;
  scenario?: ScenarioName | ScenarioEvent[];
  killFraction?: number;
  /** Heartbeat period; default: the size-scaled period of cloud/liveness/rule.ts (≥ 5 s). */
  heartbeatMs?: number;
  missedIntervals?: number;
  holdBackMs?: number;
  tickMs?: number;
  meshDegree?: number;
  lazyDegree?: number;
  gossipRoundMs?: number;
  messageLoss?: number;
  /** Size of one heartbeat on the wire (signed head with its chain commit, index and reveal: 282). */
  heartbeatBytes?: number;
  /** Heartbeats per signed head (cloud/liveness/rule.ts HEARTBEAT_RUN; 1: a signature on every one). */
  heartbeatRun?: number;
  startMs?: readonly [number, number];
  stopMs?: readonly [number, number];
  blockDelayMs?: readonly [number, number];
  /** How nodes re-place (see planner.ts): incremental (default), index, or scan (the old full scan). */
  placer?: PlacerKind;
  /** Check every placement against plain placeApps (slow; for tests). */
  verify?: boolean;
  epoch?: number;
  tip?: number;
  progress?: (line: string) => void;
}

export type ResolvedOptions = Required<Omit<SimOptions, 'progress' | 'scenario' | 'verify'>> & {
  scenario: ScenarioEvent[];
  scenarioName: string;
};

export function resolveOptions(o: SimOptions): ResolvedOptions {
  // By default the period the node would use at this size: ≤ 500 signature checks/s (rule.ts).
  const heartbeatRun = o.heartbeatRun ?? HEARTBEAT_RUN;
  const heartbeatMs = o.heartbeatMs ?? heartbeatPeriodMs(o.nodes, 5000, HEARTBEAT_CHECK_BUDGET, heartbeatRun);
  const killFraction = o.killFraction ?? 0.05;
  const scenarioName = typeof o.scenario === 'string' ? o.scenario : o.scenario ? 'custom' : 'full';
  return {
    nodes: o.nodes,
    apps: o.apps,
    seed: o.seed,
    killFraction,
    heartbeatMs,
    missedIntervals: o.missedIntervals ?? 3,
    holdBackMs: o.holdBackMs ?? 1000,
    tickMs: o.tickMs ?? 1000,
    meshDegree: o.meshDegree ?? 6,
    lazyDegree: o.lazyDegree ?? 6,
    gossipRoundMs: o.gossipRoundMs ?? 1000,
    messageLoss: o.messageLoss ?? 0.01,
    heartbeatBytes: o.heartbeatBytes ?? 282,
    heartbeatRun,
    startMs: o.startMs ?? [2000, 6000],
    stopMs: o.stopMs ?? [500, 1500],
    blockDelayMs: o.blockDelayMs ?? [200, 1500],
    placer: o.placer ?? 'incremental',
    epoch: o.epoch ?? 1,
    tip: o.tip ?? 1_400_000,
    scenario: Array.isArray(o.scenario)
      ? o.scenario
      : scenario((o.scenario as ScenarioName | undefined) ?? 'full', heartbeatMs, killFraction),
    scenarioName,
  };
}
