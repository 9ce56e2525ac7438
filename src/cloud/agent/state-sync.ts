/**
 * The cloud's signed node state (heartbeats, running reports, benchmark results) fetched, not only
 * gossiped. This wraps the agent's gossip: it remembers the newest accepted message of each node on
 * each state topic, serves them on request, and feeds what it fetches from a peer through the very
 * validator and handler the agent subscribed with, so a fetched heartbeat is judged exactly as a
 * gossiped one (by its signed time, sequence and signature). A node that starts or restarts asks a
 * few peers at once and knows the live set, the reports and the benchmarks without waiting for
 * every node's next broadcast.
 */
import { decodeBenchmarkResult } from '../messages/benchmark-result.ts';
import { decodeHeartbeat } from '../messages/heartbeat.ts';
import { decodeRunningReport } from '../messages/running-report.ts';
import type { GossipResult } from '../../p2p/index.ts';
import { GOSSIP_TOPICS, type Gossip, type GossipTopic, type TopicValidator } from './types.ts';

/** The network as state sync needs it (p2p/P2PHost fits). */
export interface StateSyncNet extends Gossip {
  handle(name: string, handler: (req: Uint8Array, from: string) => Uint8Array[]): void;
  request(
    peer: string,
    name: string,
    req: Uint8Array,
    opts?: { maxItems?: number; maxBytes?: number; timeoutMs?: number },
  ): Promise<Uint8Array[]>;
  penalize(peer: string, points: number, reason: string): void;
  /** The one gossip wrapper (p2p's): judges a fetched copy of a topic's message as a gossiped one. */
  judge(topic: GossipTopic, data: Uint8Array, from: string, validator: TopicValidator): Promise<GossipResult>;
  peers(): { id: string }[];
  onPeerConnect(fn: (peer: string) => void): void;
}

export interface StateSyncOptions {
  /** Messages older than this (by their signed time) are not served (default 10 minutes). */
  maxAgeMs?: number;
  /** Peers asked after the agent subscribes (default 3). */
  fetchPeers?: number;
  /** Nodes remembered per topic (default 20,000: above the whole Flux network). */
  maxNodes?: number;
  now?: () => number;
  log?: (obj: object, msg: string) => void;
}

export const STATE_PROTOCOL = 'cloud-state';
/** The topics whose newest message per node is the state; index = the topic byte on the wire. */
const STATE_TOPICS = [GOSSIP_TOPICS.heartbeat, GOSSIP_TOPICS.running, GOSSIP_TOPICS.benchmark] as const;
/** Who signed a state message and when, by topic index. */
const SIGNER: readonly ((b: Uint8Array) => { node: string; time: number })[] = [
  (b) => decodeHeartbeat(b).body,
  (b) => decodeRunningReport(b).body,
  (b) => decodeBenchmarkResult(b).body,
];
const MAX_ITEM_BYTES = 64_000;
const MAX_REPLY_ITEMS = 60_000;
/** How long after the agent starts each newly connected peer is asked for its state. */
const FRESH_MS = 60_000;

type Validator = TopicValidator;
type Handler = (data: Uint8Array, from: string) => void;

export class StateSync implements Gossip {
  readonly #net: StateSyncNet;
  readonly #o: Required<Omit<StateSyncOptions, 'log'>>;
  readonly #log: (obj: object, msg: string) => void;
  readonly #subs = new Map<string, { validator: Validator; handler: Handler }>();
  /** Per topic index: node → newest accepted message and its signed time. */
  readonly #latest = STATE_TOPICS.map(() => new Map<string, { time: number; bytes: Uint8Array }>());
  #fetchScheduled = false;
  #subscribedAt = 0;

  constructor(net: StateSyncNet, opts: StateSyncOptions = {}) {
    this.#net = net;
    this.#o = { maxAgeMs: 600_000, fetchPeers: 3, maxNodes: 20_000, now: Date.now, ...opts };
    this.#log = opts.log ?? (() => {});
  }

  /** Serves the remembered state. Call before the host starts. */
  install(): void {
    this.#net.handle(STATE_PROTOCOL, () => this.#serve());
  }

