import type { Connection, PeerId, Stream } from '@libp2p/interface';
import { lpStream } from '@libp2p/utils';
import { type Multiaddr, multiaddr } from '@multiformats/multiaddr';
import pino, { type Logger } from 'pino';
import {
  type GossipResult,
  type GossipTopic,
  GossipValidation,
  type TopicValidator,
} from './gossip-validation.ts';
import { loadOrCreatePeerKey } from './identity.ts';
import type { P2PMetrics } from './metrics.ts';
import { PeerDiscovery } from './discovery.ts';
import { PeerBook } from './peer-book.ts';
import { PeerScores, RateLimiter } from './peer-score.ts';
import type { RequestHandler, RequestOptions } from './request.ts';
import { closeConnectionsTo, type HostLibp2p, ipOf } from './libp2p-connections.ts';
import type { P2PHostOptions } from './host-options.ts';
import {
  type AnswerContext,
  answerRequest,
  FRAMING_ERRORS,
  REPLY_DEADLINE_MS,
  sendRequest,
} from './request-wire.ts';

export type { P2PHostOptions } from './host-options.ts';
export type { RequestHandler, RequestOptions } from './request.ts';

/** Inbound connections accepted at most: the rest of the 64 connections is for outbound ones. */
const MAX_INBOUND = 48;

/**
 * One node's libp2p endpoint: TCP + noise + yamux, identify and ping, gossipsub topics with
 * validation before relay, and request/response protocols with rate limits. Peers that send
 * invalid data lose score and are cut off once over the threshold.
 */
