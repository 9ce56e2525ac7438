import { EventEmitter } from 'node:events';
import type { DatabaseSync } from 'node:sqlite';
import {
  type Block,
  type BlockHeader,
  type ConsensusParams,
  fromReverseHex,
  must,
} from '../consensus/index.ts';
import { activateBestChain } from './activation.ts';
import { acceptBlockNow, acceptBlocksNow, adoptOrphans } from './block-accept.ts';
import { hashKey, type IndexEntry } from './block-index.ts';
import { checkChainConsistency } from './chain-consistency.ts';
import { loadChain } from './chain-load.ts';
import { ChainState } from './chain-state.ts';
import type { BlockRef, ChainEvents, ChainOptions } from './chain-types.ts';
import { headerHash } from './codec.ts';
import { defaultValidator } from './default-validator.ts';
import { ChainStateError } from './errors.ts';
import type { ChainStateExtension } from './extension.ts';
import { orderExtensions } from './extension-order.ts';
import { FluxnodeExtension } from './fluxnodes/extension.ts';
import type { FluxnodeRegistry } from './fluxnodes/registry.ts';
import { genesisBlock } from './genesis.ts';
import { acceptHeaderNow } from './header-accept.ts';
import { buildLocator, forkFromLocator } from './locator.ts';
import { ChainObserver } from './observer.ts';
import { OrphanPool } from './orphan-pool.ts';
import { BlockStore } from './storage/block-store.ts';
import { inTransaction, openChainDatabase } from './storage/database.ts';
import { UtxoStore } from './storage/utxo-store.ts';
import type { AcceptResult, ChainEntry, Coin, HeaderAcceptResult, HeaderInfo, OutPoint } from './types.ts';

export type { BlockRef, ChainEvents, ChainOptions } from './chain-types.ts';

/**
 * The block chain of one node: every header and block it knows, the active (most-work valid)
 * chain, the UTXO set at its tip and the state extensions kept with it, all in one SQLite file in
 * the node's data folder. Each block connected or disconnected is one transaction, so a crash at
 * any moment leaves the state of one tip or the next, never a mix. Methods that change state run
 * one at a time, in call order.
 *
 * This class is the façade: reading and the lock that orders changes. The work is done by
 * header-accept.ts, block-accept.ts, activation.ts and tip-connect.ts over the shared ChainState.
 */
export class Chain extends EventEmitter<ChainEvents> {
  readonly params: ConsensusParams;
  readonly db: DatabaseSync;
  readonly #s: ChainState;
  readonly #orphans: OrphanPool;
  #lock: Promise<unknown> = Promise.resolve();
  #closed = false;

