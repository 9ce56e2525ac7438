/**
 * Index → hash generation for Equihash, including Flux's ZelHash twist.
 *
 * Standard Equihash (Zcash, fluxd for every parameter set but 125,4): index i is hashed as
 * BLAKE2b(personal, out = hashBytes)(input || LE32(g)) with g = floor(i / indicesPerHash), and
 * i takes sub-hash number i mod indicesPerHash of that digest.
 *
 * ZelHash (fluxd src/crypto/equihash.cpp, GenerateHash with twist on, used only for n=125,k=4):
 * the digest for hash number g is replaced by the sum, taken as sixteen little-endian 32-bit
 * words with wrap-around, of the ordinary digests of every hash number from g rounded down to a
 * multiple of 16 up to g itself (a running prefix sum that restarts every 16 hash numbers).
 * Then bytes 15, 31, 47 and 63 of the result are ANDed with 0xF8. With n=125 a sub-hash is
 * 16 bytes (ceil(125/8)) of which only the first 125 bits are read as five 25-bit fields, so the
 * masked low 3 bits of each sub-hash's last byte are never used; the personalization is
 * "ZelProof" and the digest 64 bytes (4 sub-hashes). Verifying one 125,4 index therefore costs
 * 1..16 BLAKE2b compressions instead of one.
 */
import { BLAKE2B_BLOCK_BYTES, blake2bCompress, loadBlockWords } from './blake2b.ts';
import {
  type Blake2bKernel,
  blake2bKernel,
  KERNEL_BLOCK,
  KERNEL_CHAIN,
  KERNEL_OUT,
  KERNEL_SUM,
} from './blake2b-wasm.ts';
import { readBitsFromWords } from './bits.ts';
import {
  HOST_LITTLE_ENDIAN,
  type HasherConstants,
  hasherConstants,
  kernelOutput,
} from './equihash-constants.ts';
import { type EquihashParams, type EquihashSpec, equihashParams } from './equihash-params.ts';

// Module state, none of which changes a result: derived parameters by spec value (a handful of
// specs are verified over and over), and which hasher's chaining value and block currently sit in
// the shared WebAssembly kernel's memory (reloaded whenever another hasher takes over).
const derived = new Map<string, EquihashParams>();
let kernelOwner: EquihashHasher | null = null;

/** Accepts either a spec or already derived parameters. */
export function toEquihashParams(spec: EquihashSpec | EquihashParams): EquihashParams {
  if (typeof spec.personalization !== 'string') return spec as EquihashParams;
  const key = `${spec.n},${spec.k},${spec.personalization},${spec.zelhash === true}`;
  let params = derived.get(key);
  if (params === undefined) {
    params = equihashParams(spec as EquihashSpec);
    if (derived.size < 64) derived.set(key, params);
  }
  return params;
}

export interface HasherOptions {
  /** 'auto' (default) compresses with the WebAssembly kernel when available; 'typescript' never does. */
  blake2b?: 'auto' | 'typescript';
}

const EMPTY = new Uint8Array(0);

/** The ZelHash prefix sum restarts every this many hash numbers. */
export const ZELHASH_RUN = 16;

export class EquihashHasher {
  readonly params: EquihashParams;
  /** Chaining value after the input's complete 128-byte blocks. */
  private readonly chain: Uint32Array;
  /** Message length including the 4-byte hash number. */
  private readonly counter: number;
  /** The final block's words with the input's tail in place, when the hash number fills one aligned word of it. */
  private readonly block = new Uint32Array(32);
  private readonly indexHalf: number;
  /** The input bytes after its complete blocks (for the fallback path). */
  private readonly tail: Uint8Array;
  /** For ZelHash: which bits of each digest word lie inside the hashBytes-long digest. */
  private readonly keep: Uint32Array;
  private readonly scratch = new Uint32Array(16);
  private readonly kernel: Blake2bKernel | null;
  private readonly fieldPlan: HasherConstants['fieldPlan'];
  private readonly fieldMask: number;

