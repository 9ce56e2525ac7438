/**
 * secp256k1 keys as fluxd uses them: private keys, public keys (compressed by default), their
 * hash160, transaction signatures (DER, low-S) and "signed messages" (65-byte recoverable
 * signatures over the Zelcash message magic) for fluxnode messages.
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { base64 } from '@scure/base';
import { ByteWriter, concatBytes, equalBytes, toHex } from '../bytes.ts';
import { ConsensusError } from '../errors.ts';
import { hash160, sha256d } from '../hash.ts';
import { ecdsaBackend } from './ecdsa-backend.ts';

/** fluxd's strMessageMagic (src/main.cpp), kept from its Zelcash days. */
export const MESSAGE_MAGIC = 'Zelcash Signed Message:\n';

const CURVE_ORDER = secp256k1.Point.Fn.ORDER;
const HALF_ORDER = CURVE_ORDER >> 1n;

function keyError(detail: string, value: Uint8Array | string): ConsensusError {
  return new ConsensusError('bad-key', detail, {
    field: 'key',
    value: typeof value === 'string' ? value : toHex(value),
  });
}

/**
 * A new random private key. `random(n)` supplies n random bytes; by default the platform's
 * CSPRNG through @noble. Candidates outside 1…n−1 are drawn again.
 */
export function generatePrivateKey(random?: (n: number) => Uint8Array): Uint8Array {
  if (!random) return secp256k1.utils.randomSecretKey();
  for (let i = 0; i < 100; i++) {
    const candidate = random(32);
    if (candidate.length === 32 && isValidPrivateKey(candidate)) return Uint8Array.from(candidate);
  }
  throw keyError('the random source gave no valid private key in 100 draws', 'random');
}

export function isValidPrivateKey(key: Uint8Array): boolean {
  return key.length === 32 && secp256k1.utils.isValidSecretKey(key);
}

function requirePrivateKey(key: Uint8Array): void {
  if (!isValidPrivateKey(key)) {
    throw keyError(
      `private key must be 32 bytes in 1…n−1 (got ${key.length} bytes)`,
      key.length === 32 ? '…' : key,
    );
  }
}

/** The public key of `privateKey`: 33 bytes compressed (default) or 65 uncompressed. */
export function publicKeyOf(privateKey: Uint8Array, compressed = true): Uint8Array {
  requirePrivateKey(privateKey);
  return secp256k1.getPublicKey(privateKey, compressed);
}

/** The 20-byte key id behind a P2PKH address: RIPEMD-160(SHA-256(pubkey)). */
export function pubKeyHash(pubKey: Uint8Array): Uint8Array {
  return hash160(pubKey);
}

/**
 * Parse a public key as fluxd's CPubKey does: 33 bytes with 02/03, or 65 with 04 (or the
 * "hybrid" 06/07, whose first byte must match y's parity). Undefined when it is not a point.
 */
function parsePublicKey(pubKey: Uint8Array) {
  try {
    if (pubKey.length === 65 && (pubKey[0] === 0x06 || pubKey[0] === 0x07)) {
      const plain = Uint8Array.from(pubKey);
      plain[0] = 0x04;
      const p = secp256k1.Point.fromBytes(plain);
      if ((p.toAffine().y & 1n) !== BigInt(pubKey[0] & 1)) return undefined;
      return p;
    }
    const expected = pubKey[0] === 0x04 ? 65 : pubKey[0] === 0x02 || pubKey[0] === 0x03 ? 33 : 0;
    if (pubKey.length !== expected) return undefined;
    return secp256k1.Point.fromBytes(pubKey);
  } catch {
    return undefined;
  }
}

export function isValidPublicKey(pubKey: Uint8Array): boolean {
  return parsePublicKey(pubKey) !== undefined;
}

/** The other encoding of the same key (compressed ↔ uncompressed). */
export function convertPublicKey(pubKey: Uint8Array, compressed: boolean): Uint8Array {
  const p = parsePublicKey(pubKey);
  if (!p) throw keyError('not a valid secp256k1 public key', pubKey);
  return p.toBytes(compressed);
}

