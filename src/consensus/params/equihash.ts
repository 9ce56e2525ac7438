import type { ConsensusParams, EquihashSpec } from './types.ts';

/**
 * The Equihash parameter sets a block at `height` may be solved with, preferred first. For the
 * first `equihashFadeBlocks` blocks of an epoch the previous epoch's set is still accepted, as in
 * fluxd's validEHparameterList.
 */
export function equihashSpecsAt(height: number, params: ConsensusParams): EquihashSpec[] {
  const epochs = params.equihashEpochs;
  let current = 0;
  for (let i = 0; i < epochs.length; i++) if (epochs[i].fromHeight <= height) current = i;
  const spec = epochs[current].spec;
  if (current === 0) return [spec];
  const pastFade = Math.max(height - params.equihashFadeBlocks, 0) >= epochs[current].fromHeight;
  return pastFade ? [spec] : [spec, epochs[current - 1].spec];
}