  constructor(spec: EquihashSpec | EquihashParams, input: Uint8Array, options: HasherOptions = {}) {
    this.params = toEquihashParams(spec);
    const p = this.params;
    const constants = hasherConstants(p);
    const fullBlocks = Math.floor(input.length / BLAKE2B_BLOCK_BYTES);
    const tailStart = fullBlocks * BLAKE2B_BLOCK_BYTES;
    const tailLength = input.length - tailStart;
    this.counter = input.length + 4;
    this.indexHalf = tailLength % 4 === 0 && tailLength + 4 <= BLAKE2B_BLOCK_BYTES ? tailLength / 4 : -1;
    this.kernel = options.blake2b === 'typescript' || this.indexHalf < 0 ? null : blake2bKernel();
    this.keep = constants.keep;
    this.fieldPlan = constants.fieldPlan;
    this.fieldMask = 2 ** p.collisionBits - 1;
    this.chain = constants.initialChain.slice();
    for (let b = 0; b < fullBlocks; b++) {
      loadBlockWords(input, b * BLAKE2B_BLOCK_BYTES, this.block);
      this.compressInto(this.chain, (b + 1) * BLAKE2B_BLOCK_BYTES, false, this.chain);
    }
    this.tail = this.indexHalf < 0 ? input.slice(tailStart) : EMPTY;
    this.block.fill(0);
    for (let i = 0; i < tailLength; i++) this.block[i >> 2]! |= input[tailStart + i]! << ((i & 3) * 8);
  }

  /** One compression of this.block on `chain`, by the kernel when there is one. */
  private compressInto(chain: Uint32Array, counter: number, last: boolean, out: Uint32Array): void {
    const kernel = this.kernel;
    if (kernel === null) {
      blake2bCompress(chain, this.block, 0, counter, last, out);
      return;
    }
    kernel.words.set(chain, KERNEL_CHAIN);
    kernel.words.set(this.block, KERNEL_BLOCK);
    kernelOwner = null;
    kernel.compress(counter, last);
    for (let i = 0; i < 16; i++) out[i] = kernel.words[KERNEL_OUT + i]!;
  }

  /** Makes the kernel's memory hold this hasher's chaining value and final block. */
  private claimKernel(kernel: Blake2bKernel): void {
    if (kernelOwner === this) return;
    kernel.words.set(this.chain, KERNEL_CHAIN);
    kernel.words.set(this.block, KERNEL_BLOCK);
    kernelOwner = this;
  }

  /** The ordinary BLAKE2b digest for hash number `g`, as 16 little-endian words (bytes past hashBytes are not meaningful). */
  baseHash(g: number, out: Uint32Array): void {
    const kernel = this.kernel;
    if (kernel !== null) {
      const w = kernel.words;
      this.claimKernel(kernel);
      w[KERNEL_BLOCK + this.indexHalf] = g;
      if (this.indexHalf < 4) kernel.compressShort(this.counter, true);
      else kernel.compress(this.counter, true);
      for (let i = 0; i < 16; i++) out[i] = w[KERNEL_OUT + i]!;
      return;
    }
    if (this.indexHalf >= 0) {
      this.block[this.indexHalf] = g;
      blake2bCompress(this.chain, this.block, 0, this.counter, true, out);
      return;
    }
    this.slowBaseHash(g, out);
  }

