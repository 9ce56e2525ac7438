import { type Chain, type ChainEntry, TRANSIENT_HEADER_RULES } from '../chain/index.ts';
import {
  type Block,
  blockHash,
  ByteReader,
  ByteWriter,
  decodeBlock,
  decodeHeader,
  encodeBlock,
  encodeHeader,
  must,
  reverseHex,
} from '../consensus/index.ts';
import { ACCEPT, type GossipVerdict, ignore, reject } from './gossip-validation.ts';
import type { P2PHost } from './host.ts';
import { CHAIN_TOPICS } from './topics.ts';

/** The part of the chain sync needs. */
export type SyncChain = Pick<
  Chain,
  | 'tip'
  | 'bestHeader'
  | 'getEntry'
  | 'locator'
  | 'headersAfter'
  | 'acceptHeaders'
  | 'acceptBlock'
  | 'acceptBlocks'
  | 'getBlockBytes'
  | 'blocksToFetch'
>;

export interface SyncOptions {
  maxHeaders?: number;
  /** Blocks asked for in one request. */
  batch?: number;
  /** Requests in flight at once, spread over peers. */
  parallel?: number;
  /** How often to ask a peer for headers even without news. */
  pollMs?: number;
  log?: (msg: string) => void;
}

export interface SyncStatus {
  syncing: boolean;
  tipHeight: number;
  bestHeaderHeight: number;
  blocksDownloaded: number;
  lastError: string | null;
}

const HASH = 32;
/** A blocks reply stops growing past this many bytes (the asker fetches the rest next round). */
const MAX_BLOCKS_REPLY_BYTES = 32_000_000;

/**
 * Headers-first sync and block gossip. Headers come from one peer at a time (they are small and
 * checked in order); the bodies they name are fetched in batches from several peers in parallel and
 * connected in height order. New blocks spread by gossip and are fully validated before relay.
 */
export class ChainSync {
  private readonly host: P2PHost;
  private readonly chain: SyncChain;
  private readonly opts: Required<Omit<SyncOptions, 'log'>> & { log: (m: string) => void };
  private running: Promise<void> | null = null;
  private pending = new Set<string>();
  private timer: ReturnType<typeof setInterval> | undefined;
  readonly status: SyncStatus = {
    syncing: false,
    tipHeight: 0,
    bestHeaderHeight: 0,
    blocksDownloaded: 0,
    lastError: null,
  };

  constructor(host: P2PHost, chain: SyncChain, opts: SyncOptions = {}) {
    this.host = host;
    this.chain = chain;
    this.opts = {
      maxHeaders: opts.maxHeaders ?? 2000,
      batch: opts.batch ?? 64,
      parallel: opts.parallel ?? 4,
      pollMs: opts.pollMs ?? 5000,
      log: opts.log ?? (() => {}),
    };
  }

