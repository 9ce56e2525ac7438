/**
 * Equihash verification and solving throughput. Valid solutions: the Flux mainnet genesis for
 * 200,9; the self-generated vectors in test/spec/vectors for 144,5 and ZelHash.
 * "(TypeScript BLAKE2b)" rows force the pure-TypeScript compression instead of the
 * WebAssembly kernel.
 */
import { readFileSync } from 'node:fs';
import { fromHex } from '../src/consensus/bytes.ts';
import { checkProofOfWorkTarget } from '../src/consensus/difficulty/target.ts';
import { mainnet as mainnetParams } from '../src/consensus/params/mainnet.ts';
import { decodeHeader, headerHash } from '../src/consensus/primitives/header.ts';
import { verifyHeaderSolution } from '../src/consensus/pow/header-solution.ts';
import { type EquihashSpec, type HasherOptions, verifyEquihash } from '../src/consensus/pow/equihash.ts';
import { EQUIHASH_48_5, EQUIHASH_200_9 } from '../src/consensus/pow/schedule.ts';
import { solveEquihash } from '../src/consensus/pow/solver.ts';
import type { Benchmark } from './harness.ts';

const json = (path: string) => JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8'));
const genesis = fromHex(json('../../shared/reference/vectors/mainnet-genesis.json').headerHex);

type Case = {
  label: string;
  spec: EquihashSpec;
  input: Uint8Array;
  solution: Uint8Array;
  perTrial: number;
  target?: string;
};
const fromVector = (file: string) => {
  const v = json(`../test/spec/vectors/${file}`);
  return {
    spec: v.spec as EquihashSpec,
    input: fromHex(v.powInputHex),
    solution: fromHex(v.solutionsHex[0]),
  };
};
const cases: Case[] = [
  {
    label: 'Equihash 200,9 verify (mainnet genesis)',
    spec: EQUIHASH_200_9,
    input: genesis.subarray(0, 140),
    solution: genesis.subarray(143, 1487),
    perTrial: 1_000,
    target: '>= 12,000/s on one core',
  },
  {
    label: 'Equihash 144,5 verify',
    ...fromVector('pow-144_5.json'),
    perTrial: 20_000,
    target: '>= 150,000/s on one core',
  },
  {
    label: 'ZelHash 125,4 verify',
    ...fromVector('pow-zelhash.json'),
    perTrial: 20_000,
    target: '>= 50,000/s on one core',
  },
];

const verifyBench = (c: Case, options: HasherOptions, suffix: string, scale: number): Benchmark => ({
  name: `${c.label}${suffix}`,
  unit: 'verifications/s',
  clock: 'cpu',
  target: suffix ? '' : c.target,
  setup: () => verifyEquihash(c.spec, c.input, c.solution, options),
  run: () => {
    const n = Math.max(1, Math.round(c.perTrial * scale));
    for (let i = 0; i < n; i++) verifyEquihash(c.spec, c.input, c.solution, options);
    return n;
  },
});

/**
 * The 200,9-era headers this repository holds whole that no one here made: Flux mainnet genesis
 * and two Zcash mainnet blocks (same Equihash and personalization), each 1,487 bytes.
 */
const REAL_200_9_HEADERS: Uint8Array[] = [
  genesis,
  ...['zcash-mainnet-block-396.hex', 'zcash-mainnet-block-347501.hex'].map((f) =>
    fromHex(readFileSync(new URL(`../test/spec/vectors/${f}`, import.meta.url), 'utf8').trim()).subarray(
      0,
      1487,
    ),
  ),
];
const HEADER_RUN = 10_000;
const ANY_TARGET = (1n << 256n) - 1n;

/**
 * What an initial header sync of the 200,9 era does per header, minus the checks that need its
 * parent: decode the 1,487 bytes, hash them, check the hash against its bits, verify the solution.
 * The run cycles the three real headers above (10,000 distinct real headers were not available offline).
 */
const headerRun: Benchmark = {
  name: `Header sync, 200,9 era: ${HEADER_RUN.toLocaleString('en-US')} real-format headers (3 real ones cycled)`,
  unit: 'headers/s',
  clock: 'cpu',
  setup: () => {
    for (const bytes of REAL_200_9_HEADERS) checkHeader(bytes);
  },
  run: () => {
    for (let i = 0; i < HEADER_RUN; i++) checkHeader(REAL_200_9_HEADERS[i % REAL_200_9_HEADERS.length]!);
    return HEADER_RUN;
  },
};

function checkHeader(bytes: Uint8Array): void {
  const header = decodeHeader(bytes);
  // Each header against its own chain's easiest target is not known here: any positive target passes.
  checkProofOfWorkTarget(headerHash(header), header.bits, ANY_TARGET);
  verifyHeaderSolution(header, 1, mainnetParams);
}

export const benchmarks: Benchmark[] = [
  ...cases.map((c) => verifyBench(c, {}, '', 1)),
  headerRun,
  ...cases.map((c) => verifyBench(c, { blake2b: 'typescript' }, ' (TypeScript BLAKE2b)', 0.15)),
  {
    name: 'Equihash 48,5 solve (devnet/regtest), all solutions of one nonce',
    unit: 'nonces/s',
    run: () => {
      const input = new Uint8Array(140).fill(0x42);
      for (let nonce = 0; nonce < 100; nonce++) {
        new DataView(input.buffer).setUint32(108, nonce, true);
        solveEquihash(EQUIHASH_48_5, input);
      }
      return 100;
    },
  },
];
