import type { ConsensusParams } from '../params/types.ts';
import { bitsToTarget } from './target.ts';

/**
 * Zawy's LWMA as fluxd runs it from the LWMA upgrade: targets averaged over the last N blocks,
 * solve times weighted linearly so recent blocks count most.
 */

const MAX_256 = (1n << 256n) - 1n;

export interface TimedBits {
  time: number;
  bits: number;
}

/**
 * The next target from the last N+1 headers, oldest first (the N blocks of the window and the
 * block before them, whose time starts the first solve time).
 */
export function lwmaNextTarget(headers: readonly TimedBits[], params: ConsensusParams): bigint {
  const d = params.difficulty;
  const n = d.lwma.window;
  if (headers.length !== n + 1) {
    throw new RangeError(`LWMA needs the last ${n + 1} headers, got ${headers.length}`);
  }
  const spacing = d.targetSpacing;
  const k = (n * (n + 1) * spacing) / 2;
  const divisor = BigInt(k * n);

  let weighted = 0;
  let sumTarget = 0n;
  for (let j = 1; j <= n; j++) {
    let solvetime = headers[j].time - headers[j - 1].time;
    solvetime = Math.max(-d.lwma.futureTimeLimit, Math.min(solvetime, d.lwma.maxSolvetimeSpacings * spacing));
    weighted += solvetime * j;
    sumTarget += bitsToTarget(headers[j].bits) / divisor;
  }
  // Keep the weighted sum at least a tenth of its expected value.
  const floor = Math.floor(k / 10);
  if (weighted < floor) weighted = floor;

  const next = (BigInt(weighted) * sumTarget) & MAX_256;
  return d.lwma.clampToPowLimit && next > d.powLimit ? d.powLimit : next;
}