  private slowBaseHash(g: number, out: Uint32Array): void {
    const tailLength = this.tail.length;
    const bytes = new Uint8Array(2 * BLAKE2B_BLOCK_BYTES);
    bytes.set(this.tail);
    bytes[tailLength] = g & 0xff;
    bytes[tailLength + 1] = (g >>> 8) & 0xff;
    bytes[tailLength + 2] = (g >>> 16) & 0xff;
    bytes[tailLength + 3] = g >>> 24;
    const words = new Uint32Array(32);
    if (tailLength + 4 <= BLAKE2B_BLOCK_BYTES) {
      loadBlockWords(bytes, 0, words);
      blake2bCompress(this.chain, words, 0, this.counter, true, out);
      return;
    }
    // The number spills into a second block.
    loadBlockWords(bytes, 0, words);
    blake2bCompress(this.chain, words, 0, this.counter - 4 - tailLength + BLAKE2B_BLOCK_BYTES, false, out);
    loadBlockWords(bytes, BLAKE2B_BLOCK_BYTES, words);
    blake2bCompress(out, words, 0, this.counter, true, out);
  }

  /** The digest that indices use for hash number `g`: the base hash, or for ZelHash the twisted sum. */
  hash(g: number, out: Uint32Array): void {
    if (!this.params.zelhash) {
      this.baseHash(g, out);
      return;
    }
    out.fill(0);
    for (let g2 = g - (g % ZELHASH_RUN); g2 <= g; g2++) this.addTwisted(g2, out);
    this.maskTwisted(out);
  }

  /**
   * Calls `visit(g, digest)` for hash numbers start .. start+count-1 in order, one compression
   * each even for ZelHash (the running sum carries over). `digest` is reused between calls.
   */
  forEachHash(start: number, count: number, visit: (g: number, digest: Uint32Array) => void): void {
    const out = new Uint32Array(16);
    if (!this.params.zelhash) {
      for (let g = start; g < start + count; g++) {
        this.baseHash(g, out);
        visit(g, out);
      }
      return;
    }
    const sum = new Uint32Array(16);
    let g = start - (start % ZELHASH_RUN);
    for (; g < start + count; g++) {
      if (g % ZELHASH_RUN === 0) sum.fill(0);
      this.addTwisted(g, sum);
      if (g < start) continue;
      out.set(sum);
      this.maskTwisted(out);
      visit(g, out);
    }
  }

  /**
   * Calls `visit(g, digest, bytes)` once for each distinct hash number in `gs` (ascending), with
   * the digest indices use (`hash`) as words and, where the machine allows, as bytes. For ZelHash,
   * hash numbers in one run of 16 share one prefix sum, so the cost is the distance from each run's
   * start to its last number needed. Both views are valid until `visit` returns or uses another hasher.
   */
  hashesAt(
    gs: ArrayLike<number>,
    visit: (g: number, digest: Uint32Array, bytes: Uint8Array | null) => void,
  ): void {
    if (!this.params.zelhash) {
      this.plainHashesAt(gs, visit);
      return;
    }
    const out = new Uint32Array(16);
    const outBytes = HOST_LITTLE_ENDIAN ? new Uint8Array(out.buffer) : null;
    const kernel = this.kernel;
    const sum = new Uint32Array(16);
    let runStart = -1;
    let next = 0;
    for (let i = 0; i < gs.length; i++) {
      const g = gs[i]!;
      if (i > 0 && g === gs[i - 1]) continue;
      const start = g - (g % ZELHASH_RUN);
      if (start !== runStart) {
        runStart = start;
        next = start;
        sum.fill(0);
        if (kernel) kernel.words.fill(0, KERNEL_SUM, KERNEL_SUM + 16);
      }
      if (kernel) {
        // The running sum lives in the kernel, mirrored in `sum` in case `visit` let another
        // hasher take the kernel over.
        if (kernelOwner !== this) {
          this.claimKernel(kernel);
          kernel.words.set(sum, KERNEL_SUM);
        }
        if (this.indexHalf < 4) kernel.sumRangeShort(this.indexHalf, next, g, this.counter);
        else kernel.sumRange(this.indexHalf, next, g, this.counter);
        for (let w = 0; w < 16; w++) out[w] = sum[w] = kernel.words[KERNEL_SUM + w]!;
      } else {
        for (let g2 = next; g2 <= g; g2++) this.addTwisted(g2, sum);
        out.set(sum);
      }
      next = g + 1;
      this.maskTwisted(out);
      visit(g, out, outBytes);
    }
  }

