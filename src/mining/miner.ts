import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { AcceptResult, EvictedTx, Payee } from '../chain/index.ts';
import { type Block, type ConsensusParams, equalBytes } from '../consensus/index.ts';
import { MiningError } from './errors.ts';
import type { MiningMetrics } from './metrics.ts';
import { type EquihashSolver, solveNonce } from './pow.ts';
import {
  assembleBlock,
  type BlockTemplate,
  buildBlockTemplate,
  type TemplateChain,
  type TemplateMempool,
} from './template.ts';

/** What the miner needs from the chain. */
export interface MinerChain extends TemplateChain {
  acceptBlock(block: Block): Promise<AcceptResult>;
}

export interface MinerOptions {
  chain: MinerChain;
  params: ConsensusParams;
  mempool?: TemplateMempool;
  /** Pay these nodes instead of the chain's queue (tests that build refused blocks on purpose). */
  payees?: (height: number) => readonly Payee[];
  minerScript: Uint8Array;
  solver: EquihashSolver;
  /** Clock in seconds (block times); defaults to the system clock. */
  now?: () => number;
  /** Stop after this many blocks were accepted. */
  maxBlocks?: number;
  /** Do not find blocks more often than this (devnet pacing); 0 = as fast as the solver goes. */
  blockIntervalMs?: number;
  /** Rebuild the template this often even on the same tip, for new transactions; default 5 s. */
  refreshMs?: number;
  /** Tag in the coinbase scriptSig. */
  coinbaseData?: Uint8Array;
  /** Called with every block the chain accepted (gossip it from here). */
  onBlock?: (found: FoundBlock) => void;
  metrics?: MiningMetrics | null;
  /**
   * After the chain refused a mined block that carried pool transactions: re-check the whole pool
   * against the tip and evict what fails (Mempool.revalidate with the pool's validator).
   */
  recheckPool?: () => EvictedTx[];
  /** Called for each transaction evicted because no block could carry it (log it from here). */
  onEvicted?: (evicted: EvictedTx) => void;
}

export interface FoundBlock {
  block: Block;
  /** Display hex. */
  id: string;
  height: number;
  template: BlockTemplate;
  result: AcceptResult;
}

export interface MinerStats {
  running: boolean;
  /** Equihash solutions checked against the target. */
  hashes: number;
  /** Nonces the solver ran on. */
  nonces: number;
  blocksFound: number;
  /** Blocks the chain refused (a bug in the template or the solver) or found stale. */
  blocksRejected: number;
  templates: number;
  /** Pool transactions evicted because no block could carry them. */
  txsEvicted: number;
  /** Solutions per second since start (time spent waiting for pacing excluded). */
  hashesPerSecond: number;
  lastBlock: string | null;
  /** Why the miner last stopped or had a block refused. */
  lastError: string | null;
}

export interface MinerEvents {
  block: [found: FoundBlock];
  rejected: [block: Block, result: AcceptResult];
  error: [err: Error];
  stopped: [];
}

const DEFAULT_REFRESH_MS = 5_000;
/** Pause after a refused block before building a new template, so a broken setup cannot spin. */
const REJECT_BACKOFF_MS = 1_000;

/**
 * The node's CPU miner: builds a template on the tip, runs the Equihash solver on one nonce at a
 * time and checks each solution's hash against the target, yielding to the event loop between
 * nonces. A new tip (from us or a peer) or a template older than `refreshMs` starts a fresh
 * template; `stop()` ends the loop at the next nonce. Found blocks go to `chain.acceptBlock`, and
 * accepted ones to `onBlock` / the `block` event.
 */
export class Miner extends EventEmitter<MinerEvents> {
  private readonly opts: MinerOptions;
  private readonly now: () => number;
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private sleepTimer: NodeJS.Timeout | undefined;
  private lastFoundAt = 0;
  private busyMs = 0;
  private extraNonce = 0;
  private readonly counters = {
    hashes: 0,
    nonces: 0,
    blocksFound: 0,
    blocksRejected: 0,
    templates: 0,
    txsEvicted: 0,
  };
  private lastBlock: string | null = null;
  private lastError: string | null = null;

  constructor(opts: MinerOptions) {
    super();
    if (opts.maxBlocks !== undefined && (!Number.isInteger(opts.maxBlocks) || opts.maxBlocks < 0)) {
      throw new MiningError('bad-option', `maxBlocks must be a non-negative integer, got ${opts.maxBlocks}`, {
        field: 'maxBlocks',
        value: opts.maxBlocks,
      });
    }
    this.opts = opts;
    this.now = opts.now ?? (() => Math.floor(Date.now() / 1000));
  }

  get isRunning(): boolean {
    return this.running;
  }

  stats(): MinerStats {
    return {
      running: this.running,
      ...this.counters,
      hashesPerSecond: this.busyMs > 0 ? (this.counters.hashes * 1000) / this.busyMs : 0,
      lastBlock: this.lastBlock,
      lastError: this.lastError,
    };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run().finally(() => {
      this.running = false;
      this.emit('stopped');
    });
  }

