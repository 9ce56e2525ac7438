/**
 * The cloud agent every fluxnode runs. It
 * - gossips a signed heartbeat every `heartbeatMs` and tracks everybody's (the live set);
 * - benchmarks this machine at start and gossips the signed result; other nodes' results decide who
 *   may host (a node below its tier's minimums, or whose result is unknown, gets nothing);
 * - computes placement from the chain (active apps, confirmed nodes), the live set and the known
 *   benchmarks, the same way on every node, on each tip, live-set change, container event and timer;
 * - reconciles its own share in one serialized, idempotent loop (pull, create, start, remove);
 * - gossips signed running reports and answers "where does app X run" from everybody's reports;
 * - serves an app's owner (signature-checked): status, logs and restart of its containers here.
 *
 * No node decides alone what runs where: every node's placement is the same pure function of shared
 * inputs, so no two nodes start the same instance and no instance is left out for long.
 */
import { EventEmitter } from 'node:events';
import { type BenchmarkFigures, type BenchmarkVerdict, checkBenchmark } from '../benchmark/check.ts';
import { type BenchmarkResult, encodeBenchmarkResult } from '../messages/benchmark-result.ts';
import { MessageDecodeError, MessageFieldError, MessageVerifyError } from '../messages/errors.ts';
import { encodeHeartbeat, type Heartbeat } from '../messages/heartbeat.ts';
import type { OwnerRequest } from '../messages/owner-request.ts';
import {
  encodeRunningReport,
  RUNNING_STATES,
  type RunningApp,
  type RunningReport,
} from '../messages/running-report.ts';
import {
  decodeSpecAnnouncement,
  encodeSpecAnnouncement,
  type VerifiedSpec,
  verifySpecAnnouncement,
} from '../messages/spec-announcement.ts';
import type { RegisteredApp } from '../registry/app-registry.ts';
import type { ManagedContainer } from '../runtime/types.ts';
import type { AppSpec } from '../spec/schema.ts';
import type { CloudMetrics } from '../metrics.ts';
import { Backoff } from './backoff.ts';
import { type AppLocation, appLocations } from './locations.ts';
import { type OwnerAppStatus, type OwnerLogs, OwnerOps } from './owner-ops.ts';
import { figuresOf, PeerView } from './peer-view.ts';
import {
  assignmentKey,
  computePlacement,
  desiredComponents,
  epochAt,
  type PlacementView,
} from './placement-view.ts';
import { type ReconcileOutcome, reconcilePass } from './reconcile-pass.ts';
import { SerialQueue } from './serial.ts';
import {
  type AgentIdentity,
  type AgentLogger,
  type AgentRuntime,
  type ChainView,
  type Clock,
  type CloudAgentOptions,
  GOSSIP_TOPICS,
  type Gossip,
  type GossipTopic,
  type GossipVerdict,
  type NodeRecordView,
} from './types.ts';
import { ACCEPT, ignore, refusal, reject } from '../../p2p/gossip-validation.ts';

export type { OwnerAppStatus, OwnerLogs } from './owner-ops.ts';
export type { ReconcileOutcome } from './reconcile-pass.ts';

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
  ownerRequestMaxAgeMs: 300_000,
  benchmarkRetryMs: 30_000,
};

const NOOP_LOG: AgentLogger = { debug() {}, info() {}, warn() {}, error() {} };
// Container events after which something may need doing again.
const EVENT_ACTIONS = new Set(['die', 'destroy', 'oom', 'kill', 'stop']);
// A burst of events (kill, die, stop, destroy) from one change becomes one pass.
const EVENT_DELAY_MS = 100;
const REPORTABLE = /^[\x21-\x7e]{1,64}$/;
const HEX64 = /^[0-9a-f]{64}$/;

type Checked = Heartbeat | BenchmarkResult | RunningReport | VerifiedSpec;

/**
 * Emits 'placement' (PlacementView, when the assignment changes), 'live' (sorted live node ids, when
 * the live set changes), 'reconciled' (ReconcileOutcome), 'report' (any node's newest RunningReport).
 */
