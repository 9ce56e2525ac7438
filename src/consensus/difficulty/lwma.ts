import type { ConsensusParams } from '../params/types.ts';
import { bitsToTarget } from './target.ts';
import { must } from '../must.ts';

/**
 * Zawy's linearly weighted moving average in the two forms fluxd runs: v1 from the LWMA upgrade
 * and LWMA3 from Acadia. Both average the targets of the last N blocks and weight each block's
 * solve time by its position, so recent blocks count most; they differ in how they treat
 * out-of-order times and in LWMA3's bound on one step.
 */

const MAX_256 = (1n << 256n) - 1n;

export interface TimedBits {
  time: number;
  bits: number;
}

interface Window {
  n: number;
  /** k = N·(N+1)·T/2: the weighted solve-time sum when every block takes exactly T. */
  k: number;
  /** Each target is divided by k·N before summing, as fluxd does (the truncation is part of the rule). */
  divisor: bigint;
  maxSolvetime: number;
}

function windowOf(headers: readonly TimedBits[], params: ConsensusParams): Window {
  const d = params.difficulty;
  const n = d.lwma.window;
  if (headers.length !== n + 1) {
    throw new RangeError(`LWMA needs the last ${n + 1} headers, got ${headers.length}`);
  }
  const k = (n * (n + 1) * d.targetSpacing) / 2;
  return { n, k, divisor: BigInt(k * n), maxSolvetime: d.lwma.maxSolvetimeSpacings * d.targetSpacing };
}

/** Header `j` of a window whose length `windowOf` has already checked. */
const windowHeader = (headers: readonly TimedBits[], j: number): TimedBits =>
  must(headers[j], 'LWMA window header');

/**
 * LWMA v1: the next target from the last N+1 headers, oldest first (the N blocks of the window and
 * the block before them, whose time starts the first solve time). Solve times are clamped to
 * [−FTL, 6T], the weighted sum is kept at least k/10, and the result never exceeds powLimit.
 */
export function lwmaNextTarget(headers: readonly TimedBits[], params: ConsensusParams): bigint {
  const { n, k, divisor, maxSolvetime } = windowOf(headers, params);
  const ftl = params.difficulty.lwma.futureTimeLimit;
  let weighted = 0;
  let sumTarget = 0n;
  for (let j = 1; j <= n; j++) {
    const [before, header] = [windowHeader(headers, j - 1), windowHeader(headers, j)];
    const solvetime = Math.max(-ftl, Math.min(header.time - before.time, maxSolvetime));
    weighted += solvetime * j;
    sumTarget += bitsToTarget(header.bits) / divisor;
  }
  // fluxd: int64 k/10, truncated.
  const floor = Math.trunc(k / 10);
  if (weighted < floor) weighted = floor;
  const next = (BigInt(weighted) * sumTarget) & MAX_256;
  const powLimit = params.difficulty.powLimit;
  return next > powLimit ? powLimit : next;
}

/**
 * LWMA3: as v1, but each time is forced to be later than the one before (a block at or before its
 * predecessor counts as one second after it), solve times are capped at 6T only, and the result
 * is held within [min %, max %] of the parent's target, then capped at powLimit.
 */
export function lwma3NextTarget(headers: readonly TimedBits[], params: ConsensusParams): bigint {
  const { n, divisor, maxSolvetime } = windowOf(headers, params);
  let previous = windowHeader(headers, 0).time;
  let weighted = 0;
  let sumTarget = 0n;
  for (let j = 1; j <= n; j++) {
    const header = windowHeader(headers, j);
    const time = header.time > previous ? header.time : previous + 1;
    weighted += Math.min(maxSolvetime, time - previous) * j;
    previous = time;
    sumTarget += bitsToTarget(header.bits) / divisor;
  }
  let next = (BigInt(weighted) * sumTarget) & MAX_256;
  const last = bitsToTarget(windowHeader(headers, n).bits);
  const { min, max } = params.difficulty.lwma.lwma3StepPercent;
  // 256-bit products, as arith_uint256 multiplies by a 32-bit factor.
  const ceiling = ((last * BigInt(max)) & MAX_256) / 100n;
  const floor = ((last * BigInt(min)) & MAX_256) / 100n;
  if (next > ceiling) next = ceiling;
  if (floor > next) next = floor;
  const powLimit = params.difficulty.powLimit;
  return next > powLimit ? powLimit : next;
}
