import { secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { fromHex, toHex } from '../../../src/consensus/bytes.ts';
import type { VerifySignature } from '../../../src/economy/parallel/claim-message.ts';
import { at } from '../../support/at.ts';

/** Deterministic PRNG (mulberry32) so simulations are reproducible from a seed. */
export function prng(seed: number): {
  next(): number;
  int(lo: number, hi: number): number;
  pick<T>(xs: readonly T[]): T;
} {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: (xs) => at(xs, Math.floor(next() * xs.length)),
  };
}

export interface TestKey {
  address: string;
  sign(message: string): string;
}

/**
 * Real secp256k1 keys standing in for payout-address keys. The address is derived from the public
 * key, and verification looks the key up by address, so a signature by any other key fails.
 */
export class TestKeyring {
  private readonly pubkeys = new Map<string, Uint8Array>();

  make(seedByte: number): TestKey {
    const secret = sha256(Uint8Array.of(0x5e, seedByte & 0xff, seedByte >> 8));
    const pub = secp256k1.getPublicKey(secret);
    const address = `t1${toHex(sha256(pub)).slice(0, 32)}`;
    this.pubkeys.set(address, pub);
    return {
      address,
      sign: (message) => toHex(secp256k1.sign(new TextEncoder().encode(message), secret)),
    };
  }

  readonly verify: VerifySignature = (address, message, signature) => {
    const pub = this.pubkeys.get(address);
    if (!pub) return false;
    try {
      return secp256k1.verify(fromHex(signature), new TextEncoder().encode(message), pub);
    } catch {
      return false;
    }
  };
}

export const utc = (y: number, m: number, d: number, h = 0) => Date.UTC(y, m - 1, d, h) / 1000;
