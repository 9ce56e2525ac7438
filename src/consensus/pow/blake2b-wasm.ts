/**
 * A BLAKE2b compression kernel in WebAssembly, assembled here from its instructions (there is no
 * binary blob). WebAssembly has native 64-bit adds and rotates, which makes one compression
 * several times faster than the 32-bit-half TypeScript version in blake2b.ts; Equihash
 * verification (ZelHash needs ~137 compressions per solution) uses it when the runtime offers
 * WebAssembly, and falls back to blake2b.ts otherwise. Both give identical results (tested).
 *
 * Memory layout of the kernel (one 64 KiB page), in 32-bit words: chaining value at
 * KERNEL_CHAIN (16 words), message block at KERNEL_BLOCK (32 words), result at KERNEL_OUT (16),
 * and a running sum of results at KERNEL_SUM (16) for ZelHash.
 */

export const KERNEL_CHAIN = 0;
export const KERNEL_BLOCK = 16;
export const KERNEL_OUT = 48;
export const KERNEL_SUM = 64;

export interface Blake2bKernel {
  /** A view of the kernel's memory, to fill the chaining value and block and read the result. */
  readonly words: Uint32Array;
  /** Compresses words[KERNEL_BLOCK..] into words[KERNEL_CHAIN..], writing words[KERNEL_OUT..]. */
  compress(counter: number, last: boolean): void;
  /** compress() for a block whose 32-bit words 4..31 are all zero. */
  compressShort(counter: number, last: boolean): void;
  /**
   * For g = first..last: puts g into block word `indexWord`, compresses as the final block and
   * adds the result, word by word modulo 2^32, into words[KERNEL_SUM..] (ZelHash's running sum).
   */
  sumRange(indexWord: number, first: number, last: number, counter: number): void;
  /** sumRange() for a block whose 32-bit words 4..31 are all zero. */
  sumRangeShort(indexWord: number, first: number, last: number, counter: number): void;
}

const SIGMA = [
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
];
const IV = [
  0x6a09e667f3bcc908n,
  0xbb67ae8584caa73bn,
  0x3c6ef372fe94f82bn,
  0xa54ff53a5f1d36f1n,
  0x510e527fade682d1n,
  0x9b05688c2b3e6c1fn,
  0x1f83d9abfb41bd6bn,
  0x5be0cd19137e2179n,
];

// Opcodes used.
const LOCAL_GET = 0x20;
const LOCAL_SET = 0x21;
const I32_CONST = 0x41;
const I64_CONST = 0x42;
const I64_LOAD = 0x29;
const I64_STORE = 0x37;
const I64_ADD = 0x7c;
const I64_SUB = 0x7d;
const I64_OR = 0x84;
const I64_XOR = 0x85;
const I64_SHL = 0x86;
const I64_ROTR = 0x8a;
const I64_EXTEND_I32_U = 0xad;
const I32_LOAD = 0x28;
const I32_STORE = 0x36;
const I32_ADD = 0x6a;
const I32_SHL = 0x74;
const I32_GT_U = 0x4b;
const BLOCK = 0x02;
const LOOP = 0x03;
const EMPTY = 0x40;
const BR = 0x0c;
const BR_IF = 0x0d;
const CALL = 0x10;
const END = 0x0b;
const I32 = 0x7f;
const I64 = 0x7e;

