/**
 * Parallel-asset claims as chain state. A claim is made by a transaction (claim-tx.ts); the block
 * that carries it records it, and every node checks it against the same state: the fluxnode
 * payments matured at the block's height (`claimDepth` blocks deep, by default the coinbase maturity,
 * the moment the FLUX itself becomes spendable) and mined outputs, the holder allocations as deep,
 * the claims of earlier blocks and the block's time.
 * Every `snapshotInterval` blocks the claims not yet in a snapshot are sealed under a Merkle root, per
 * asset, so every node holds the same roots at the same height.
 *
 * The ParallelLedger in memory is a cache of the tables: payments are fed as they mature; any
 * disconnect that removes a fed payment, a claim or a snapshot, or a rollback, marks it for a rebuild
 * from the tables, which then hold exactly the active chain.
 */
import { EconomyError } from '../errors.ts';
import type { ParallelAsset } from '../parallel/assets.ts';
import type { ClaimFields } from '../parallel/claim-message.ts';
import {
  type AssetPosition,
  type ClaimProof,
  type ClaimRecord,
  type ClaimSnapshot,
  ParallelLedger,
} from '../parallel/ledger.ts';
import type { EconomyStore, StoredSnapshot } from './store.ts';

export interface ChainTip {
  height: number;
  time: number;
}

export interface ClaimBookOptions {
  store: EconomyStore;
  registry: readonly ParallelAsset[];
  epoch: number;
  claimDepth: number;
  snapshotInterval: number;
}

/** One claim a block carries, in block order. */
export interface BlockClaim {
  fields: ClaimFields;
  txid: string;
}

function requireBlocks(value: number, field: string): void {
  if (!Number.isInteger(value) || value < 1) {
    const code = field === 'claimDepth' ? 'bad-claim-depth' : 'bad-snapshot-interval';
    throw new EconomyError(code, `${field} must be a whole number of blocks ≥ 1`, { field, value });
  }
}

export class ClaimBook {
  readonly #o: ClaimBookOptions;
  #ledger: ParallelLedger;
  /** Payments at heights up to here are in the ledger. */
  #applied = 0;
  #dirty = true;

  constructor(options: ClaimBookOptions) {
    requireBlocks(options.claimDepth, 'claimDepth');
    requireBlocks(options.snapshotInterval, 'snapshotInterval');
    this.#o = options;
    this.#ledger = this.#emptyLedger();
  }

  get registry(): readonly ParallelAsset[] {
    return this.#o.registry;
  }

  get claimDepth(): number {
    return this.#o.claimDepth;
  }

  get snapshotInterval(): number {
    return this.#o.snapshotInterval;
  }