function bigFromBytes(b: Uint8Array): bigint {
  let v = 0n;
  for (const x of b) v = (v << 8n) | BigInt(x);
  return v;
}

function bytes32(v: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 31; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/**
 * R and S of a strict-DER signature (no hash-type byte); undefined when the bytes are not
 * strict DER (libsecp256k1's parser, as fluxd has always required).
 */
export function parseDerSignature(der: Uint8Array): { r: bigint; s: bigint } | undefined {
  if (der.length < 8 || der.length > 72 || der[0] !== 0x30 || der[1] !== der.length - 2) return undefined;
  const readInt = (at: number): [Uint8Array, number] | undefined => {
    if (der[at] !== 0x02 || at + 2 > der.length) return undefined;
    const len = der[at + 1]!;
    const start = at + 2;
    if (len === 0 || start + len > der.length) return undefined;
    if (der[start]! & 0x80) return undefined;
    if (len > 1 && der[start] === 0 && !(der[start + 1]! & 0x80)) return undefined;
    return [der.subarray(start, start + len), start + len];
  };
  const r = readInt(2);
  if (!r) return undefined;
  const s = readInt(r[1]);
  if (!s || s[1] !== der.length) return undefined;
  if (r[0].length > 33 || s[0].length > 33) return undefined;
  return { r: bigFromBytes(r[0]), s: bigFromBytes(s[0]) };
}

/** Strict DER encoding of (r, s). */
export function encodeDerSignature(r: bigint, s: bigint): Uint8Array {
  const int = (v: bigint) => {
    let b = bytes32(v);
    let i = 0;
    while (i < 31 && b[i] === 0) i++;
    b = b.subarray(i);
    return b[0]! & 0x80
      ? concatBytes(Uint8Array.of(0x02, b.length + 1, 0), b)
      : concatBytes(Uint8Array.of(0x02, b.length), b);
  };
  const body = concatBytes(int(r), int(s));
  return concatBytes(Uint8Array.of(0x30, body.length), body);
}

/**
 * Sign a 32-byte digest (a signature hash): deterministic (RFC 6979), low-S, DER-encoded, without
 * the hash-type byte.
 */
export function signDigest(digest: Uint8Array, privateKey: Uint8Array): Uint8Array {
  if (digest.length !== 32) throw keyError(`digest must be 32 bytes, got ${digest.length}`, digest);
  requirePrivateKey(privateKey);
  return secp256k1.sign(digest, privateKey, { prehash: false, lowS: true, format: 'der' });
}

/**
 * Verify a DER signature (no hash-type byte) on a 32-byte digest. Like fluxd, a high-S signature
 * is normalized before verifying (low S is a separate, optional script rule).
 */
export function verifyDigest(derSignature: Uint8Array, digest: Uint8Array, pubKey: Uint8Array): boolean {
  if (digest.length !== 32) return false;
  const rs = parseDerSignature(derSignature);
  if (!rs) return false;
  const { r } = rs;
  let { s } = rs;
  if (r === 0n || s === 0n || r >= CURVE_ORDER || s >= CURVE_ORDER) return false;
  if (s > HALF_ORDER) s = CURVE_ORDER - s;
  let key = pubKey;
  const standard =
    (pubKey.length === 33 && (pubKey[0] === 2 || pubKey[0] === 3)) ||
    (pubKey.length === 65 && pubKey[0] === 4);
  if (!standard) {
    // Hybrid (06/07) keys are checked and rewritten; anything else is not a key.
    const point = parsePublicKey(pubKey);
    if (!point) return false;
    key = point.toBytes(true);
  }
  // libsecp256k1 (native or WebAssembly) verifies many times faster than the pure-JS curve, and
  // signature checks dominate block and mempool validation. A key off the curve is "false".
  return ecdsaBackend().verify(digest, key, concatBytes(bytes32(r), bytes32(s)));
}

/** S at most half the curve order, for a DER signature without hash-type byte. */
export function isLowS(derSignature: Uint8Array): boolean {
  const rs = parseDerSignature(derSignature);
  return rs !== undefined && rs.s <= HALF_ORDER;
}

/** The digest a signed message commits to: SHA-256d of varstring(magic) ‖ varstring(message). */
export function messageDigest(message: string | Uint8Array, magic = MESSAGE_MAGIC): Uint8Array {
  const w = new ByteWriter(64 + message.length);
  w.varString(magic);
  if (typeof message === 'string') w.varString(message);
  else w.varBytes(message);
  return sha256d(w.finish());
}

/**
 * fluxd's SignCompact: a 65-byte recoverable signature of a 32-byte digest, header 27 + recovery
 * id (+4 when the key is used compressed), then R and S.
 */
export function signCompact(digest: Uint8Array, privateKey: Uint8Array, compressed = true): Uint8Array {
  if (digest.length !== 32) throw keyError(`digest must be 32 bytes, got ${digest.length}`, digest);
  requirePrivateKey(privateKey);
  const recovered = secp256k1.sign(digest, privateKey, { prehash: false, lowS: true, format: 'recovered' });
  const out = new Uint8Array(65);
  out[0] = 27 + recovered[0]! + (compressed ? 4 : 0);
  out.set(recovered.subarray(1), 1);
  return out;
}

/** The public key behind a SignCompact signature (compressed or not, as its header says). */
export function recoverCompact(digest: Uint8Array, signature: Uint8Array): Uint8Array | undefined {
  if (digest.length !== 32 || signature.length !== 65 || signature[0]! < 27 || signature[0]! > 34)
    return undefined;
  const recid = (signature[0]! - 27) & 3;
  const compressed = ((signature[0]! - 27) & 4) !== 0;
  // libsecp256k1: heartbeats, CONFIRMs and claims are all recovered signatures.
  return ecdsaBackend().recover(digest, signature.subarray(1), recid as 0 | 1 | 2 | 3, compressed);
}

/** Sign a message as fluxd's `signmessage` and fluxnode messages do: SignCompact of `messageDigest`. */
export function signMessage(
  message: string | Uint8Array,
  privateKey: Uint8Array,
  options: { compressed?: boolean; magic?: string } = {},
): Uint8Array {
  return signCompact(messageDigest(message, options.magic), privateKey, options.compressed ?? true);
}

/** `signMessage`, base64-encoded as fluxd's `signmessage` prints it. */
export function signMessageBase64(
  message: string | Uint8Array,
  privateKey: Uint8Array,
  options: { compressed?: boolean; magic?: string } = {},
): string {
  return base64.encode(signMessage(message, privateKey, options));
}

function decodeMessageSignature(signature: Uint8Array | string): Uint8Array | undefined {
  if (typeof signature !== 'string') return signature;
  try {
    return base64.decode(signature);
  } catch {
    return undefined;
  }
}

/** The public key that made a 65-byte message signature (raw bytes or base64). */
export function recoverMessageSigner(
  message: string | Uint8Array,
  signature: Uint8Array | string,
  magic = MESSAGE_MAGIC,
): Uint8Array | undefined {
  const sig = decodeMessageSignature(signature);
  return sig ? recoverCompact(messageDigest(message, magic), sig) : undefined;
}

/**
 * True when `signature` over `message` was made by `signer`: a public key, or its 20-byte hash.
 * As in fluxd, the key ids must match, so the compressed flag in the signature matters.
 */
export function verifyMessage(
  message: string | Uint8Array,
  signature: Uint8Array | string,
  signer: Uint8Array,
  magic = MESSAGE_MAGIC,
): boolean {
  const recovered = recoverMessageSigner(message, signature, magic);
  if (!recovered) return false;
  // Same key bytes, same key id: spares two hashes on the hot path of gossip checks.
  if (signer.length === recovered.length && equalBytes(signer, recovered)) return true;
  const id = hash160(recovered);
  const want = signer.length === 20 ? signer : hash160(signer);
  return toHex(id) === toHex(want);
}