export class P2PHost {
  readonly opts: P2PHostOptions;
  readonly scores = new PeerScores({ banThreshold: 100, banMs: 10 * 60_000, decayPerMinute: 10 });
  private libp2p: HostLibp2p | undefined;
  private readonly validators = new Map<string, { topic: GossipTopic; validator: TopicValidator }>();
  private readonly handlers = new Map<string, RequestHandler>();
  private readonly subscribers = new Map<string, ((data: Uint8Array, from: string) => void)[]>();
  private readonly limiter: RateLimiter;
  readonly discovery: PeerDiscovery;
  private readonly connectListeners: ((peer: string) => void)[] = [];
  /** Peers refused by the operator (or a partition test), whatever their score. */
  private readonly blocked = new Set<string>();
  /** IP addresses refused by the operator (`setban`): no dial to them, no connection from a peer there. */
  private readonly bannedIps = new Set<string>();
  /** Judges every gossip message, penalizes rejections and counts verdicts by topic. */
  readonly gossip = new GossipValidation((peer, points, reason) => this.penalize(peer, points, reason));
  readonly #tallies = { requestsServed: 0, requestsRefused: 0, handlerFailures: 0 };
  readonly #metrics: P2PMetrics | null;
  readonly #log: Logger;
  readonly #requests: AnswerContext = {
    take: (key) => this.limiter.take(key),
    count: (name, result) => this.#count(name, result),
    penalize: (peer, points, reason) => this.penalize(peer, points, reason),
  };

  constructor(opts: P2PHostOptions) {
    this.opts = opts;
    this.#metrics = opts.metrics ?? null;
    this.#log = opts.log ?? pino({ level: 'silent' });
    this.#metrics?.watchPeers(() => this.peers().length);
    this.#metrics?.watchGossip(() => this.gossip.byTopic());
    const rate = opts.requestRate ?? 50;
    this.limiter = new RateLimiter(rate, rate * 4);
    this.discovery = new PeerDiscovery(this, new PeerBook({ file: opts.peerBookFile }), {
      bootstrap: opts.bootstrap,
      chainPeers: opts.chainPeers,
      ...(opts.targetOutbound === undefined ? {} : { targetOutbound: opts.targetOutbound }),
      log: (obj, msg) => this.#log.debug(obj, msg),
    });
    this.discovery.install();
    this.#metrics?.watchDiscovery(
      () =>
        new Set(
          this.connections()
            .filter((c) => c.direction === 'outbound')
            .map((c) => c.peer),
        ).size,
      () => this.discovery.book.size,
    );
  }

  /** What arrived, by outcome: for status pages, and for tests that count what a flood cost. */
  get counters() {
    const g = this.gossip.totals();
    return {
      gossipAccepted: g.accept,
      gossipIgnored: g.ignore,
      gossipRejected: g.reject,
      ...this.#tallies,
    };
  }

  get maxMessageBytes(): number {
    return this.opts.maxMessageBytes ?? 4_000_000;
  }

  topic(name: string): string {
    return `/flux/${this.opts.network}/${name}/1`;
  }

  protocol(name: string): string {
    return `/flux/${this.opts.network}/req/${name}/1`;
  }

  get peerId(): string {
    return this.node().peerId.toString();
  }

  get multiaddrs(): string[] {
    return this.node()
      .getMultiaddrs()
      .map((m) => m.toString());
  }

  async start(): Promise<void> {
    const privateKey =
      this.opts.privateKey ?? (this.opts.keyFile ? await loadOrCreatePeerKey(this.opts.keyFile) : undefined);
    const { createHostLibp2p } = await import('./host-libp2p.ts');
    this.libp2p = await createHostLibp2p(this.opts, privateKey, this.maxMessageBytes, {
      bannedIps: this.bannedIps,
      refuses: (peer) => this.refuses(peer),
      refusesAt: (peerId, remote) => this.refusesAt(peerId, remote),
      inboundFull: () => this.#inboundCount() >= this.#maxInbound(),
    });
    const pubsub = this.libp2p.services.pubsub;
    pubsub.addEventListener('message', (evt) => {
      const msg = evt.detail;
      const from = msg.type === 'signed' ? msg.from.toString() : 'unknown';
      for (const fn of this.subscribers.get(msg.topic) ?? []) {
        // A listener's bug must not escape into libp2p's event dispatch (it would end the process).
        try {
          fn(msg.data, from);
        } catch (err) {
          this.#tallies.handlerFailures++;
          this.#log.error({ err, topic: msg.topic, from }, 'gossip listener failed');
        }
      }
    });
    // The gater above refuses early, but dials that arrive together all pass it: the one that opens
    // past the limit is closed here.
    this.libp2p.addEventListener('connection:open', (evt) => {
      const c = evt.detail;
      if (c.direction === 'inbound' && this.#inboundCount() > this.#maxInbound())
        void c.close().catch(() => c.abort(new Error('inbound limit')));
    });
    this.libp2p.addEventListener('peer:identify', (evt) => {
      const { peerId, listenAddrs, connection } = evt.detail;
      const listen = listenAddrs.map((a) => a.toString());
      this.discovery.identified(
        peerId.toString(),
        listen,
        connection.remoteAddr.toString(),
        connection.direction,
      );
    });
    this.libp2p.addEventListener('peer:connect', (evt) => {
      const peer = evt.detail.toString();
      this.#metrics?.peerConnects.inc();
      this.#log.info({ peer }, 'peer connected');
      for (const fn of this.connectListeners) fn(peer);
    });
    this.libp2p.addEventListener('peer:disconnect', (evt) => {
      this.#metrics?.peerDisconnects.inc();
      this.#log.info({ peer: evt.detail.toString() }, 'peer disconnected');
    });
    for (const [name, v] of this.validators) this.installValidator(name, v.topic, v.validator);
    for (const topic of this.subscribers.keys()) pubsub.subscribe(topic);
    for (const [name, handler] of this.handlers) this.installHandler(name, handler);
    this.discovery.start();
  }

  async stop(): Promise<void> {
    this.discovery.stop();
    await this.libp2p?.stop();
    this.libp2p = undefined;
  }

  onPeerConnect(fn: (peer: string) => void): void {
    this.connectListeners.push(fn);
  }

  /**
   * Subscribes to `topic`; every message is judged by `validator` through the one gossip wrapper,
   * and only accepted ones reach `handler`.
   */
  subscribe(
    topic: GossipTopic,
    validator: TopicValidator,
    handler: (data: Uint8Array, from: string) => void = () => {},
  ): void {
    const name = this.topic(topic.name);
    this.validators.set(name, { topic, validator });
    const list = this.subscribers.get(name) ?? [];
    list.push(handler);
    this.subscribers.set(name, list);
    if (this.libp2p) {
      this.installValidator(name, topic, validator);
      this.libp2p.services.pubsub.subscribe(name);
    }
  }

  async publish(topic: GossipTopic, data: Uint8Array): Promise<void> {
    const limit = Math.min(topic.maxBytes, this.maxMessageBytes);
    if (data.length > limit)
      throw new Error(`message of ${data.length} bytes on ${topic.name} exceeds ${limit}`);
    try {
      await this.node().services.pubsub.publish(this.topic(topic.name), data);
    } catch (err) {
      // Publishing what we already published (same content id) is not an error worth surfacing.
      if (!/duplicate/i.test((err as Error).message)) throw err;
    }
  }

  /** Serves `name`: each request is one length-prefixed message, answered by a status and items. */
  handle(name: string, handler: RequestHandler): void {
    this.handlers.set(name, handler);
    if (this.libp2p) this.installHandler(name, handler);
  }

  private installHandler(name: string, handler: RequestHandler): void {
    const protocol = this.protocol(name);
    void this.node().handle(protocol, async (stream: Stream, connection: Connection) => {
      const from = connection.remotePeer.toString();
      const lp = lpStream(stream, { maxDataLength: this.maxMessageBytes });
      try {
        const reply = await answerRequest(this.#requests, name, handler, from, lp);
        // A peer that does not take its reply in time holds the stream (and the reply) no longer.
        const signal = AbortSignal.timeout(REPLY_DEADLINE_MS);
        await lp.writeV(reply, { signal });
        await stream.close({ signal });
      } catch (err) {
        this.#count(name, 'refused');
        // Broken framing is never honest; a timeout or a reset can be (a busy or departing peer).
        // Streams of a peer just banned fail as we hang up on it: nothing more to count.
        const e = err as Error;
        if (!this.scores.isBanned(from)) {
          if (FRAMING_ERRORS.has(e.name)) this.penalize(from, 20, `malformed ${name} request: ${e.message}`);
          else if (e.name === 'UnexpectedEOFError') this.penalize(from, 10, `${name} request cut short`);
        }
        stream.abort(e);
      }
    });
  }

  /** Counts one request answered or refused, in the tallies and the metrics. */
  #count(name: string, result: 'served' | 'refused'): void {
    if (result === 'served') this.#tallies.requestsServed++;
    else this.#tallies.requestsRefused++;
    this.#metrics?.requests.inc({ protocol: name, result });
  }

  /**
   * Sends one request to `peer` and reads the reply: at most `maxItems` items and `maxBytes` in all.
   * A reply that breaks the framing costs the peer points; a refusal, a timeout or a dropped
   * stream does not (honest peers have those too).
   */
  async request(
    peer: string,
    name: string,
    request: Uint8Array,
    opts: RequestOptions = {},
  ): Promise<Uint8Array[]> {
    const penalize = (p: string, points: number, reason: string) => this.penalize(p, points, reason);
    return sendRequest(
      this.node(),
      this.protocol(name),
      this.maxMessageBytes,
      penalize,
      peer,
      name,
      request,
      opts,
    );
  }

  penalize(peer: string, points: number, reason: string): void {
    // The reason may quote what the peer sent: debug only.
    this.#log.debug({ peer, points, reason }, 'peer penalized');
    if (this.scores.penalize(peer, points, reason)) {
      this.#metrics?.peerBans.inc();
      this.#log.warn({ peer, points }, 'peer banned');
      closeConnectionsTo(this.libp2p, peer, 'banned');
    }
  }

  /** Closes every connection to `peer`, without blame (it may connect again). */
  hangUp(peer: string): void {
    closeConnectionsTo(this.libp2p, peer, 'hung up');
  }

  /** Refuses `peer` until `unblock`: hangs up now and refuses every later connection either way. */
  block(peer: string): void {
    this.blocked.add(peer);
    closeConnectionsTo(this.libp2p, peer, 'blocked');
  }

  unblock(peer: string): void {
    this.blocked.delete(peer);
  }

  private refuses(peer: string): boolean {
    return this.blocked.has(peer) || this.scores.isBanned(peer);
  }

  /**
   * Bans an IP address (fluxd's `setban IP add`): hangs up on every peer there now and refuses it
   * later. A peer is "there" when it listens there (identify told us) or its connection comes from
   * there: on one host every peer dials from the same loopback source, so the listen address is
   * what tells peers apart.
   */
  async banAddress(ip: string): Promise<void> {
    this.bannedIps.add(ip);
    for (const c of this.libp2p?.getConnections() ?? []) {
      if (await this.refusesAt(c.remotePeer, c.remoteAddr)) {
        void c.close().catch(() => c.abort(new Error('banned address')));
      }
    }
  }

  unbanAddress(ip: string): boolean {
    return this.bannedIps.delete(ip);
  }

  bannedAddresses(): string[] {
    return [...this.bannedIps].sort();
  }

  private async refusesAt(peerId: PeerId, remote?: Multiaddr): Promise<boolean> {
    if (this.refuses(peerId.toString())) return true;
    if (this.bannedIps.size === 0) return false;
    if (remote && this.bannedIps.has(ipOf(remote) ?? '')) return true;
    const known = await this.libp2p?.peerStore.get(peerId).catch(() => undefined);
    return (known?.addresses ?? []).some((a) => this.bannedIps.has(ipOf(a.multiaddr) ?? ''));
  }

  #inboundCount(): number {
    return (this.libp2p?.getConnections() ?? []).filter((c) => c.direction === 'inbound').length;
  }

  #maxInbound(): number {
    return this.opts.maxInbound ?? MAX_INBOUND;
  }

  /** Every open connection: remote peer, its address, and who dialed. */
  connections(): { peer: string; addr: string; direction: 'inbound' | 'outbound' }[] {
    return (this.libp2p?.getConnections() ?? []).map((c) => ({
      peer: c.remotePeer.toString(),
      addr: c.remoteAddr.toString(),
      direction: c.direction,
    }));
  }

  /** Dials an address (with /p2p/<id> when known); resolves with the remote peer id. */
  async dial(addr: string, timeoutMs: number): Promise<string> {
    const conn = await this.node().dial(multiaddr(addr), { signal: AbortSignal.timeout(timeoutMs) });
    return conn.remotePeer.toString();
  }

  peers(): { id: string; addr: string }[] {
    if (!this.libp2p) return [];
    const seen = new Map<string, string>();
    for (const c of this.libp2p.getConnections()) seen.set(c.remotePeer.toString(), c.remoteAddr.toString());
    return [...seen].map(([id, addr]) => ({ id, addr }));
  }

  private installValidator(name: string, topic: GossipTopic, validator: TopicValidator): void {
    const pubsub = this.node().services.pubsub;
    pubsub.topicValidators.set(
      name,
      async (peerId, msg) => (await this.judge(topic, msg.data, peerId.toString(), validator)) as never,
    );
  }

  /**
   * Judges one message of `topic` through the gossip wrapper: what gossipsub delivers, and a copy
   * of a topic's message fetched by request (mempool, cloud state) alike, so a verdict costs the
   * sender the same points however the message came.
   */
  async judge(
    topic: GossipTopic,
    data: Uint8Array,
    from: string,
    validator: TopicValidator,
  ): Promise<GossipResult> {
    const bounded = { ...topic, maxBytes: Math.min(topic.maxBytes, this.maxMessageBytes) };
    return this.gossip.judge(bounded, data, from, validator);
  }

  private node(): NonNullable<P2PHost['libp2p']> {
    if (!this.libp2p) throw new Error('p2p host is not started');
    return this.libp2p;
  }
}
