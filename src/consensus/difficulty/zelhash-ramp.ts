import type { ZelhashRamp } from '../params/types.ts';
import { bitsToTarget } from './target.ts';

/**
 * The easing after the switch to ZelHash, as fluxd computes it: the LWMA3 target (read back from
 * its compact form) plus `steps` 32nds of itself, capped at powLimit. `steps` counts down from
 * `startSteps` at the first ramp block to 0; fluxd multiplies by it as a 32-bit unsigned number,
 * so the last two blocks of the window use 2³²−1 and 2³²−2 steps and the 256-bit sum wraps.
 */

const MAX_256 = (1n << 256n) - 1n;

/** Whether the block at `height` falls in the ramp window. */
export function inZelhashRamp(height: number, ramp: ZelhashRamp | null): ramp is ZelhashRamp {
  return ramp !== null && height >= ramp.firstHeight && height < ramp.firstHeight + ramp.blocks;
}

/** The 32-bit step count fluxd multiplies by at `height` (negative counts wrap). */
export function zelhashRampSteps(height: number, ramp: ZelhashRamp): number {
  return (ramp.firstHeight + ramp.startSteps - height) >>> 0;
}

/** The target of the block at `height`, given the compact LWMA3 result for it. */
export function zelhashRampTarget(
  lwma3Bits: number,
  height: number,
  ramp: ZelhashRamp,
  powLimit: bigint,
): bigint {
  const full = bitsToTarget(lwma3Bits);
  const step = ((full >> 5n) * BigInt(zelhashRampSteps(height, ramp))) & MAX_256;
  const raised = (full + step) & MAX_256;
  return raised > powLimit ? powLimit : raised;
}
