/**
 * What every Equihash hasher of one parameter set shares, made once: the personalized BLAKE2b
 * initial state, the digest word masks and the plan for reading collision fields out of a digest's
 * bytes; and the views of the WebAssembly kernel's output. None of it changes a result.
 */
import { blake2bInitialState } from './blake2b.ts';
import { type Blake2bKernel, KERNEL_OUT } from './blake2b-wasm.ts';
import type { EquihashParams } from './equihash-params.ts';

/**
 * Whether this machine stores a Uint32Array's words little-endian, as BLAKE2b and WebAssembly do:
 * then a byte view of a digest's words is the digest's bytes. A computed fact, the same on every
 * run of one machine; where it is false the field reader works on words.
 */
export const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

export interface HasherConstants {
  initialChain: Uint32Array;
  keep: Uint32Array;
  /**
   * Where each collision field sits, by sub-hash slot s and field j at [s·(k+1) + j]: the first of
   * the four bytes that hold it, and how far to shift those 32 bits right. null when a field can
   * span five bytes (widths over 25 bits) or run past the digest, so the general reader is used.
   */
  fieldPlan: { firstByte: Uint8Array; shift: Uint8Array } | null;
}

/** Per parameter set: the BLAKE2b initial state (personalized), the digest word masks and the field plan. */
const constantsByParams = new WeakMap<EquihashParams, HasherConstants>();

function planFields(p: EquihashParams): HasherConstants['fieldPlan'] {
  const width = p.k + 1;
  const firstByte = new Uint8Array(p.indicesPerHash * width);
  const shift = new Uint8Array(p.indicesPerHash * width);
  for (let s = 0; s < p.indicesPerHash; s++) {
    for (let j = 0; j < width; j++) {
      const bit = s * p.subHashBytes * 8 + j * p.collisionBits;
      const drop = 32 - (bit & 7) - p.collisionBits;
      if (drop < 0 || (bit >>> 3) + 4 > 64) return null;
      firstByte[s * width + j] = bit >>> 3;
      shift[s * width + j] = drop;
    }
  }
  return { firstByte, shift };
}

export function hasherConstants(p: EquihashParams): HasherConstants {
  let c = constantsByParams.get(p);
  if (c === undefined) {
    const keep = new Uint32Array(16);
    for (let w = 0; w < 16; w++) {
      const bytesIn = Math.max(0, Math.min(4, p.hashBytes - 4 * w));
      keep[w] = bytesIn === 4 ? 0xffffffff : (2 ** (8 * bytesIn) - 1) >>> 0;
    }
    c = {
      initialChain: blake2bInitialState({ outputLength: p.hashBytes, personalization: p.personalization }),
      keep,
      fieldPlan: planFields(p),
    };
    constantsByParams.set(p, c);
  }
  return c;
}

/** Views of the kernel's output as words and bytes, made once (the kernel's memory never grows). */
let kernelViews: { kernel: Blake2bKernel; digest: Uint32Array; bytes: Uint8Array } | null = null;

export function kernelOutput(kernel: Blake2bKernel): { digest: Uint32Array; bytes: Uint8Array } {
  if (kernelViews?.kernel !== kernel) {
    const w = kernel.words;
    kernelViews = {
      kernel,
      digest: w.subarray(KERNEL_OUT, KERNEL_OUT + 16),
      bytes: new Uint8Array(w.buffer, w.byteOffset + KERNEL_OUT * 4, 64),
    };
  }
  return kernelViews;
}
