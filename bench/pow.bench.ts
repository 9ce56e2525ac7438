/**
 * Equihash verification and solving throughput. Valid solutions: the Flux mainnet genesis for
 * 200,9; the self-generated vectors in test/spec/vectors for 144,5 and ZelHash.
 * "(TypeScript BLAKE2b)" rows force the pure-TypeScript compression instead of the
 * WebAssembly kernel.
 */
import { readFileSync } from 'node:fs';
import { fromHex } from '../src/consensus/bytes.ts';
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
  },
  { label: 'Equihash 144,5 verify', ...fromVector('pow-144_5.json'), perTrial: 20_000 },
  {
    label: 'ZelHash 125,4 verify',
    ...fromVector('pow-zelhash.json'),
    perTrial: 20_000,
    target: '>= 25,000/s on one core',
  },
];

const verifyBench = (c: Case, options: HasherOptions, suffix: string, scale: number): Benchmark => ({
  name: `${c.label}${suffix}`,
  unit: 'verifications/s',
  target: suffix ? '' : c.target,
  setup: () => verifyEquihash(c.spec, c.input, c.solution, options),
  run: () => {
    const n = Math.max(1, Math.round(c.perTrial * scale));
    for (let i = 0; i < n; i++) verifyEquihash(c.spec, c.input, c.solution, options);
    return n;
  },
});

export const benchmarks: Benchmark[] = [
  ...cases.map((c) => verifyBench(c, {}, '', 1)),
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
