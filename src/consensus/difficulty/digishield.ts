import type { ConsensusParams } from '../params/types.ts';
import { must } from '../must.ts';

/**
 * Digishield v3 as fluxd runs it before LWMA: the average target of the last window of blocks,
 * scaled by the time that window took (measured between median times past), dampened to a
 * quarter of the deviation and bounded.
 */

/** The median of up to `medianTimeSpan` block times, as CBlockIndex::GetMedianTimePast picks it. */
export function medianTime(times: readonly number[]): number {
  if (times.length === 0) throw new RangeError('median time needs at least one block time');
  const sorted = [...times].sort((a, b) => a - b);
  return must(sorted[Math.floor(sorted.length / 2)], 'median block time');
}

/** The next target from the window's average target and the median times past at its two ends. */
export function digishieldNextTarget(
  averageTarget: bigint,
  lastMedianTime: number,
  firstMedianTime: number,
  params: ConsensusParams,
): bigint {
  const d = params.difficulty;
  const windowTimespan = BigInt(d.digishield.averagingWindow * d.targetSpacing);
  const minTimespan = (windowTimespan * BigInt(100 - d.digishield.maxAdjustUpPercent)) / 100n;
  const maxTimespan = (windowTimespan * BigInt(100 + d.digishield.maxAdjustDownPercent)) / 100n;

  // BigInt division truncates toward zero, as C++ int64 division does.
  let actual = BigInt(lastMedianTime - firstMedianTime);
  actual = windowTimespan + (actual - windowTimespan) / 4n;
  if (actual < minTimespan) actual = minTimespan;
  if (actual > maxTimespan) actual = maxTimespan;

  const next = (averageTarget / windowTimespan) * actual;
  return next > d.powLimit ? d.powLimit : next;
}