export class CloudAgent extends EventEmitter {
  readonly options: CloudAgentOptions;
  private readonly chain: ChainView;
  private readonly gossip: Gossip;
  private readonly runtime: AgentRuntime;
  private readonly identity: AgentIdentity;
  private readonly clock: Clock;
  private readonly log: AgentLogger;
  private readonly measure: () => Promise<BenchmarkFigures>;
  private readonly onSpec: ((spec: VerifiedSpec) => void) | undefined;
  private readonly peers: PeerView;
  private readonly owner: OwnerOps;
  private readonly serial = new SerialQueue();
  private readonly backoff = new Backoff();
  private readonly verified = new WeakMap<Uint8Array, Checked>();
  readonly #metrics: CloudMetrics | null;

  private running = false;
  private subscribed = false;
  private startedAt: number | null = null;
  private lastSeq = 0;
  private ownBenchmark: OwnBenchmark | null = null;
  private lastAssignmentKey: string | undefined;
  private lastReportKey = '';
  private lastReportAt = 0;
  private lastRepublishAt = 0;
  private lastOutcome: ReconcileOutcome | null = null;
  // Reconcile scheduling: one timer for the earliest requested pass, and at most one pass waiting
  // in the queue behind the running one (later requests join it).
  private reconcileTimer: ReturnType<typeof setTimeout> | undefined;
  private reconcileTimerAt = 0;
  private readonly timerReasons: string[] = [];
  private queuedReasons: string[] | undefined;
  private queuedPass: Promise<ReconcileOutcome> | undefined;
  private benchmarkRetry: ReturnType<typeof setTimeout> | undefined;
  private readonly timers: ReturnType<typeof setInterval>[] = [];
  private events: AbortController | undefined;
  private eventsLoop: Promise<void> | undefined;
  private nodeCache: { list: readonly NodeRecordView[]; byId: Map<string, NodeRecordView> } | undefined;
  private readonly onTip = () => this.scheduleReconcile('tip');

  constructor(deps: CloudAgentDeps, options: CloudAgentInit) {
    super();
    const heartbeatMs = options.heartbeatMs ?? DEFAULTS.heartbeatMs;
    this.options = { ...DEFAULTS, startupGraceMs: 2 * heartbeatMs, republishMs: 5 * heartbeatMs, ...options };
    for (const k of ['heartbeatMs', 'missedIntervals', 'reconcileMs', 'republishMs'] as const) {
      const v = this.options[k];
      if (!Number.isFinite(v) || v <= 0)
        throw new MessageFieldError(`options.${k}`, v, 'must be a number > 0');
    }
    this.chain = deps.chain;
    this.gossip = deps.gossip;
    this.runtime = deps.runtime;
    this.identity = deps.identity;
    this.clock = deps.clock ?? { now: () => Date.now() };
    this.log = deps.log ?? NOOP_LOG;
    this.measure = deps.benchmark;
    this.onSpec = deps.onSpec;
    this.#metrics = deps.metrics ?? null;
    const o = this.options;
    this.peers = new PeerView(
      {
        selfId: this.identity.nodeId,
        heartbeatMs: o.heartbeatMs,
        missedIntervals: o.missedIntervals,
        maxClockSkewMs: o.maxClockSkewMs,
      },
      (node) => this.nodesById().get(node)?.operatorPubKey,
      this.clock,
      {
        liveChanged: (live) => {
          this.log.info({ live }, 'live set changed');
          this.#metrics?.liveNodes.set(live.length);
          this.emit('live', live);
          this.scheduleReconcile('live');
        },
        // A node (re)joined: it may have missed our benchmark and report.
        nodeAppeared: () => {
          if (this.clock.now() - this.lastRepublishAt > o.heartbeatMs / 2) this.republish();
        },
        benchmarkChanged: () => this.scheduleReconcile('benchmark'),
        report: (r) => this.emit('report', r),
      },
    );
    this.owner = new OwnerOps({
      nodeId: this.identity.nodeId,
      runtime: this.runtime,
      serial: this.serial,
      log: this.log,
      activeApps: () => this.chain.activeApps(),
      placedHere: (app) => this.placement().assignment.get(app)?.includes(this.identity.nodeId) ?? false,
      locations: (app) => this.locations(app),
      now: () => this.clock.now(),
      maxAgeMs: o.ownerRequestMaxAgeMs,
      restartTimeoutSec: o.restartTimeoutSec,
    });
  }

  get nodeId(): string {
    return this.identity.nodeId;
  }

  // ---------------------------------------------------------------- lifecycle

