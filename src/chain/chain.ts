import { EventEmitter } from 'node:events';
import type { DatabaseSync } from 'node:sqlite';
import {
  type Block,
  type BlockHeader,
  ConsensusError,
  type ConsensusParams,
  fromReverseHex,
  must,
  reverseHex,
  workFromBits,
} from '../consensus/index.ts';
import { BlockIndex, betterThan, hashKey, IndexEntry } from './block-index.ts';
import {
  blockHash,
  decodeBlock,
  decodeHeader,
  encodeBlock,
  encodeHeader,
  headerHash,
  txid,
} from './codec.ts';
import { planConnect } from './connect-plan.ts';
import { ChainStateError } from './errors.ts';
import type { ChainStateExtension } from './extension.ts';
import { orderExtensions } from './extension-order.ts';
import { FluxnodeExtension } from './fluxnodes/extension.ts';
import type { FluxnodeRegistry } from './fluxnodes/registry.ts';
import { buildLocator, forkFromLocator } from './locator.ts';
import { BlockStore } from './storage/block-store.ts';
import { inTransaction, openChainDatabase } from './storage/database.ts';
import { UtxoStore } from './storage/utxo-store.ts';
import { connectWrite, disconnectWrite } from './state-writer.ts';
import type {
  AcceptResult,
  BlockStatus,
  ChainEntry,
  Coin,
  HeaderAcceptResult,
  HeaderInfo,
  OutPoint,
} from './types.ts';
import { decodeUndo } from './undo.ts';
import { ChainObserver } from './observer.ts';
import {
  type BlockContext,
  type BlockValidator,
  CORRUPTION_RULES,
  type HeaderContext,
  UNCOMMITTED_BODY_RULES,
} from './validator.ts';
import { defaultValidator } from './default-validator.ts';
import { genesisBlock } from './genesis.ts';

import { checkChainConsistency } from './chain-consistency.ts';
import type { BlockRef, ChainEvents, ChainOptions } from './chain-types.ts';

export type { BlockRef, ChainEvents, ChainOptions } from './chain-types.ts';

const HEADER_FIXED = 140;
const RECENT_BLOCKS = 64;

function headerFields(raw: Uint8Array): { version: number; time: number; bits: number } {
  const v = new DataView(raw.buffer, raw.byteOffset, HEADER_FIXED);
  return { version: v.getInt32(0, true), time: v.getUint32(100, true), bits: v.getUint32(104, true) };
}

/**
 * The block chain of one node: every header and block it knows, the active (most-work valid)
 * chain, the UTXO set at its tip and the state extensions kept with it, all in one SQLite file in
 * the node's data folder. Each block connected or disconnected is one transaction, so a crash at
 * any moment leaves the state of one tip or the next, never a mix. Methods that change state run
 * one at a time, in call order.
 */
export class Chain extends EventEmitter<ChainEvents> {
  readonly params: ConsensusParams;
  readonly db: DatabaseSync;
  private readonly blocks: BlockStore;
  private readonly utxos: UtxoStore;
  private readonly index = new BlockIndex();
  private readonly validator: BlockValidator;
  readonly #fluxnodes: FluxnodeExtension;
  private readonly extensions: ChainStateExtension[];
  private readonly now: () => number;
  private readonly maxOrphans: number;
  /** The active chain by height. */
  private readonly main: IndexEntry[] = [];
  /** Entries with all data down to genesis, not invalid, at least as much work as the tip. */
  private readonly candidates = new Set<IndexEntry>();
  private readonly orphans = new Map<string, Block[]>();
  private orphanCount = 0;
  /** Recently seen blocks (and their txids once computed), to spare decoding and hashing them again. */
  private readonly recent = new Map<string, { block: Block; txids?: Uint8Array[] }>();
  private bestHeaderEntry!: IndexEntry;
  private nextSeq = 1;
  private lock: Promise<unknown> = Promise.resolve();
  private closed = false;
  readonly #observer: ChainObserver;
  /** Copies dropped by `forgetBody` during the current accept, so the sender still hears why. */
  readonly #refusedCopies = new Map<string, { rule: string; reason: string }>();

