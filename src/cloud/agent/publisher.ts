/**
 * What the agent gossips about itself: a signed heartbeat every period, its benchmark result, and
 * a running report when what runs here changed or the last one is getting old. Own messages are
 * recorded in the peer view through the same intake as everybody else's.
 */
import type { BenchmarkFigures } from '../benchmark/check.ts';
import { type BenchmarkResult, encodeBenchmarkResult } from '../messages/benchmark-result.ts';
import { HeartbeatRuns } from './heartbeat-runs.ts';
import {
  encodeRunningReport,
  RUNNING_STATES,
  type RunningApp,
  type RunningReport,
  type SyncEndpoint,
} from '../messages/running-report.ts';
import { type DataRound, dataKey } from '../appdata/data-sync.ts';
import type { RegisteredApp } from '../registry/app-registry.ts';
import type { ManagedContainer } from '../runtime/types.ts';
import type { PeerView } from './peer-view.ts';
import {
  type AgentIdentity,
  type AgentLogger,
  type ChainView,
  type Clock,
  GOSSIP_TOPICS,
  type Gossip,
  type GossipTopic,
} from './types.ts';

const REPORTABLE = /^[\x21-\x7e]{1,64}$/;
const HEX64 = /^[0-9a-f]{64}$/;

export interface PublisherDeps {
  identity: AgentIdentity;
  chain: ChainView;
  gossip: Gossip;
  peers: PeerView;
  clock: Clock;
  log: AgentLogger;
  republishMs: number;
  active: () => boolean;
  ownFigures: () => BenchmarkFigures | undefined;
  /** This node's Syncthing, once known (carried in every running report). */
  syncEndpoint?: () => SyncEndpoint | undefined;
}

export class Publisher {
  readonly #d: PublisherDeps;
  #lastSeq = 0;
  readonly #runs = new HeartbeatRuns();
  #lastReportKey = '';
  #lastReportAt = 0;
  lastRepublishAt = 0;

  constructor(deps: PublisherDeps) {
    this.#d = deps;
  }

  /** Sequence numbers grow across restarts too: they follow the clock. */
  #nextSeq(): number {
    this.#lastSeq = Math.max(this.#lastSeq + 1, this.#runs.lastSeq() + 1, this.#d.clock.now());
    return this.#lastSeq;
  }

  /** The heartbeat due now (its run's next beat, or a new run's signed first). */
  heartbeat(periodMs: number): void {
    const d = this.#d;
    if (!d.active()) return;
    const now = d.clock.now();
    const { nodeId: node, ip } = d.identity;
    const first = () => {
      const tip = { height: d.chain.tipHeight(), tipHash: d.chain.tipHash() };
      return { node, seq: this.#nextSeq(), time: now, ...tip, ip };
    };
    let beat: ReturnType<HeartbeatRuns['next']>;
    try {
      beat = this.#runs.next(now, periodMs, first, d.identity.operatorPrivateKey);
    } catch (err) {
      d.log.error({ err: (err as Error).message }, 'cannot build a heartbeat');
      return;
    }
    d.peers.heard(beat.hb);
    this.#publish(GOSSIP_TOPICS.heartbeat, beat.bytes);
  }

  /** Milliseconds until the next heartbeat is due. */
  heartbeatIn(periodMs: number): number {
    return this.#runs.nextIn(this.#d.clock.now(), periodMs);
  }

  /** Signs the own benchmark afresh (new time: gossip drops repeated bytes) and gossips it. */
  benchmark(): void {
    const figures = this.#d.ownFigures();
    if (!figures || !this.#d.active()) return;
    const { nodeId: node, location } = this.#d.identity;
    const result: BenchmarkResult = {
      node,
      time: this.#d.clock.now(),
      ...figures,
      ...(location ? { location } : {}),
    };
    this.#d.peers.benchmarkReceived(result);
    this.#publish(
      GOSSIP_TOPICS.benchmark,
      encodeBenchmarkResult(result, this.#d.identity.operatorPrivateKey),
    );
  }

  /** Gossips what runs here when it changed, or when the last report is getting old. */
  report(containers: ManagedContainer[], apps: ReadonlyMap<string, RegisteredApp>, data?: DataRound): void {
    const entries = withData(runningEntries(containers, apps), apps, data);
    const key = JSON.stringify([entries, this.#d.syncEndpoint?.()]);
    if (key === this.#lastReportKey && this.#d.clock.now() - this.#lastReportAt < this.#d.republishMs) return;
    this.#lastReportKey = key;
    this.#sendReport(entries);
  }

  /** Gossips the own benchmark and report again, for nodes that joined since. */
  republish(): void {
    if (!this.#d.active()) return;
    this.lastRepublishAt = this.#d.clock.now();
    this.benchmark();
    const own = this.#d.peers.reportOf(this.#d.identity.nodeId);
    if (own) this.#sendReport(own.apps);
  }

  #sendReport(apps: RunningApp[]): void {
    if (!this.#d.active()) return;
    const now = this.#d.clock.now();
    const sync = this.#d.syncEndpoint?.();
    const report: RunningReport = {
      node: this.#d.identity.nodeId,
      seq: this.#nextSeq(),
      time: now,
      apps,
      ...(sync ? { sync } : {}),
    };
    this.#lastReportAt = now;
    this.#d.peers.reportReceived(report);
    this.#publish(GOSSIP_TOPICS.running, encodeRunningReport(report, this.#d.identity.operatorPrivateKey));
  }

  #publish(topic: GossipTopic, bytes: Uint8Array): void {
    this.#d.gossip.publish(topic, bytes).catch((err) => {
      this.#d.log.debug({ topic: topic.name, err: (err as Error).message }, 'publish failed');
    });
  }
}

/** The report's entries: our labelled containers, with the ports their spec gives, sorted. */
function runningEntries(
  containers: ManagedContainer[],
  apps: ReadonlyMap<string, RegisteredApp>,
): RunningApp[] {
  const entries: RunningApp[] = [];
  for (const c of containers) {
    if (!HEX64.test(c.specHash) || !REPORTABLE.test(c.app) || !REPORTABLE.test(c.component)) continue;
    const app = apps.get(c.app);
    const ports =
      app?.specHash === c.specHash
        ? (app.spec.components.find((x) => x.name === c.component)?.ports ?? [])
        : [];
    const state = (RUNNING_STATES as readonly string[]).includes(c.state) ? c.state : 'dead';
    entries.push({
      name: c.app,
      specHash: c.specHash,
      component: c.component,
      state,
      ports: [...ports],
      ...(c.hddEnforced === false ? { hddUnenforced: true } : {}),
    });
  }
  return entries.sort((a, b) => cmp(a.name, b.name) || cmp(a.component, b.component));
}

/** Held components (no container: standby or syncing) added, and each entry's bytes behind. */
function withData(
  entries: RunningApp[],
  apps: ReadonlyMap<string, RegisteredApp>,
  data: DataRound | undefined,
): RunningApp[] {
  if (!data) return entries;
  const out = entries.filter((e) => !data.held.has(dataKey(e.name, e.component)));
  for (const [key, state] of data.held) {
    const [name = '', component = ''] = key.split('/');
    const app = apps.get(name);
    if (!app || !REPORTABLE.test(name) || !REPORTABLE.test(component)) continue;
    out.push({ name, specHash: app.specHash, component, state, ports: [] });
  }
  for (const e of out) {
    const need = data.needBytes.get(dataKey(e.name, e.component));
    if (need) e.needBytes = need;
  }
  return out.sort((a, b) => cmp(a.name, b.name) || cmp(a.component, b.component));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
