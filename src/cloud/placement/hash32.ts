/**
 * Fast 32-bit hashing for rendezvous placement. Cryptographic strength is not needed (anyone can
 * compute placement; nobody gains by predicting it), only speed and a good spread, so: FNV-1a over
 * the UTF-8 bytes of a name, finished with MurmurHash3's 32-bit avalanche mix (fmix32).
 *
 *   appKey(name, epoch) = fmix32(fnv1a(name) XOR fmix32(epoch XOR 0x9e3779b9))
 *   nodeKey(id)         = fmix32(fnv1a(id))
 *   score(app, node)    = fmix32(appKey XOR nodeKey)        (unsigned 32-bit; higher wins)
 *
 * This file is the whole definition: another implementation that follows it places identically.
 */

const encoder = new TextEncoder();

export function fnv1a32(text: string): number {
  const bytes = encoder.encode(text);
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i]!;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function fmix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function appKey(name: string, epoch: number): number {
  return fmix32(fnv1a32(name) ^ fmix32((epoch ^ 0x9e3779b9) >>> 0));
}

export function nodeKey(id: string): number {
  return fmix32(fnv1a32(id));
}

export function rendezvousScore(app: number, node: number): number {
  return fmix32((app ^ node) >>> 0);
}
