/** Owns the header's proof-of-work solution rule: which Equihash parameter set, and the check. */
import { ConsensusError } from '../errors.ts';
import { type ConsensusParams, equihashSpecsAt } from '../params/index.ts';
import { verifyEquihash } from './equihash.ts';
import { solutionSize } from './equihash-params.ts';
import { powInput } from '../primitives/header.ts';
import type { BlockHeader } from '../primitives/types.ts';

/**
 * The Equihash solution of a header at `height` must verify under one of the parameter sets valid
 * there (two inside a fade window, told apart by the solution's size, as fluxd does).
 */
export function verifyHeaderSolution(header: BlockHeader, height: number, params: ConsensusParams): void {
  const specs = equihashSpecsAt(height, params);
  const spec = specs.find((s) => solutionSize(s.n, s.k) === header.solution.length);
  if (!spec) {
    const sizes = specs.map((s) => `${solutionSize(s.n, s.k)} (${s.n},${s.k})`).join(' or ');
    throw new ConsensusError(
      'bad-solution',
      `solution of ${header.solution.length} bytes; height ${height} needs ${sizes}`,
      {
        field: 'header.solution',
        value: header.solution.length,
      },
    );
  }
  verifyEquihash(spec, powInput(header), header.solution);
}