function uleb(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

/** Signed LEB128 of a 64-bit two's-complement value given as an unsigned BigInt (build time only). */
function sleb64(unsigned: bigint): number[] {
  let value = BigInt.asIntN(64, unsigned);
  const out: number[] = [];
  for (;;) {
    const byte = Number(value & 0x7fn);
    value >>= 7n;
    const done = (value === 0n && (byte & 0x40) === 0) || (value === -1n && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body];
const vector = (items: number[][]) => [...uleb(items.length), ...items.flat()];
const name = (s: string) => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];

/**
 * The code of compress(counterLo, counterHi, last). With `short`, message words 2..15 are taken
 * to be zero and not added at all: true of the final block of a 140-byte Equihash input (12
 * bytes of tail and the 4-byte index).
 */
function compressCode(short: boolean): number[] {
  // Parameters 0..2: counterLo, counterHi, last (i32). Locals 3..18: v0..v15, 19..34: m0..m15, 35: counter.
  const v = (i: number) => 3 + i;
  const m = (i: number) => 19 + i;
  const used = (x: number) => !short || x < 2;
  const T = 35;
  const code: number[] = [];
  const get = (l: number) => code.push(LOCAL_GET, ...uleb(l));
  const set = (l: number) => code.push(LOCAL_SET, ...uleb(l));
  // i64.load takes an i32 address (i32.const 0) plus a static byte offset; alignment 2^3.
  const loadAt = (wordOffset: number) => code.push(I32_CONST, 0, I64_LOAD, 3, ...uleb(wordOffset * 4));
  const rotr = (bits: number) => code.push(I64_CONST, ...sleb64(BigInt(bits)), I64_ROTR);
  // counter = lo | hi << 32
  get(0);
  code.push(I64_EXTEND_I32_U);
  get(1);
  code.push(I64_EXTEND_I32_U, I64_CONST, ...sleb64(32n), I64_SHL, I64_OR);
  set(T);
  for (let i = 0; i < 8; i++) {
    loadAt(KERNEL_CHAIN + 2 * i);
    set(v(i));
    code.push(I64_CONST, ...sleb64(IV[i]!));
    set(v(8 + i));
  }
  for (let i = 0; i < 16; i++) {
    if (!used(i)) continue;
    loadAt(KERNEL_BLOCK + 2 * i);
    set(m(i));
  }
  get(v(12));
  get(T);
  code.push(I64_XOR);
  set(v(12));
  // v14 ^= last ? ~0 : 0, as 0 - extend(last)
  get(v(14));
  code.push(I64_CONST, 0);
  get(2);
  code.push(I64_EXTEND_I32_U, I64_SUB, I64_XOR);
  set(v(14));

  const G = (a: number, b: number, c: number, d: number, x: number, y: number) => {
    const addInto = (dst: number, p: number, q: number, r?: number) => {
      get(p);
      get(q);
      code.push(I64_ADD);
      if (r !== undefined) {
        get(r);
        code.push(I64_ADD);
      }
      set(dst);
    };
    const xorRot = (dst: number, p: number, bits: number) => {
      get(dst);
      get(p);
      code.push(I64_XOR);
      rotr(bits);
      set(dst);
    };
    addInto(v(a), v(a), v(b), used(x) ? m(x) : undefined);
    xorRot(v(d), v(a), 32);
    addInto(v(c), v(c), v(d));
    xorRot(v(b), v(c), 24);
    addInto(v(a), v(a), v(b), used(y) ? m(y) : undefined);
    xorRot(v(d), v(a), 16);
    addInto(v(c), v(c), v(d));
    xorRot(v(b), v(c), 63);
  };
  for (let r = 0; r < 12; r++) {
    const s = SIGMA[r % 10]!;
    G(0, 4, 8, 12, s[0]!, s[1]!);
    G(1, 5, 9, 13, s[2]!, s[3]!);
    G(2, 6, 10, 14, s[4]!, s[5]!);
    G(3, 7, 11, 15, s[6]!, s[7]!);
    G(0, 5, 10, 15, s[8]!, s[9]!);
    G(1, 6, 11, 12, s[10]!, s[11]!);
    G(2, 7, 8, 13, s[12]!, s[13]!);
    G(3, 4, 9, 14, s[14]!, s[15]!);
  }
  for (let i = 0; i < 8; i++) {
    code.push(I32_CONST, 0); // store address
    loadAt(KERNEL_CHAIN + 2 * i);
    get(v(i));
    code.push(I64_XOR);
    get(v(8 + i));
    code.push(I64_XOR, I64_STORE, 3, ...uleb((KERNEL_OUT + 2 * i) * 4));
  }
  code.push(END);
  return code;
}

/** The module's bytes: one exported memory, compress, compressShort, sumRange and sumRangeShort. */
export function blake2bKernelModule(): Uint8Array {
  const compressBody = (short: boolean) => [...vector([[...uleb(33), I64]]), ...compressCode(short)];

  // sumRange(indexWord, g, last, counterLo, counterHi), no extra locals: a loop over g calling
  // compress function number `callee`.
  const sumRangeBody = (callee: number) => {
    const loop: number[] = [];
    const lget = (l: number) => loop.push(LOCAL_GET, ...uleb(l));
    loop.push(BLOCK, EMPTY, LOOP, EMPTY);
    lget(1);
    lget(2);
    loop.push(I32_GT_U, BR_IF, 1);
    lget(0); // block[indexWord] = g
    loop.push(I32_CONST, 2, I32_SHL);
    lget(1);
    loop.push(I32_STORE, 2, ...uleb(KERNEL_BLOCK * 4));
    lget(3);
    lget(4);
    loop.push(I32_CONST, 1, CALL, callee);
    for (let w = 0; w < 16; w++) {
      loop.push(I32_CONST, 0, I32_CONST, 0, I32_LOAD, 2, ...uleb((KERNEL_SUM + w) * 4));
      loop.push(I32_CONST, 0, I32_LOAD, 2, ...uleb((KERNEL_OUT + w) * 4));
      loop.push(I32_ADD, I32_STORE, 2, ...uleb((KERNEL_SUM + w) * 4));
    }
    lget(1);
    loop.push(I32_CONST, 1, I32_ADD, LOCAL_SET, 1, BR, 0, END, END, END);
    return [...vector([]), ...loop];
  };

  const compressType = [0x60, ...vector([[I32], [I32], [I32]]), 0];
  const sumRangeType = [0x60, ...vector([[I32], [I32], [I32], [I32], [I32]]), 0];
  // Functions: 0 compress, 1 compressShort, 2 sumRange, 3 sumRangeShort.
  const functionTypes = [[0], [0], [1], [1]];
  const exports = [
    [...name('compress'), 0x00, 0],
    [...name('compressShort'), 0x00, 1],
    [...name('sumRange'), 0x00, 2],
    [...name('sumRangeShort'), 0x00, 3],
    [...name('memory'), 0x02, 0],
  ];
  const bodies = [compressBody(false), compressBody(true), sumRangeBody(0), sumRangeBody(1)].map((b) => [
    ...uleb(b.length),
    ...b,
  ]);
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vector([compressType, sumRangeType])),
    ...section(3, vector(functionTypes)),
    ...section(5, vector([[0x00, 1]])),
    ...section(7, vector(exports)),
    ...section(10, vector(bodies)),
  ]);
}

