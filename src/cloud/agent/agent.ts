/**
 * The cloud agent every fluxnode runs, assembled from one part per job:
 * - gossip-intake.ts: the cloud topics in (verdicts, then the peer view records them);
 * - peer-view.ts: who is live (the held-back, whole-tick liveness of cloud/liveness), benchmarks,
 *   running reports;
 * - placement-view.ts: the anchored placement (cloud/placement/planner.ts, what the simulator runs);
 * - reconcile-trigger.ts + reconcile-pass.ts: when and how this node reconciles its own share;
 * - publisher.ts: heartbeats, benchmark and running reports out; own-benchmark.ts: this machine;
 * - owner-ops.ts: an app owner's signed requests (logs, inspect, restart, stop, start, redeploy);
 *   owner-state.ts keeps their nonces and the apps stopped here across restarts.
 * reconcile-round.ts runs one round; timers.ts the clockwork. This file wires them.
 *
 * No node decides alone what runs where: every node's placement is the same pure function of shared
 * inputs, so no two nodes start the same instance and no instance is left out for long.
 */
import { EventEmitter } from 'node:events';
import type { BenchmarkVerdict } from '../benchmark/check.ts';
import { heartbeatPeriodMs } from '../liveness/rule.ts';
import type { BenchmarkResult } from '../messages/benchmark-result.ts';
import type { Heartbeat } from '../messages/heartbeat.ts';
import type { OwnerRequest } from '../messages/owner-request.ts';
import type { RunningReport } from '../messages/running-report.ts';
import {
  decodeSpecAnnouncement,
  encodeSpecAnnouncement,
  type VerifiedSpec,
  verifySpecAnnouncement,
} from '../messages/spec-announcement.ts';
import type { CloudMetrics } from '../metrics.ts';
import { secretEnvOf } from '../secrets/component-secrets.ts';
import type { AppSpec } from '../spec/schema.ts';
import {
  type AgentStatus,
  type CloudAgentDeps,
  type CloudAgentInit,
  NOOP_LOG,
  resolveOptions,
} from './agent-options.ts';
import { followContainerEvents } from './container-events.ts';
import { agentTopics, GossipIntake } from './gossip-intake.ts';
import { type AppLocation, appLocations } from './locations.ts';
import { OwnBenchmarkRunner } from './own-benchmark.ts';
import { type OwnerOpResult, OwnerOps } from './owner-ops.ts';
import { OwnerState } from './owner-state.ts';
import { PeerView } from './peer-view.ts';
import { AgentPlanner, epochAt, type PlacementView } from './placement-view.ts';
import { Publisher } from './publisher.ts';
import type { ReconcileOutcome } from './reconcile-pass.ts';
import { dataRoundDeps, ReconcileRound } from './reconcile-round.ts';
import { ReconcileTrigger } from './reconcile-trigger.ts';
import { SerialQueue } from './serial.ts';
import type { MessageVerifier } from '../messages/heartbeat-batch.ts';
import { AgentTimers } from './timers.ts';
import {
  type AgentIdentity,
  type AgentLogger,
  type ChainView,
  type Clock,
  type CloudAgentOptions,
  GOSSIP_TOPICS,
  type Gossip,
  type NodeRecordView,
} from './types.ts';

export type { AgentStatus, CloudAgentDeps, CloudAgentInit, OwnBenchmark } from './agent-options.ts';
export type { OwnerContainer, OwnerLogLine, OwnerOpResult } from './owner-ops.ts';
export type { ReconcileOutcome } from './reconcile-pass.ts';

const EVENT_DELAY_MS = 100; // a burst of events (kill, die, stop, destroy) from one change: one pass

/**
 * Emits 'placement' (PlacementView, when the assignment changes), 'live' (sorted live node ids, when
 * the live set changes), 'reconciled' (ReconcileOutcome), 'report' (any node's newest RunningReport).
 */