  /** Registers protocols and the block topic. Call before `host.start()` resolves peers. */
  install(): void {
    this.host.handle('headers', (req) => this.serveHeaders(req));
    this.host.handle('blocks', (req) => this.serveBlocks(req));
    this.host.subscribe(CHAIN_TOPICS.blocks, (data, from) => this.onGossipBlock(data, from));
    this.host.onPeerConnect((peer) => this.requestSync(peer));
    this.timer = setInterval(() => {
      const peers = this.host.peers();
      const peer = peers[Math.floor(Math.random() * peers.length)];
      if (peer) this.requestSync(peer.id);
    }, this.opts.pollMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Announces a block this node made (or received by RPC). */
  async announce(block: Block): Promise<void> {
    await this.host.publish(CHAIN_TOPICS.blocks, encodeBlock(block));
  }

  /** Syncs from `peer` soon; requests coalesce while a sync runs. */
  requestSync(peer: string): void {
    this.pending.add(peer);
    if (!this.running) this.running = this.drain().finally(() => (this.running = null));
  }

  /** Resolves when no sync is running or queued (tests and `devnet up` wait on it). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    this.status.syncing = true;
    try {
      while (this.pending.size) {
        const peer = this.pending.values().next().value!;
        this.pending.delete(peer);
        try {
          await this.syncFrom(peer);
        } catch (err) {
          this.status.lastError = `${peer.slice(-8)}: ${(err as Error).message}`;
          this.opts.log(`sync from ${peer} failed: ${(err as Error).message}`);
        }
      }
    } finally {
      this.status.syncing = false;
      this.refreshStatus();
    }
  }

  private async syncFrom(peer: string): Promise<void> {
    for (;;) {
      const w = new ByteWriter();
      const locator = this.chain.locator(this.chain.bestHeader().hash);
      w.compactSize(locator.length);
      for (const h of locator) w.bytes(h);
      w.u32(this.opts.maxHeaders);
      const items = await this.host.request(peer, 'headers', w.finish(), { maxItems: this.opts.maxHeaders });
      let headers: ReturnType<typeof decodeHeader>[];
      try {
        headers = items.map((b) => decodeHeader(b));
      } catch (err) {
        this.host.penalize(peer, 50, `undecodable header: ${(err as Error).message}`);
        return;
      }
      let progressed = false;
      if (headers.length) {
        const results = await this.chain.acceptHeaders(headers);
        const bad = results.find((r) => r.status === 'invalid');
        if (bad) {
          this.host.penalize(peer, 100, `invalid header ${bad.id}: ${bad.rule}`);
          return;
        }
        // The reply starts after a block of our locator, so every header must connect: one that
        // does not means junk (and asking again would bring the same junk forever).
        if (results.some((r) => r.status === 'orphan')) {
          this.host.penalize(peer, 20, 'headers that do not connect to our chain');
          return;
        }
        progressed = results.some((r) => r.status === 'accepted');
      }
      await this.downloadBlocks(peer);
      this.refreshStatus();
      if (headers.length < this.opts.maxHeaders || !progressed) return;
    }
  }

  /** Fetches the bodies the best header chain lacks, a window at a time, while some peer has them. */
  private async downloadBlocks(primary: string): Promise<void> {
    for (;;) {
      const needed = this.chain.blocksToFetch(this.opts.batch * this.opts.parallel * 4);
      if (!needed.length) return;
      if ((await this.downloadWindow(primary, needed)) === 0) return;
    }
  }

  /**
   * Asks for `needed` in batches spread over `primary` and the other peers, `parallel` at a time,
   * and connects what arrives in height order. A peer that lacks a batch leaves it to `primary`.
   * Each peer answers for its own replies. Returns how many new blocks were stored.
   */
  private async downloadWindow(primary: string, needed: ChainEntry[]): Promise<number> {
    const peers = [
      primary,
      ...this.host
        .peers()
        .map((p) => p.id)
        .filter((p) => p !== primary),
    ];
    const batches: ChainEntry[][] = [];
    for (let i = 0; i < needed.length; i += this.opts.batch)
      batches.push(needed.slice(i, i + this.opts.batch));
    const results: Promise<{ peer: string; items: Uint8Array[] }>[] = [];
    const ask = (peer: string, batch: ChainEntry[]) => {
      const req = new ByteWriter();
      for (const e of batch) req.bytes(e.hash);
      return this.host
        .request(peer, 'blocks', req.finish(), { maxItems: batch.length })
        .then((items) => ({ peer, items }));
    };
    let next = 0;
    const launch = () => {
      if (next >= batches.length) return;
      const i = next++;
      const peer = must(peers[i % peers.length], 'a peer to ask (the primary is always one)');
      const batch = must(batches[i], 'the batch being launched');
      const p =
        peer === primary
          ? ask(primary, batch)
          : ask(peer, batch)
              .then((r) => (r.items.length < batch.length ? ask(primary, batch) : r))
              .catch(() => ask(primary, batch));
      // Awaited in order below; if we stop early, a later failure must not go unhandled.
      p.catch(() => {});
      results[i] = p;
    };
    for (let i = 0; i < this.opts.parallel; i++) launch();
    let stored = 0;
    for (const [i, batch] of batches.entries()) {
      const { peer, items } = await must(results[i], 'the request launched for a batch');
      launch();
      const wanted = new Set(batch.map((e) => e.id));
      const blocks: Block[] = [];
      for (const bytes of items) {
        let block: Block;
        try {
          block = decodeBlock(bytes);
        } catch (err) {
          this.host.penalize(peer, 50, `undecodable block: ${(err as Error).message}`);
          break;
        }
        const id = reverseHex(blockHash(block));
        if (!wanted.delete(id)) {
          this.host.penalize(peer, 50, `sent block ${id} it was not asked for`);
          break;
        }
        blocks.push(block);
      }
      // All at once: the chain connects a run of blocks as a pipeline.
      for (const r of await this.chain.acceptBlocks(blocks)) {
        if (r.status === 'invalid') {
          this.host.penalize(peer, 100, `invalid block ${r.id}: ${r.rule}`);
          break;
        }
        if (r.status !== 'duplicate') stored++;
        this.status.blocksDownloaded++;
      }
    }
    return stored;
  }

  private serveHeaders(req: Uint8Array): Uint8Array[] {
    const r = new ByteReader(req);
    const n = r.compactSize('locator', 101);
    const locator: Uint8Array[] = [];
    for (let i = 0; i < n; i++) locator.push(r.bytesN(HASH, 'locator hash'));
    const max = Math.min(r.u32('max'), 2000);
    r.end('headers request');
    return this.chain.headersAfter(locator, max).map(encodeHeader);
  }

  private serveBlocks(req: Uint8Array): Uint8Array[] {
    if (req.length % HASH !== 0 || req.length / HASH > 128)
      throw new Error(`blocks request of ${req.length} bytes`);
    const out: Uint8Array[] = [];
    let size = 0;
    for (let i = 0; i < req.length && size < MAX_BLOCKS_REPLY_BYTES; i += HASH) {
      const bytes = this.chain.getBlockBytes(req.subarray(i, i + HASH));
      if (!bytes) continue;
      out.push(bytes);
      size += bytes.length;
    }
    return out;
  }

  private async onGossipBlock(data: Uint8Array, from: string): Promise<GossipVerdict> {
    let block: Block;
    try {
      block = decodeBlock(data);
    } catch {
      return reject('undecodable-block');
    }
    if (!this.chain.getEntry(block.header.prevHash)) {
      // We are behind, or it is junk. Headers-first sync from the sender fetches what is real;
      // keeping the body meanwhile would let anyone fill memory with blocks built on nothing.
      this.requestSync(from);
      return ignore('prev-blk-not-found');
    }
    const r = await this.chain.acceptBlock(block);
    this.refreshStatus();
    switch (r.status) {
      case 'connected':
      case 'side-branch':
        return ACCEPT;
      case 'duplicate':
        return ignore('duplicate');
      case 'orphan':
        // We are behind: fetch what is missing from the peer that has it.
        this.requestSync(from);
        return ignore('orphan');
      default:
        this.opts.log(`gossip block ${r.id} from ${from} invalid: ${r.rule} ${r.reason ?? ''}`);
        // Too far ahead of our clock may be the clocks' fault, not the block's.
        if (r.rule && TRANSIENT_HEADER_RULES.has(r.rule)) return ignore(r.rule);
        // A relayer checks a block before passing it on: breaking a rule is no honest mistake.
        return reject(r.rule ?? 'invalid-block', 100);
    }
  }

  private refreshStatus(): void {
    this.status.tipHeight = this.chain.tip().height;
    this.status.bestHeaderHeight = this.chain.bestHeader().height;
  }
}

export function shortId(hash: Uint8Array): string {
  return reverseHex(hash).slice(0, 16);
}
