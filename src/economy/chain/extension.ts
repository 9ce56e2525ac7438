/**
 * The economy kept with the chain: one BlockSummary per main-chain block (miner reward, fluxnode
 * payments, fund outputs, app payments, burned coin, collateral locked and released), written in the
 * block's own SQLite transaction and deleted when the block is disconnected. The supply statistics and
 * the parallel-asset accrual are folds of those rows, so they always describe exactly the tip,
 * across reorgs and crashes.
 *
 * It depends on the chain's fluxnode registry: the chain connects the registry first and hands over
 * what the block did to it (who was paid, as they stood before the block; which nodes started,
 * changed, were spent or expired), from which the payees and the collateral changes are read.
 *
 * This file holds the chain hooks and the coverage bookkeeping; connect-steps.ts reads what else a
 * block adds (pool stakes, holder allocations, claims), positions.ts folds the per-address and
 * per-asset answers, claim-book.ts keeps the claims, and store.ts with its row files the tables.
 */
import type { DatabaseSync } from 'node:sqlite';
import {
  type Block,
  type ByteWriter,
  ConsensusError,
  type ConsensusParams,
  equalBytes,
  type OutPoint,
  type Transaction,
} from '../../consensus/index.ts';
import {
  type ChainEntry,
  ChainStateError,
  type ChainStateExtension,
  type ExtensionContext,
  fluxnodeEffectOf,
  FLUXNODES,
  inTransaction,
} from '../../chain/index.ts';
import { appPaymentScriptFor } from '../../cloud/index.ts';
import { EconomyError } from '../errors.ts';
import type { BlockSummary } from '../inputs.ts';
import { isEligiblePayout } from '../parallel/accrual.ts';
import { ACCRUAL_EPOCH, PARALLEL_ASSETS, type ParallelAsset } from '../parallel/assets.ts';
import type { ClaimFields } from '../parallel/claim-message.ts';
import type { ClaimProof, ClaimRecord, ClaimSnapshot } from '../parallel/ledger.ts';
import { type SupplySnapshot, SupplyStats } from '../supply/stats.ts';
import { type BlockPayee, summarizeBlock } from './block-summary.ts';
import { type ChainTip, ClaimBook } from './claim-book.ts';
import {
  allocateHolders,
  blockClaims,
  collateralChange,
  outpointKey,
  recordPoolStakes,
} from './connect-steps.ts';
import { claimConflictKey, claimDataOf, claimFieldsOf } from './claim-tx.ts';
import {
  type AddressBalance,
  type AddressEarnings,
  type AssetSupply,
  type Coverage,
  DEFAULT_SNAPSHOT_INTERVAL,
  type EconomyOptions,
  type HolderBalances,
  type HolderSnapshot,
} from './extension-types.ts';
import { assetSupplyOf, balanceOf, earningsOf } from './positions.ts';
import { EconomyStore } from './store.ts';

export {
  type AddressBalance,
  type AddressEarnings,
  type AssetBalance,
  type AssetSupply,
  type Coverage,
  DEFAULT_SNAPSHOT_INTERVAL,
  type EconomyOptions,
  type HolderBalances,
  type HolderSnapshot,
} from './extension-types.ts';
import { must } from '../../consensus/index.ts';

/** Where the stored summaries start: 1 on a chain the economy saw from genesis. */
const FROM_HEIGHT = 'from_height';

export class EconomyExtension implements ChainStateExtension {
  readonly name = 'economy';
  readonly dependsOn: readonly string[];
  readonly params: ConsensusParams;
  readonly epoch: number;
  private readonly appScript: Uint8Array;
  private readonly store = new EconomyStore();
  private readonly holderSnapshots: readonly HolderSnapshot[];
  private readonly holders: HolderBalances | undefined;
  private readonly book: ClaimBook;
  private stats = new SupplyStats();
  private resetReason: string | undefined;
  /** What the current block's connect or disconnect changed in memory, for onRollback. */
  private inFlight: { op: 'connect' | 'disconnect'; summary: BlockSummary } | undefined;

  constructor(options: EconomyOptions) {
    const params = options.params;
    this.params = params;
    this.epoch = options.epoch ?? ACCRUAL_EPOCH;
    this.appScript = options.appScript ?? appPaymentScriptFor(params);
    this.holderSnapshots = options.holderSnapshots ?? [];
    this.holders = options.holders;
    if (this.holderSnapshots.length && !this.holders)
      throw new EconomyError('no-holder-source', 'holder snapshots need the address index', {
        field: 'holders',
        value: undefined,
      });
    this.dependsOn = this.holders ? [FLUXNODES, this.holders.name] : [FLUXNODES];
    this.book = new ClaimBook({
      store: this.store,
      registry: options.assets ?? PARALLEL_ASSETS,
      epoch: this.epoch,
      claimDepth: options.claimDepth ?? params.coinbaseMaturity,
      snapshotInterval: options.snapshotInterval ?? DEFAULT_SNAPSHOT_INTERVAL,
    });
  }

