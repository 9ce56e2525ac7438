import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { gossipsub } from '@libp2p/gossipsub';
import { identify } from '@libp2p/identify';
import type { Connection, PeerId, PrivateKey, Stream } from '@libp2p/interface';
import { ping } from '@libp2p/ping';
import { tcp } from '@libp2p/tcp';
import { lpStream } from '@libp2p/utils';
import { multiaddr } from '@multiformats/multiaddr';
import { sha256 } from '@noble/hashes/sha2.js';
import { createLibp2p, type Libp2p } from 'libp2p';
import { loadOrCreatePeerKey } from './identity.ts';
import { PeerScores, RateLimiter } from './peer-score.ts';

export type GossipVerdict = 'accept' | 'ignore' | 'reject';
export type TopicValidator = (data: Uint8Array, from: string) => Promise<GossipVerdict> | GossipVerdict;
export type RequestHandler = (request: Uint8Array, from: string) => Promise<Uint8Array[]> | Uint8Array[];

export interface P2PHostOptions {
  /** Network name: topics and protocols are namespaced by it so networks never mix. */
  network: string;
  host: string;
  port: number;
  /** Multiaddrs (with /p2p/<id>) or host:port of peers to keep connected to. */
  bootstrap: string[];
  keyFile?: string;
  privateKey?: PrivateKey;
  /** Largest gossip message and request/response item accepted. */
  maxMessageBytes?: number;
  /** Requests a peer may make per second on each protocol (with a burst of 4×). */
  requestRate?: number;
}

const STATUS_OK = 0;
const STATUS_ERROR = 1;

/**
 * One node's libp2p endpoint: TCP + noise + yamux, identify and ping, gossipsub topics with
 * validation before relay, and request/response protocols with rate limits. Peers that send
 * invalid data lose score and are cut off once over the threshold.
 */
export class P2PHost {
  readonly opts: P2PHostOptions;
  readonly scores = new PeerScores({ banThreshold: 100, banMs: 10 * 60_000, decayPerMinute: 10 });
  private libp2p:
    | Libp2p<{ pubsub: ReturnType<ReturnType<typeof gossipsub>>; identify: unknown; ping: unknown }>
    | undefined;
  private readonly validators = new Map<string, TopicValidator>();
  private readonly handlers = new Map<string, RequestHandler>();
  private readonly subscribers = new Map<string, ((data: Uint8Array, from: string) => void)[]>();
  private readonly limiter: RateLimiter;
  private redial: ReturnType<typeof setInterval> | undefined;
  private readonly connectListeners: ((peer: string) => void)[] = [];
  /** Peers refused by the operator (or a partition test), whatever their score. */
  private readonly blocked = new Set<string>();

