/**
 * The app owner's key in the browser: read from what the owner typed or pasted (WIF, or 64 hex
 * digits), checked against the app's owner address, and used to sign owner requests here, the way
 * fluxd's `signmessage` signs. The key lives in this module's caller's memory only; nothing here
 * stores or sends it. Loaded on demand (a chunk of its own), so the dashboard itself stays small.
 *
 * The signed text must be exactly cloud/messages/owner-request.ts's (a unit test holds them equal);
 * it is repeated here because the browser bundle may not pull in the node's own modules.
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { ripemd160 } from '@noble/hashes/legacy.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { base58check, base64, hex } from '@scure/base';

export type OwnerOp = 'logs' | 'inspect' | 'restart' | 'stop' | 'start' | 'redeploy';

export interface OwnerRequestFields {
  op: OwnerOp;
  app: string;
  nodes: string[];
  nonce: string;
  issuedAt: number;
  tail?: number;
  since?: number;
  hard?: boolean;
}

export interface SignedOwnerRequest extends OwnerRequestFields {
  signature: string;
}

export interface OwnerKey {
  readonly privateKey: Uint8Array;
  readonly compressed: boolean;
  /** hash160 of the public key, as an address carries it. */
  readonly keyHash: Uint8Array;
}

const MAGIC = 'Zelcash Signed Message:\n';
const b58 = base58check(sha256);
const sha256d = (b: Uint8Array) => sha256(sha256(b));

/** A WIF (either compression) or a raw 32-byte key in hex; throws Error with a reason. */
export function readOwnerKey(text: string): OwnerKey {
  const t = text.trim();
  let privateKey: Uint8Array;
  let compressed = true;
  if (/^[0-9a-fA-F]{64}$/.test(t)) privateKey = hex.decode(t.toLowerCase());
  else {
    let raw: Uint8Array;
    try {
      raw = b58.decode(t);
    } catch {
      throw new Error('not a private key: expected WIF or 64 hex digits');
    }
    if (raw.length === 34 && raw[33] === 1) privateKey = raw.subarray(1, 33);
    else if (raw.length === 33) {
      privateKey = raw.subarray(1);
      compressed = false;
    } else throw new Error('not a private key: a WIF holds 32 bytes');
  }
  if (!secp256k1.utils.isValidSecretKey(privateKey)) throw new Error('not a valid secp256k1 private key');
  const keyHash = ripemd160(sha256(secp256k1.getPublicKey(privateKey, compressed)));
  return { privateKey: Uint8Array.from(privateKey), compressed, keyHash };
}

/** Whether `key` is the key of the transparent address `address` (two version bytes, hash160). */
export function keyOwns(key: OwnerKey, address: string): boolean {
  try {
    const h = b58.decode(address).subarray(2);
    return h.length === 20 && h.every((b, i) => b === key.keyHash[i]);
  } catch {
    return false;
  }
}

export function ownerRequestText(f: OwnerRequestFields): string {
  const args =
    f.op === 'logs'
      ? `tail=${f.tail ?? 100} since=${f.since ?? 0}`
      : f.op === 'redeploy'
        ? f.hard
          ? 'hard'
          : 'soft'
        : '';
  return [
    'fluxnode owner request',
    `op: ${f.op}`,
    `app: ${f.app}`,
    `nodes: ${f.nodes.join(',')}`,
    `nonce: ${f.nonce}`,
    `issued: ${f.issuedAt}`,
    `args: ${args}`,
  ].join('\n');
}

function varString(text: string): Uint8Array {
  const bytes = new TextEncoder().encode(text);
  if (bytes.length >= 0xfd) {
    const out = new Uint8Array(3 + bytes.length);
    out[0] = 0xfd;
    out[1] = bytes.length & 0xff;
    out[2] = bytes.length >> 8;
    out.set(bytes, 3);
    return out;
  }
  const out = new Uint8Array(1 + bytes.length);
  out[0] = bytes.length;
  out.set(bytes, 1);
  return out;
}

/** fluxd's message signature: 65 bytes, header 27 + recovery id (+ 4 for a compressed key), base64. */
export function signText(key: OwnerKey, text: string): string {
  const a = varString(MAGIC);
  const b = varString(text);
  const data = new Uint8Array(a.length + b.length);
  data.set(a);
  data.set(b, a.length);
  const rec = secp256k1.sign(sha256d(data), key.privateKey, {
    prehash: false,
    lowS: true,
    format: 'recovered',
  });
  const sig = new Uint8Array(65);
  sig[0] = 27 + (rec[0] ?? 0) + (key.compressed ? 4 : 0);
  sig.set(rec.subarray(1), 1);
  return base64.encode(sig);
}

/** A fresh request for `op` on `nodes`, signed: a new random nonce, issued now. */
export function signOwnerRequest(
  key: OwnerKey,
  f: Omit<OwnerRequestFields, 'nonce' | 'issuedAt'> & { issuedAt?: number },
): SignedOwnerRequest {
  const nonce = hex.encode(crypto.getRandomValues(new Uint8Array(16)));
  const fields: OwnerRequestFields = {
    ...f,
    nodes: [...new Set(f.nodes)].sort(),
    nonce,
    issuedAt: f.issuedAt ?? Date.now(),
  };
  return { ...fields, signature: signText(key, ownerRequestText(fields)) };
}
