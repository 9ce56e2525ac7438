/**
 * Secrets an app owner seals for one named node: ECIES over secp256k1 with an AEAD. The owner's CLI
 * makes a fresh key pair per box, derives a key from the ECDH secret with the node's operator key
 * (HKDF-SHA256), and encrypts with XChaCha20-Poly1305 from @noble/ciphers. The app, component and
 * node are the associated data, so a box moved to another app, component or node does not open.
 * Only that node's operator private key opens it; the plaintext is a list of `KEY=value` entries.
 *
 * Box text: `fxs1:` then base64 of ephemeral public key (33 bytes, compressed) ‖ nonce (24) ‖
 * ciphertext with its 16-byte tag.
 */
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { randomBytes } from '@noble/hashes/utils.js';

export const SEALED_BOX_PREFIX = 'fxs1:';
const EPHEMERAL_BYTES = 33;
const NONCE_BYTES = 24;
const TAG_BYTES = 16;
const INFO = new TextEncoder().encode('fluxnode app secrets v1');

/** Where a box belongs: the app, the component and the node (collateral `txid:n`) it was sealed for. */
export interface SealContext {
  app: string;
  component: string;
  node: string;
}

/** A box that cannot be opened here: malformed, sealed for another node or place, or altered. */
export class SealedBoxError extends Error {
  readonly field: string;
  readonly value: string;

  constructor(field: string, value: string, message: string) {
    super(message);
    this.name = 'SealedBoxError';
    this.field = field;
    this.value = value;
  }
}

function associatedData(ctx: SealContext): Uint8Array {
  return new TextEncoder().encode(`${ctx.app}\u0000${ctx.component}\u0000${ctx.node}`);
}

function boxKey(shared: Uint8Array, ephemeral: Uint8Array): Uint8Array {
  // The x coordinate of the shared point, salted with the ephemeral key that made it.
  return hkdf(sha256, shared.subarray(1), ephemeral, INFO, 32);
}

/** Seals `entries` (`KEY=value`) for the node whose operator public key is `nodePublicKey`. */
export function sealSecrets(entries: readonly string[], nodePublicKey: Uint8Array, ctx: SealContext): string {
  const ephemeralSecret = secp256k1.utils.randomSecretKey();
  const ephemeral = secp256k1.getPublicKey(ephemeralSecret, true);
  const key = boxKey(secp256k1.getSharedSecret(ephemeralSecret, nodePublicKey, true), ephemeral);
  const nonce = randomBytes(NONCE_BYTES);
  const plaintext = new TextEncoder().encode(JSON.stringify(entries));
  const sealed = xchacha20poly1305(key, nonce, associatedData(ctx)).encrypt(plaintext);
  const out = new Uint8Array(EPHEMERAL_BYTES + NONCE_BYTES + sealed.length);
  out.set(ephemeral, 0);
  out.set(nonce, EPHEMERAL_BYTES);
  out.set(sealed, EPHEMERAL_BYTES + NONCE_BYTES);
  return SEALED_BOX_PREFIX + Buffer.from(out).toString('base64');
}

/** Whether `box` has the shape of a sealed box (prefix, base64, room for key, nonce and tag). */
export function sealedBoxShapeProblem(box: string): string | undefined {
  if (!box.startsWith(SEALED_BOX_PREFIX)) return `a sealed box starts with "${SEALED_BOX_PREFIX}"`;
  const body = box.slice(SEALED_BOX_PREFIX.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body) || body.length % 4 !== 0)
    return 'a sealed box is base64 after its prefix';
  if ((body.length / 4) * 3 < EPHEMERAL_BYTES + NONCE_BYTES + TAG_BYTES)
    return 'a sealed box is too short to hold a key, a nonce and a tag';
  return undefined;
}

/** Opens a box sealed for this node; throws SealedBoxError, never saying what the box held. */
export function openSecrets(box: string, nodePrivateKey: Uint8Array, ctx: SealContext): string[] {
  const shape = sealedBoxShapeProblem(box);
  if (shape !== undefined) throw new SealedBoxError('box', box.slice(0, 16), shape);
  const bytes = new Uint8Array(Buffer.from(box.slice(SEALED_BOX_PREFIX.length), 'base64'));
  const ephemeral = bytes.subarray(0, EPHEMERAL_BYTES);
  const nonce = bytes.subarray(EPHEMERAL_BYTES, EPHEMERAL_BYTES + NONCE_BYTES);
  let plaintext: Uint8Array;
  try {
    const key = boxKey(secp256k1.getSharedSecret(nodePrivateKey, ephemeral, true), ephemeral);
    plaintext = xchacha20poly1305(key, nonce, associatedData(ctx)).decrypt(
      bytes.subarray(EPHEMERAL_BYTES + NONCE_BYTES),
    );
  } catch {
    throw new SealedBoxError(
      'box',
      `${ctx.app}/${ctx.component}@${ctx.node}`,
      'the sealed secrets do not open with this node’s key for this app and component (sealed for another node or place, or altered)',
    );
  }
  let entries: unknown;
  try {
    entries = JSON.parse(new TextDecoder().decode(plaintext));
  } catch {
    entries = undefined;
  }
  if (!Array.isArray(entries) || !entries.every((e) => typeof e === 'string'))
    throw new SealedBoxError(
      'box',
      `${ctx.app}/${ctx.component}@${ctx.node}`,
      'the sealed secrets are not a list of KEY=value entries',
    );
  return entries;
}