  private constructor(
    db: DatabaseSync,
    params: ConsensusParams,
    options: ChainOptions,
    parts: { fluxnodes: FluxnodeExtension; extensions: ChainStateExtension[] },
  ) {
    super();
    this.db = db;
    this.params = params;
    this.blocks = new BlockStore(db);
    this.utxos = new UtxoStore(db);
    this.validator = defaultValidator(params, options.validation);
    this.#fluxnodes = parts.fluxnodes;
    this.extensions = parts.extensions;
    this.now = options.now ?? (() => Math.floor(Date.now() / 1000));
    this.maxOrphans = options.maxOrphans ?? 100;
    this.#observer = new ChainObserver(options.metrics ?? null, options.log);
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
      chain.load(genesis);
      const problems = chain.checkConsistency(options.integrityCheck ?? false);
      if (problems.length) throw new ChainStateError('chain database is inconsistent', problems);
      await chain.activateBestChain();
      chain.#observer.opened(chain.tip(), chain.bestHeader());
      return chain;
    } catch (err) {
      db.close();
      throw err;
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
    void this.validator.close?.();
  }

  // ── reading ─────────────────────────────────────────────────────────────────────────────────

  /** The fluxnode registry at the tip (a new object after a rollback: read it here each time). */
  get fluxnodes(): FluxnodeRegistry {
    return this.#fluxnodes.registry;
  }

  tip(): ChainEntry {
    return this.top;
  }

  /** The last main-chain entry; a chain always holds at least its genesis. */
  private get top(): IndexEntry {
    return must(this.main.at(-1), 'the main-chain tip');
  }

  height(): number {
    return this.main.length - 1;
  }

  /** The most-work header known that is not invalid (may be ahead of the tip while syncing). */
  bestHeader(): ChainEntry {
    return this.bestHeaderEntry;
  }

  genesis(): ChainEntry {
    return must(this.main[0], 'the genesis block');
  }

  getEntry(ref: BlockRef): ChainEntry | undefined {
    return this.resolve(ref);
  }

  isInMainChain(ref: BlockRef): boolean {
    const e = this.resolve(ref);
    return !!e && this.main[e.height] === e;
  }

  getHeader(ref: BlockRef): HeaderInfo | undefined {
    const e = this.resolve(ref);
    if (!e) return undefined;
    return { entry: e, header: this.loadHeader(e), inMainChain: this.main[e.height] === e };
  }

  getBlock(ref: BlockRef): Block | undefined {
    const e = this.resolve(ref);
    if (!e) return undefined;
    const cached = this.recent.get(e.key);
    if (cached) return cached.block;
    const raw = this.blocks.getBlockData(e.hash);
    return raw ? decodeBlock(raw) : undefined;
  }

  /** The block as stored (its consensus encoding), for relaying without re-encoding. */
  getBlockBytes(ref: BlockRef): Uint8Array | undefined {
    const e = this.resolve(ref);
    return e ? this.blocks.getBlockData(e.hash) : undefined;
  }

  /** Every known block no other known block builds on, and the main-chain tip (getchaintips). */
  tips(): ChainEntry[] {
    const out = [...this.index.values()].filter((e) => e.children.length === 0 && e !== this.top);
    return [this.top, ...out];
  }

  getUtxo(o: OutPoint): Coin | undefined {
    return this.utxos.get(o);
  }

  /** Deterministic hash of the whole UTXO set (see UtxoStore.hash). */
  utxoSetHash(): string {
    return this.utxos.hash();
  }

  utxoStats(): { count: number; totalValue: bigint } {
    return this.utxos.stats();
  }

