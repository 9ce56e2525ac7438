/**
 * Spec announcement: an app spec travelling by gossip, with its owner's signature. The owner signs
 * the spec hash (its 64 hex digits, as text) with ordinary Flux message signing, i.e. what any Flux
 * wallet's `signmessage` produces, so owners need no special tool. Holding a signed spec means
 * nothing by itself: it becomes an app only once a confirmed payment carries its hash.
 *
 * Frame as every cloud message, then: spec (string ≤ 100,000: the canonical JSON of the validated
 * spec) | signature (compact size + 65 bytes). The frame itself is not signed (the spec hash is),
 * so anybody may relay an announcement unchanged.
 */
import { base64 } from '@scure/base';
import {
  base58CheckDecode,
  ByteReader,
  ByteWriter,
  DecodeError,
  parseBoundedJson,
  signMessage,
  toHex,
  verifyMessage,
} from '../../consensus/index.ts';
import { canonicalJson, specHash } from '../spec/hash.ts';
import type { AppSpecLimits } from '../spec/limits.ts';
import { AppSpecError, type AppSpec, type ValidSpec } from '../spec/schema.ts';
import { validateAppSpec } from '../spec/validate.ts';
import { MAX_SPEC_BYTES, MAX_SPEC_DEPTH } from '../spec/parse.ts';
import { MESSAGE_KIND, MESSAGE_MAGIC_BYTES, MESSAGE_VERSION } from './envelope.ts';
import { MessageDecodeError, MessageVerifyError } from './errors.ts';

export const SPEC_TEXT_MAX = 100_000;
const KIND = 'spec-announcement';

export interface SpecAnnouncement {
  /** Canonical JSON of the spec. */
  spec: string;
  /** The owner's 65-byte message signature over the spec hash. */
  ownerSignature: Uint8Array;
}

/** An announcement that passed verification: the spec is valid, canonical and signed by its owner. */
export interface VerifiedSpec {
  spec: ValidSpec;
  specHash: string;
  /** Canonical JSON (what was hashed). */
  text: string;
  /** The owner's signature, base64 as `signmessage` prints it (SpecStore keeps this form). */
  signature: string;
}

/** The owner's signature over a spec: Flux message signing of the spec hash's hex text. */
export function signSpec(spec: AppSpec, ownerPrivateKey: Uint8Array): Uint8Array {
  return signMessage(specHash(spec), ownerPrivateKey);
}

export function encodeSpecAnnouncement(spec: AppSpec, ownerSignature: Uint8Array | string): Uint8Array {
  const sig = typeof ownerSignature === 'string' ? base64.decode(ownerSignature) : ownerSignature;
  const text = canonicalJson(spec);
  return new ByteWriter(text.length + 90)
    .bytes(MESSAGE_MAGIC_BYTES)
    .u8(MESSAGE_KIND[KIND])
    .u8(MESSAGE_VERSION)
    .varString(text)
    .varBytes(sig)
    .finish();
}

export function decodeSpecAnnouncement(bytes: Uint8Array): SpecAnnouncement {
  const r = new ByteReader(bytes);
  try {
    const magic = r.bytesN(4, 'magic');
    if (!magic.every((b, i) => b === MESSAGE_MAGIC_BYTES[i]))
      throw new MessageDecodeError(KIND, 'magic', toHex(magic), 'not a cloud message (expected "FXCM")');
    const kind = r.u8('kind');
    if (kind !== MESSAGE_KIND[KIND])
      throw new MessageDecodeError(KIND, 'kind', kind, `expected kind ${MESSAGE_KIND[KIND]} (${KIND})`);
    const version = r.u8('version');
    if (version !== MESSAGE_VERSION)
      throw new MessageDecodeError(KIND, 'version', version, `only version ${MESSAGE_VERSION} is known`);
    const raw = r.varBytes('spec', SPEC_TEXT_MAX);
    let spec: string;
    try {
      spec = new TextDecoder('utf-8', { fatal: true }).decode(raw);
    } catch {
      throw new MessageDecodeError(KIND, 'spec', raw.length, 'not UTF-8 text');
    }
    const ownerSignature = r.varBytes('ownerSignature', 1024);
    if (ownerSignature.length !== 65)
      throw new MessageDecodeError(KIND, 'ownerSignature', ownerSignature.length, 'a signature is 65 bytes');
    r.end('message');
    return { spec, ownerSignature };
  } catch (err) {
    if (err instanceof DecodeError)
      throw new MessageDecodeError(KIND, err.field ?? '?', err.offset, err.message);
    throw err;
  }
}

/**
 * Checks an announcement: the text is JSON of a spec that passes `validateAppSpec(limits)`, it is
 * exactly the canonical form (so its hash is the one payments carry), and the signature was made by
 * the key behind the spec's owner address. Throws MessageVerifyError (`invalid-spec`,
 * `not-canonical`, `bad-signature`).
 */
export function verifySpecAnnouncement(a: SpecAnnouncement, limits: AppSpecLimits): VerifiedSpec {
  if (a.spec.length > MAX_SPEC_BYTES)
    throw new MessageVerifyError(
      KIND,
      'invalid-spec',
      'spec',
      a.spec.length,
      `spec of ${a.spec.length} characters, at most ${MAX_SPEC_BYTES}`,
    );
  let raw: unknown;
  try {
    raw = parseBoundedJson(a.spec, MAX_SPEC_DEPTH);
  } catch (err) {
    throw new MessageVerifyError(
      KIND,
      'invalid-spec',
      'spec',
      a.spec.slice(0, 80),
      `not JSON: ${(err as Error).message}`,
    );
  }
  let spec: ValidSpec;
  try {
    spec = validateAppSpec(raw, limits);
  } catch (err) {
    if (err instanceof AppSpecError)
      throw new MessageVerifyError(KIND, 'invalid-spec', 'spec', err.issues, err.message);
    throw err;
  }
  const text = canonicalJson(spec);
  if (text !== a.spec) {
    throw new MessageVerifyError(
      KIND,
      'not-canonical',
      'spec',
      a.spec.slice(0, 80),
      'spec text is not in canonical form',
    );
  }
  const hash = specHash(spec);
  // validateAppSpec has checked the owner is a P2PKH address: 2 version bytes and a 20-byte key hash.
  const keyHash = base58CheckDecode(spec.owner, 'owner').subarray(2);
  if (!verifyMessage(hash, a.ownerSignature, keyHash)) {
    throw new MessageVerifyError(
      KIND,
      'bad-signature',
      'ownerSignature',
      toHex(a.ownerSignature),
      `not signed by the owner ${spec.owner}`,
    );
  }
  return { spec, specHash: hash, text, signature: base64.encode(a.ownerSignature) };
}