  // ── chain hooks ─────────────────────────────────────────────────────────────────────────────

  init(db: DatabaseSync): void {
    this.store.open(db);
    this.reloadStats();
    this.book.invalidate();
  }

  connectBlock(
    _db: DatabaseSync,
    block: Block,
    height: number,
    _undo: ByteWriter,
    ctx: ExtensionContext,
  ): void {
    this.inFlight = undefined;
    const effect = fluxnodeEffectOf(ctx);
    try {
      const payees: BlockPayee[] = effect.paid.map((r) => ({
        tier: r.tier,
        collateral: r.collateral,
        payoutScript: r.payoutScript,
        nodeStartTime: this.timeAt(r.startHeight, ctx.entry),
      }));
      const summary = summarizeBlock(
        {
          block,
          height,
          time: ctx.entry.time,
          payees,
          spentValues: ctx.spent.map((s) => s.coin.value),
          collateral: collateralChange(effect),
        },
        { params: this.params, appScript: this.appScript },
      );
      if (this.stats.tipHeight === null && this.store.getMeta(FROM_HEIGHT) === undefined)
        this.store.setMeta(FROM_HEIGHT, height);
      this.stats.connect(summary);
      this.inFlight = { op: 'connect', summary };
      this.store.putBlock(ctx.entry.hash, summary, (p) => isEligiblePayout(p, this.epoch), this.epoch);
      if (this.holders) recordPoolStakes(this.store.holderRows, block, height, ctx, this.params);
      const due = this.holderSnapshots.filter((h) => h.height === height);
      if (due.length && this.holders)
        allocateHolders(this.store.holderRows, due, this.holders, this.book.registry, height, this.params);
    } catch (err) {
      // A summary the economy cannot take means a bug or a damaged table, never a bad block.
      throw new ChainStateError(`economy: cannot record block ${ctx.entry.id} at ${height}`, [
        err instanceof Error ? err.message : String(err),
      ]);
    }
    // Claims are checked only where every payment since genesis is known; elsewhere none could be.
    if (this.coverage().complete) this.connectClaims(block, { height, time: ctx.entry.time }, ctx);
  }

  /** Checks and records the block's claims; a bad one refuses the block with the economy's rule. */
  private connectClaims(block: Block, at: ChainTip, ctx: ExtensionContext): void {
    try {
      const claims = blockClaims(block, ctx, this.book.registry, this.params);
      if (claims.length || at.height % this.book.snapshotInterval === 0) this.book.connect(at, claims);
    } catch (err) {
      if (err instanceof EconomyError)
        throw new ConsensusError(err.code, err.message, { field: err.field, value: err.value });
      throw err;
    }
  }

  disconnectBlock(
    _db: DatabaseSync,
    _block: Block,
    height: number,
    _undo: Uint8Array,
    _ctx: ExtensionContext,
  ): void {
    this.inFlight = undefined;
    const row = this.store.getBlock(height);
    if (row) {
      this.stats.disconnect(row.summary);
      this.inFlight = { op: 'disconnect', summary: row.summary };
    }
    const hadClaims = this.store.deleteBlock(height);
    const from = this.store.getMeta(FROM_HEIGHT);
    if (from !== undefined && height <= from) this.store.setMeta(FROM_HEIGHT, height);
    this.book.disconnected(height, hadClaims);
  }

  /** The block's transaction was rolled back: undo what this extension did to its memory. */
  onRollback(_db: DatabaseSync): void {
    const f = this.inFlight;
    this.inFlight = undefined;
    this.book.invalidate();
    try {
      if (f?.op === 'connect') this.stats.disconnect(f.summary);
      else if (f?.op === 'disconnect') this.stats.connect(f.summary);
    } catch {
      this.reloadStats();
    }
    // Cheap undo above; should memory and table still disagree, rebuild from the table.
    if (this.stats.tipHeight !== (this.store.lastBlock()?.height ?? null)) this.reloadStats();
  }

  /**
   * On open: the summaries must run from their start height to the tip. They are derived data, never
   * worth refusing to start over: when they do not match (the chain advanced while the node ran
   * without this extension, or the table was damaged) they are dropped and coverage restarts at the
   * next block, which coverage() reports with the reason.
   */
  checkConsistency(db: DatabaseSync, tip: ChainEntry): string[] {
    const why = this.coverageProblem(tip);
    if (!why && tip.height > 0 && this.store.getMeta(FROM_HEIGHT) === undefined && !this.store.lastBlock()) {
      // A chain that grew before this store existed: the figures start with the next block.
      this.store.setMeta(FROM_HEIGHT, tip.height + 1);
    } else if (why) {
      inTransaction(db, () => {
        this.store.clearBlocks();
        this.store.setMeta(FROM_HEIGHT, tip.height + 1);
      });
      this.reloadStats();
      this.book.invalidate();
      this.resetReason = why;
    }
    return [];
  }

