/**
 * What a simulation run reports: per event window, per tick, and in total. Times are seconds
 * (simulated unless named wall), CPU in seconds of process CPU time.
 */
import type { ScenarioEvent } from './scenario.ts';
import type { ResolvedOptions } from './options.ts';

export interface CpuFigures {
  count: number;
  /** Seconds. */
  max: number;
  mean: number;
}

export interface WindowReport {
  event: string;
  /** Seconds of simulated time. */
  at: number;
  until: number;
  /** Seconds after the event when every up node's view showed it (null: not applicable / never). */
  detectedAfter: number | null;
  /** Seconds after the event when over and under reached 0 for good (null: not within the window). */
  convergedAfter: number | null;
  maxOver: number;
  maxUnder: number;
  endOver: number;
  endUnder: number;
  /** Instances without room in the most common view at the end of the window. */
  endUnplaced: number;
  /** Containers created and removed network-wide. */
  creates: number;
  removes: number;
  /** Times a node ran two containers of the same app component (must be 0). */
  duplicates: number;
  /** Most distinct (tip, live set) views among up nodes at one tick. */
  maxViews: number;
  /** Placements computed for distinct views in the window, and their CPU time. */
  placements: CpuFigures;
  /** Anchor placements (with the candidate index update) for new tips. */
  anchors: CpuFigures;
  /** CPU seconds one node spent on placement in the window (the most any node spent, and the mean). */
  nodeCpuMax: number;
  nodeCpuMean: number;
  /** Gossip load per up node: messages per minute (one per heartbeat copy, or batched per round). */
  messagesPerNodeMinute: number;
  batchedMessagesPerNodeMinute: number;
  /** Heartbeat signatures each node checks per second (one per run of heartbeats per sender). */
  verificationsPerNodeSecond: number;
}

export interface SeriesPoint {
  /** Seconds. */
  t: number;
  over: number;
  under: number;
  /** Instances the most common view's placement found no room for (under target can't go below it). */
  unplaced: number;
  views: number;
  up: number;
}

export interface SimReport {
  options: Omit<ResolvedOptions, 'scenario'>;
  setup: {
    nodes: number;
    apps: number;
    instances: number;
    unplaced: number;
    /** CPU seconds of the first anchor placement and of building the candidate index. */
    anchorCpu: number;
    indexCpu: number;
  };
  windows: WindowReport[];
  series: SeriesPoint[];
  totals: {
    simulatedSeconds: number;
    wallSeconds: number;
    placements: CpuFigures;
    anchors: CpuFigures;
    messagesPerNodeMinute: number;
    batchedMessagesPerNodeMinute: number;
    heartbeatBytesPerNodeSecond: number;
    verificationsPerNodeSecond: number;
    /** Hash-chain links each node checks per second (one per heartbeat heard). */
    hashChecksPerNodeSecond: number;
    receiverMissProbability: number;
    privateDrops: number;
    sourceLost: number;
    duplicates: number;
    indexCounters: Record<string, number>;
  };
}

export function cpuFigures(values: number[]): CpuFigures {
  if (values.length === 0) return { count: 0, max: 0, mean: 0 };
  let max = 0;
  let sum = 0;
  for (const v of values) {
    if (v > max) max = v;
    sum += v;
  }
  return { count: values.length, max, mean: sum / values.length };
}

export function eventLabel(e: ScenarioEvent): string {
  switch (e.kind) {
    case 'kill':
      return `kill ${(e.fraction * 100).toFixed(0)}%`;
    case 'join':
      return `join ${(e.fraction * 100).toFixed(0)}%`;
    case 'heartbeat-loss':
      return `heartbeat loss ${(e.uplinkFraction * 100).toFixed(0)}% + ${e.lossyNodes} lossy`;
    case 'register':
      return `register ${(e.fraction * 100).toFixed(0)}% apps`;
    case 'expire':
      return `expire ${(e.fraction * 100).toFixed(0)}% apps`;
    default:
      return e.kind;
  }
}