  /** Highest height whose payments are matured at this tip. */
  maturedHeight(tipHeight: number): number {
    return Math.max(0, tipHeight + 1 - this.#o.claimDepth);
  }

  /** A block left the chain; `hadClaims` when it carried claims or sealed a snapshot. */
  disconnected(height: number, hadClaims: boolean): void {
    if (hadClaims || height <= this.#applied) this.#dirty = true;
  }

  invalidate(): void {
    this.#dirty = true;
  }

  positions(address: string, tip: ChainTip): AssetPosition[] {
    return this.#at(tip).positions(address, tip.time);
  }

  /** The record `fields` would make in a block at `at`, or the EconomyError saying why not. */
  check(fields: ClaimFields, at: ChainTip): ClaimRecord {
    return this.#at(at).checkClaim(fields, at.time);
  }

  /**
   * Records a block's claims, each checked against the ledger as the claims before it left it, then
   * seals the snapshots due at the block's height. Stores everything in the block's transaction.
   * Throws the EconomyError of the first claim that fails (the block is then refused).
   */
  connect(at: ChainTip, claims: readonly BlockClaim[]): ClaimRecord[] {
    const ledger = this.#at(at);
    const records: ClaimRecord[] = [];
    try {
      for (const c of claims) {
        const record = ledger.checkClaim(c.fields, at.time);
        ledger.restoreClaim(record);
        this.#o.store.claimRows.putClaim({ record, height: at.height, txid: c.txid });
        records.push(record);
      }
      if (at.height % this.#o.snapshotInterval === 0) this.#sealAll(ledger, at);
    } catch (err) {
      this.#dirty = true;
      throw err;
    }
    return records;
  }

  claims(assetId: string, tip: ChainTip): readonly ClaimRecord[] {
    return this.#at(tip).claims(assetId);
  }

  snapshots(assetId: string, tip: ChainTip): readonly ClaimSnapshot[] {
    return this.#at(tip).snapshots(assetId);
  }

  proof(claimId: string, tip: ChainTip): ClaimProof | null {
    return this.#at(tip).proof(claimId);
  }

  #sealAll(ledger: ParallelLedger, at: ChainTip): void {
    for (const asset of this.#o.registry) {
      const all = ledger.claims(asset.id).length;
      const sealed = ledger.snapshots(asset.id).reduce((n, s) => n + s.leafCount, 0);
      if (all === sealed) continue;
      const snap = ledger.snapshot(asset.id, at.time);
      this.#o.store.claimRows.putSnapshot({
        height: at.height,
        asset: asset.id,
        number: snap.snapshot,
        time: snap.time,
        claims: all,
        root: snap.root,
      });
    }
  }

  /** The ledger brought to the matured height of `tip` (rebuilt when it is past it). */
  #at(tip: ChainTip): ParallelLedger {
    const horizon = this.maturedHeight(tip.height);
    if (this.#dirty || horizon < this.#applied) this.#rebuild(horizon);
    else if (horizon > this.#applied) {
      this.#feed(this.#ledger, this.#applied, horizon);
      this.#applied = horizon;
    }
    return this.#ledger;
  }

  /** Accrual made at heights in (from, to]: fluxnode payments, mined outputs, holder allocations. */
  #feed(ledger: ParallelLedger, from: number, to: number): void {
    const store = this.#o.store;
    for (const p of store.payoutsBetween(from, to)) ledger.applyPayout(p);
    for (const m of store.minedBetween(from, to)) ledger.applyMined(m);
    for (const a of store.holderRows.allocationsBetween(from, to))
      ledger.allocate(a.asset, a.address, a.units);
  }

  /** Every address's position in one asset at the tip, summed. */
  totals(assetId: string, tip: ChainTip) {
    return this.#at(tip).assetTotals(assetId, tip.time);
  }

  #emptyLedger(): ParallelLedger {
    return new ParallelLedger({
      // Claims on chain are authorized by their transaction's signature, never by a message.
      verifySignature: () => false,
      registry: this.#o.registry,
      epoch: this.#o.epoch,
    });
  }

  #rebuild(horizon: number): void {
    const ledger = this.#emptyLedger();
    this.#feed(ledger, -1, horizon);
    const pending = new Map<string, StoredSnapshot[]>();
    for (const s of this.#o.store.claimRows.snapshots())
      pending.set(s.asset, [...(pending.get(s.asset) ?? []), s]);
    const sealDue = (asset: string) => {
      const queue = pending.get(asset) ?? [];
      for (let s = queue[0]; s && s.claims === ledger.claims(asset).length; s = queue[0]) {
        queue.shift();
        const snap = ledger.snapshot(asset, s.time);
        if (snap.snapshot !== s.number || snap.root !== s.root) {
          throw new EconomyError(
            'snapshot-mismatch',
            `stored ${asset} snapshot ${s.number} has root ${s.root}, rebuilt ${snap.root}`,
            { field: 'root', value: s.root },
          );
        }
      }
    };
    for (const { record } of this.#o.store.claimRows.claims()) {
      ledger.restoreClaim(record);
      sealDue(record.assetId);
    }
    this.#ledger = ledger;
    this.#applied = horizon;
    this.#dirty = false;
  }
}
