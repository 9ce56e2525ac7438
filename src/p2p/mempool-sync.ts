/**
 * Mempool exchange when a peer connects: ask for its transaction ids, fetch the ones we lack in
 * batches, and pass each through the same intake as a gossiped transaction. A node that joins or
 * restarts has the pending transactions (fluxnode STARTs and CONFIRMs, app payments) at once, not
 * only those sent after it came up.
 */
import { fromHex, toHex } from '../consensus/index.ts';
import type { GossipResult, GossipVerdict, TopicValidator } from './gossip-validation.ts';
import type { RequestHandler, RequestOptions } from './request.ts';
import { CHAIN_TOPICS } from './topics.ts';

/** The network as mempool sync needs it (P2PHost fits). */
export interface MempoolSyncNet {
  handle(name: string, handler: RequestHandler): void;
  request(peer: string, name: string, req: Uint8Array, opts?: RequestOptions): Promise<Uint8Array[]>;
  penalize(peer: string, points: number, reason: string): void;
  /** The one gossip wrapper: judges a fetched copy of a topic's message as a gossiped one. */
  judge(
    topic: typeof CHAIN_TOPICS.txs,
    data: Uint8Array,
    from: string,
    validator: TopicValidator,
  ): Promise<GossipResult>;
  onPeerConnect(fn: (peer: string) => void): void;
}

export interface MempoolSyncDeps {
  net: MempoolSyncNet;
  /** Pool txids (display hex), parents before children. */
  txids(): string[];
  has(txid: string): boolean;
  /** The serialized transaction, if pooled. */
  get(txid: string): Uint8Array | undefined;
  /** The gossip intake: decode, validate, pool. */
  accept(bytes: Uint8Array, from: string): GossipVerdict;
}

export const MEMPOOL_INV_PROTOCOL = 'mempool-inv';
export const MEMPOOL_TXS_PROTOCOL = 'mempool-txs';
const MAX_INV = 50_000;
const TXS_PER_REQUEST = 256;
const MAX_TX_BYTES = 2_000_000;
const HASH = 32;

export class MempoolSync {
  readonly #d: MempoolSyncDeps;

  constructor(deps: MempoolSyncDeps) {
    this.#d = deps;
  }

  /** Serves the pool and fetches a new peer's pool. Call before the host starts. */
  install(): void {
    const { net } = this.#d;
    net.handle(MEMPOOL_INV_PROTOCOL, () =>
      this.#d
        .txids()
        .slice(0, MAX_INV)
        .map((id) => fromHex(id, 'txid')),
    );
    net.handle(MEMPOOL_TXS_PROTOCOL, (req) => this.#serveTxs(req));
    net.onPeerConnect((peer) => void this.fetchFrom(peer).catch(() => {}));
  }

  /** Fetches the transactions `peer` pools and we lack; resolves with how many were accepted. */
  async fetchFrom(peer: string): Promise<number> {
    const inv = await this.#d.net.request(peer, MEMPOOL_INV_PROTOCOL, new Uint8Array(0), {
      maxItems: MAX_INV,
      maxBytes: MAX_INV * HASH,
      timeoutMs: 10_000,
    });
    if (inv.some((h) => h.length !== HASH)) {
      this.#d.net.penalize(peer, 20, 'malformed mempool inventory');
      return 0;
    }
    const wanted = inv.map((h) => toHex(h)).filter((id) => !this.#d.has(id));
    let accepted = 0;
    for (let i = 0; i < wanted.length; i += TXS_PER_REQUEST) {
      const batch = wanted.slice(i, i + TXS_PER_REQUEST);
      const req = new Uint8Array(batch.length * HASH);
      for (const [j, id] of batch.entries()) req.set(fromHex(id, 'txid'), j * HASH);
      const txs = await this.#d.net.request(peer, MEMPOOL_TXS_PROTOCOL, req, {
        maxItems: batch.length,
        maxBytes: 32_000_000,
        timeoutMs: 15_000,
      });
      for (const bytes of txs) {
        const result = await this.#d.net.judge(CHAIN_TOPICS.txs, bytes, peer, (b) => this.#d.accept(b, peer));
        // The wrapper has charged the peer for a rejection: stop taking its reply.
        if (result === 'reject') return accepted;
        if (result === 'accept') accepted++;
      }
    }
    return accepted;
  }

  #serveTxs(req: Uint8Array): Uint8Array[] {
    if (req.length % HASH !== 0 || req.length / HASH > TXS_PER_REQUEST)
      throw new Error(`mempool-txs request of ${req.length} bytes`);
    const out: Uint8Array[] = [];
    let size = 0;
    for (let i = 0; i < req.length && size < 16_000_000; i += HASH) {
      const tx = this.#d.get(toHex(req.subarray(i, i + HASH)));
      if (tx && tx.length <= MAX_TX_BYTES) {
        out.push(tx);
        size += tx.length;
      }
    }
    return out;
  }
}