let kernel: Blake2bKernel | null | undefined;

/** The shared kernel, built on first use; null when WebAssembly is unavailable. */
export function blake2bKernel(): Blake2bKernel | null {
  if (kernel !== undefined) return kernel;
  try {
    const instance = new WebAssembly.Instance(
      new WebAssembly.Module(blake2bKernelModule() as Uint8Array<ArrayBuffer>),
      {},
    );
    type Compress = (lo: number, hi: number, last: number) => void;
    type SumRange = (indexWord: number, first: number, last: number, lo: number, hi: number) => void;
    const exports = instance.exports as {
      compress: Compress;
      compressShort: Compress;
      sumRange: SumRange;
      sumRangeShort: SumRange;
      memory: WebAssembly.Memory;
    };
    const words = new Uint32Array(exports.memory.buffer, 0, KERNEL_SUM + 16);
    const { compress, compressShort, sumRange, sumRangeShort } = exports;
    const high = (counter: number) => Math.floor(counter / 0x100000000);
    kernel = {
      words,
      compress: (counter, last) => compress(counter >>> 0, high(counter), last ? 1 : 0),
      compressShort: (counter, last) => compressShort(counter >>> 0, high(counter), last ? 1 : 0),
      sumRange: (indexWord, first, last, counter) =>
        sumRange(indexWord, first, last, counter >>> 0, high(counter)),
      sumRangeShort: (indexWord, first, last, counter) =>
        sumRangeShort(indexWord, first, last, counter >>> 0, high(counter)),
    };
  } catch {
    kernel = null;
  }
  return kernel;
}
