import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fromReverseHex, toHex } from '../../../src/consensus/bytes.ts';
import {
  type EquihashSpec,
  encodeSolution,
  isValidEquihash,
  verifyEquihash,
} from '../../../src/consensus/pow/equihash.ts';
import { EQUIHASH_48_5 } from '../../../src/consensus/pow/schedule.ts';
import { solveEquihash, solveEquihashIndices } from '../../../src/consensus/pow/solver.ts';

const text = (s: string) => new TextEncoder().encode(s);
/** fluxd's tests hash I || V with V an arith_uint256 nonce stored little-endian in 32 bytes. */
const withNonce = (I: Uint8Array, nonce: number) => {
  const V = new Uint8Array(32);
  new DataView(V.buffer).setUint32(0, nonce, true);
  return new Uint8Array([...I, ...V]);
};
const sorted = (solutions: ArrayLike<number>[]) => solutions.map((s) => Array.from(s).join(',')).sort();

describe('Equihash solver: fluxd/Zcash 96,5 solver vectors (every solution, exactly)', () => {
  const spec: EquihashSpec = { n: 96, k: 5, personalization: 'ZcashPoW' };
  const cases: [string, number, number[][]][] = [
    [
      'block header',
      0,
      [
        [
          976, 126621, 100174, 123328, 38477, 105390, 38834, 90500, 6411, 116489, 51107, 129167, 25557, 92292,
          38525, 56514, 1110, 98024, 15426, 74455, 3185, 84007, 24328, 36473, 17427, 129451, 27556, 119967,
          31704, 62448, 110460, 117894,
        ],
        [
          1008, 18280, 34711, 57439, 3903, 104059, 81195, 95931, 58336, 118687, 67931, 123026, 64235, 95595,
          84355, 122946, 8131, 88988, 45130, 58986, 59899, 78278, 94769, 118158, 25569, 106598, 44224, 96285,
          54009, 67246, 85039, 127667,
        ],
        [
          1278, 107636, 80519, 127719, 19716, 130440, 83752, 121810, 15337, 106305, 96940, 117036, 46903,
          101115, 82294, 118709, 4915, 70826, 40826, 79883, 37902, 95324, 101092, 112254, 15536, 68760, 68493,
          125640, 67620, 108562, 68035, 93430,
        ],
        [
          3976, 108868, 80426, 109742, 33354, 55962, 68338, 80112, 26648, 28006, 64679, 130709, 41182, 126811,
          56563, 129040, 4013, 80357, 38063, 91241, 30768, 72264, 97338, 124455, 5607, 36901, 67672, 87377,
          17841, 66985, 77087, 85291,
        ],
        [
          5970, 21862, 34861, 102517, 11849, 104563, 91620, 110653, 7619, 52100, 21162, 112513, 74964, 79553,
          105558, 127256, 21905, 112672, 81803, 92086, 43695, 97911, 66587, 104119, 29017, 61613, 97690,
          106345, 47428, 98460, 53655, 109002,
        ],
      ],
    ],
    [
      'Equihash is an asymmetric PoW based on the Generalised Birthday problem.',
      1,
      [
        [
          2261, 15185, 36112, 104243, 23779, 118390, 118332, 130041, 32642, 69878, 76925, 80080, 45858,
          116805, 92842, 111026, 15972, 115059, 85191, 90330, 68190, 122819, 81830, 91132, 23460, 49807,
          52426, 80391, 69567, 114474, 104973, 122568,
        ],
        [
          16700, 46276, 21232, 43153, 22398, 58511, 47922, 71816, 23370, 26222, 39248, 40137, 65375, 85794,
          69749, 73259, 23599, 72821, 42250, 52383, 35267, 75893, 52152, 57181, 27137, 101117, 45804, 92838,
          29548, 29574, 37737, 113624,
        ],
      ],
    ],
    [
      'Test case with 3+-way collision in the final round.',
      0x07f0,
      [
        [
          1162, 129543, 57488, 82745, 18311, 115612, 20603, 112899, 5635, 103373, 101651, 125986, 52160,
          70847, 65152, 101720, 5810, 43165, 64589, 105333, 11347, 63836, 55495, 96392, 40767, 81019, 53976,
          94184, 41650, 114374, 45109, 57038,
        ],
        [
          2321, 121781, 36792, 51959, 21685, 67596, 27992, 59307, 13462, 118550, 37537, 55849, 48994, 58515,
          78703, 100100, 11189, 98120, 45242, 116128, 33260, 47351, 61550, 116649, 11927, 20590, 35907,
          107966, 28779, 57407, 54793, 104108,
        ],
        [
          2321, 121781, 36792, 51959, 21685, 67596, 27992, 59307, 13462, 118550, 37537, 55849, 48994, 78703,
          58515, 100100, 11189, 98120, 45242, 116128, 33260, 47351, 61550, 116649, 11927, 20590, 35907,
          107966, 28779, 57407, 54793, 104108,
        ],
        [
          2321, 121781, 36792, 51959, 21685, 67596, 27992, 59307, 13462, 118550, 37537, 55849, 48994, 100100,
          58515, 78703, 11189, 98120, 45242, 116128, 33260, 47351, 61550, 116649, 11927, 20590, 35907, 107966,
          28779, 57407, 54793, 104108,
        ],
        [
          4488, 83544, 24912, 62564, 43206, 62790, 68462, 125162, 6805, 8886, 46937, 54588, 15509, 126232,
          19426, 27845, 5959, 56839, 38806, 102580, 11255, 63258, 23442, 39750, 13022, 22271, 24110, 52077,
          17422, 124996, 35725, 101509,
        ],
        [
          8144, 33053, 33933, 77498, 21356, 110495, 42805, 116575, 27360, 48574, 100682, 102629, 50754, 64608,
          96899, 120978, 11924, 74422, 49240, 106822, 12787, 68290, 44314, 50005, 38056, 49716, 83299, 95307,
          41798, 82309, 94504, 96161,
        ],
      ],
    ],
  ];
  for (const [I, nonce, expected] of cases) {
    it(`"${I.slice(0, 24)}…", nonce ${nonce}: ${expected.length} solutions`, () => {
      const input = withNonce(text(I), nonce);
      const found = solveEquihashIndices(spec, input);
      assert.deepEqual(sorted(found), sorted(expected));
      for (const indices of found) verifyEquihash(spec, input, encodeSolution(spec, indices));
    });
  }
});

