/**
 * Which Equihash parameter sets a block at a given height may use.
 *
 * As in fluxd's validEHparameterList (src/chainparams.cpp): once a new epoch starts at height H,
 * blocks H .. H+fade-1 may use the new or the previous parameters (the new one listed first, as
 * the preferred one for miners), and from H+fade on only the new ones. Negative heights count as 0.
 *
 * Personalizations, from fluxd's Equihash<N,K>::InitialiseState (src/crypto/equihash.cpp): 144,5
 * and 125,4 use "ZelProof", every other parameter set (200,9 and the 48,5 of testnet and regtest)
 * "ZcashPoW". So Flux's 144,5 is not Zcash-family "ZcashPoW" 144,5 (nor BTG's "BgoldPoW").
 */
import type { EquihashSpec } from './equihash-params.ts';
import { must } from '../must.ts';

export type EquihashEpoch = { fromHeight: number; spec: EquihashSpec };

export const EQUIHASH_200_9: EquihashSpec = { n: 200, k: 9, personalization: 'ZcashPoW' };
export const EQUIHASH_144_5_FLUX: EquihashSpec = { n: 144, k: 5, personalization: 'ZelProof' };
export const ZELHASH: EquihashSpec = { n: 125, k: 4, personalization: 'ZelProof', zelhash: true };
/** Flux testnet and regtest use it for every epoch. */
export const EQUIHASH_48_5: EquihashSpec = { n: 48, k: 5, personalization: 'ZcashPoW' };

/** fluxd mainnet and regtest eh_epoch_fade_length (testnet uses 10). */
export const EQUIHASH_FADE_BLOCKS = 11;

/** Mainnet: 200,9 from genesis, 144,5 from the EQUI144_5 upgrade, ZelHash from Kamiooka. */
export const MAINNET_EQUIHASH_EPOCHS: readonly EquihashEpoch[] = [
  { fromHeight: 0, spec: EQUIHASH_200_9 },
  { fromHeight: 125_100, spec: EQUIHASH_144_5_FLUX },
  { fromHeight: 372_500, spec: ZELHASH },
];

/**
 * The specs accepted at `height`: one, or two (new first) during the fade window after a switch.
 * `epochs` must be ordered by strictly increasing fromHeight, the first starting at 0.
 */
export function equihashForHeight(
  epochs: readonly EquihashEpoch[],
  fadeBlocks: number,
  height: number,
): EquihashSpec[] {
  const first = epochs[0];
  if (first?.fromHeight !== 0) {
    throw new RangeError(`Equihash epochs must start at height 0, got ${first ? first.fromHeight : 'none'}`);
  }
  epochs.forEach((epoch, e) => {
    const before = epochs[e - 1];
    if (before && !(epoch.fromHeight > before.fromHeight)) {
      throw new RangeError(
        `Equihash epoch ${e} starts at ${epoch.fromHeight}, not after ${before.fromHeight}`,
      );
    }
  });
  if (!Number.isInteger(fadeBlocks) || fadeBlocks < 0)
    throw new RangeError(`fade length must be a non-negative integer, got ${fadeBlocks}`);
  if (!Number.isInteger(height)) throw new RangeError(`height must be an integer, got ${height}`);
  const h = Math.max(0, height);
  const current = epochs.findLastIndex((epoch) => epoch.fromHeight <= h);
  const epoch = must(epochs[current], 'the Equihash epoch from height 0');
  const before = epochs[current - 1];
  if (before && h < epoch.fromHeight + fadeBlocks) return [epoch.spec, before.spec];
  return [epoch.spec];
}
