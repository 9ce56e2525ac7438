import type { OperatorPayout } from '../inputs.ts';
import { ACCRUAL_EPOCH, FLUX_DECIMALS, PARALLEL_RATE } from './assets.ts';

/** A node accrues from the later of its start and the accrual epoch. */
export function accrualStart(nodeStartTime: number, epoch = ACCRUAL_EPOCH): number {
  return Math.max(nodeStartTime, epoch);
}

export function isEligiblePayout(p: OperatorPayout, epoch = ACCRUAL_EPOCH): boolean {
  return p.time >= accrualStart(p.nodeStartTime, epoch);
}

/**
 * Parallel units owed for an address's eligible satoshis: basis × rate × 10^decimals / 10^8, floored.
 * Accrual is kept as the satoshi basis and converted on demand, so the floor is taken once per
 * address and asset, never per payment: nothing is lost to per-block rounding.
 */
export function parallelUnits(basisSat: bigint, decimals: number): bigint {
  return (basisSat * PARALLEL_RATE.numerator * 10n ** BigInt(decimals)) / parallelDivisor();
}

export function parallelDivisor(): bigint {
  return PARALLEL_RATE.denominator * 10n ** BigInt(FLUX_DECIMALS);
}
