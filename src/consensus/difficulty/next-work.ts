import { upgradeActive } from '../params/upgrades.ts';
import type { ConsensusParams } from '../params/types.ts';
import { digishieldNextTarget, medianTime } from './digishield.ts';
import { lwma3NextTarget, lwmaNextTarget } from './lwma.ts';
import { bitsToTarget, targetToBits } from './target.ts';
import { inZelhashRamp, zelhashRampTarget } from './zelhash-ramp.ts';
import { must } from '../must.ts';

/**
 * fluxd's GetNextWorkRequired: which rule sets the bits of the next block, checked in fluxd's
 * order — genesis, the powLimit run after the switch to Equihash 144,5, the ZelHash ramp, the
 * min-difficulty rule, a chain too short to average, then Digishield, LWMA v1 or LWMA3 by height.
 */

/** The header fields retargeting reads. */
export interface WorkHeader {
  height: number;
  time: number;
  bits: number;
}

/** Which rule decided the bits (named after fluxd's code paths). */
export type WorkRule =
  | 'genesis'
  | 'no-retargeting'
  | 'equihash-switch-reset'
  | 'zelhash-ramp'
  | 'min-difficulty'
  | 'short-chain'
  | 'digishield'
  | 'lwma'
  | 'lwma3';

export interface NextWork {
  bits: number;
  rule: WorkRule;
}

/** How many of the latest headers `nextWorkRequired` may read (pass at least this many, or all). */
export function headersNeededForNextWork(params: ConsensusParams): number {
  const d = params.difficulty;
  return Math.max(d.lwma.window + 1, d.digishield.averagingWindow + d.digishield.medianTimeSpan);
}

/** Index access into consecutive headers by height, with an error that says how many to pass. */
function headerLookup(prevHeaders: readonly WorkHeader[], params: ConsensusParams) {
  const first = must(prevHeaders[0], 'the oldest header').height;
  prevHeaders.forEach((header, i) => {
    if (header.height !== first + i) {
      throw new RangeError(
        `headers must be consecutive, oldest first: height ${header.height} follows ${first + i - 1}`,
      );
    }
  });
  const tip = must(prevHeaders.at(-1), 'the tip header');
  return (height: number): WorkHeader => {
    const h = prevHeaders[height - first];
    if (!h) {
      throw new RangeError(
        `retargeting after height ${tip.height} needs the header at height ${height}; pass the last ${headersNeededForNextWork(params)} headers`,
      );
    }
    return h;
  };
}

type At = (height: number) => WorkHeader;

function lwmaWindow(at: At, tipHeight: number, n: number): WorkHeader[] {
  const headers = [];
  for (let h = tipHeight - n; h <= tipHeight; h++) headers.push(at(h));
  return headers;
}

/** LWMA3's bits after `tipHeight`; powLimit while fewer than N blocks precede it. */
function lwma3Bits(at: At, tipHeight: number, params: ConsensusParams): number {
  const n = params.difficulty.lwma.window;
  if (tipHeight < n) return targetToBits(params.difficulty.powLimit);
  return targetToBits(lwma3NextTarget(lwmaWindow(at, tipHeight, n), params));
}

function digishieldBits(at: At, tipHeight: number, params: ConsensusParams): number {
  const d = params.difficulty.digishield;
  let total = 0n;
  for (let h = tipHeight - d.averagingWindow + 1; h <= tipHeight; h++) total += bitsToTarget(at(h).bits);
  const average = total / BigInt(d.averagingWindow);
  const mtp = (height: number): number => {
    const times: number[] = [];
    for (let h = height; h >= 0 && times.length < d.medianTimeSpan; h--) times.push(at(h).time);
    return medianTime(times);
  };
  const first = tipHeight - d.averagingWindow;
  return targetToBits(digishieldNextTarget(average, mtp(tipHeight), mtp(first), params));
}

/** The rules that ignore block times: fixed powLimit windows and the ZelHash ramp. */
function fixedWindow(at: At, tip: WorkHeader, params: ConsensusParams): NextWork | null {
  const d = params.difficulty;
  const powLimitBits = targetToBits(d.powLimit);
  const next = tip.height + 1;
  const reset = d.resetAfterEquihashSwitch;
  if (reset && next >= reset.firstHeight && next < reset.firstHeight + reset.blocks) {
    return { bits: powLimitBits, rule: 'equihash-switch-reset' };
  }
  if (inZelhashRamp(next, d.zelhashRamp)) {
    const target = zelhashRampTarget(lwma3Bits(at, tip.height, params), next, d.zelhashRamp, d.powLimit);
    return { bits: targetToBits(target), rule: 'zelhash-ramp' };
  }
  return null;
}

/**
 * The bits the block after the last of `prevHeaders` must carry, and the rule that set them.
 * `prevHeaders` are consecutive headers, oldest first, ending at the parent; an empty list means
 * the next block is genesis. `nextTime` is the new block's time: only the min-difficulty rule reads
 * it, and without it (fluxd called with no block) that rule does not apply.
 */
export function nextWork(
  prevHeaders: readonly WorkHeader[],
  nextTime: number | undefined,
  params: ConsensusParams,
): NextWork {
  const d = params.difficulty;
  const powLimitBits = targetToBits(d.powLimit);
  const tip = prevHeaders.at(-1);
  if (!tip) return { bits: powLimitBits, rule: 'genesis' };
  if (d.noRetargeting) return { bits: powLimitBits, rule: 'no-retargeting' };
  const at = headerLookup(prevHeaders, params);
  const fixed = fixedWindow(at, tip, params);
  if (fixed) return fixed;

  const gap = d.targetSpacing * d.minDifficultyGapSpacings;
  const minAfter = d.allowMinDifficultyAfterHeight;
  if (minAfter !== null && tip.height >= minAfter && nextTime !== undefined && nextTime > tip.time + gap) {
    return { bits: powLimitBits, rule: 'min-difficulty' };
  }
  // Every algorithm waits until a full Digishield window exists behind the parent.
  if (tip.height < d.digishield.averagingWindow) return { bits: powLimitBits, rule: 'short-chain' };

  const next = tip.height + 1;
  if (!upgradeActive('lwma', next, params))
    return { bits: digishieldBits(at, tip.height, params), rule: 'digishield' };
  if (!upgradeActive('acadia', next, params)) {
    // fluxd asserts a full window here (unreachable on its networks); a young chain stays easy.
    if (tip.height <= d.lwma.window) return { bits: powLimitBits, rule: 'short-chain' };
    return {
      bits: targetToBits(lwmaNextTarget(lwmaWindow(at, tip.height, d.lwma.window), params)),
      rule: 'lwma',
    };
  }
  return { bits: lwma3Bits(at, tip.height, params), rule: 'lwma3' };
}

/** The compact bits alone (see `nextWork`). */
export function nextWorkRequired(
  prevHeaders: readonly WorkHeader[],
  nextTime: number | undefined,
  params: ConsensusParams,
): number {
  return nextWork(prevHeaders, nextTime, params).bits;
}
