/**
 * The cloud agent's inputs and outputs as types, and its option defaults: what the node wiring
 * passes in (deps, options) and what `status()` returns.
 */
import type { DataSync } from '../appdata/data-sync.ts';
import type { BenchmarkFigures, BenchmarkVerdict } from '../benchmark/check.ts';
import { MessageFieldError } from '../messages/errors.ts';
import type { CloudMetrics } from '../metrics.ts';
import type { RunningApp } from '../messages/running-report.ts';
import type { VerifiedSpec } from '../messages/spec-announcement.ts';
import type { MessageVerifier } from '../messages/heartbeat-batch.ts';
import type { ReconcileOutcome } from './reconcile-pass.ts';
import type {
  AgentIdentity,
  AgentLogger,
  AgentRuntime,
  ChainView,
  Clock,
  CloudAgentOptions,
  Gossip,
} from './types.ts';

export interface CloudAgentDeps {
  chain: ChainView;
  gossip: Gossip;
  runtime: AgentRuntime;
  identity: AgentIdentity;
  /** Measures this machine (e.g. `() => runBenchmark({ dataDir, ...DEVNET_BENCHMARK })`). */
  benchmark: () => Promise<BenchmarkFigures>;
  clock?: Clock;
  log?: AgentLogger;
  /** Receives every valid, owner-signed spec announcement heard (the node keeps them in its SpecStore). */
  onSpec?: (spec: VerifiedSpec) => void;
  metrics?: CloudMetrics | null;
  /**
   * Checks heartbeat signatures in batches on other threads (the chain's `sharedVerifierPool()`);
   * without it each heartbeat is checked on the calling thread as it arrives.
   */
  verifier?: MessageVerifier;
  /**
   * Replicated app data (`s:`/`r:`/`g:` containerData): this node's Syncthing and where a
   * component's data folder is on the host. Absent: every component keeps local data only.
   */
  appData?: { sync: DataSync; hostDir: (app: string, component: string) => string };
  /** Where owner requests' nonces and owner-stopped apps are kept (none: in memory only). */
  ownerStateFile?: string;
}

/** Options: `appLimits` and `hardwareMinimums` are required, the rest have defaults (see CloudAgentOptions). */
export type CloudAgentInit = Pick<CloudAgentOptions, 'appLimits' | 'hardwareMinimums'> &
  Partial<CloudAgentOptions>;

export interface OwnBenchmark {
  figures: BenchmarkFigures;
  verdict: BenchmarkVerdict;
  measuredAt: number;
}

export interface AgentStatus {
  node: string;
  tier: string;
  ip: string;
  running: boolean;
  startedAt: number | null;
  benchmark: OwnBenchmark | null;
  live: string[];
  eligible: string[];
  placement: Record<string, string[]>;
  unplaced: Record<string, number>;
  /** Components on this node, from its last running report. */
  here: RunningApp[];
  lastReconcile: ReconcileOutcome | null;
}

const DEFAULTS = {
  heartbeatMs: 2000,
  missedIntervals: 3,
  reconcileMs: 5000,
  epochLength: 0,
  maxClockSkewMs: 15_000,
  ownerRequestMaxAgeMs: 120_000,
  benchmarkRetryMs: 30_000,
};

export const NOOP_LOG: AgentLogger = { debug() {}, info() {}, warn() {}, error() {} };

/** Fills the defaults (hold-back and tick: 1 s, or half a heartbeat when heartbeats are faster). */
export function resolveOptions(options: CloudAgentInit): CloudAgentOptions {
  const heartbeatMs = options.heartbeatMs ?? DEFAULTS.heartbeatMs;
  const half = Math.min(1000, Math.max(1, Math.floor(heartbeatMs / 2)));
  const o: CloudAgentOptions = {
    ...DEFAULTS,
    startupGraceMs: 2 * heartbeatMs,
    republishMs: 5 * heartbeatMs,
    holdBackMs: half,
    tickMs: half,
    ...options,
  };
  for (const k of ['heartbeatMs', 'missedIntervals', 'reconcileMs', 'republishMs', 'tickMs'] as const) {
    const v = o[k];
    if (!Number.isFinite(v) || v <= 0) throw new MessageFieldError(`options.${k}`, v, 'must be a number > 0');
  }
  if (!Number.isFinite(o.holdBackMs) || o.holdBackMs < 0)
    throw new MessageFieldError('options.holdBackMs', o.holdBackMs, 'must be a number >= 0');
  return o;
}
