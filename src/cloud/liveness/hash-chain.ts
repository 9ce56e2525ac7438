/**
 * Hash chains for heartbeats: one signature vouches for a run of heartbeats.
 *
 * A node draws a random seed and hashes it `length` times: reveal(length) = seed,
 * reveal(i) = SHA-256(reveal(i + 1)), commit = reveal(0). It signs the commit once, in the head of
 * its heartbeat, and its i-th heartbeat of the run carries reveal(i). Anyone checks a heartbeat with
 * i hashes (H^i(reveal) = commit); nobody but the node can produce reveal(i + 1) before the node
 * publishes it, since that would mean inverting SHA-256. So a receiver checks the head's signature
 * once per run and each heartbeat with hashes: the signature checks per second fall by the run's
 * length while every heartbeat still proves that the node itself sent it.
 * Pure: the seed is passed in.
 */
import { sha256 } from '@noble/hashes/sha2.js';

export const CHAIN_HASH_BYTES = 32;

/** reveal(0) … reveal(length) for `seed` (reveal(0) is the commit). */
export function hashChain(seed: Uint8Array, length: number): Uint8Array[] {
  const out: Uint8Array[] = new Array(length + 1);
  out[length] = Uint8Array.from(seed);
  for (let i = length - 1; i >= 0; i--) out[i] = sha256(out[i + 1] as Uint8Array);
  return out;
}

/** Whether hashing `reveal` `index` times gives `commit`. */
export function chainReaches(reveal: Uint8Array, index: number, commit: Uint8Array): boolean {
  let h = reveal;
  for (let i = 0; i < index; i++) h = sha256(h);
  if (h.length !== commit.length) return false;
  let diff = 0;
  for (let i = 0; i < h.length; i++) diff |= (h[i] as number) ^ (commit[i] as number);
  return diff === 0;
}
