import type { ConsensusParams } from '../params/types.ts';

/**
 * The block subsidy at `height`, in satoshis, as fluxd's GetBlockSubsidy computes it: a premine
 * block where the network has one, a linear slow start (which skips the half-way payout so the
 * curve matches one without a slow start), then halvings shifted by half the slow start, capped.
 * Genesis (height 0) pays nothing spendable, so its subsidy is 0.
 */
export function blockSubsidy(height: number, params: ConsensusParams): bigint {
  if (!Number.isSafeInteger(height) || height < 0) {
    throw new RangeError(`block height must be a non-negative integer, got ${height}`);
  }
  if (height === 0) return 0n;
  const s = params.subsidy;
  if (s.premine !== null && height === s.premine.height) return s.premine.amount;

  const ramp = s.slowStartInterval;
  const shift = Math.floor(ramp / 2);
  if (height < shift) return (s.baseAmount / BigInt(ramp)) * BigInt(height);
  if (height < ramp) return (s.baseAmount / BigInt(ramp)) * BigInt(height + 1);

  const halvings = Math.floor((height - shift) / s.halvingInterval);
  // The right shift is undefined from 64 on in C++; fluxd pays nothing there.
  if (halvings >= 64) return 0n;
  return s.baseAmount >> BigInt(Math.min(halvings, s.maxHalvings));
}

/** Height of the first block of halving era `n` (n ≥ 1), or null if the cap stops halvings before it. */
export function halvingHeight(n: number, params: ConsensusParams): number | null {
  if (!Number.isInteger(n) || n < 1)
    throw new RangeError(`halving number must be a positive integer, got ${n}`);
  if (n > params.subsidy.maxHalvings) return null;
  return Math.floor(params.subsidy.slowStartInterval / 2) + n * params.subsidy.halvingInterval;
}
