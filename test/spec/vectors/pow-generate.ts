/**
 * Regenerates the self-made Equihash vectors in this folder with our own solver:
 *   node test/spec/vectors/pow-generate.ts zelhash|144_5
 * Input: the Flux mainnet genesis header's first 108 bytes (version 4, null prev hash, its merkle
 * root, zero reserved field, time, bits) with the 32-byte nonce counted up from 0 until the
 * nonce has a solution. These are round-trip vectors (solver → verifier) for parameter sets
 * whose real chain headers we could not find, not chain data. Takes minutes and a few GB.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { toHex } from '../../../src/consensus/bytes.ts';
import { solveEquihash } from '../../../src/consensus/pow/solver.ts';
import { EQUIHASH_144_5_FLUX, ZELHASH } from '../../../src/consensus/pow/schedule.ts';

const which = process.argv[2];
const spec = which === 'zelhash' ? ZELHASH : which === '144_5' ? EQUIHASH_144_5_FLUX : undefined;
if (!spec) throw new Error('usage: pow-generate.ts zelhash|144_5');
const genesis = JSON.parse(
  readFileSync(new URL('../../../../shared/reference/vectors/mainnet-genesis.json', import.meta.url), 'utf8'),
);
const header = Uint8Array.from(Buffer.from(genesis.headerHex, 'hex')).subarray(0, 108);
for (let nonce = 0; nonce < 16; nonce++) {
  const input = new Uint8Array(140);
  input.set(header);
  input[108] = nonce;
  const started = Date.now();
  const solutions = solveEquihash(spec, input);
  console.error(
    `nonce ${nonce}: ${solutions.length} solutions in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  if (solutions.length === 0) continue;
  const out = {
    description: `Self-generated Equihash ${spec.n},${spec.k} "${spec.personalization}"${spec.zelhash ? ' with the ZelHash twist' : ''} vector: every solution our solver found for this input (not chain data). Input = Flux mainnet genesis header bytes 0..107, then a 32-byte nonce whose first byte is ${nonce}. Made by test/spec/vectors/pow-generate.ts.`,
    spec,
    powInputHex: toHex(input),
    solutionsHex: solutions.map(toHex),
  };
  writeFileSync(new URL(`pow-${which}.json`, import.meta.url), `${JSON.stringify(out, null, 2)}\n`);
  break;
}
