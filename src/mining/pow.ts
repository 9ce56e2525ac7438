import {
  type BlockHeader,
  type EquihashSpec,
  hashToBigInt,
  headerHash,
  must,
  powInput,
  solveEquihash,
} from '../consensus/index.ts';
import type { BlockTemplate } from './template.ts';

/**
 * An Equihash solver: every solution for the 140-byte input (header prefix ‖ nonce) under `spec`,
 * each in the serialized (minimal, packed-index) form a header carries.
 */
export type EquihashSolver = (input: Uint8Array, spec: EquihashSpec) => Uint8Array[];

/**
 * consensus/pow's CPU solver (Wagner's algorithm). Milliseconds for the devnet's 48,5; the
 * mainnet parameter sets take minutes and gigabytes, far beyond what a node's miner should try.
 */
export const cpuSolver: EquihashSolver = (input, spec) => solveEquihash(spec, input);

export interface NonceResult {
  /** Solutions whose hash was checked against the target. */
  tried: number;
  /** The winning header, when one solution met the target. */
  header?: BlockHeader;
}

/** Whether a header's hash meets `target` (hash read as a 256-bit number, at most the target). */
export function meetsTarget(header: BlockHeader, target: bigint): boolean {
  return hashToBigInt(headerHash(header)) <= target;
}

/**
 * Runs the solver on one nonce of the template (with the template's preferred Equihash
 * parameters) and returns the first solution whose block hash meets the target.
 */
export function solveNonce(
  t: BlockTemplate,
  nonce: Uint8Array,
  solver: EquihashSolver,
  time = t.header.time,
): NonceResult {
  const base: BlockHeader = { ...t.header, time, nonce, solution: new Uint8Array(0) };
  const solutions = solver(
    powInput(base),
    must(t.equihash[0], 'the Equihash parameters of the template height'),
  );
  let tried = 0;
  for (const solution of solutions) {
    tried++;
    const header = { ...base, solution };
    if (meetsTarget(header, t.target)) return { tried, header };
  }
  return { tried };
}