  private coverageProblem(tip: ChainEntry): string | undefined {
    const last = this.store.lastBlock();
    const from = this.store.getMeta(FROM_HEIGHT);
    if (!last) {
      return from !== undefined && from !== tip.height + 1
        ? `no summaries, but they were to start at ${from} with the tip at ${tip.height}`
        : undefined;
    }
    if (last.height !== tip.height || !equalBytes(last.hash, tip.hash))
      return `the last summary is for height ${last.height}, the tip is ${tip.id} at ${tip.height}`;
    const count = this.store.blockCount();
    if (from === undefined || count !== last.height - from + 1)
      return `${count} summaries for heights ${from ?? '?'}..${last.height}`;
    return undefined;
  }

  // ── queries ─────────────────────────────────────────────────────────────────────────────────

  /** Supply statistics at the tip. */
  supply(): SupplySnapshot {
    return this.stats.snapshot();
  }

  /** Per parallel asset over every address: accrued, matured, claimed, claimable, pending. */
  assetSupply(): AssetSupply[] {
    return assetSupplyOf(this.store, this.book, this.tip());
  }

  /** Heights the statistics cover: from `fromHeight` (1 when the economy saw the whole chain) to the tip. */
  coverage(): Coverage {
    const fromHeight = this.store.getMeta(FROM_HEIGHT) ?? null;
    return {
      fromHeight,
      tipHeight: this.stats.tipHeight,
      complete: fromHeight === null || fromHeight <= 1,
      ...(this.resetReason ? { resetReason: this.resetReason } : {}),
    };
  }

  /** The stored summary of a main-chain block (for explorers and audits). */
  blockSummary(height: number): BlockSummary | undefined {
    return this.store.getBlock(height)?.summary;
  }

  tip(): ChainTip {
    const s = this.stats.snapshot();
    return { height: s.tipHeight ?? 0, time: s.tipTime ?? 0 };
  }

  get assets(): readonly ParallelAsset[] {
    return this.book.registry;
  }

  get claimDepth(): number {
    return this.book.claimDepth;
  }

  earnings(address: string): AddressEarnings {
    return earningsOf(this.store, address);
  }

  /** Every parallel asset's position for a payout address. */
  balance(address: string): AddressBalance {
    return balanceOf(this.store, this.book, address, this.tip());
  }

  get snapshotInterval(): number {
    return this.book.snapshotInterval;
  }

  /**
   * The mempool's check of a transaction against the tip: null when it carries no claim, else the
   * claim it makes (checked against the payments matured at the tip, which a later block only
   * grows) and its conflict key. `scriptOf` gives the script of the coin an input spends.
   */
  checkClaimTx(
    tx: Transaction,
    scriptOf: (o: OutPoint) => Uint8Array | undefined,
  ): { record: ClaimRecord; conflictKey: string } | null {
    const data = claimDataOf(tx, this.book.registry);
    if (!data) return null;
    const prevout = must(tx.inputs[0], 'a claim input').prevout;
    const script = scriptOf(prevout);
    if (!script)
      throw new EconomyError('bad-claim-source', 'the coin of the first input is unknown', {
        field: 'vin[0]',
        value: outpointKey(prevout),
      });
    const fields: ClaimFields = claimFieldsOf(data, script, this.params);
    if (!this.coverage().complete)
      throw new EconomyError('claims-unchecked', 'this node has not seen every block since genesis', {
        field: 'coverage',
        value: this.coverage().fromHeight,
      });
    return { record: this.book.check(fields, this.tip()), conflictKey: claimConflictKey(fields) };
  }

  /** Where a claim was made on the active chain. */
  claimPlace(id: string): { height: number; txid: string } | undefined {
    return this.store.claimRows.claimPlace(id);
  }

  snapshots(assetId: string): readonly ClaimSnapshot[] {
    return this.book.snapshots(assetId, this.tip());
  }

  claims(assetId: string): readonly ClaimRecord[] {
    return this.book.claims(assetId, this.tip());
  }

  proof(claimId: string): ClaimProof | null {
    return this.book.proof(claimId, this.tip());
  }

  // ── internals ───────────────────────────────────────────────────────────────────────────────

  private reloadStats(): void {
    const stats = new SupplyStats();
    for (const s of this.store.summaries()) stats.connect(s);
    this.stats = stats;
  }

  /** Header time of the main-chain block at `height` (at or below the block being connected). */
  private timeAt(height: number, from: ChainEntry): number {
    const stored = this.store.timeAt(height);
    if (stored !== undefined) return stored;
    let e: ChainEntry | null = from;
    while (e && e.height > height) e = e.parent;
    if (!e || e.height !== height)
      throw new EconomyError('unknown-height', `no block at height ${height}`, {
        field: 'height',
        value: height,
      });
    return e.time;
  }
}
