import { upgradeActive } from '../params/upgrades.ts';
import type { ConsensusParams } from '../params/types.ts';
import { digishieldNextTarget, medianTime } from './digishield.ts';
import { lwmaNextTarget } from './lwma.ts';
import { bitsToTarget, targetToBits } from './target.ts';

/** The header fields retargeting reads. */
export interface WorkHeader {
  height: number;
  time: number;
  bits: number;
}

/** With no block for this many target spacings, a min-difficulty network accepts powLimit. */
const MIN_DIFFICULTY_GAP_SPACINGS = 6;

/** How many of the latest headers `nextWorkRequired` may read (pass at least this many, or all). */
export function headersNeededForNextWork(params: ConsensusParams): number {
  const d = params.difficulty;
  return Math.max(d.lwma.window + 1, d.digishield.averagingWindow + d.digishield.medianTimeSpan);
}

/**
 * The compact bits the block after the last of `prevHeaders` must carry, as fluxd's
 * GetNextWorkRequired decides it. `prevHeaders` are consecutive headers, oldest first, ending at
 * the parent; an empty list means the next block is genesis. `nextTime` is the new block's time
 * (only the min-difficulty rule reads it; pass undefined when unknown).
 */
export function nextWorkRequired(
  prevHeaders: readonly WorkHeader[],
  nextTime: number | undefined,
  params: ConsensusParams,
): number {
  const d = params.difficulty;
  const powLimitBits = targetToBits(d.powLimit);
  if (prevHeaders.length === 0 || d.noRetargeting) return powLimitBits;

  const first = prevHeaders[0].height;
  for (let i = 1; i < prevHeaders.length; i++) {
    if (prevHeaders[i].height !== first + i) {
      throw new RangeError(
        `headers must be consecutive, oldest first: height ${prevHeaders[i].height} follows ${first + i - 1}`,
      );
    }
  }
  const tip = prevHeaders[prevHeaders.length - 1];
  const at = (height: number): WorkHeader => {
    const h = prevHeaders[height - first];
    if (!h) {
      throw new RangeError(
        `retargeting after height ${tip.height} needs the header at height ${height}; pass the last ${headersNeededForNextWork(params)} headers`,
      );
    }
    return h;
  };
  const nextHeight = tip.height + 1;

  if (
    d.allowMinDifficultyAfterHeight !== null &&
    tip.height >= d.allowMinDifficultyAfterHeight &&
    nextTime !== undefined &&
    nextTime > tip.time + d.targetSpacing * MIN_DIFFICULTY_GAP_SPACINGS
  ) {
    return powLimitBits;
  }

  const reset = d.resetAfterEquihashSwitch;
  if (reset && nextHeight >= reset.firstHeight && nextHeight < reset.firstHeight + reset.blocks) {
    return powLimitBits;
  }

  // Both algorithms wait until a full Digishield window exists behind the parent.
  const window = d.digishield.averagingWindow;
  if (tip.height < window) return powLimitBits;

  if (upgradeActive('lwma', nextHeight, params)) {
    const n = d.lwma.window;
    // fluxd asserts a full window here (unreachable on its networks); a young devnet stays easy.
    if (tip.height <= n) return powLimitBits;
    const headers = [];
    for (let h = tip.height - n; h <= tip.height; h++) headers.push(at(h));
    return targetToBits(lwmaNextTarget(headers, params));
  }

  let total = 0n;
  for (let h = tip.height - window + 1; h <= tip.height; h++) total += bitsToTarget(at(h).bits);
  const average = total / BigInt(window);
  const mtp = (height: number): number => {
    const times: number[] = [];
    for (let h = height; h >= 0 && times.length < d.digishield.medianTimeSpan; h--) times.push(at(h).time);
    return medianTime(times);
  };
  return targetToBits(digishieldNextTarget(average, mtp(tip.height), mtp(tip.height - window), params));
}