  /** Stops at the next nonce; resolves when the loop has ended (a block being submitted completes first). */
  async stop(): Promise<void> {
    this.running = false;
    this.interruptSleep();
    await this.loop;
  }

  /** Resolves when the miner stops by itself (maxBlocks reached) or is stopped. */
  whenStopped(): Promise<void> {
    return this.loop ?? Promise.resolve();
  }

  private interruptSleep(): void {
    if (this.sleepTimer) clearTimeout(this.sleepTimer);
    this.sleepTimer = undefined;
    this.wake?.();
    this.wake = undefined;
  }

  private sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.wake = resolve;
      this.sleepTimer = setTimeout(() => {
        this.sleepTimer = undefined;
        this.wake = undefined;
        resolve();
      }, ms);
    });
  }

  private done(): boolean {
    return (
      !this.running || (this.opts.maxBlocks !== undefined && this.counters.blocksFound >= this.opts.maxBlocks)
    );
  }

  private async run(): Promise<void> {
    while (!this.done()) {
      const interval = this.opts.blockIntervalMs ?? 0;
      const wait = this.lastFoundAt + interval - Date.now();
      if (wait > 0) {
        await this.sleep(wait);
        continue;
      }
      let template: BlockTemplate;
      try {
        template = this.buildTemplate();
      } catch (err) {
        this.fail(err);
        return;
      }
      let block: Block | undefined;
      try {
        block = await this.search(template);
      } catch (err) {
        this.fail(err);
        return;
      }
      if (!block) continue;
      try {
        await this.submit(block, template);
      } catch (err) {
        this.fail(err);
        return;
      }
    }
  }

  /**
   * A transaction no block can carry must not stall the miner: evict it with its reason. Without
   * an evicting pool the template already leaves it out, so mining goes on either way.
   */
  private evictRefused(t: BlockTemplate): void {
    const pool = this.opts.mempool;
    if (!pool?.evict) return;
    for (const r of t.refused) for (const e of pool.evict(r.txid, r.rule, r.reason)) this.reportEvicted(e);
  }

  private reportEvicted(e: EvictedTx): void {
    this.counters.txsEvicted++;
    this.opts.metrics?.txsEvicted.inc({ rule: e.rule });
    this.opts.onEvicted?.(e);
  }

  private buildTemplate(): BlockTemplate {
    const t = buildBlockTemplate({
      chain: this.opts.chain,
      params: this.opts.params,
      mempool: this.opts.mempool,
      payees: this.opts.payees,
      minerScript: this.opts.minerScript,
      time: this.now(),
      extraNonce: this.extraNonce++ % 0x7fffffff,
      coinbaseData: this.opts.coinbaseData,
    });
    this.counters.templates++;
    this.evictRefused(t);
    return t;
  }

  /** Tries nonces until one gives a winning solution; undefined when the template went stale. */
  private async search(t: BlockTemplate): Promise<Block | undefined> {
    const refreshMs = this.opts.refreshMs ?? DEFAULT_REFRESH_MS;
    const builtAt = Date.now();
    const nonce = randomBytes(32);
    const view = new DataView(nonce.buffer, nonce.byteOffset, 32);
    let counter = 0n;
    for (;;) {
      if (this.done()) return undefined;
      if (!equalBytes(this.opts.chain.tip().hash, t.prev.hash)) return undefined;
      if (Date.now() - builtAt >= refreshMs) return undefined;
      view.setBigUint64(0, counter++, true);
      const started = performance.now();
      const found = solveNonce(t, Uint8Array.from(nonce), this.opts.solver);
      this.busyMs += performance.now() - started;
      this.counters.nonces++;
      this.counters.hashes += found.tried;
      this.opts.metrics?.solutionsTried.inc(found.tried);
      if (found.header) return assembleBlock(t, found.header);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  private async submit(block: Block, t: BlockTemplate): Promise<void> {
    const result = await this.opts.chain.acceptBlock(block);
    if (result.status === 'connected') {
      this.counters.blocksFound++;
      this.opts.metrics?.blocksMined.inc();
      this.lastFoundAt = Date.now();
      this.lastBlock = result.id;
      const found: FoundBlock = { block, id: result.id, height: t.height, template: t, result };
      this.opts.onBlock?.(found);
      this.emit('block', found);
      return;
    }
    this.counters.blocksRejected++;
    this.opts.metrics?.blocksRejected.inc();
    this.emit('rejected', block, result);
    if (result.status === 'invalid') {
      // A pool transaction may break a rule the template does not check: find it and evict it.
      if (t.entries.length > 0) for (const e of this.opts.recheckPool?.() ?? []) this.reportEvicted(e);
      this.fail(
        new MiningError(
          'block-rejected',
          `the chain refused mined block ${result.id} at height ${t.height}: ${result.reason ?? result.rule}`,
          { field: 'block', value: result.rule },
        ),
        false,
      );
      await this.sleep(REJECT_BACKOFF_MS);
    }
  }

  private fail(err: unknown, stop = true): void {
    if (stop) this.running = false;
    const e = err instanceof Error ? err : new Error(String(err));
    this.lastError = e.message;
    if (this.listenerCount('error') > 0) this.emit('error', e);
  }
}