  async publish(topic: GossipTopic, data: Uint8Array): Promise<void> {
    this.#remember(topic, data);
    await this.#net.publish(topic, data);
  }

  subscribe(topic: GossipTopic, validator: Validator, handler: Handler): void {
    this.#subs.set(topic.name, { validator, handler });
    this.#net.subscribe(
      topic,
      async (data, from) => {
        const verdict = await validator(data, from);
        if (verdict.result === 'accept') this.#remember(topic, data);
        return verdict;
      },
      handler,
    );
    // The agent subscribes when it starts: fetch once all its topics are in place.
    if (STATE_TOPICS.some((t) => t.name === topic.name) && !this.#fetchScheduled) {
      this.#fetchScheduled = true;
      this.#subscribedAt = this.#o.now();
      setTimeout(() => void this.fetchFromPeers(), 0).unref();
      // Peers that arrive while this node is new (or was alone) are asked too.
      this.#net.onPeerConnect((peer) => {
        if (this.#o.now() - this.#subscribedAt < FRESH_MS) void this.fetch(peer);
      });
    }
  }

  /** Asks up to `fetchPeers` connected peers for their state; resolves with how many were accepted. */
  async fetchFromPeers(): Promise<number> {
    const peers = this.#net.peers().map((p) => p.id);
    const picks = peers.sort(() => Math.random() - 0.5).slice(0, this.#o.fetchPeers);
    const counts = await Promise.all(picks.map((p) => this.fetch(p)));
    return counts.reduce((a, b) => a + b, 0);
  }

  /** Fetches `peer`'s state and passes each message through the subscribed validator and handler. */
  async fetch(peer: string): Promise<number> {
    let items: Uint8Array[];
    try {
      items = await this.#net.request(peer, STATE_PROTOCOL, new Uint8Array(0), {
        maxItems: MAX_REPLY_ITEMS,
        maxBytes: 32_000_000,
        timeoutMs: 15_000,
      });
    } catch (err) {
      this.#log({ peer, err: (err as Error).message }, 'state fetch failed');
      return 0;
    }
    let accepted = 0;
    for (const item of items) {
      const topic = STATE_TOPICS[item[0] ?? 255];
      const sub = topic && this.#subs.get(topic.name);
      if (!sub) continue; // a topic we do not follow (or a newer kind): not ours to judge
      const data = item.subarray(1);
      // Judged by the one gossip wrapper, as if it had come by gossip (it charges a rejection).
      const result = await this.#net.judge(topic, data, peer, sub.validator);
      if (result === 'accept') {
        this.#remember(topic, data);
        sub.handler(data, peer);
        accepted++;
      } else if (result === 'reject') break;
    }
    return accepted;
  }

  #remember(topic: GossipTopic, data: Uint8Array): void {
    const i = STATE_TOPICS.findIndex((t) => t.name === topic.name);
    const signerOf = SIGNER[i];
    const map = this.#latest[i];
    if (!signerOf || !map || data.length > MAX_ITEM_BYTES) return;
    let signer: { node: string; time: number };
    try {
      signer = signerOf(data);
    } catch {
      return;
    }
    const prev = map.get(signer.node);
    if (prev && prev.time >= signer.time) return;
    if (!prev && map.size >= this.#o.maxNodes) this.#evictOldest(map);
    map.set(signer.node, { time: signer.time, bytes: data });
  }

  #evictOldest(map: Map<string, { time: number }>): void {
    let oldest: string | undefined;
    let t = Number.POSITIVE_INFINITY;
    for (const [node, e] of map) if (e.time < t) [oldest, t] = [node, e.time];
    if (oldest !== undefined) map.delete(oldest);
  }

  /** Every remembered message young enough, each prefixed by its topic byte. */
  #serve(): Uint8Array[] {
    const since = this.#o.now() - this.#o.maxAgeMs;
    const out: Uint8Array[] = [];
    this.#latest.forEach((map, i) => {
      for (const { time, bytes } of map.values()) {
        if (time < since || out.length >= MAX_REPLY_ITEMS) continue;
        const item = new Uint8Array(bytes.length + 1);
        item[0] = i;
        item.set(bytes, 1);
        out.push(item);
      }
    });
    return out;
  }
}