  /** Locator of the main chain (or of the branch ending at `from`). */
  locator(from?: BlockRef): Uint8Array[] {
    const start = from === undefined ? this.top : this.resolve(from);
    if (!start) return [];
    return buildLocator(start, this.main);
  }

  /** Main-chain headers after the newest locator hash we share, up to `max`, stopping after `stop`. */
  headersAfter(locator: Uint8Array[], max = 2000, stop?: Uint8Array): BlockHeader[] {
    const fork = forkFromLocator(locator, this.index, this.main);
    const out: BlockHeader[] = [];
    const stopKey = stop ? hashKey(stop) : undefined;
    for (const e of this.main.slice(fork.height + 1, fork.height + 1 + max)) {
      out.push(this.loadHeader(e));
      if (e.key === stopKey) break;
    }
    return out;
  }

  // ── accepting ───────────────────────────────────────────────────────────────────────────────

  /** Checks a header against its parent and adds it to the index (no body yet). */
  acceptHeader(header: BlockHeader): Promise<HeaderAcceptResult> {
    return this.serialize(() => this.acceptHeaderNow(header, headerHash(header)));
  }

  /** Headers in chain order; stops at the first that is not accepted or already known. */
  acceptHeaders(headers: BlockHeader[]): Promise<HeaderAcceptResult[]> {
    return this.serialize(() =>
      // One commit for the whole batch (a sync message carries up to 2,000 headers).
      inTransaction(this.db, () => {
        const out: HeaderAcceptResult[] = [];
        for (const h of headers) {
          const r = this.acceptHeaderNow(h, headerHash(h));
          out.push(r);
          if (r.status === 'invalid' || r.status === 'orphan') break;
        }
        return out;
      }),
    );
  }

  /**
   * Blocks to download next: the bodies missing on the way from the tip's branch to the best
   * header, oldest first, at most `max`.
   */
  blocksToFetch(max = 128): ChainEntry[] {
    const missing: IndexEntry[] = [];
    for (let e: IndexEntry | null = this.bestHeaderEntry; e && !e.linked; e = e.parent) {
      if (!e.hasData) missing.push(e);
    }
    return missing.reverse().slice(0, max);
  }

  /**
   * Checks and stores a block, then moves the tip to the most-work valid chain. The result says
   * where the block ended up: on the main chain, on a side branch, waiting for its parent, or
   * refused (with the rule it broke).
   */
  acceptBlock(block: Block): Promise<AcceptResult> {
    return this.serialize(async () => {
      const result = await this.acceptBlockNow(block);
      if (result.status === 'connected' || result.status === 'side-branch') await this.adoptOrphans(block);
      return result;
    });
  }

  /** Switches to the most-work chain whose blocks are all valid (see the class comment). */
  activateBestChain(): Promise<void> {
    return this.serialize(() => this.activate());
  }

  /** Checks the stored state against the in-memory index; returns the problems found. */
  checkConsistency(integrity = false): string[] {
    const { db, blocks, main, extensions } = this;
    return checkChainConsistency({ db, blocks, main, extensions }, integrity);
  }

  // ── internals ───────────────────────────────────────────────────────────────────────────────

  private serialize<T>(fn: () => T | Promise<T>): Promise<T> {
    const run = this.lock.then(() => {
      if (this.closed) throw new ChainStateError('chain is closed');
      return fn();
    });
    this.lock = run.catch(() => undefined);
    return run;
  }

  private resolve(ref: BlockRef): IndexEntry | undefined {
    if (typeof ref === 'number') return this.main[ref];
    if (typeof ref === 'string') {
      if (!/^[0-9a-fA-F]{64}$/.test(ref)) return undefined;
      return this.index.get(fromReverseHex(ref));
    }
    return this.index.get(ref);
  }

  private loadHeader(e: IndexEntry): BlockHeader {
    const cached = this.recent.get(e.key);
    if (cached) return cached.block.header;
    const row = this.db.prepare('SELECT header FROM block_index WHERE hash = ?').get(e.hash) as
      | { header: Uint8Array }
      | undefined;
    if (!row) throw new ChainStateError(`header ${e.id} is in the index but not stored`);
    return decodeHeader(row.header);
  }