  /**
   * hashesAt without the twist. With the kernel, `visit` reads the digest where the kernel wrote
   * it (WebAssembly memory is little-endian, so its byte view is the digest); nothing is copied.
   */
  private plainHashesAt(
    gs: ArrayLike<number>,
    visit: (g: number, digest: Uint32Array, bytes: Uint8Array | null) => void,
  ): void {
    const kernel = this.kernel;
    if (kernel === null) {
      const out = new Uint32Array(16);
      const outBytes = HOST_LITTLE_ENDIAN ? new Uint8Array(out.buffer) : null;
      for (let i = 0; i < gs.length; i++) {
        if (i > 0 && gs[i] === gs[i - 1]) continue;
        this.baseHash(gs[i]!, out);
        visit(gs[i]!, out, outBytes);
      }
      return;
    }
    const w = kernel.words;
    const { digest, bytes } = kernelOutput(kernel);
    for (let i = 0; i < gs.length; i++) {
      const g = gs[i]!;
      if (i > 0 && g === gs[i - 1]) continue;
      this.claimKernel(kernel);
      w[KERNEL_BLOCK + this.indexHalf] = g;
      if (this.indexHalf < 4) kernel.compressShort(this.counter, true);
      else kernel.compress(this.counter, true);
      visit(g, digest, bytes);
    }
  }

  private addTwisted(g: number, sum: Uint32Array): void {
    const h = this.scratch;
    this.baseHash(g, h);
    const keep = this.keep;
    for (let w = 0; w < 16; w++) sum[w] = sum[w]! + (h[w]! & keep[w]!);
  }

  private maskTwisted(out: Uint32Array): void {
    // AND 0xF8 into bytes 15, 31, 47, 63 (the top byte of words 3, 7, 11, 15) inside the digest.
    for (let byte = 15; byte < this.params.hashBytes; byte += 16)
      out[byte >> 2]! &= ~(0x07 << ((byte & 3) * 8));
  }

  /** Writes the k+1 collision fields of index `i`, taken from `digest` (the hash for i's hash number). */
  fieldsFromDigest(digest: Uint32Array, i: number, out: Uint32Array, off: number): void {
    const p = this.params;
    const base = (i % p.indicesPerHash) * p.subHashBytes * 8;
    for (let j = 0; j <= p.k; j++)
      out[off + j] = readBitsFromWords(digest, base + j * p.collisionBits, p.collisionBits);
  }

  /**
   * fieldsFromDigest, reading the digest's bytes: each field is one 4-byte big-endian load and a
   * shift, from a plan made once per parameter set. Falls back to the words when there is no plan.
   */
  fieldsFromBytes(
    digest: Uint32Array,
    bytes: Uint8Array | null,
    i: number,
    out: Uint32Array,
    off: number,
  ): void {
    const plan = this.fieldPlan;
    if (plan === null || bytes === null) {
      this.fieldsFromDigest(digest, i, out, off);
      return;
    }
    const width = this.params.k + 1;
    const at = (i % this.params.indicesPerHash) * width;
    const mask = this.fieldMask;
    for (let j = 0; j < width; j++) {
      const b = plan.firstByte[at + j]!;
      const word = (bytes[b]! << 24) | (bytes[b + 1]! << 16) | (bytes[b + 2]! << 8) | bytes[b + 3]!;
      out[off + j] = (word >>> plan.shift[at + j]!) & mask;
    }
  }

  /** The k+1 collision fields of index `i` (computes its hash). */
  fields(i: number): Uint32Array {
    const digest = new Uint32Array(16);
    this.hash(Math.floor(i / this.params.indicesPerHash), digest);
    const out = new Uint32Array(this.params.k + 1);
    this.fieldsFromDigest(digest, i, out, 0);
    return out;
  }
}
