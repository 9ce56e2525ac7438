/** What an importer needs besides the source: the bounds of the target network and owner choices. */
import type { AppSpecLimits } from '../limits.ts';

export interface ImportOptions {
  limits: AppSpecLimits;
  /** The target chain's block interval (params `targetSpacing`), to keep a lifetime's length in time. */
  blockSeconds: number;
  /** Overrides the source's app name (and picks one spec out of a list). */
  name?: string;
  /** Overrides the source's owner; compose files have none. */
  owner?: string;
}

/** FluxOS's chain moved from 2-minute to 30-second blocks at its PoN fork (FluxOS config `daemonPONFork`). */
export const FLUXOS_PON_FORK_HEIGHT = 2_020_000;
export const FLUXOS_BLOCK_SECONDS_BEFORE_PON = 120;
export const FLUXOS_BLOCK_SECONDS_AFTER_PON = 30;

/** The nearest lifetime the target accepts: same length in time, rounded to its step, within its bounds. */
export function lifetimeInBlocks(seconds: number, opts: ImportOptions): number {
  const { min, max, step } = opts.limits.expire;
  const blocks = Math.round(seconds / opts.blockSeconds / step) * step;
  return Math.min(max, Math.max(min, blocks));
}