  private loadBlock(e: IndexEntry): Block {
    const block = this.getBlock(e.hash);
    if (!block) throw new ChainStateError(`block ${e.id} has no stored data`);
    return block;
  }

  private remember(e: IndexEntry, block: Block, txids?: Uint8Array[]): void {
    this.recent.set(e.key, { block, txids });
    if (this.recent.size > RECENT_BLOCKS) this.recent.delete(this.recent.keys().next().value!);
  }

  /** Builds the in-memory index from the database, creating the genesis state on first open. */
  private load(genesis: Block): void {
    const gHash = blockHash(genesis);
    const storedGenesis = this.blocks.getMeta('genesis');
    if (storedGenesis === undefined) {
      inTransaction(this.db, () => {
        const raw = encodeHeader(genesis.header);
        this.blocks.insertIndex({
          hash: gHash,
          prev: genesis.header.prevHash,
          height: 0,
          chainWork: this.workOf(genesis.header.bits),
          header: raw,
          status: 'valid',
          invalidRule: null,
          invalidReason: null,
          seq: 0,
        });
        // Like Bitcoin and Zcash, the genesis coinbase is not added to the UTXO set: it is unspendable.
        this.blocks.putBlockData(gHash, encodeBlock(genesis));
        this.blocks.setMain(0, gHash);
        this.blocks.setMeta('genesis', gHash);
        this.blocks.setMeta('tip', gHash);
      });
    } else if (!(storedGenesis instanceof Uint8Array) || hashKey(storedGenesis) !== hashKey(gHash)) {
      throw new ChainStateError('the database in this folder belongs to a chain with another genesis block');
    }

    let maxSeq = 0;
    for (const row of this.blocks.allIndex()) {
      const isGenesis = row.height === 0;
      const parent = isGenesis ? null : this.index.get(row.prev);
      if (!isGenesis && !parent)
        throw new ChainStateError(`indexed block at height ${row.height} has no parent`);
      if (isGenesis && hashKey(row.hash) !== hashKey(gHash)) {
        throw new ChainStateError('a second block at height 0 is indexed');
      }
      const f = headerFields(row.header);
      const e = new IndexEntry({
        hash: row.hash,
        prevHash: row.prev,
        height: row.height,
        chainWork: row.chainWork,
        ...f,
        parent: parent ?? null,
        seq: row.seq,
        status: row.status,
        invalidRule: row.invalidRule,
        invalidReason: row.invalidReason,
      });
      e.linked = e.hasData && (parent ? parent.linked : true);
      this.index.add(e);
      if (row.seq > maxSeq) maxSeq = row.seq;
    }
    this.nextSeq = maxSeq + 1;

    const tipHash = this.blocks.getMeta('tip');
    const tip = tipHash instanceof Uint8Array ? this.index.get(tipHash) : undefined;
    if (!tip) throw new ChainStateError('stored tip is not in the block index');
    for (let e: IndexEntry | null = tip; e; e = e.parent) this.main[e.height] = e;

    this.bestHeaderEntry = tip;
    for (const e of this.index.values()) {
      if (e.status === 'invalid') continue;
      if (betterThan(e, this.bestHeaderEntry)) this.bestHeaderEntry = e;
      if (e.linked && e.chainWork >= tip.chainWork) this.candidates.add(e);
    }
  }

  private workOf(bits: number): bigint {
    return workFromBits(bits);
  }

  private headerContext(prev: IndexEntry, height: number, hash: Uint8Array): HeaderContext {
    return {
      params: this.params,
      hash,
      height,
      prev,
      medianTimePast: BlockIndex.medianTimePast(prev),
      now: this.now(),
    };
  }