  private constructor(
    db: DatabaseSync,
    params: ConsensusParams,
    options: ChainOptions,
    parts: { fluxnodes: FluxnodeExtension; extensions: ChainStateExtension[] },
  ) {
    super();
    this.db = db;
    this.params = params;
    this.#s = new ChainState({
      params,
      db,
      blocks: new BlockStore(db),
      utxos: new UtxoStore(db),
      validator: defaultValidator(params, options.validation),
      fluxnodes: parts.fluxnodes,
      extensions: parts.extensions,
      now: options.now ?? (() => Math.floor(Date.now() / 1000)),
      observer: new ChainObserver(options.metrics ?? null, options.log),
      events: this,
    });
    this.#orphans = new OrphanPool(options.maxOrphans ?? 100);
    options.metrics?.watchChain(this);
  }

  /**
   * Opens (or creates) the chain in `dir`, checks that the stored state is consistent, and finishes
   * any switch to a better chain that a crash interrupted. With `params` alone it is a complete
   * validator: proof of work, the coinbase payee rule and the fluxnode transaction rules included.
   */
  static async open(dir: string, params: ConsensusParams, options: ChainOptions = {}): Promise<Chain> {
    const genesis = options.genesis ?? genesisBlock(params);
    const fluxnodes = new FluxnodeExtension(params);
    // Before anything is opened: a bad set of extensions is the caller's bug, not the database's.
    const extensions = orderExtensions([fluxnodes, ...(options.extensions ?? [])]);
    const db = openChainDatabase(dir, options.durability);
    try {
      for (const ext of extensions) ext.init?.(db);
      const chain = new Chain(db, params, options, { fluxnodes, extensions });
      loadChain(chain.#s, genesis);
      const problems = chain.checkConsistency(options.integrityCheck ?? false);
      if (problems.length) throw new ChainStateError('chain database is inconsistent', problems);
      await chain.activateBestChain();
      chain.#s.observer.opened(chain.tip(), chain.bestHeader());
      return chain;
    } catch (err) {
      db.close();
      throw err;
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.db.close();
    void this.#s.validator.close?.();
  }

  // ── reading ─────────────────────────────────────────────────────────────────────────────────

  /** The fluxnode registry at the tip (a new object after a rollback: read it here each time). */
  get fluxnodes(): FluxnodeRegistry {
    return this.#s.fluxnodes.registry;
  }

  /** Blocks waiting in memory for their parent (at most `maxOrphans`). */
  get orphanCount(): number {
    return this.#orphans.size;
  }

  tip(): ChainEntry {
    return this.#s.top;
  }

  height(): number {
    return this.#s.main.length - 1;
  }

  /** The most-work header known that is not invalid (may be ahead of the tip while syncing). */
  bestHeader(): ChainEntry {
    return this.#s.bestHeader;
  }

  genesis(): ChainEntry {
    return must(this.#s.main[0], 'the genesis block');
  }

  getEntry(ref: BlockRef): ChainEntry | undefined {
    return this.#resolve(ref);
  }

  isInMainChain(ref: BlockRef): boolean {
    const e = this.#resolve(ref);
    return !!e && this.#s.main[e.height] === e;
  }

  getHeader(ref: BlockRef): HeaderInfo | undefined {
    const e = this.#resolve(ref);
    if (!e) return undefined;
    return { entry: e, header: this.#s.loadHeader(e), inMainChain: this.#s.main[e.height] === e };
  }

  getBlock(ref: BlockRef): Block | undefined {
    const e = this.#resolve(ref);
    return e ? this.#s.findBlock(e) : undefined;
  }

  /** The block as stored (its consensus encoding), for relaying without re-encoding. */
  getBlockBytes(ref: BlockRef): Uint8Array | undefined {
    const e = this.#resolve(ref);
    return e ? this.#s.blocks.getBlockData(e.hash) : undefined;
  }

  /** Every known block no other known block builds on, and the main-chain tip (getchaintips). */
  tips(): ChainEntry[] {
    const top = this.#s.top;
    const out = [...this.#s.index.values()].filter((e) => e.children.length === 0 && e !== top);
    return [top, ...out];
  }

  getUtxo(o: OutPoint): Coin | undefined {
    return this.#s.utxos.get(o);
  }

  /** Deterministic hash of the whole UTXO set (see UtxoStore.hash). */
  utxoSetHash(): string {
    return this.#s.utxos.hash();
  }

  utxoStats(): { count: number; totalValue: bigint } {
    return this.#s.utxos.stats();
  }

  /** Locator of the main chain (or of the branch ending at `from`). */
  locator(from?: BlockRef): Uint8Array[] {
    const start = from === undefined ? this.#s.top : this.#resolve(from);
    if (!start) return [];
    return buildLocator(start, this.#s.main);
  }

  /** Main-chain headers after the newest locator hash we share, up to `max`, stopping after `stop`. */
  headersAfter(locator: Uint8Array[], max = 2000, stop?: Uint8Array): BlockHeader[] {
    const { index, main } = this.#s;
    const fork = forkFromLocator(locator, index, main);
    const out: BlockHeader[] = [];
    const stopKey = stop ? hashKey(stop) : undefined;
    for (const e of main.slice(fork.height + 1, fork.height + 1 + max)) {
      out.push(this.#s.loadHeader(e));
      if (e.key === stopKey) break;
    }
    return out;
  }

  /**
   * Blocks to download next: the bodies missing on the way from the tip's branch to the best
   * header, oldest first, at most `max`.
   */
  blocksToFetch(max = 128): ChainEntry[] {
    const missing: IndexEntry[] = [];
    for (let e: IndexEntry | null = this.#s.bestHeader; e && !e.linked; e = e.parent) {
      if (!e.hasData) missing.push(e);
    }
    return missing.reverse().slice(0, max);
  }

  /** Checks the stored state against the in-memory index; returns the problems found. */
  checkConsistency(integrity = false): string[] {
    const { db, blocks, main, extensions } = this.#s;
    return checkChainConsistency({ db, blocks, main, extensions }, integrity);
  }

  // ── changing ────────────────────────────────────────────────────────────────────────────────

  /** Checks a header against its parent and adds it to the index (no body yet). */
  acceptHeader(header: BlockHeader): Promise<HeaderAcceptResult> {
    return this.#serialize(() => acceptHeaderNow(this.#s, header, headerHash(header)));
  }

  /** Headers in chain order; stops at the first that is not accepted or already known. */
  acceptHeaders(headers: BlockHeader[]): Promise<HeaderAcceptResult[]> {
    return this.#serialize(() =>
      // One commit for the whole batch (a sync message carries up to 2,000 headers).
      inTransaction(this.db, () => {
        const out: HeaderAcceptResult[] = [];
        for (const h of headers) {
          const r = acceptHeaderNow(this.#s, h, headerHash(h));
          out.push(r);
          if (r.status === 'invalid' || r.status === 'orphan') break;
        }
        return out;
      }),
    );
  }

  /**
   * Checks and stores a block, then moves the tip to the most-work valid chain. The result says
   * where the block ended up: on the main chain, on a side branch, waiting for its parent, or
   * refused (with the rule it broke).
   */
  acceptBlock(block: Block): Promise<AcceptResult> {
    return this.#serialize(async () => {
      const result = await acceptBlockNow(this.#s, this.#orphans, block);
      if (result.status === 'connected' || result.status === 'side-branch')
        await adoptOrphans(this.#s, this.#orphans, block);
      return result;
    });
  }

  /**
   * Accepts several blocks as `acceptBlock` would one by one (results in the same order), but
   * stores them all before moving the tip: a run of blocks that extends the tip is then connected as
   * a pipeline, the next block's inputs looked up while the scripts of the one before are verified.
   */
  acceptBlocks(blocks: readonly Block[]): Promise<AcceptResult[]> {
    return this.#serialize(async () => {
      const results = await acceptBlocksNow(this.#s, this.#orphans, blocks);
      for (const [i, r] of results.entries()) {
        if (r.status === 'connected' || r.status === 'side-branch')
          await adoptOrphans(this.#s, this.#orphans, must(blocks[i], 'the block of a result'));
      }
      return results;
    });
  }

  /** Switches to the most-work chain whose blocks are all valid (see the class comment). */
  activateBestChain(): Promise<void> {
    return this.#serialize(() => activateBestChain(this.#s));
  }

  // ── internals ───────────────────────────────────────────────────────────────────────────────

  /** Runs `fn` after every change called before it; a failed change does not block the next. */
  #serialize<T>(fn: () => T | Promise<T>): Promise<T> {
    const run = this.#lock.then(() => {
      if (this.#closed) throw new ChainStateError('chain is closed');
      return fn();
    });
    this.#lock = run.catch(() => undefined);
    return run;
  }

  #resolve(ref: BlockRef): IndexEntry | undefined {
    if (typeof ref === 'number') return this.#s.main[ref];
    if (typeof ref === 'string') {
      if (!/^[0-9a-fA-F]{64}$/.test(ref)) return undefined;
      return this.#s.index.get(fromReverseHex(ref));
    }
    return this.#s.index.get(ref);
  }
}
