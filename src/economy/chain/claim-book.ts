/**
 * Parallel-asset claims against the chain's fluxnode payments.
 *
 * A payment counts toward what can be claimed once its coinbase has matured (`claimDepth` blocks,
 * by default the network's coinbase maturity: the same moment the FLUX itself becomes spendable).
 * That keeps a claim from being paid out of a block a reorg later removes. The ParallelLedger is
 * fed matured payments as the tip advances; a payment once fed stays fed until its block is actually
 * disconnected, which marks the ledger for a rebuild from the tables (stored claims and snapshots
 * are put back unchecked, in order, so the rebuilt ledger holds exactly what was accepted).
 */
import { EconomyError } from '../errors.ts';
import type { ParallelAsset } from '../parallel/assets.ts';
import type { ClaimRequest, VerifySignature } from '../parallel/claim-message.ts';
import {
  type AssetPosition,
  type ClaimProof,
  type ClaimRecord,
  type ClaimSnapshot,
  ParallelLedger,
} from '../parallel/ledger.ts';
import type { EconomyStore } from './store.ts';

export interface ChainTip {
  height: number;
  time: number;
}

export interface ClaimBookOptions {
  store: EconomyStore;
  verifySignature: VerifySignature;
  registry: readonly ParallelAsset[];
  epoch: number;
  claimDepth: number;
}

export class ClaimBook {
  private readonly o: ClaimBookOptions;
  private ledger: ParallelLedger;
  /** Payments at heights up to here are in the ledger. */
  private applied = 0;
  private dirty = true;

  constructor(options: ClaimBookOptions) {
    if (!Number.isInteger(options.claimDepth) || options.claimDepth < 1) {
      throw new EconomyError('bad-claim-depth', 'claim depth must be a whole number of blocks ≥ 1', {
        field: 'claimDepth',
        value: options.claimDepth,
      });
    }
    this.o = options;
    this.ledger = this.emptyLedger();
  }

  get registry(): readonly ParallelAsset[] {
    return this.o.registry;
  }

  get claimDepth(): number {
    return this.o.claimDepth;
  }

  /** Highest height whose payments are matured at this tip. */
  maturedHeight(tipHeight: number): number {
    return Math.max(0, tipHeight + 1 - this.o.claimDepth);
  }

  /** A block at `height` left the chain: if its payments were fed, rebuild before the next use. */
  disconnected(height: number): void {
    if (height <= this.applied) this.dirty = true;
  }

  invalidate(): void {
    this.dirty = true;
  }

  positions(address: string, tip: ChainTip): AssetPosition[] {
    return this.at(tip).positions(address, tip.time);
  }

  basisOf(address: string, tip: ChainTip): bigint {
    return this.at(tip).basisOf(address);
  }

  /** Checks and records a signed claim at the tip's time; stored before it is returned. */
  claim(request: ClaimRequest, tip: ChainTip): ClaimRecord {
    const ledger = this.at(tip);
    const record = ledger.claim(request, tip.time);
    try {
      this.o.store.putClaim(record, request.signature);
    } catch (err) {
      this.dirty = true;
      throw err;
    }
    return record;
  }

  /** Seals the asset's claims not yet in a snapshot into a new Merkle root. */
  seal(assetId: string, tip: ChainTip): ClaimSnapshot {
    const ledger = this.at(tip);
    const snap = ledger.snapshot(assetId, tip.time);
    const claims = ledger.snapshots(assetId).reduce((n, s) => n + s.leafCount, 0);
    try {
      this.o.store.putSnapshot({
        asset: assetId,
        number: snap.snapshot,
        time: snap.time,
        claims,
        root: snap.root,
      });
    } catch (err) {
      this.dirty = true;
      throw err;
    }
    return snap;
  }

  claims(assetId: string, tip: ChainTip): readonly ClaimRecord[] {
    return this.at(tip).claims(assetId);
  }

  snapshots(assetId: string, tip: ChainTip): readonly ClaimSnapshot[] {
    return this.at(tip).snapshots(assetId);
  }

  proof(claimId: string, tip: ChainTip): ClaimProof | null {
    return this.at(tip).proof(claimId);
  }

  /** The ledger brought up to the tip's matured height. */
  private at(tip: ChainTip): ParallelLedger {
    const horizon = this.maturedHeight(tip.height);
    if (this.dirty) this.rebuild(horizon);
    else if (horizon > this.applied) {
      for (const p of this.o.store.payoutsBetween(this.applied, horizon)) this.ledger.applyPayout(p);
      this.applied = horizon;
    }
    return this.ledger;
  }

  private emptyLedger(): ParallelLedger {
    return new ParallelLedger({
      verifySignature: this.o.verifySignature,
      registry: this.o.registry,
      epoch: this.o.epoch,
    });
  }

  private rebuild(horizon: number): void {
    const ledger = this.emptyLedger();
    for (const p of this.o.store.payoutsBetween(-1, horizon)) ledger.applyPayout(p);
    const pending = new Map<string, { number: number; time: number; claims: number; root: string }[]>();
    for (const s of this.o.store.snapshots()) pending.set(s.asset, [...(pending.get(s.asset) ?? []), s]);
    const restored = new Map<string, number>();
    const sealDue = (asset: string) => {
      const queue = pending.get(asset);
      for (let s = queue?.[0]; s && s.claims === (restored.get(asset) ?? 0); s = queue?.[0]) {
        queue?.shift();
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
    for (const { record } of this.o.store.claims()) {
      ledger.restoreClaim(record);
      restored.set(record.assetId, (restored.get(record.assetId) ?? 0) + 1);
      sealDue(record.assetId);
    }
    this.ledger = ledger;
    this.applied = horizon;
    this.dirty = false;
  }
}