  /**
   * Subscribes to the cloud topics, starts heartbeats and timers, and benchmarks this machine
   * (resolves once the result is gossiped, or the measurement failed and a retry is scheduled).
   * Reconciling begins after the startup grace period. May be called again after stop().
   */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.startedAt = this.clock.now();
    this.subscribe();
    this.chain.on('tip', this.onTip);
    const o = this.options;
    this.sendHeartbeat();
    this.timers.push(setInterval(() => this.sendHeartbeat(), o.heartbeatMs));
    this.timers.push(
      setInterval(() => this.peers.refreshLive(), Math.max(50, Math.floor(o.heartbeatMs / 4))),
    );
    this.timers.push(setInterval(() => this.scheduleReconcile('timer'), o.reconcileMs));
    this.timers.push(setInterval(() => this.republish(), o.republishMs));
    this.scheduleReconcile('start', o.startupGraceMs);
    this.events = new AbortController();
    this.eventsLoop = this.followEvents(this.events.signal);
    // A failed measurement is logged and retried; the node runs on meanwhile (hosting nothing).
    await this.runBenchmark().catch(() => {});
  }

  /**
   * Stops gossiping and reconciling, and waits for a pass in progress. Containers stay as they are:
   * the node's Docker engine owns them (a devnet node stops its own dockerd with it).
   */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    for (const t of this.timers.splice(0)) clearInterval(t);
    if (this.reconcileTimer) clearTimeout(this.reconcileTimer);
    this.reconcileTimer = undefined;
    if (this.benchmarkRetry) clearTimeout(this.benchmarkRetry);
    this.benchmarkRetry = undefined;
    this.chain.off?.('tip', this.onTip);
    this.events?.abort();
    await this.eventsLoop;
    await this.serial.idle();
  }

  /**
   * Measures this machine and gossips the signed result. A result below the tier's minimums, or a
   * measurement that failed, is tried again after `benchmarkRetryMs` (a busy disk at start-up should
   * not bar a node for good). Rejects when the measurement itself fails.
   */
  async runBenchmark(): Promise<BenchmarkVerdict> {
    let figures: BenchmarkFigures;
    try {
      figures = figuresOf(await this.measure());
    } catch (err) {
      this.log.error({ err: (err as Error).message }, 'benchmark failed');
      this.retryBenchmark();
      throw err;
    }
    const min = this.options.hardwareMinimums[this.identity.tier];
    const verdict: BenchmarkVerdict = min ? checkBenchmark(figures, min) : { ok: false, shortfalls: [] };
    this.ownBenchmark = { figures, verdict, measuredAt: this.clock.now() };
    if (verdict.ok) this.log.info({ figures }, 'benchmark passed');
    else this.log.warn({ figures, shortfalls: verdict.shortfalls }, 'benchmark below tier minimums');
    this.publishBenchmark();
    this.scheduleReconcile('benchmark');
    if (!verdict.ok) this.retryBenchmark();
    return verdict;
  }

  private retryBenchmark(): void {
    if (this.options.benchmarkRetryMs <= 0 || !this.running) return;
    if (this.benchmarkRetry) clearTimeout(this.benchmarkRetry);
    this.benchmarkRetry = setTimeout(() => {
      this.benchmarkRetry = undefined;
      if (this.running) this.runBenchmark().catch(() => {}); // logged, and retried, by runBenchmark
    }, this.options.benchmarkRetryMs);
  }

  // ---------------------------------------------------------------- queries

  /** Node ids whose heartbeats are recent (this node included while it runs), sorted. */
  liveNodes(): string[] {
    return this.peers.liveNodes();
  }

  /** Placement computed now from the current inputs (what every node in agreement computes). */
  placement(): PlacementView {
    const stop = this.#metrics?.placementSeconds.startTimer();
    const view = computePlacement({
      apps: this.chain.activeApps(),
      nodes: this.chain.confirmedNodes(),
      live: this.peers.liveSet(),
      benchmarks: this.peers.benchmarkFigures(),
      minimums: this.options.hardwareMinimums,
      limits: this.options.appLimits,
      epoch: epochAt(this.chain.tipHeight(), this.options.epochLength),
    });
    stop?.();
    return view;
  }

  /** Where an active app runs, from the live nodes' running reports ([] for an unknown app). */
  locations(appName: string): AppLocation[] {
    const app = this.chain.activeApps().find((a) => a.name === appName);
    return app ? appLocations(app, this.peers.allReports(), this.peers.liveSet(), this.nodesById()) : [];
  }

  /** Locations of every active app, by name. */
  allLocations(): Map<string, AppLocation[]> {
    const live = this.peers.liveSet();
    const nodes = this.nodesById();
    return new Map(
      this.chain.activeApps().map((a) => [a.name, appLocations(a, this.peers.allReports(), live, nodes)]),
    );
  }

  /** Newest verified benchmark result of a live node (own included). */
  benchmarkOf(node: string): BenchmarkResult | undefined {
    return this.peers.benchmarkOf(node);
  }

  /** Newest running report of a live node (own included). */
  reportOf(node: string): RunningReport | undefined {
    return this.peers.reportOf(node);
  }

  /** Newest heartbeat heard from a node (own included). */
  heartbeatOf(node: string): Heartbeat | undefined {
    return this.peers.heartbeatOf(node);
  }

  status(): AgentStatus {
    const view = this.placement();
    return {
      node: this.identity.nodeId,
      tier: this.identity.tier,
      ip: this.identity.ip,
      running: this.running,
      startedAt: this.startedAt,
      benchmark: this.ownBenchmark,
      live: this.liveNodes(),
      eligible: view.eligible,
      placement: Object.fromEntries(view.assignment),
      unplaced: Object.fromEntries(view.unplaced),
      here: this.peers.reportOf(this.identity.nodeId)?.apps ?? [],
      lastReconcile: this.lastOutcome,
    };
  }

  // ---------------------------------------------------------------- owner operations

  /** The app's containers on this node and its locations; throws MessageVerifyError unless the owner signed. */
  ownerStatus(req: OwnerRequest): Promise<OwnerAppStatus> {
    return this.owner.status(req);
  }

  /** The last `tail` lines of each of the app's containers on this node. */
  ownerLogs(req: OwnerRequest, tail = 100): Promise<OwnerLogs[]> {
    return this.owner.logs(req, tail);
  }

  /** Restarts the app's containers on this node; a request is carried out once (`replayed` after). */
  ownerRestart(req: OwnerRequest): Promise<{ restarted: string[] }> {
    return this.owner.restart(req);
  }

  // ---------------------------------------------------------------- spec announcements

  /** Checks and gossips an owner-signed spec (the API does this once the spec is paid for). */
  async announceSpec(spec: AppSpec, ownerSignature: Uint8Array | string): Promise<VerifiedSpec> {
    const bytes = encodeSpecAnnouncement(spec, ownerSignature);
    const verified = verifySpecAnnouncement(decodeSpecAnnouncement(bytes), this.options.appLimits);
    await this.gossip.publish(GOSSIP_TOPICS.spec, bytes);
    return verified;
  }

  // ---------------------------------------------------------------- reconciling

  /** Runs a reconcile pass now (or joins the one waiting) and resolves with its outcome. */
  reconcileNow(reason = 'request'): Promise<ReconcileOutcome> {
    return this.enqueueReconcile([reason]);
  }

  private scheduleReconcile(reason: string, delayMs = 0): void {
    if (!this.running) return;
    const now = this.clock.now();
    const graceEnd = (this.startedAt ?? 0) + this.options.startupGraceMs;
    const at = Math.max(now + delayMs, graceEnd);
    if (!this.timerReasons.includes(reason)) this.timerReasons.push(reason);
    if (this.reconcileTimer && this.reconcileTimerAt <= at) return;
    if (this.reconcileTimer) clearTimeout(this.reconcileTimer);
    this.reconcileTimerAt = at;
    this.reconcileTimer = setTimeout(() => {
      this.reconcileTimer = undefined;
      void this.enqueueReconcile(this.timerReasons.splice(0));
    }, at - now);
  }

  private enqueueReconcile(reasons: string[]): Promise<ReconcileOutcome> {
    if (this.queuedReasons && this.queuedPass) {
      for (const r of reasons) if (!this.queuedReasons.includes(r)) this.queuedReasons.push(r);
      return this.queuedPass;
    }
    const mine = [...reasons];
    this.queuedReasons = mine;
    this.queuedPass = this.serial.run(() => {
      this.queuedReasons = undefined;
      this.queuedPass = undefined;
      return this.reconcileOnce(mine);
    });
    return this.queuedPass;
  }

  private async reconcileOnce(reasons: string[]): Promise<ReconcileOutcome> {
    const now = this.clock.now();
    if (!this.running || now < (this.startedAt ?? 0) + this.options.startupGraceMs) {
      this.#metrics?.reconcilePasses.inc({ outcome: 'skipped' });
      return { at: now, reasons, skipped: true, actions: [], deferred: [], errors: [] };
    }
    const stopTimer = this.#metrics?.reconcileSeconds.startTimer();
    const apps = this.chain.activeApps();
    const view = this.placement();
    const key = assignmentKey(view.assignment);
    if (key !== this.lastAssignmentKey) {
      this.lastAssignmentKey = key;
      this.log.info({ placement: Object.fromEntries(view.assignment), eligible: view.eligible }, 'placement');
      this.emit('placement', view);
    }
    const byName = new Map(apps.map((a) => [a.name, a]));
    const { outcome, containers } = await reconcilePass(
      {
        runtime: this.runtime,
        backoff: this.backoff,
        log: this.log,
        now: () => this.clock.now(),
        active: () => this.running,
        retryIn: (ms) => this.scheduleReconcile('backoff', ms),
      },
      desiredComponents(this.identity.nodeId, view.assignment, apps),
      byName,
      reasons,
    );
    if (outcome.actions.length > 0 || outcome.errors.length > 0) {
      const { actions, errors } = outcome;
      this.log.info({ count: actions.length, actions, errors, reasons }, 'reconciled');
    }
    if (containers) this.publishReport(containers, byName);
    stopTimer?.();
    this.#countPass(outcome, containers);
    this.lastOutcome = outcome;
    this.emit('reconciled', outcome);
    return outcome;
  }

  #countPass(outcome: ReconcileOutcome, containers: ManagedContainer[] | undefined): void {
    const m = this.#metrics;
    if (!m) return;
    m.reconcilePasses.inc({ outcome: outcome.errors.length > 0 ? 'errors' : 'ok' });
    for (const a of outcome.actions) m.reconcileActions.inc({ kind: a.kind });
    if (containers) m.containers(containers.map((c) => c.state));
  }

  private async followEvents(signal: AbortSignal): Promise<void> {
    while (this.running && !signal.aborted) {
      try {
        for await (const e of this.runtime.events(signal)) {
          if (!EVENT_ACTIONS.has(e.action)) continue;
          this.log.debug({ action: e.action, name: e.name }, 'container event');
          this.scheduleReconcile(`event:${e.action}`, EVENT_DELAY_MS);
        }
      } catch (err) {
        if (signal.aborted) break;
        this.log.debug({ err: (err as Error).message }, 'container events interrupted');
      }
      // The engine went away or closed the stream: follow again shortly.
      await abortableSleep(1000, signal);
    }
  }

  // ---------------------------------------------------------------- gossip out

  /** Sequence numbers grow across restarts too: they follow the clock. */
  private nextSeq(): number {
    this.lastSeq = Math.max(this.lastSeq + 1, this.clock.now());
    return this.lastSeq;
  }

  private sendHeartbeat(): void {
    if (!this.running) return;
    let hb: Heartbeat;
    let bytes: Uint8Array;
    try {
      hb = {
        node: this.identity.nodeId,
        seq: this.nextSeq(),
        time: this.clock.now(),
        height: this.chain.tipHeight(),
        tipHash: this.chain.tipHash(),
        ip: this.identity.ip,
      };
      bytes = encodeHeartbeat(hb, this.identity.operatorPrivateKey);
    } catch (err) {
      this.log.error({ err: (err as Error).message }, 'cannot build a heartbeat');
      return;
    }
    this.peers.heard(hb);
    this.publish(GOSSIP_TOPICS.heartbeat, bytes);
  }

  /** Signs the own benchmark afresh (new time: gossip drops repeated bytes) and gossips it. */
  private publishBenchmark(): void {
    const own = this.ownBenchmark;
    if (!own || !this.running) return;
    const result: BenchmarkResult = { node: this.identity.nodeId, time: this.clock.now(), ...own.figures };
    this.peers.benchmarkReceived(result);
    this.publish(GOSSIP_TOPICS.benchmark, encodeBenchmarkResult(result, this.identity.operatorPrivateKey));
  }

  /** Gossips what runs here when it changed, or when the last report is getting old. */
  private publishReport(containers: ManagedContainer[], apps: ReadonlyMap<string, RegisteredApp>): void {
    const entries: RunningApp[] = [];
    for (const c of containers) {
      if (!HEX64.test(c.specHash) || !REPORTABLE.test(c.app) || !REPORTABLE.test(c.component)) continue;
      const app = apps.get(c.app);
      const ports =
        app?.specHash === c.specHash
          ? (app.spec.components.find((x) => x.name === c.component)?.ports ?? [])
          : [];
      const state = (RUNNING_STATES as readonly string[]).includes(c.state) ? c.state : 'dead';
      entries.push({ name: c.app, specHash: c.specHash, component: c.component, state, ports: [...ports] });
    }
    entries.sort((a, b) => cmp(a.name, b.name) || cmp(a.component, b.component));
    const key = JSON.stringify(entries);
    if (key === this.lastReportKey && this.clock.now() - this.lastReportAt < this.options.republishMs) return;
    this.lastReportKey = key;
    this.sendReport(entries);
  }

  private sendReport(apps: RunningApp[]): void {
    if (!this.running) return;
    const now = this.clock.now();
    const report: RunningReport = { node: this.identity.nodeId, seq: this.nextSeq(), time: now, apps };
    this.lastReportAt = now;
    this.peers.reportReceived(report);
    this.publish(GOSSIP_TOPICS.running, encodeRunningReport(report, this.identity.operatorPrivateKey));
  }

  /** Gossips the own benchmark and report again, for nodes that joined since. */
  private republish(): void {
    if (!this.running) return;
    this.lastRepublishAt = this.clock.now();
    this.publishBenchmark();
    const own = this.peers.reportOf(this.identity.nodeId);
    if (own) this.sendReport(own.apps);
  }

  private publish(topic: GossipTopic, bytes: Uint8Array): void {
    this.gossip.publish(topic, bytes).catch((err) => {
      this.log.debug({ topic: topic.name, err: (err as Error).message }, 'publish failed');
    });
  }

  // ---------------------------------------------------------------- gossip in

  private subscribe(): void {
    if (this.subscribed) return;
    this.subscribed = true;
    const specCheck = (d: Uint8Array) =>
      verifySpecAnnouncement(decodeSpecAnnouncement(d), this.options.appLimits);
    this.listen(
      GOSSIP_TOPICS.heartbeat,
      (d) => this.peers.checkHeartbeat(d),
      (v) => {
        this.#metrics?.heartbeatsReceived.inc();
        this.peers.heard(v);
      },
    );
    this.listen(
      GOSSIP_TOPICS.benchmark,
      (d) => this.peers.checkBenchmark(d),
      (v) => this.peers.benchmarkReceived(v),
    );
    this.listen(
      GOSSIP_TOPICS.running,
      (d) => this.peers.checkReport(d),
      (v) => this.peers.reportReceived(v),
    );
    this.listen(GOSSIP_TOPICS.spec, specCheck, (v) => this.onSpec?.(v));
  }

  /**
   * The validator decodes and verifies: a malformed or forged message is rejected with the score
   * its error carries (0, e.g. a node we do not know yet: ignored); one not for us is ignored. The
   * handler reuses the validator's result when the same bytes arrive.
   */
  private listen<T extends Checked>(
    topic: GossipTopic,
    check: (data: Uint8Array) => T | undefined,
    use: (value: T) => void,
  ): void {
    this.gossip.subscribe(
      topic,
      (data): GossipVerdict => {
        if (!this.running) return ignore('agent-stopped');
        try {
          const value = check(data);
          if (value === undefined) return ignore('not-for-us');
          this.verified.set(data, value);
          return ACCEPT;
        } catch (err) {
          if (err instanceof MessageVerifyError) return refusal(err.rule, err.score);
          if (err instanceof MessageDecodeError) return reject('undecodable');
          this.log.warn(
            { topic: topic.name, err: (err as Error).message },
            'unexpected error checking a message',
          );
          return reject('check-failed');
        }
      },
      (data) => {
        if (!this.running) return;
        let value = this.verified.get(data) as T | undefined;
        if (value === undefined) {
          try {
            value = check(data);
          } catch {
            return;
          }
        }
        if (value !== undefined) use(value);
      },
    );
  }

  private nodesById(): Map<string, NodeRecordView> {
    const list = this.chain.confirmedNodes();
    if (this.nodeCache?.list !== list) {
      const byId = new Map<string, NodeRecordView>();
      for (const n of list) if (!byId.has(n.collateral)) byId.set(n.collateral, n);
      this.nodeCache = { list, byId };
    }
    return this.nodeCache.byId;
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });
}