describe('Equihash solver: 48,5 (Flux testnet/regtest, devnet)', () => {
  it("finds fluxd's regtest genesis solution among the solutions for that header", () => {
    const rt = JSON.parse(
      readFileSync(new URL('../vectors/pow-flux-test-genesis.json', import.meta.url), 'utf8'),
    ).blocks[1];
    const input = new Uint8Array(140);
    const view = new DataView(input.buffer);
    view.setUint32(0, rt.version, true);
    input.set(fromReverseHex(rt.merkleRoot), 36);
    view.setUint32(100, rt.time, true);
    view.setUint32(104, Number.parseInt(rt.bits, 16), true);
    input.set(fromReverseHex(rt.nonce), 108);
    const solutions = solveEquihash(EQUIHASH_48_5, input).map(toHex);
    assert.ok(solutions.includes(rt.solutionHex), `${solutions.length} solutions found`);
  });

  it('every solution found over 64 nonces verifies, and a good share of nonces have one', () => {
    const header = new Uint8Array(140).fill(0x5a);
    let total = 0;
    let withSolution = 0;
    for (let nonce = 0; nonce < 64; nonce++) {
      const input = header.slice();
      new DataView(input.buffer).setUint32(108, nonce, true);
      const solutions = solveEquihash(EQUIHASH_48_5, input);
      for (const s of solutions) assert.equal(isValidEquihash(EQUIHASH_48_5, input, s), true);
      total += solutions.length;
      if (solutions.length > 0) withSolution++;
    }
    // With lists of only 512 entries, 48,5 yields about one solution per nonce, on under half of
    // the nonces (many collisions repeat an index); far fewer would mean lost solutions.
    assert.ok(withSolution >= 16 && total >= 32, `${withSolution}/64 nonces solved, ${total} solutions`);
  });

  it('honours maxSolutions and shouldStop', () => {
    const input = withNonce(text('block header'), 0);
    const spec: EquihashSpec = { n: 96, k: 5, personalization: 'ZcashPoW' };
    assert.equal(solveEquihash(spec, input, { maxSolutions: 2 }).length, 2);
    assert.deepEqual(solveEquihash(spec, input, { shouldStop: () => true }), []);
  });
});
