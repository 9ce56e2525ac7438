/**
 * What the cloud agent is given: small interfaces onto the chain, the gossip network, the Docker
 * engine and the clock, so the node process wires real ones and tests may wire simpler ones.
 */
import { type GossipTopic, gossipTopic, type GossipVerdict, type TopicValidator } from '../../p2p/index.ts';
import type { HardwareMinimums, Tier } from '../../consensus/index.ts';
import type { RegisteredApp } from '../registry/app-registry.ts';
import type { AppSpecLimits } from '../spec/limits.ts';
import type {
  ContainerEvent,
  ContainerUsage,
  LogLine,
  ManagedContainer,
  RuntimeApp,
  RuntimeComponent,
} from '../runtime/types.ts';

/** A registered fluxnode as the agent needs it (chain/fluxnodes' FluxnodeRecord fits). */
export interface NodeRecordView {
  /** Collateral outpoint "txid:n": the node's id everywhere in the cloud. */
  collateral: string;
  tier: Tier;
  /** Address the node announced, with or without ":port". */
  ip: string;
  /** Operator public key, hex. */
  operatorPubKey: string;
  /** When given, only 'confirmed' nodes may host apps. */
  status?: string;
}

/** The agent's read-only view of the chain at its tip. */
export interface ChainView {
  tipHeight(): number;
  /** Tip block hash, 64 hex digits. */
  tipHash(): string;
  /** Registered nodes; those with status 'confirmed' (or no status) can host apps. */
  confirmedNodes(): readonly NodeRecordView[];
  /** Paid, unexpired apps at the tip (cloud/registry's activeApps). */
  activeApps(): readonly RegisteredApp[];
  /** Called whenever the tip changes (new block, reorg). */
  on(event: 'tip', listener: () => void): unknown;
  off?(event: 'tip', listener: () => void): unknown;
}

export type { GossipTopic, GossipVerdict, TopicValidator };

/**
 * Topic-based gossip (p2p/P2PHost fits): validators run before a message is relayed or handled,
 * and return a verdict that the p2p layer's one wrapper turns into a peer penalty.
 */
export interface Gossip {
  publish(topic: GossipTopic, data: Uint8Array): Promise<void>;
  subscribe(
    topic: GossipTopic,
    validator: TopicValidator,
    handler: (data: Uint8Array, from: string) => void,
  ): void;
}

/** The Docker operations the agent uses (cloud/runtime's DockerRuntime fits). */
export interface AgentRuntime {
  listManagedContainers(): Promise<ManagedContainer[]>;
  hasImage(ref: string): Promise<boolean>;
  pullImage(ref: string): Promise<void>;
  createAndStart(app: RuntimeApp, component: RuntimeComponent): Promise<ManagedContainer>;
  start(nameOrId: string): Promise<void>;
  remove(nameOrId: string): Promise<boolean>;
  removeData(app: string, component: string): Promise<boolean>;
  /** Removes the app's network when none of its containers is left. */
  removeAppNetworkIfUnused(app: string): Promise<boolean>;
  restart(nameOrId: string, timeoutSec?: number): Promise<void>;
  stop(nameOrId: string, timeoutSec?: number): Promise<boolean>;
  logs(nameOrId: string, tail?: number): Promise<string>;
  /** Timestamped lines, for owners (merged across instances by time). */
  logLines(nameOrId: string, tail?: number, sinceMs?: number): Promise<LogLine[]>;
  usage(nameOrId: string): Promise<ContainerUsage | undefined>;
  events(signal?: AbortSignal): AsyncGenerator<ContainerEvent>;
}

export interface AgentIdentity {
  /** This node's collateral outpoint "txid:n" (its id in the registry). */
  nodeId: string;
  /** The operator key the registry holds for this node (signs heartbeats, reports, benchmarks). */
  operatorPrivateKey: Uint8Array;
  /** The address this node announces and publishes app ports on. */
  ip: string;
  tier: Tier;
  /** Where the operator says the node is ("EU_DE", see spec/geolocation.ts); sent with the benchmark. */
  location?: string;
}

export interface Clock {
  now(): number;
}

/** pino's call shape; every method optional in spirit (the default logger drops everything). */
export interface AgentLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface CloudAgentOptions {
  /**
   * Shortest heartbeat period (devnet 2,000 ms). The period used grows with the confirmed node count
   * so a node checks at most 500 heartbeat signatures a second (cloud/liveness/rule.ts).
   */
  heartbeatMs: number;
  /** A node silent for this many periods leaves the live set (3). */
  missedIntervals: number;
  /**
   * A heartbeat counts once its signed send time is this old (gossip delay + clock skew; default
   * 1,000 ms, or half a heartbeat if shorter). See cloud/liveness/rule.ts.
   */
  holdBackMs: number;
  /** The live set is read on whole ticks of this length (default as holdBackMs). */
  tickMs: number;
  /** Reconcile at least this often even when nothing seems to change (devnet 5,000 ms). */
  reconcileMs: number;
  /** Tier capacities for placement (DEVNET_APP_LIMITS on devnet, MAINNET_APP_LIMITS otherwise). */
  appLimits: AppSpecLimits;
  /** Benchmark minimums per tier (consensus params' fluxnodes.hardwareMinimums). */
  hardwareMinimums: Record<Tier, HardwareMinimums>;
  /** Blocks per placement epoch; 0 (default) keeps one epoch forever, so apps never move without cause. */
  epochLength: number;
  /** After start, how long to listen before acting, so the live set is known (default 2 × heartbeatMs). */
  startupGraceMs: number;
  /** Own benchmark result and running report are re-gossiped at least this often (default 5 × heartbeatMs). */
  republishMs: number;
  /** How far a heartbeat's time may be ahead of ours, or older than the liveness window (default 15,000). */
  maxClockSkewMs: number;
  /** Owner requests issued further than this from our clock, either way, are refused (default 120,000). */
  ownerRequestMaxAgeMs: number;
  /** A benchmark below the tier minimums is run again after this long (default 30,000; 0: never). */
  benchmarkRetryMs: number;
  /** Seconds a container gets between SIGTERM and SIGKILL on owner restart (default: the runtime's). */
  restartTimeoutSec?: number;
}

/** The cloud's gossip topics; bounds from the message formats (cloud/messages) with headroom. */
export const GOSSIP_TOPICS = {
  heartbeat: gossipTopic('cloud/heartbeat', { maxBytes: 4096, maxPending: 1024 }),
  /** Up to 1000 entries of at most ~200 bytes each. */
  running: gossipTopic('cloud/running', { maxBytes: 256 * 1024, maxPending: 256 }),
  benchmark: gossipTopic('cloud/benchmark', { maxBytes: 4096, maxPending: 256 }),
  /** A spec's canonical text is at most 100,000 bytes, plus its signature and the frame. */
  spec: gossipTopic('cloud/spec', { maxBytes: 128 * 1024, maxPending: 256 }),
} as const;
