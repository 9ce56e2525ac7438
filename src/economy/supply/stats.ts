import { type Tier, TIERS } from '../../consensus/index.ts';
import { EconomyError } from '../errors.ts';
import type { BlockSummary } from '../inputs.ts';
import { checkBlockSummary } from './summary-check.ts';

/**
 * Where the coins are. New coins enter three ways (the miners' subsidy share, fluxnode payments,
 * one-off outputs); fees only move existing coins to miners. Circulating = minted − burned.
 * Collateral stays in circulation but is locked; `liquid` is what is left after it.
 * App payments are transfers to the app address, counted but not removed from supply.
 */
export interface SupplySnapshot {
  blocks: number;
  tipHeight: number | null;
  tipTime: number | null;
  minted: bigint;
  minedByMiners: bigint;
  feesToMiners: bigint;
  paidToOperators: bigint;
  operatorsByTier: Record<Tier, bigint>;
  oneOffs: bigint;
  oneOffsByKind: Record<string, bigint>;
  burned: bigint;
  appPayments: bigint;
  appPaymentCount: number;
  collateralLocked: bigint;
  collateralByTier: Record<Tier, bigint>;
  circulating: bigint;
  liquid: bigint;
}

const zeroTiers = (): Record<Tier, bigint> => ({ cumulus: 0n, nimbus: 0n, stratus: 0n });

/**
 * Running supply statistics: connect each block in height order, disconnect the tip on a reorg.
 * O(1) per block apart from the list of block times kept for the tip time.
 */
export class SupplyStats {
  private readonly times: number[] = [];
  private firstHeight: number | null = null;
  private minedByMiners = 0n;
  private feesToMiners = 0n;
  private readonly operators = zeroTiers();
  private readonly oneOffKinds = new Map<string, bigint>();
  private burned = 0n;
  private appPayments = 0n;
  private appPaymentCount = 0;
  private readonly collateral = zeroTiers();

  get tipHeight(): number | null {
    return this.firstHeight === null || this.times.length === 0
      ? null
      : this.firstHeight + this.times.length - 1;
  }

  connect(b: BlockSummary): void {
    checkBlockSummary(b);
    const tip = this.tipHeight;
    if (tip !== null && b.height !== tip + 1) {
      throw new EconomyError('not-next-block', `expected height ${tip + 1}`, {
        field: 'height',
        value: b.height,
      });
    }
    this.applyCollateral(b, 1n);
    if (this.firstHeight === null || this.times.length === 0) this.firstHeight = b.height;
    this.times.push(b.time);
    this.add(b, 1n);
  }

  /** Undoes the tip block (the same summary that was connected). */
  disconnect(b: BlockSummary): void {
    checkBlockSummary(b);
    if (b.height !== this.tipHeight) {
      throw new EconomyError('not-tip-block', `the tip is ${this.tipHeight}`, {
        field: 'height',
        value: b.height,
      });
    }
    this.applyCollateral(b, -1n);
    this.times.pop();
    this.add(b, -1n);
  }

  snapshot(): SupplySnapshot {
    const paidToOperators = TIERS.reduce((s, t) => s + this.operators[t], 0n);
    const oneOffsByKind: Record<string, bigint> = {};
    for (const kind of [...this.oneOffKinds.keys()].sort()) {
      const v = this.oneOffKinds.get(kind)!;
      if (v !== 0n) oneOffsByKind[kind] = v;
    }
    const oneOffs = Object.values(oneOffsByKind).reduce((s, v) => s + v, 0n);
    const collateralLocked = TIERS.reduce((s, t) => s + this.collateral[t], 0n);
    const minted = this.minedByMiners + paidToOperators + oneOffs;
    const circulating = minted - this.burned;
    return {
      blocks: this.times.length,
      tipHeight: this.tipHeight,
      tipTime: this.times.at(-1) ?? null,
      minted,
      minedByMiners: this.minedByMiners,
      feesToMiners: this.feesToMiners,
      paidToOperators,
      operatorsByTier: { ...this.operators },
      oneOffs,
      oneOffsByKind,
      burned: this.burned,
      appPayments: this.appPayments,
      appPaymentCount: this.appPaymentCount,
      collateralLocked,
      collateralByTier: { ...this.collateral },
      circulating,
      liquid: circulating - collateralLocked,
    };
  }

  /** Checks first so that a lock/release that would go below zero changes nothing. */
  private applyCollateral(b: BlockSummary, sign: bigint): void {
    // Within a block the order of locks and releases is arbitrary: only the block's net counts.
    const next = { ...this.collateral };
    for (const c of b.collateral) next[c.tier] += sign * c.amount;
    for (const tier of TIERS) {
      if (next[tier] < 0n) {
        throw new EconomyError(
          'collateral-underflow',
          `${tier} collateral would go below zero at ${b.height}`,
          {
            field: 'collateral',
            value: next[tier],
          },
        );
      }
    }
    Object.assign(this.collateral, next);
  }

  private add(b: BlockSummary, sign: bigint): void {
    this.minedByMiners += sign * (b.minerReward - b.fees);
    this.feesToMiners += sign * b.fees;
    for (const p of b.operatorPayouts) this.operators[p.tier] += sign * p.amount;
    for (const o of b.oneOffs)
      this.oneOffKinds.set(o.kind, (this.oneOffKinds.get(o.kind) ?? 0n) + sign * o.amount);
    this.burned += sign * b.burned;
    for (const a of b.appPayments) this.appPayments += sign * a.amount;
    this.appPaymentCount += Number(sign) * b.appPayments.length;
  }
}