export class CloudAgent extends EventEmitter {
  readonly options: CloudAgentOptions;
  readonly #chain: ChainView;
  readonly #gossip: Gossip;
  readonly #identity: AgentIdentity;
  readonly #clock: Clock;
  readonly #log: AgentLogger;
  readonly #onSpec: ((spec: VerifiedSpec) => void) | undefined;
  readonly #verifier: MessageVerifier | undefined;
  readonly #peers: PeerView;
  readonly #owner: OwnerOps;
  readonly #ownerState: OwnerState;
  readonly #serial = new SerialQueue();
  readonly #planner = new AgentPlanner();
  readonly #intake: GossipIntake;
  readonly #out: Publisher;
  readonly #bench: OwnBenchmarkRunner;
  readonly #trigger: ReconcileTrigger;
  readonly #round: ReconcileRound;
  readonly #runtime: CloudAgentDeps['runtime'];
  readonly #metrics: CloudMetrics | null;

  #running = false;
  #startedAt: number | null = null;
  readonly #timers: AgentTimers;
  #events: AbortController | undefined;
  #eventsLoop: Promise<void> | undefined;
  #nodeCache: { list: readonly NodeRecordView[]; byId: Map<string, NodeRecordView> } | undefined;
  readonly #onTip = () => {
    this.#peers.setHeartbeatMs(this.heartbeatPeriod());
    this.#trigger.schedule('tip');
  };

  constructor(deps: CloudAgentDeps, options: CloudAgentInit) {
    super();
    this.options = resolveOptions(options);
    const o = this.options;
    this.#chain = deps.chain;
    this.#gossip = deps.gossip;
    this.#runtime = deps.runtime;
    this.#identity = deps.identity;
    this.#clock = deps.clock ?? { now: () => Date.now() };
    this.#log = deps.log ?? NOOP_LOG;
    this.#onSpec = deps.onSpec;
    this.#verifier = deps.verifier;
    this.#metrics = deps.metrics ?? null;
    this.#ownerState = new OwnerState(deps.ownerStateFile);
    const active = () => this.#running;
    this.#peers = this.#peerView();
    this.#intake = new GossipIntake(this.#gossip, this.#log, active);
    this.#out = new Publisher({
      identity: this.#identity,
      chain: this.#chain,
      gossip: this.#gossip,
      peers: this.#peers,
      clock: this.#clock,
      log: this.#log,
      republishMs: o.republishMs,
      active,
      ownFigures: () => this.#bench.current?.figures,
      syncEndpoint: () => deps.appData?.sync.endpoint(),
    });
    this.#bench = new OwnBenchmarkRunner({
      measure: deps.benchmark,
      minimums: o.hardwareMinimums[this.#identity.tier],
      clock: this.#clock,
      log: this.#log,
      retryMs: o.benchmarkRetryMs,
      active,
      measured: () => {
        this.#out.benchmark();
        this.#trigger.schedule('benchmark');
      },
    });
    this.#trigger = new ReconcileTrigger({
      clock: this.#clock,
      serial: this.#serial,
      active,
      graceEnd: () => (this.#startedAt ?? 0) + o.startupGraceMs,
      pass: (reasons) => this.#round.run(reasons),
    });
    this.#round = new ReconcileRound({
      nodeId: this.#identity.nodeId,
      chain: this.#chain,
      runtime: this.#runtime,
      clock: this.#clock,
      log: this.#log,
      placement: () => this.placement(),
      metrics: this.#metrics,
      ready: () => this.#running && this.#clock.now() >= (this.#startedAt ?? 0) + o.startupGraceMs,
      active,
      retryIn: (ms) => this.#trigger.schedule('backoff', ms),
      ownerStopped: () => this.#ownerState.stopped(),
      report: (containers, apps, data) => this.#out.report(containers, apps, data),
      data: dataRoundDeps(deps.appData, (node) => this.#peers.reportOf(node)),
      secretEnv: secretEnvOf(this.#identity),
      placementChanged: (view) => this.emit('placement', view),
      reconciled: (outcome) => this.emit('reconciled', outcome),
    });
    this.#owner = new OwnerOps({
      nodeId: this.#identity.nodeId,
      runtime: this.#runtime,
      serial: this.#serial,
      state: this.#ownerState,
      log: this.#log,
      activeApps: () => this.#chain.activeApps(),
      placedHere: (app) => this.placement().assignment.get(app)?.includes(this.#identity.nodeId) ?? false,
      reconcile: () => this.#trigger.schedule('owner'),
      now: () => this.#clock.now(),
      windowMs: o.ownerRequestMaxAgeMs,
      restartTimeoutSec: o.restartTimeoutSec,
      metrics: this.#metrics,
    });
    this.#timers = new AgentTimers({
      clock: this.#clock,
      tickMs: o.tickMs,
      beatIn: () => this.#out.heartbeatIn(this.heartbeatPeriod()),
      heartbeat: () => this.#out.heartbeat(this.heartbeatPeriod()),
      tick: () => this.#peers.refreshLive(),
      every: [
        [o.reconcileMs, () => this.#trigger.schedule('timer')],
        [o.republishMs, () => this.#out.republish()],
      ],
    });
  }

  #peerView(): PeerView {
    const o = this.options;
    return new PeerView(
      { ...o, selfId: this.#identity.nodeId },
      (node) => this.#nodesById().get(node)?.operatorPubKey,
      this.#clock,
      {
        liveChanged: (live) => {
          this.#log.info({ live }, 'live set changed');
          this.#metrics?.liveNodes.set(live.length);
          this.emit('live', live);
          this.#trigger.schedule('live');
        },
        // A node (re)joined: it may have missed our benchmark and report.
        nodeAppeared: () => {
          if (this.#clock.now() - this.#out.lastRepublishAt > this.heartbeatPeriod() / 2)
            this.#out.republish();
        },
        benchmarkChanged: () => this.#trigger.schedule('benchmark'),
        report: (r) => this.emit('report', r),
      },
    );
  }

  get nodeId(): string {
    return this.#identity.nodeId;
  }

  /** The heartbeat period for the current confirmed node count (cloud/liveness/rule.ts). */
  heartbeatPeriod(): number {
    return heartbeatPeriodMs(this.#nodesById().size, this.options.heartbeatMs);
  }

  /**
   * Subscribes to the cloud topics, starts heartbeats and timers, and benchmarks this machine
   * (resolves once the result is gossiped, or the measurement failed and a retry is scheduled).
   * Reconciling begins after the startup grace period. May be called again after stop().
   */
  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    this.#startedAt = this.#clock.now();
    const heard = () => this.#metrics?.heartbeatsReceived.inc();
    this.#intake.subscribe(
      agentTopics(this.#peers, this.options.appLimits, heard, this.#onSpec, this.#verifier),
    );
    this.#chain.on('tip', this.#onTip);
    const o = this.options;
    this.#peers.setHeartbeatMs(this.heartbeatPeriod());
    this.#timers.start();
    this.#trigger.schedule('start', o.startupGraceMs);
    this.#events = new AbortController();
    this.#eventsLoop = followContainerEvents(
      this.#runtime,
      this.#log,
      (action) => this.#trigger.schedule(`event:${action}`, EVENT_DELAY_MS),
      this.#events.signal,
    );
    // A failed measurement is logged and retried; the node runs on meanwhile (hosting nothing).
    await this.runBenchmark().catch(() => {});
  }

  /**
   * Stops gossiping and reconciling, and waits for a pass in progress. Containers stay as they are:
   * the node's Docker engine owns them (a devnet node stops its own dockerd with it).
   */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    this.#timers.stop();
    this.#trigger.cancel();
    this.#bench.cancel();
    this.#chain.off?.('tip', this.#onTip);
    this.#events?.abort();
    await this.#eventsLoop;
    await this.#serial.idle();
  }

  /**
   * Measures this machine and gossips the signed result. A result below the tier's minimums, or a
   * measurement that failed, is tried again after `benchmarkRetryMs`. Rejects when the measurement
   * itself fails.
   */
  runBenchmark(): Promise<BenchmarkVerdict> {
    return this.#bench.run();
  }

  /** Node ids live at the last whole tick (this node included while it runs), sorted. */
  liveNodes(): string[] {
    return this.#peers.liveNodes();
  }

  /** Placement computed now from the current inputs (what every node in agreement computes). */
  placement(): PlacementView {
    const stop = this.#metrics?.placementSeconds.startTimer();
    const view = this.#planner.place({
      apps: this.#chain.activeApps(),
      nodes: this.#chain.confirmedNodes(),
      live: this.#peers.liveSet(),
      benchmarks: this.#peers.benchmarkFigures(),
      locations: this.#peers.benchmarkLocations(),
      minimums: this.options.hardwareMinimums,
      limits: this.options.appLimits,
      epoch: epochAt(this.#chain.tipHeight(), this.options.epochLength),
    });
    stop?.();
    return view;
  }

  /** Where an active app runs, from the live nodes' running reports ([] for an unknown app). */
  locations(appName: string): AppLocation[] {
    const app = this.#chain.activeApps().find((a) => a.name === appName);
    return app ? appLocations(app, this.#peers.allReports(), this.#peers.liveSet(), this.#nodesById()) : [];
  }

  /** Locations of every active app, by name. */
  allLocations(): Map<string, AppLocation[]> {
    const live = this.#peers.liveSet();
    const nodes = this.#nodesById();
    const reports = () => this.#peers.allReports();
    return new Map(this.#chain.activeApps().map((a) => [a.name, appLocations(a, reports(), live, nodes)]));
  }

  /** Newest verified benchmark result of a node (own included). */
  benchmarkOf(node: string): BenchmarkResult | undefined {
    return this.#peers.benchmarkOf(node);
  }

  /** Newest running report of a live node (own included). */
  reportOf(node: string): RunningReport | undefined {
    return this.#peers.reportOf(node);
  }

  /** Newest heartbeat heard from a node (own included). */
  heartbeatOf(node: string): Heartbeat | undefined {
    return this.#peers.heartbeatOf(node);
  }

  status(): AgentStatus {
    const view = this.placement();
    return {
      node: this.#identity.nodeId,
      tier: this.#identity.tier,
      ip: this.#identity.ip,
      running: this.#running,
      startedAt: this.#startedAt,
      benchmark: this.#bench.current,
      live: this.liveNodes(),
      eligible: view.eligible,
      placement: Object.fromEntries(view.assignment),
      unplaced: Object.fromEntries(view.unplaced),
      here: this.#peers.reportOf(this.#identity.nodeId)?.apps ?? [],
      lastReconcile: this.#round.last,
    };
  }

  /**
   * Carries out an owner's signed request on this node (owner-ops.ts); throws MessageVerifyError
   * when it is not the owner's, not for this node, stale, or already used.
   */
  ownerOp(req: OwnerRequest): Promise<OwnerOpResult> {
    return this.#owner.run(req);
  }

  /** Checks and gossips an owner-signed spec (the API does this once the spec is paid for). */
  async announceSpec(spec: AppSpec, ownerSignature: Uint8Array | string): Promise<VerifiedSpec> {
    const bytes = encodeSpecAnnouncement(spec, ownerSignature);
    const verified = verifySpecAnnouncement(decodeSpecAnnouncement(bytes), this.options.appLimits);
    await this.#gossip.publish(GOSSIP_TOPICS.spec, bytes);
    return verified;
  }

  /** Runs a reconcile pass now (or joins the one waiting) and resolves with its outcome. */
  reconcileNow(reason = 'request'): Promise<ReconcileOutcome> {
    return this.#trigger.enqueue([reason]);
  }

  #nodesById(): Map<string, NodeRecordView> {
    const list = this.#chain.confirmedNodes();
    if (this.#nodeCache?.list !== list) {
      const byId = new Map<string, NodeRecordView>();
      for (const n of list) if (!byId.has(n.collateral)) byId.set(n.collateral, n);
      this.#nodeCache = { list, byId };
    }
    return this.#nodeCache.byId;
  }
}