  private acceptHeaderNow(header: BlockHeader, hash: Uint8Array): HeaderAcceptResult {
    const known = this.index.get(hash);
    const id = known?.id ?? reverseHex(hash);
    if (known) {
      if (known.status === 'invalid') {
        return {
          status: 'invalid',
          id,
          height: known.height,
          rule: known.invalidRule,
          reason: known.invalidReason,
          entry: known,
        };
      }
      return { status: 'duplicate', id, height: known.height, entry: known };
    }
    const parent = this.index.get(header.prevHash);
    if (!parent) return { status: 'orphan', id };
    const height = parent.height + 1;
    if (parent.status === 'invalid') {
      return { status: 'invalid', id, height, rule: 'bad-prevblk', reason: `parent ${parent.id} is invalid` };
    }
    // fluxd refuses a fork from deeper than its reorganisation limit, whatever its work.
    const depth = this.height() - parent.height;
    if (depth >= this.params.maxReorgDepth) {
      return {
        status: 'invalid',
        id,
        height,
        rule: 'bad-fork-prior-to-maxreorgdepth',
        reason: `parent at height ${parent.height} is ${depth} blocks below the tip (limit ${this.params.maxReorgDepth})`,
      };
    }
    try {
      this.validator.checkHeader(header, this.headerContext(parent, height, hash));
    } catch (err) {
      if (err instanceof ConsensusError)
        return { status: 'invalid', id, height, rule: err.rule, reason: err.message };
      throw err;
    }
    const e = new IndexEntry({
      hash,
      prevHash: header.prevHash,
      height,
      chainWork: parent.chainWork + this.workOf(header.bits),
      version: header.version,
      time: header.time,
      bits: header.bits,
      parent,
      seq: this.nextSeq++,
      status: 'header',
    });
    this.blocks.insertIndex({
      hash,
      prev: header.prevHash,
      height,
      chainWork: e.chainWork,
      header: encodeHeader(header),
      status: 'header',
      invalidRule: null,
      invalidReason: null,
      seq: e.seq,
    });
    this.index.add(e);
    if (betterThan(e, this.bestHeaderEntry)) this.bestHeaderEntry = e;
    return { status: 'accepted', id, height, entry: e };
  }

  private async acceptBlockNow(block: Block): Promise<AcceptResult> {
    const hash = blockHash(block);
    let e = this.index.get(hash);
    const id = e?.id ?? reverseHex(hash);
    if (e?.status === 'invalid') {
      return { status: 'invalid', id, height: e.height, rule: e.invalidRule, reason: e.invalidReason };
    }
    if (e?.hasData) return { status: 'duplicate', id, height: e.height };
    if (!e && !this.index.get(block.header.prevHash)) {
      this.addOrphan(block);
      return { status: 'orphan', id };
    }

    // Header, body checks and the body itself go to disk in one commit.
    let txids: Uint8Array[] | undefined;
    const stored = inTransaction(this.db, (): IndexEntry | AcceptResult => {
      if (!e) {
        const hr = this.acceptHeaderNow(block.header, hash);
        if (hr.status === 'invalid') {
          return { status: 'invalid', id, height: hr.height, rule: hr.rule, reason: hr.reason };
        }
        e = hr.entry as IndexEntry;
      }
      const entry = e;
      try {
        txids = this.validator.checkBlock(
          block,
          this.headerContext(entry.parent!, entry.height, hash),
        )?.txids;
      } catch (err) {
        if (!(err instanceof ConsensusError)) throw err;
        // A body that does not match its header may be a corrupted copy of a good block: refuse the
        // copy but keep the header open for a correct one.
        if (!CORRUPTION_RULES.has(err.rule)) this.markInvalid(entry, err.rule, err.message);
        return { status: 'invalid', id, height: entry.height, rule: err.rule, reason: err.message };
      }
      this.blocks.putBlockData(hash, encodeBlock(block));
      this.blocks.setStatus(hash, 'data');
      return entry;
    });
    if (!(stored instanceof IndexEntry)) return stored;
    const entry = stored;
    entry.status = 'data';
    this.remember(entry, block, txids);
    this.link(entry);

    await this.activate();

    const refused = this.#refusedCopies.get(entry.key);
    this.#refusedCopies.delete(entry.key);
    if (refused && (entry.status as BlockStatus) === 'header') {
      return { status: 'invalid', id, height: entry.height, rule: refused.rule, reason: refused.reason };
    }
    // Activation may have found the block (or an ancestor) invalid.
    if ((entry.status as BlockStatus) === 'invalid') {
      return {
        status: 'invalid',
        id,
        height: entry.height,
        rule: entry.invalidRule,
        reason: entry.invalidReason,
      };
    }
    return {
      status: this.main[entry.height] === entry ? 'connected' : 'side-branch',
      id,
      height: entry.height,
    };
  }

