import type { ConsensusParams, OneOffFunding, Tier } from '../params/types.ts';
import { fluxdShareOf } from './fluxd-double.ts';
import { blockSubsidy } from './subsidy.ts';
import { TIERS } from '../tiers.ts';

export interface OneOffPayment {
  kind: OneOffFunding['kind'];
  address: string;
  amount: bigint;
}

/** How a block's coinbase is divided. One-off outputs are paid on top of subsidy and fees. */
export interface CoinbaseSplit {
  subsidy: bigint;
  fees: bigint;
  miner: bigint;
  cumulus: bigint;
  nimbus: bigint;
  stratus: bigint;
  oneOffs: OneOffPayment[];
}

/** Each tier's share of the subsidy in basis points at `height`; null before node payments start. */
export function tierSharesAt(height: number, params: ConsensusParams): Record<Tier, number> | null {
  const f = params.fluxnodes;
  if (height < f.paymentsStartHeight) return null;
  let shares: Record<Tier, number> | null = null;
  for (const era of f.tierShares) if (era.fromHeight <= height) shares = era.basisPoints;
  return shares;
}

/** What the node at the front of `tier`'s queue is paid in the block at `height` (0 before payments). */
export function tierPayment(height: number, tier: Tier, params: ConsensusParams): bigint {
  const shares = tierSharesAt(height, params);
  if (shares === null) return 0n;
  return fluxdShareOf(blockSubsidy(height, params), shares[tier]);
}

/** The fixed fund outputs due in the block at `height`. */
export function oneOffsAt(height: number, params: ConsensusParams): OneOffPayment[] {
  const due: OneOffPayment[] = [];
  for (const f of params.oneOffs) {
    const since = height - f.firstHeight;
    if (since < 0) continue;
    const hit = f.interval === 0 ? since === 0 : since % f.interval === 0 && since / f.interval < f.count;
    if (hit) due.push({ kind: f.kind, address: f.address, amount: f.amount });
  }
  return due;
}

/** The most a coinbase at `height` may pay out in total: subsidy + fees + fund outputs. */
export function maxCoinbaseValue(height: number, params: ConsensusParams, fees: bigint): bigint {
  let total = blockSubsidy(height, params) + fees;
  for (const o of oneOffsAt(height, params)) total += o.amount;
  return total;
}

/**
 * The coinbase of the block at `height`: each tier with a confirmed node (`tiersPresent`) gets its
 * share of the subsidy, the miner gets the rest plus all fees, and fund outputs are added.
 */
export function coinbaseSplit(
  height: number,
  params: ConsensusParams,
  opts: { fees: bigint; tiersPresent: Iterable<Tier> },
): CoinbaseSplit {
  if (opts.fees < 0n) throw new RangeError(`fees must not be negative, got ${opts.fees}`);
  const present = new Set(opts.tiersPresent);
  const subsidy = blockSubsidy(height, params);
  const paid: Record<Tier, bigint> = { cumulus: 0n, nimbus: 0n, stratus: 0n };
  let miner = subsidy;
  for (const tier of TIERS) {
    if (!present.has(tier)) continue;
    paid[tier] = tierPayment(height, tier, params);
    miner -= paid[tier];
  }
  return { subsidy, fees: opts.fees, miner: miner + opts.fees, ...paid, oneOffs: oneOffsAt(height, params) };
}
