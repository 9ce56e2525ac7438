/**
 * A misbehaving libp2p peer for abuse tests: the same transport stack as P2PHost (tcp, noise,
 * yamux, identify, gossipsub), but none of its checks. It can publish anything on any topic, open
 * request streams and write raw bytes on them, and answer requests with malformed frames.
 */
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { gossipsub } from '@libp2p/gossipsub';
import { identify } from '@libp2p/identify';
import type { Stream } from '@libp2p/interface';
import { tcp } from '@libp2p/tcp';
import { multiaddr } from '@multiformats/multiaddr';
import { sha256 } from '@noble/hashes/sha2.js';
import { createLibp2p, type Libp2p } from 'libp2p';

export type HostileNode = Libp2p<{ pubsub: ReturnType<ReturnType<typeof gossipsub>>; identify: unknown }>;

export class HostilePeer {
  readonly network: string;
  readonly node: HostileNode;

  private constructor(network: string, node: HostileNode) {
    this.network = network;
    this.node = node;
  }

  static async start(network: string, host: string): Promise<HostilePeer> {
    const node = await createLibp2p({
      addresses: { listen: [`/ip4/${host}/tcp/0`] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      connectionGater: { denyDialMultiaddr: () => false },
      services: {
        identify: identify(),
        pubsub: gossipsub({
          allowPublishToZeroTopicPeers: true,
          msgIdFn: (msg) => sha256(msg.data),
          globalSignaturePolicy: 'StrictNoSign',
          // It sends what it likes, larger than honest peers accept.
          maxInboundDataLength: 64_000_000,
          maxOutboundBufferSize: 256_000_000,
          heartbeatInterval: 500,
        }),
      },
    });
    return new HostilePeer(network, node);
  }

  get peerId(): string {
    return this.node.peerId.toString();
  }

  topic(name: string): string {
    return `/flux/${this.network}/${name}/1`;
  }

  protocol(name: string): string {
    return `/flux/${this.network}/req/${name}/1`;
  }

  async dial(addr: string): Promise<void> {
    await this.node.dial(multiaddr(addr), { signal: AbortSignal.timeout(5000) });
  }

  /** Subscribes (so honest peers see it in the topic and graft it into their mesh). */
  join(name: string): void {
    this.node.services.pubsub.subscribe(this.topic(name));
  }

  /** Peers that told us they subscribe to `name`. */
  subscribers(name: string): string[] {
    return this.node.services.pubsub.getSubscribers(this.topic(name)).map((p) => p.toString());
  }

  connected(peer: string): boolean {
    return this.node.getConnections().some((c) => c.remotePeer.toString() === peer);
  }

  async publish(name: string, data: Uint8Array): Promise<void> {
    await this.node.services.pubsub.publish(this.topic(name), data).catch(() => {});
  }

  /** Opens a request stream to `peer` on protocol `name`. */
  async openRequest(peer: string, name: string): Promise<Stream> {
    const conn = this.node.getConnections().find((c) => c.remotePeer.toString() === peer);
    if (!conn) throw new Error(`hostile peer is not connected to ${peer}`);
    return conn.newStream(this.protocol(name), { signal: AbortSignal.timeout(5000) });
  }

  /**
   * Writes `bytes` raw on a new request stream, half-closes it, and reads whatever comes back
   * until the other side closes or resets (or `ms` passes). Returns the bytes read and how it ended.
   */
  async rawRequest(
    peer: string,
    name: string,
    bytes: Uint8Array,
    ms = 5000,
  ): Promise<{ reply: Uint8Array; ended: 'closed' | 'reset' | 'timeout' }> {
    const stream = await this.openRequest(peer, name);
    const chunks: Uint8Array[] = [];
    stream.send(bytes);
    // close() ends our writing side only; the reply can still arrive.
    await stream.close().catch(() => {});
    const ended = await new Promise<'closed' | 'reset' | 'timeout'>((resolve) => {
      const timer = setTimeout(() => resolve('timeout'), ms);
      (async () => {
        try {
          for await (const chunk of stream) chunks.push(chunk.subarray());
          resolve('closed');
        } catch {
          resolve('reset');
        } finally {
          clearTimeout(timer);
        }
      })();
    });
    stream.abort(new Error('done'));
    const reply = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of chunks) {
      reply.set(c, at);
      at += c.length;
    }
    return { reply, ended };
  }

  /** Answers every request on protocol `name` with `reply(request bytes)` written raw, then closes. */
  async serveRaw(name: string, reply: () => Uint8Array[]): Promise<void> {
    await this.node.handle(
      this.protocol(name),
      async (stream) => {
        for (const chunk of reply()) {
          if (!stream.send(chunk)) await stream.onDrain().catch(() => {});
        }
        await stream.close().catch(() => stream.abort(new Error('closed')));
      },
      { force: true },
    );
  }

  async stop(): Promise<void> {
    await this.node.stop();
  }
}

/** A request/response reply as P2PHost frames it: a 5-byte status (code, u32 item count), then the items. */
export function replyFrames(status: number, items: Uint8Array[], announced = items.length): Uint8Array[] {
  const head = new Uint8Array(5);
  head[0] = status;
  new DataView(head.buffer).setUint32(1, announced, true);
  return [lengthPrefixed(head), ...items.map(lengthPrefixed)];
}

/** Unsigned LEB128, as libp2p length prefixes use. */
export function varint(n: number): Uint8Array {
  const out: number[] = [];
  let v = n;
  do {
    let b = v % 128;
    v = Math.floor(v / 128);
    if (v > 0) b |= 0x80;
    out.push(b);
  } while (v > 0);
  return Uint8Array.from(out);
}

export function lengthPrefixed(data: Uint8Array): Uint8Array {
  const p = varint(data.length);
  const out = new Uint8Array(p.length + data.length);
  out.set(p);
  out.set(data, p.length);
  return out;
}