  /** Marks `e` (and every stored descendant whose parent is now complete) as connectable. */
  private link(e: IndexEntry): void {
    if (!e.parent?.linked) return;
    const tipWork = this.top.chainWork;
    const stack = [e];
    while (stack.length) {
      const cur = stack.pop()!;
      if (!cur.hasData || cur.linked) continue;
      cur.linked = true;
      if (cur.chainWork >= tipWork) this.candidates.add(cur);
      stack.push(...cur.children);
    }
  }

  private addOrphan(block: Block): void {
    if (this.orphanCount >= this.maxOrphans) {
      // Drop the oldest waiting group: a peer that floods orphans only evicts its own.
      const first = this.orphans.keys().next().value!;
      this.orphanCount -= this.orphans.get(first)!.length;
      this.orphans.delete(first);
    }
    const key = hashKey(block.header.prevHash);
    const list = this.orphans.get(key) ?? [];
    list.push(block);
    this.orphans.set(key, list);
    this.orphanCount++;
  }

  /** Accepts waiting blocks whose parent just arrived, and their children in turn. */
  private async adoptOrphans(parent: Block): Promise<void> {
    const queue = [blockHash(parent)];
    while (queue.length) {
      const key = hashKey(queue.shift()!);
      const waiting = this.orphans.get(key);
      if (!waiting) continue;
      this.orphans.delete(key);
      this.orphanCount -= waiting.length;
      for (const child of waiting) {
        const r = await this.acceptBlockNow(child);
        if (r.status === 'connected' || r.status === 'side-branch') queue.push(blockHash(child));
      }
    }
  }

  private markInvalid(e: IndexEntry, rule: string, reason: string): void {
    const hit = [e, ...BlockIndex.descendants(e)];
    inTransaction(this.db, () => {
      for (const d of hit) {
        if (d.status === 'invalid') continue;
        const r = d === e ? rule : 'bad-prevblk';
        const why = d === e ? reason : `descends from invalid block ${e.id}`;
        this.blocks.setStatus(d.hash, 'invalid', r, why);
      }
    });
    for (const d of hit) {
      if (d.status === 'invalid') continue;
      d.status = 'invalid';
      d.invalidRule = d === e ? rule : 'bad-prevblk';
      d.invalidReason = d === e ? reason : `descends from invalid block ${e.id}`;
      this.candidates.delete(d);
      this.recent.delete(d.key);
    }
    if (hit.includes(this.bestHeaderEntry)) this.recomputeBestHeader();
    this.#observer.invalid(e, rule);
    this.emit('invalid', e, rule, reason);
  }

  /**
   * Drops a stored copy of `e` that broke a rule over bytes its hash does not commit to: the header
   * (and every descendant) stays open, so an honest copy of the same block can still connect.
   */
  private forgetBody(e: IndexEntry, rule: string, reason: string): void {
    inTransaction(this.db, () => {
      this.blocks.deleteBlockData(e.hash);
      this.blocks.setStatus(e.hash, 'header', null, null);
    });
    e.status = 'header';
    this.recent.delete(e.key);
    for (const d of [e, ...BlockIndex.descendants(e)]) {
      d.linked = false;
      this.candidates.delete(d);
    }
    this.#refusedCopies.set(e.key, { rule, reason });
    this.#observer.invalid(e, rule);
  }