  constructor(opts: P2PHostOptions) {
    this.opts = opts;
    const rate = opts.requestRate ?? 50;
    this.limiter = new RateLimiter(rate, rate * 4);
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
    this.libp2p = await createLibp2p({
      ...(privateKey ? { privateKey } : {}),
      addresses: { listen: [`/ip4/${this.opts.host}/tcp/${this.opts.port}`] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      connectionGater: {
        // Loopback and private addresses are where devnets and LANs live: allow them.
        denyDialMultiaddr: () => false,
        denyDialPeer: (peerId: PeerId) => this.refuses(peerId.toString()),
        denyInboundEncryptedConnection: (peerId: PeerId) => this.refuses(peerId.toString()),
        denyOutboundEncryptedConnection: (peerId: PeerId) => this.refuses(peerId.toString()),
      },
      connectionManager: { maxConnections: 64 },
      services: {
        identify: identify(),
        ping: ping(),
        pubsub: gossipsub({
          allowPublishToZeroTopicPeers: true,
          emitSelf: false,
          // Content-addressed ids: the same block from two publishers is one message.
          msgIdFn: (msg) => sha256(msg.data),
          maxInboundDataLength: this.maxMessageBytes + 64 * 1024,
          heartbeatInterval: 500,
        }),
      },
    });
    const pubsub = this.libp2p.services.pubsub;
    pubsub.addEventListener('message', (evt) => {
      const msg = evt.detail;
      const from = msg.type === 'signed' ? msg.from.toString() : 'unknown';
      for (const fn of this.subscribers.get(msg.topic) ?? []) fn(msg.data, from);
    });
    this.libp2p.addEventListener('peer:connect', (evt) => {
      const peer = evt.detail.toString();
      for (const fn of this.connectListeners) fn(peer);
    });
    for (const [topic, validator] of this.validators) this.installValidator(topic, validator);
    for (const topic of this.subscribers.keys()) pubsub.subscribe(topic);
    for (const [name, handler] of this.handlers) this.installHandler(name, handler);
    await this.dialBootstrap();
    this.redial = setInterval(() => void this.dialBootstrap(), 3000);
    this.redial.unref();
  }

  async stop(): Promise<void> {
    if (this.redial) clearInterval(this.redial);
    await this.libp2p?.stop();
    this.libp2p = undefined;
  }

  onPeerConnect(fn: (peer: string) => void): void {
    this.connectListeners.push(fn);
  }

  /** Subscribes to `name`; every message is validated first, and only accepted ones reach `handler`. */
  subscribe(
    name: string,
    validator: TopicValidator,
    handler: (data: Uint8Array, from: string) => void = () => {},
  ): void {
    const topic = this.topic(name);
    this.validators.set(topic, validator);
    const list = this.subscribers.get(topic) ?? [];
    list.push(handler);
    this.subscribers.set(topic, list);
    if (this.libp2p) {
      this.installValidator(topic, validator);
      this.libp2p.services.pubsub.subscribe(topic);
    }
  }

  async publish(name: string, data: Uint8Array): Promise<void> {
    if (data.length > this.maxMessageBytes)
      throw new Error(`message of ${data.length} bytes exceeds ${this.maxMessageBytes}`);
    try {
      await this.node().services.pubsub.publish(this.topic(name), data);
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
        if (!this.limiter.take(`${from}|${name}`)) {
          this.penalize(from, 5, `rate limit on ${name}`);
          await lp.write(encodeStatus(STATUS_ERROR, 1));
          await lp.write(new TextEncoder().encode('rate limited'));
          return;
        }
        const request = (await lp.read({ signal: AbortSignal.timeout(10_000) })).subarray();
        let items: Uint8Array[];
        try {
          items = await handler(request, from);
        } catch (err) {
          this.penalize(from, 10, `bad ${name} request: ${(err as Error).message}`);
          await lp.write(encodeStatus(STATUS_ERROR, 1));
          await lp.write(new TextEncoder().encode((err as Error).message));
          return;
        }
        await lp.writeV([encodeStatus(STATUS_OK, items.length), ...items]);
      } catch (err) {
        this.penalize(from, 20, `protocol error on ${name}: ${(err as Error).message}`);
        stream.abort(err as Error);
        return;
      }
      await stream.close().catch(() => {});
    });
  }

  async request(peer: string, name: string, request: Uint8Array, timeoutMs = 15_000): Promise<Uint8Array[]> {
    const signal = AbortSignal.timeout(timeoutMs);
    const conn = this.node()
      .getConnections()
      .find((c) => c.remotePeer.toString() === peer);
    if (!conn) throw new Error(`not connected to ${peer}`);
    const stream = await conn.newStream(this.protocol(name), { signal });
    const lp = lpStream(stream, { maxDataLength: this.maxMessageBytes });
    try {
      await lp.write(request, { signal });
      const head = (await lp.read({ signal })).subarray();
      const { status, count } = decodeStatus(head);
      if (count > 10_000) throw new Error(`peer announced ${count} items`);
      const items: Uint8Array[] = [];
      for (let i = 0; i < count; i++) items.push((await lp.read({ signal })).subarray());
      if (status !== STATUS_OK)
        throw new Error(`${peer} refused ${name}: ${new TextDecoder().decode(items[0] ?? new Uint8Array())}`);
      return items;
    } finally {
      await stream
        .close({ signal: AbortSignal.timeout(2000) })
        .catch(() => stream.abort(new Error('close failed')));
    }
  }

  penalize(peer: string, points: number, reason: string): void {
    if (this.scores.penalize(peer, points, reason)) {
      const node = this.libp2p;
      if (!node) return;
      for (const c of node.getConnections()) {
        if (c.remotePeer.toString() === peer) void c.close().catch(() => c.abort(new Error('banned')));
      }
    }
  }

  /** Refuses `peer` until `unblock`: hangs up now and refuses every later connection either way. */
  block(peer: string): void {
    this.blocked.add(peer);
    for (const c of this.libp2p?.getConnections() ?? []) {
      if (c.remotePeer.toString() === peer) void c.close().catch(() => c.abort(new Error('blocked')));
    }
  }

  unblock(peer: string): void {
    this.blocked.delete(peer);
  }

  private refuses(peer: string): boolean {
    return this.blocked.has(peer) || this.scores.isBanned(peer);
  }

  peers(): { id: string; addr: string }[] {
    if (!this.libp2p) return [];
    const seen = new Map<string, string>();
    for (const c of this.libp2p.getConnections()) seen.set(c.remotePeer.toString(), c.remoteAddr.toString());
    return [...seen].map(([id, addr]) => ({ id, addr }));
  }

  private installValidator(topic: string, validator: TopicValidator): void {
    const pubsub = this.node().services.pubsub;
    pubsub.topicValidators.set(topic, async (peerId, msg) => {
      const from = peerId.toString();
      let verdict: GossipVerdict;
      try {
        verdict = msg.data.length > this.maxMessageBytes ? 'reject' : await validator(msg.data, from);
      } catch {
        verdict = 'reject';
      }
      if (verdict === 'reject') this.penalize(from, 25, `invalid message on ${topic}`);
      return verdict as never;
    });
  }

  private async dialBootstrap(): Promise<void> {
    const node = this.libp2p;
    if (!node) return;
    const connected = new Set(node.getConnections().map((c) => c.remoteAddr.toString()));
    await Promise.all(
      this.opts.bootstrap.map(async (addr) => {
        const ma = toMultiaddr(addr);
        if (connected.has(ma) || [...connected].some((c) => ma.startsWith(c))) return;
        await node.dial(multiaddr(ma), { signal: AbortSignal.timeout(3000) }).catch(() => {});
      }),
    );
  }

  private node(): NonNullable<P2PHost['libp2p']> {
    if (!this.libp2p) throw new Error('p2p host is not started');
    return this.libp2p;
  }
}

function toMultiaddr(addr: string): string {
  if (addr.startsWith('/')) return addr;
  const [host, port] = addr.split(':');
  return `/ip4/${host}/tcp/${port}`;
}

function encodeStatus(status: number, count: number): Uint8Array {
  const b = new Uint8Array(5);
  b[0] = status;
  new DataView(b.buffer).setUint32(1, count, true);
  return b;
}

function decodeStatus(b: Uint8Array): { status: number; count: number } {
  if (b.length !== 5) throw new Error(`bad response header of ${b.length} bytes`);
  return { status: b[0], count: new DataView(b.buffer, b.byteOffset, 5).getUint32(1, true) };
}
