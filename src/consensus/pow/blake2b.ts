/**
 * BLAKE2b (RFC 7693) with output length, salt, personalization and key, written for speed in
 * plain TypeScript: every 64-bit word is a pair of 32-bit halves (low half first), kept in local
 * variables inside the compression function so that V8 holds them in registers. No BigInt.
 *
 * Equihash hashes one fixed prefix followed by a 4-byte index millions of times, so besides the
 * streaming `Blake2b` class this module exposes the raw compression function and the chaining
 * value ("midstate") after the prefix's complete blocks; callers then compress only the last block.
 */

export const BLAKE2B_BLOCK_BYTES = 128;
export const BLAKE2B_MAX_OUTPUT_BYTES = 64;

/** The eight IV words as (low, high) 32-bit halves. */
const IV = new Int32Array([
  0xf3bcc908, 0x6a09e667, 0x84caa73b, 0xbb67ae85, 0xfe94f82b, 0x3c6ef372, 0x5f1d36f1, 0xa54ff53a, 0xade682d1,
  0x510e527f, 0x2b3e6c1f, 0x9b05688c, 0xfb41bd6b, 0x1f83d9ab, 0x137e2179, 0x5be0cd19,
]);

/** Message schedule, rounds 0..11 (rounds 10 and 11 repeat 0 and 1), pre-multiplied by 2 to index halves. */
const SIGMA2 = new Uint8Array(
  [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
    [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
    [11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4],
    [7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
    [9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13],
    [2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
    [12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11],
    [13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
    [6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5],
    [10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0],
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
    [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
  ].flatMap((row) => row.map((w) => 2 * w)),
);

/**
 * One BLAKE2b compression. `h` is the chaining value (8 words as 16 halves), `m` holds the
 * 128-byte block as 32 little-endian 32-bit halves starting at `mOff`, `counter` is the number of
 * message bytes hashed up to and including this block, `last` marks the final block. The new
 * chaining value goes to `out`, which may be `h` itself.
 *
 * The carry of each 64-bit addition is computed without a branch (a branch on a random carry
 * bit mispredicts half the time, which costs more than the whole addition).
 */
export function blake2bCompress(
  h: Uint32Array | Int32Array,
  m: Uint32Array | Int32Array,
  mOff: number,
  counter: number,
  last: boolean,
  out: Uint32Array | Int32Array,
): void {
  let t = 0;
  let u = 0;
  let v0l = h[0]! | 0;
  let v0h = h[1]! | 0;
  let v1l = h[2]! | 0;
  let v1h = h[3]! | 0;
  let v2l = h[4]! | 0;
  let v2h = h[5]! | 0;
  let v3l = h[6]! | 0;
  let v3h = h[7]! | 0;
  let v4l = h[8]! | 0;
  let v4h = h[9]! | 0;
  let v5l = h[10]! | 0;
  let v5h = h[11]! | 0;
  let v6l = h[12]! | 0;
  let v6h = h[13]! | 0;
  let v7l = h[14]! | 0;
  let v7h = h[15]! | 0;
  let v8l = IV[0]!;
  let v8h = IV[1]!;
  let v9l = IV[2]!;
  let v9h = IV[3]!;
  let v10l = IV[4]!;
  let v10h = IV[5]!;
  let v11l = IV[6]!;
  let v11h = IV[7]!;
  let v12l = IV[8]! ^ (counter | 0);
  let v12h = IV[9]! ^ ((counter / 0x100000000) | 0);
  let v13l = IV[10]!;
  let v13h = IV[11]!;
  let v14l = last ? ~IV[12]! : IV[12]!;
  let v14h = last ? ~IV[13]! : IV[13]!;
  let v15l = IV[14]!;
  let v15h = IV[15]!;
  for (let r = 0; r < 192; r += 16) {
    const x0l = m[mOff + SIGMA2[r + 0]!]! | 0;
    const x0h = m[mOff + SIGMA2[r + 0]! + 1]! | 0;
    const x1l = m[mOff + SIGMA2[r + 1]!]! | 0;
    const x1h = m[mOff + SIGMA2[r + 1]! + 1]! | 0;
    const x2l = m[mOff + SIGMA2[r + 2]!]! | 0;
    const x2h = m[mOff + SIGMA2[r + 2]! + 1]! | 0;
    const x3l = m[mOff + SIGMA2[r + 3]!]! | 0;
    const x3h = m[mOff + SIGMA2[r + 3]! + 1]! | 0;
    const x4l = m[mOff + SIGMA2[r + 4]!]! | 0;
    const x4h = m[mOff + SIGMA2[r + 4]! + 1]! | 0;
    const x5l = m[mOff + SIGMA2[r + 5]!]! | 0;
    const x5h = m[mOff + SIGMA2[r + 5]! + 1]! | 0;
    const x6l = m[mOff + SIGMA2[r + 6]!]! | 0;
    const x6h = m[mOff + SIGMA2[r + 6]! + 1]! | 0;
    const x7l = m[mOff + SIGMA2[r + 7]!]! | 0;
    const x7h = m[mOff + SIGMA2[r + 7]! + 1]! | 0;
    const x8l = m[mOff + SIGMA2[r + 8]!]! | 0;
    const x8h = m[mOff + SIGMA2[r + 8]! + 1]! | 0;
    const x9l = m[mOff + SIGMA2[r + 9]!]! | 0;
    const x9h = m[mOff + SIGMA2[r + 9]! + 1]! | 0;
    const x10l = m[mOff + SIGMA2[r + 10]!]! | 0;
    const x10h = m[mOff + SIGMA2[r + 10]! + 1]! | 0;
    const x11l = m[mOff + SIGMA2[r + 11]!]! | 0;
    const x11h = m[mOff + SIGMA2[r + 11]! + 1]! | 0;
    const x12l = m[mOff + SIGMA2[r + 12]!]! | 0;
    const x12h = m[mOff + SIGMA2[r + 12]! + 1]! | 0;
    const x13l = m[mOff + SIGMA2[r + 13]!]! | 0;
    const x13h = m[mOff + SIGMA2[r + 13]! + 1]! | 0;
    const x14l = m[mOff + SIGMA2[r + 14]!]! | 0;
    const x14h = m[mOff + SIGMA2[r + 14]! + 1]! | 0;
    const x15l = m[mOff + SIGMA2[r + 15]!]! | 0;
    const x15h = m[mOff + SIGMA2[r + 15]! + 1]! | 0;
    // G(v0, v4, v8, v12)
    t = (v0l + v4l) | 0;
    v0h = (v0h + v4h + (((v0l & v4l) | ((v0l | v4l) & ~t)) >>> 31)) | 0;
    v0l = t;
    t = (v0l + x0l) | 0;
    v0h = (v0h + x0h + (((v0l & x0l) | ((v0l | x0l) & ~t)) >>> 31)) | 0;
    v0l = t;
    t = v12l ^ v0l;
    v12l = v12h ^ v0h;
    v12h = t;
    t = (v8l + v12l) | 0;
    v8h = (v8h + v12h + (((v8l & v12l) | ((v8l | v12l) & ~t)) >>> 31)) | 0;
    v8l = t;
    t = v4l ^ v8l;
    u = v4h ^ v8h;
    v4l = (t >>> 24) | (u << 8);
    v4h = (u >>> 24) | (t << 8);
    t = (v0l + v4l) | 0;
    v0h = (v0h + v4h + (((v0l & v4l) | ((v0l | v4l) & ~t)) >>> 31)) | 0;
    v0l = t;
    t = (v0l + x1l) | 0;
    v0h = (v0h + x1h + (((v0l & x1l) | ((v0l | x1l) & ~t)) >>> 31)) | 0;
    v0l = t;
    t = v12l ^ v0l;
    u = v12h ^ v0h;
    v12l = (t >>> 16) | (u << 16);
    v12h = (u >>> 16) | (t << 16);
    t = (v8l + v12l) | 0;
    v8h = (v8h + v12h + (((v8l & v12l) | ((v8l | v12l) & ~t)) >>> 31)) | 0;
    v8l = t;
    t = v4l ^ v8l;
    u = v4h ^ v8h;
    v4l = (u >>> 31) | (t << 1);
    v4h = (t >>> 31) | (u << 1);
    // G(v1, v5, v9, v13)
    t = (v1l + v5l) | 0;
    v1h = (v1h + v5h + (((v1l & v5l) | ((v1l | v5l) & ~t)) >>> 31)) | 0;
    v1l = t;
    t = (v1l + x2l) | 0;
    v1h = (v1h + x2h + (((v1l & x2l) | ((v1l | x2l) & ~t)) >>> 31)) | 0;
    v1l = t;
    t = v13l ^ v1l;
    v13l = v13h ^ v1h;
    v13h = t;
    t = (v9l + v13l) | 0;
    v9h = (v9h + v13h + (((v9l & v13l) | ((v9l | v13l) & ~t)) >>> 31)) | 0;
    v9l = t;
    t = v5l ^ v9l;
    u = v5h ^ v9h;
    v5l = (t >>> 24) | (u << 8);
    v5h = (u >>> 24) | (t << 8);
    t = (v1l + v5l) | 0;
    v1h = (v1h + v5h + (((v1l & v5l) | ((v1l | v5l) & ~t)) >>> 31)) | 0;
    v1l = t;
    t = (v1l + x3l) | 0;
    v1h = (v1h + x3h + (((v1l & x3l) | ((v1l | x3l) & ~t)) >>> 31)) | 0;
    v1l = t;
    t = v13l ^ v1l;
    u = v13h ^ v1h;
    v13l = (t >>> 16) | (u << 16);
    v13h = (u >>> 16) | (t << 16);
    t = (v9l + v13l) | 0;
    v9h = (v9h + v13h + (((v9l & v13l) | ((v9l | v13l) & ~t)) >>> 31)) | 0;
    v9l = t;
    t = v5l ^ v9l;
    u = v5h ^ v9h;
    v5l = (u >>> 31) | (t << 1);
    v5h = (t >>> 31) | (u << 1);
    // G(v2, v6, v10, v14)
    t = (v2l + v6l) | 0;
    v2h = (v2h + v6h + (((v2l & v6l) | ((v2l | v6l) & ~t)) >>> 31)) | 0;
    v2l = t;
    t = (v2l + x4l) | 0;
    v2h = (v2h + x4h + (((v2l & x4l) | ((v2l | x4l) & ~t)) >>> 31)) | 0;
    v2l = t;
    t = v14l ^ v2l;
    v14l = v14h ^ v2h;
    v14h = t;
    t = (v10l + v14l) | 0;
    v10h = (v10h + v14h + (((v10l & v14l) | ((v10l | v14l) & ~t)) >>> 31)) | 0;
    v10l = t;
    t = v6l ^ v10l;
    u = v6h ^ v10h;
    v6l = (t >>> 24) | (u << 8);
    v6h = (u >>> 24) | (t << 8);
    t = (v2l + v6l) | 0;
    v2h = (v2h + v6h + (((v2l & v6l) | ((v2l | v6l) & ~t)) >>> 31)) | 0;
    v2l = t;
    t = (v2l + x5l) | 0;
    v2h = (v2h + x5h + (((v2l & x5l) | ((v2l | x5l) & ~t)) >>> 31)) | 0;
    v2l = t;
    t = v14l ^ v2l;
    u = v14h ^ v2h;
    v14l = (t >>> 16) | (u << 16);
    v14h = (u >>> 16) | (t << 16);
    t = (v10l + v14l) | 0;
    v10h = (v10h + v14h + (((v10l & v14l) | ((v10l | v14l) & ~t)) >>> 31)) | 0;
    v10l = t;
    t = v6l ^ v10l;
    u = v6h ^ v10h;
    v6l = (u >>> 31) | (t << 1);
    v6h = (t >>> 31) | (u << 1);
    // G(v3, v7, v11, v15)
    t = (v3l + v7l) | 0;
    v3h = (v3h + v7h + (((v3l & v7l) | ((v3l | v7l) & ~t)) >>> 31)) | 0;
    v3l = t;
    t = (v3l + x6l) | 0;
    v3h = (v3h + x6h + (((v3l & x6l) | ((v3l | x6l) & ~t)) >>> 31)) | 0;
    v3l = t;
    t = v15l ^ v3l;
    v15l = v15h ^ v3h;
    v15h = t;
    t = (v11l + v15l) | 0;
    v11h = (v11h + v15h + (((v11l & v15l) | ((v11l | v15l) & ~t)) >>> 31)) | 0;
    v11l = t;
    t = v7l ^ v11l;
    u = v7h ^ v11h;
    v7l = (t >>> 24) | (u << 8);
    v7h = (u >>> 24) | (t << 8);
    t = (v3l + v7l) | 0;
    v3h = (v3h + v7h + (((v3l & v7l) | ((v3l | v7l) & ~t)) >>> 31)) | 0;
    v3l = t;
    t = (v3l + x7l) | 0;
    v3h = (v3h + x7h + (((v3l & x7l) | ((v3l | x7l) & ~t)) >>> 31)) | 0;
    v3l = t;
    t = v15l ^ v3l;
    u = v15h ^ v3h;
    v15l = (t >>> 16) | (u << 16);
    v15h = (u >>> 16) | (t << 16);
    t = (v11l + v15l) | 0;
    v11h = (v11h + v15h + (((v11l & v15l) | ((v11l | v15l) & ~t)) >>> 31)) | 0;
    v11l = t;
    t = v7l ^ v11l;
    u = v7h ^ v11h;
    v7l = (u >>> 31) | (t << 1);
    v7h = (t >>> 31) | (u << 1);
    // G(v0, v5, v10, v15)
    t = (v0l + v5l) | 0;
    v0h = (v0h + v5h + (((v0l & v5l) | ((v0l | v5l) & ~t)) >>> 31)) | 0;
    v0l = t;
    t = (v0l + x8l) | 0;
    v0h = (v0h + x8h + (((v0l & x8l) | ((v0l | x8l) & ~t)) >>> 31)) | 0;
    v0l = t;
    t = v15l ^ v0l;
    v15l = v15h ^ v0h;
    v15h = t;
    t = (v10l + v15l) | 0;
    v10h = (v10h + v15h + (((v10l & v15l) | ((v10l | v15l) & ~t)) >>> 31)) | 0;
    v10l = t;
    t = v5l ^ v10l;
    u = v5h ^ v10h;
    v5l = (t >>> 24) | (u << 8);
    v5h = (u >>> 24) | (t << 8);
    t = (v0l + v5l) | 0;
    v0h = (v0h + v5h + (((v0l & v5l) | ((v0l | v5l) & ~t)) >>> 31)) | 0;
    v0l = t;
    t = (v0l + x9l) | 0;
    v0h = (v0h + x9h + (((v0l & x9l) | ((v0l | x9l) & ~t)) >>> 31)) | 0;
    v0l = t;
    t = v15l ^ v0l;
    u = v15h ^ v0h;
    v15l = (t >>> 16) | (u << 16);
    v15h = (u >>> 16) | (t << 16);
    t = (v10l + v15l) | 0;
    v10h = (v10h + v15h + (((v10l & v15l) | ((v10l | v15l) & ~t)) >>> 31)) | 0;
    v10l = t;
    t = v5l ^ v10l;
    u = v5h ^ v10h;
    v5l = (u >>> 31) | (t << 1);
    v5h = (t >>> 31) | (u << 1);
    // G(v1, v6, v11, v12)
    t = (v1l + v6l) | 0;
    v1h = (v1h + v6h + (((v1l & v6l) | ((v1l | v6l) & ~t)) >>> 31)) | 0;
    v1l = t;
    t = (v1l + x10l) | 0;
    v1h = (v1h + x10h + (((v1l & x10l) | ((v1l | x10l) & ~t)) >>> 31)) | 0;
    v1l = t;
    t = v12l ^ v1l;
    v12l = v12h ^ v1h;
    v12h = t;
    t = (v11l + v12l) | 0;
    v11h = (v11h + v12h + (((v11l & v12l) | ((v11l | v12l) & ~t)) >>> 31)) | 0;
    v11l = t;
    t = v6l ^ v11l;
    u = v6h ^ v11h;
    v6l = (t >>> 24) | (u << 8);
    v6h = (u >>> 24) | (t << 8);
    t = (v1l + v6l) | 0;
    v1h = (v1h + v6h + (((v1l & v6l) | ((v1l | v6l) & ~t)) >>> 31)) | 0;
    v1l = t;
    t = (v1l + x11l) | 0;
    v1h = (v1h + x11h + (((v1l & x11l) | ((v1l | x11l) & ~t)) >>> 31)) | 0;
    v1l = t;
    t = v12l ^ v1l;
    u = v12h ^ v1h;
    v12l = (t >>> 16) | (u << 16);
    v12h = (u >>> 16) | (t << 16);
    t = (v11l + v12l) | 0;
    v11h = (v11h + v12h + (((v11l & v12l) | ((v11l | v12l) & ~t)) >>> 31)) | 0;
    v11l = t;
    t = v6l ^ v11l;
    u = v6h ^ v11h;
    v6l = (u >>> 31) | (t << 1);
    v6h = (t >>> 31) | (u << 1);
    // G(v2, v7, v8, v13)
    t = (v2l + v7l) | 0;
    v2h = (v2h + v7h + (((v2l & v7l) | ((v2l | v7l) & ~t)) >>> 31)) | 0;
    v2l = t;
    t = (v2l + x12l) | 0;
    v2h = (v2h + x12h + (((v2l & x12l) | ((v2l | x12l) & ~t)) >>> 31)) | 0;
    v2l = t;
    t = v13l ^ v2l;
    v13l = v13h ^ v2h;
    v13h = t;
    t = (v8l + v13l) | 0;
    v8h = (v8h + v13h + (((v8l & v13l) | ((v8l | v13l) & ~t)) >>> 31)) | 0;
    v8l = t;
    t = v7l ^ v8l;
    u = v7h ^ v8h;
    v7l = (t >>> 24) | (u << 8);
    v7h = (u >>> 24) | (t << 8);
    t = (v2l + v7l) | 0;
    v2h = (v2h + v7h + (((v2l & v7l) | ((v2l | v7l) & ~t)) >>> 31)) | 0;
    v2l = t;
    t = (v2l + x13l) | 0;
    v2h = (v2h + x13h + (((v2l & x13l) | ((v2l | x13l) & ~t)) >>> 31)) | 0;
    v2l = t;
    t = v13l ^ v2l;
    u = v13h ^ v2h;
    v13l = (t >>> 16) | (u << 16);
    v13h = (u >>> 16) | (t << 16);
    t = (v8l + v13l) | 0;
    v8h = (v8h + v13h + (((v8l & v13l) | ((v8l | v13l) & ~t)) >>> 31)) | 0;
    v8l = t;
    t = v7l ^ v8l;
    u = v7h ^ v8h;
    v7l = (u >>> 31) | (t << 1);
    v7h = (t >>> 31) | (u << 1);
    // G(v3, v4, v9, v14)
    t = (v3l + v4l) | 0;
    v3h = (v3h + v4h + (((v3l & v4l) | ((v3l | v4l) & ~t)) >>> 31)) | 0;
    v3l = t;
    t = (v3l + x14l) | 0;
    v3h = (v3h + x14h + (((v3l & x14l) | ((v3l | x14l) & ~t)) >>> 31)) | 0;
    v3l = t;
    t = v14l ^ v3l;
    v14l = v14h ^ v3h;
    v14h = t;
    t = (v9l + v14l) | 0;
    v9h = (v9h + v14h + (((v9l & v14l) | ((v9l | v14l) & ~t)) >>> 31)) | 0;
    v9l = t;
    t = v4l ^ v9l;
    u = v4h ^ v9h;
    v4l = (t >>> 24) | (u << 8);
    v4h = (u >>> 24) | (t << 8);
    t = (v3l + v4l) | 0;
    v3h = (v3h + v4h + (((v3l & v4l) | ((v3l | v4l) & ~t)) >>> 31)) | 0;
    v3l = t;
    t = (v3l + x15l) | 0;
    v3h = (v3h + x15h + (((v3l & x15l) | ((v3l | x15l) & ~t)) >>> 31)) | 0;
    v3l = t;
    t = v14l ^ v3l;
    u = v14h ^ v3h;
    v14l = (t >>> 16) | (u << 16);
    v14h = (u >>> 16) | (t << 16);
    t = (v9l + v14l) | 0;
    v9h = (v9h + v14h + (((v9l & v14l) | ((v9l | v14l) & ~t)) >>> 31)) | 0;
    v9l = t;
    t = v4l ^ v9l;
    u = v4h ^ v9h;
    v4l = (u >>> 31) | (t << 1);
    v4h = (t >>> 31) | (u << 1);
  }
  out[0] = h[0]! ^ v0l ^ v8l;
  out[1] = h[1]! ^ v0h ^ v8h;
  out[2] = h[2]! ^ v1l ^ v9l;
  out[3] = h[3]! ^ v1h ^ v9h;
  out[4] = h[4]! ^ v2l ^ v10l;
  out[5] = h[5]! ^ v2h ^ v10h;
  out[6] = h[6]! ^ v3l ^ v11l;
  out[7] = h[7]! ^ v3h ^ v11h;
  out[8] = h[8]! ^ v4l ^ v12l;
  out[9] = h[9]! ^ v4h ^ v12h;
  out[10] = h[10]! ^ v5l ^ v13l;
  out[11] = h[11]! ^ v5h ^ v13h;
  out[12] = h[12]! ^ v6l ^ v14l;
  out[13] = h[13]! ^ v6h ^ v14h;
  out[14] = h[14]! ^ v7l ^ v15l;
  out[15] = h[15]! ^ v7h ^ v15h;
}

export interface Blake2bParams {
  /** Digest length in bytes, 1..64 (default 64). */
  outputLength?: number;
  /** Up to 64 bytes; turns the hash into a MAC. */
  key?: Uint8Array;
  /** Exactly 16 bytes when given. */
  salt?: Uint8Array;
  /** Exactly 16 bytes when given. */
  personalization?: Uint8Array;
}

/** Reads 4 bytes little-endian without assuming the platform's byte order. */
function readLE32(bytes: Uint8Array, off: number): number {
  return bytes[off]! | (bytes[off + 1]! << 8) | (bytes[off + 2]! << 16) | (bytes[off + 3]! << 24) | 0;
}

/** Loads a 128-byte block as 32 little-endian halves. */
export function loadBlockWords(bytes: Uint8Array, off: number, words: Uint32Array | Int32Array): void {
  for (let i = 0; i < 32; i++) words[i] = readLE32(bytes, off + 4 * i);
}

/** Writes the first `length` bytes of a chaining value (16 halves) little-endian. */
export function storeDigest(h: Uint32Array | Int32Array, out: Uint8Array, length: number): void {
  for (let i = 0; i < length; i++) out[i] = h[i >> 2]! >>> (8 * (i & 3));
}

/** The initial chaining value for the given parameters (the IV mixed with the parameter block). */
export function blake2bInitialState(params: Blake2bParams = {}): Uint32Array {
  const outputLength = params.outputLength ?? BLAKE2B_MAX_OUTPUT_BYTES;
  const keyLength = params.key?.length ?? 0;
  if (!Number.isInteger(outputLength) || outputLength < 1 || outputLength > BLAKE2B_MAX_OUTPUT_BYTES) {
    throw new RangeError(`BLAKE2b output length must be 1..64 bytes, got ${outputLength}`);
  }
  if (keyLength > 64) throw new RangeError(`BLAKE2b key must be at most 64 bytes, got ${keyLength}`);
  const h = new Uint32Array(IV);
  // Parameter block word 0: digest length, key length, fanout 1, depth 1; the rest is zero
  // except salt (words 4-5) and personalization (words 6-7).
  h[0]! ^= outputLength | (keyLength << 8) | 0x01010000;
  for (const [field, value, firstHalf] of [
    ['salt', params.salt, 8],
    ['personalization', params.personalization, 12],
  ] as const) {
    if (value === undefined) continue;
    if (value.length !== 16) throw new RangeError(`BLAKE2b ${field} must be 16 bytes, got ${value.length}`);
    for (let i = 0; i < 4; i++) h[firstHalf + i]! ^= readLE32(value, 4 * i);
  }
  return h;
}

/**
 * Streaming BLAKE2b. The last block must be compressed with the final flag, so a full buffer is
 * only compressed once more input arrives.
 */
export class Blake2b {
  readonly outputLength: number;
  /** Chaining value after `counter` bytes. */
  private readonly h: Uint32Array;
  private readonly buffer = new Uint8Array(BLAKE2B_BLOCK_BYTES);
  private readonly words = new Uint32Array(32);
  private buffered = 0;
  private counter = 0;
  private finished = false;

  constructor(params: Blake2bParams = {}) {
    this.outputLength = params.outputLength ?? BLAKE2B_MAX_OUTPUT_BYTES;
    this.h = blake2bInitialState(params);
    if (params.key && params.key.length > 0) {
      this.buffer.set(params.key);
      this.buffered = BLAKE2B_BLOCK_BYTES;
    }
  }

  update(data: Uint8Array): this {
    if (this.finished) throw new Error('BLAKE2b: update after digest');
    let pos = 0;
    while (pos < data.length) {
      if (this.buffered === BLAKE2B_BLOCK_BYTES) {
        this.counter += BLAKE2B_BLOCK_BYTES;
        loadBlockWords(this.buffer, 0, this.words);
        blake2bCompress(this.h, this.words, 0, this.counter, false, this.h);
        this.buffered = 0;
      }
      // Whole blocks straight from the input, keeping the last one back in case it is final.
      while (this.buffered === 0 && data.length - pos > BLAKE2B_BLOCK_BYTES) {
        this.counter += BLAKE2B_BLOCK_BYTES;
        loadBlockWords(data, pos, this.words);
        blake2bCompress(this.h, this.words, 0, this.counter, false, this.h);
        pos += BLAKE2B_BLOCK_BYTES;
      }
      const take = Math.min(BLAKE2B_BLOCK_BYTES - this.buffered, data.length - pos);
      this.buffer.set(data.subarray(pos, pos + take), this.buffered);
      this.buffered += take;
      pos += take;
    }
    return this;
  }

  /**
   * The state after every complete block of the input so far: the chaining value, the byte count
   * it covers, and the bytes still buffered (1..128 of them once anything was hashed). Appending
   * data to `tail` and compressing it as the final block gives the digest.
   */
  midstate(): { chain: Uint32Array; counter: number; tail: Uint8Array } {
    return { chain: this.h.slice(), counter: this.counter, tail: this.buffer.slice(0, this.buffered) };
  }

  clone(): Blake2b {
    const copy = Object.create(Blake2b.prototype) as Blake2b;
    Object.assign(copy, {
      outputLength: this.outputLength,
      h: this.h.slice(),
      buffer: this.buffer.slice(),
      words: new Uint32Array(32),
      buffered: this.buffered,
      counter: this.counter,
      finished: this.finished,
    });
    return copy;
  }

  digest(): Uint8Array {
    if (this.finished) throw new Error('BLAKE2b: digest called twice');
    this.finished = true;
    this.buffer.fill(0, this.buffered);
    this.counter += this.buffered;
    loadBlockWords(this.buffer, 0, this.words);
    blake2bCompress(this.h, this.words, 0, this.counter, true, this.h);
    const out = new Uint8Array(this.outputLength);
    storeDigest(this.h, out, this.outputLength);
    return out;
  }
}

/** One-shot BLAKE2b. */
export function blake2b(data: Uint8Array, params: Blake2bParams = {}): Uint8Array {
  return new Blake2b(params).update(data).digest();
}