  private recomputeBestHeader(): void {
    let best = this.top;
    for (const e of this.index.values()) if (e.status !== 'invalid' && betterThan(e, best)) best = e;
    this.bestHeaderEntry = best;
  }

  private bestCandidate(): IndexEntry | undefined {
    let best: IndexEntry | undefined;
    for (const e of this.candidates) if (!best || betterThan(e, best)) best = e;
    return best;
  }

  private async activate(): Promise<void> {
    const before = this.top;
    for (;;) {
      const tip = this.top;
      const best = this.bestCandidate();
      if (!best || best === tip || best.chainWork <= tip.chainWork) break;
      const fork = BlockIndex.fork(tip, best);
      if (!fork) throw new ChainStateError(`block ${best.id} shares no ancestor with the tip`);
      if (tip !== fork) this.#observer.reorg(tip, best, fork, tip.height - fork.height);
      while (this.top !== fork) this.disconnectTip();
      const path: IndexEntry[] = [];
      for (let e: IndexEntry = best; e !== fork; e = e.parent!) path.push(e);
      path.reverse();
      for (const e of path) if (!(await this.connectTip(e))) break;
    }
    const tip = this.top;
    for (const e of this.candidates) if (e.chainWork < tip.chainWork) this.candidates.delete(e);
    if (tip !== before) this.emit('tip', tip);
  }

  /** Connects `e` (child of the tip); false when it broke a rule (it is then marked invalid). */
  private async connectTip(e: IndexEntry): Promise<boolean> {
    const started = performance.now();
    const block = this.loadBlock(e);
    const ctx: BlockContext = this.headerContext(e.parent!, e.height, e.hash);
    try {
      const txids = this.recent.get(e.key)?.txids ?? block.txs.map((tx) => txid(tx));
      const plan = planConnect(block, txids, e.height, this.utxos, {
        coinbaseMaturity: this.params.coinbaseMaturity,
        maxMoney: this.params.maxMoney,
      });
      this.validator.checkCoinbase({
        ...ctx,
        block,
        coinbase: must(block.txs[0], 'the coinbase (checkBlock requires one)'),
        fees: plan.fees,
        payees: this.#fluxnodes.registry.payees(e.height),
      });
      await this.validator.verifyScripts(plan.scriptChecks, ctx);
      connectWrite(
        { db: this.db, blocks: this.blocks, utxos: this.utxos, extensions: this.extensions },
        e,
        block,
        plan,
      );
    } catch (err) {
      if (!(err instanceof ConsensusError)) throw err;
      if (UNCOMMITTED_BODY_RULES.has(err.rule)) this.forgetBody(e, err.rule, err.message);
      else this.markInvalid(e, err.rule, err.message);
      return false;
    }
    e.status = 'valid';
    this.main.push(e);
    this.candidates.add(e);
    this.#observer.connected(e, block.txs.length, (performance.now() - started) / 1000, this.bestHeaderEntry);
    this.emit('connect', block, e);
    return true;
  }

  private disconnectTip(): void {
    const e = this.top;
    if (e.height === 0) throw new ChainStateError('cannot disconnect the genesis block');
    const block = this.loadBlock(e);
    const rawUndo = this.blocks.getUndo(e.hash);
    if (!rawUndo) throw new ChainStateError(`block ${e.id} on the main chain has no undo record`);
    disconnectWrite(
      { db: this.db, blocks: this.blocks, utxos: this.utxos, extensions: this.extensions },
      e,
      block,
      decodeUndo(rawUndo),
    );
    this.main.pop();
    this.candidates.add(e);
    this.#observer.disconnected(e);
    this.emit('disconnect', block, e);
  }
}
