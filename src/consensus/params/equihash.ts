import { equihashForHeight } from '../pow/schedule.ts';
import type { ConsensusParams, EquihashSpec } from './types.ts';

/**
 * The Equihash parameter sets a block at `height` may be solved with, preferred first. For the
 * first `equihashFadeBlocks` blocks of an epoch the previous epoch's set is still accepted, as in
 * fluxd's validEHparameterList.
 */
export function equihashSpecsAt(height: number, params: ConsensusParams): EquihashSpec[] {
  return equihashForHeight(params.equihashEpochs, params.equihashFadeBlocks, height);
}
