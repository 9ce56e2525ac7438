/**
 * Byte inputs for decoders: real encodings (from the reference vectors and the genesis block) with
 * a few structure-aware mutations (bytes flipped, compact-size markers planted, cuts, insertions,
 * repeats), mixed with plain random bytes. Mutants of valid data reach deep into a decoder; random
 * bytes mostly test its first checks.
 */
import fc from 'fast-check';

type Mutation = (b: Uint8Array) => Uint8Array;

function mutation(): fc.Arbitrary<Mutation> {
  const at = fc.nat();
  return fc.oneof(
    fc.tuple(at, fc.integer({ min: 0, max: 255 })).map(
      ([i, v]): Mutation =>
        (b) => {
          const out = Uint8Array.from(b);
          if (out.length) out[i % out.length] = v;
          return out;
        },
    ),
    fc.tuple(at, fc.constantFrom(0xfd, 0xfe, 0xff, 0x00, 0x80)).map(
      ([i, v]): Mutation =>
        (b) => {
          const out = Uint8Array.from(b);
          if (out.length) out[i % out.length] = v;
          return out;
        },
    ),
    at.map(
      (i): Mutation =>
        (b) =>
          b.slice(0, b.length ? i % b.length : 0),
    ),
    fc.tuple(at, fc.uint8Array({ maxLength: 16 })).map(
      ([i, extra]): Mutation =>
        (b) => {
          const cut = b.length ? i % b.length : 0;
          return Uint8Array.from([...b.subarray(0, cut), ...extra, ...b.subarray(cut)]);
        },
    ),
    fc.tuple(at, fc.integer({ min: 1, max: 64 })).map(
      ([i, n]): Mutation =>
        (b) => {
          const from = b.length ? i % b.length : 0;
          return Uint8Array.from([...b, ...b.subarray(from, from + n)]);
        },
    ),
  );
}

/** Mutants of `seeds` (one to four mutations each), or random bytes up to `maxRandom` long. */
export function mutatedBytes(seeds: readonly Uint8Array[], maxRandom = 4096): fc.Arbitrary<Uint8Array> {
  const mutant = fc
    .tuple(fc.constantFrom(...seeds), fc.array(mutation(), { minLength: 1, maxLength: 4 }))
    .map(([seed, ms]) => ms.reduce((b, m) => m(b), seed));
  return fc.oneof(
    { weight: 4, arbitrary: mutant },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: maxRandom }) },
  );
}
