/**
 * Transparent addresses: base58check of a network prefix and a 20-byte hash (t1… P2PKH and t3…
 * P2SH on mainnet, tm… and t2… on testnet). Prefixes are network parameters, passed in.
 */
import { base58 } from '@scure/base';
import { concatBytes, equalBytes, toHex } from '../bytes.ts';
import { ConsensusError } from '../errors.ts';
import { hash160, sha256d } from '../hash.ts';
import { classifyScript, p2pkhScript, p2shScript } from '../script/templates.ts';

/** The two address prefixes; `params.base58` ({pubkeyHash, scriptHash}) is accepted as well. */
export type AddressPrefixes =
  | { p2pkh: Uint8Array; p2sh: Uint8Array }
  | { pubkeyHash: Uint8Array; scriptHash: Uint8Array };

export type AddressType = 'p2pkh' | 'p2sh';

export interface DecodedAddress {
  type: AddressType;
  hash: Uint8Array;
}

function prefixesOf(p: AddressPrefixes): { p2pkh: Uint8Array; p2sh: Uint8Array } {
  return 'p2pkh' in p ? p : { p2pkh: p.pubkeyHash, p2sh: p.scriptHash };
}

function addressError(rule: string, detail: string, value: string): ConsensusError {
  return new ConsensusError(rule, detail, { field: 'address', value });
}

/** base58 of payload ‖ first 4 bytes of SHA-256d(payload). */
export function base58CheckEncode(payload: Uint8Array): string {
  return base58.encode(concatBytes(payload, sha256d(payload).subarray(0, 4)));
}

/** The payload of a base58check string; bad characters and a bad checksum are errors. */
export function base58CheckDecode(text: string, field = 'address'): Uint8Array {
  let raw: Uint8Array;
  try {
    raw = base58.decode(text);
  } catch {
    const bad = [...text].find((c) => !/[1-9A-HJ-NP-Za-km-z]/.test(c));
    throw new ConsensusError(
      'bad-base58',
      bad === undefined ? 'not base58' : `character ${JSON.stringify(bad)} is not in the base58 alphabet`,
      { field, value: text },
    );
  }
  if (raw.length < 4) {
    throw new ConsensusError('bad-base58', `too short for a checksum (${raw.length} bytes)`, {
      field,
      value: text,
    });
  }
  const payload = raw.subarray(0, raw.length - 4);
  if (!equalBytes(sha256d(payload).subarray(0, 4), raw.subarray(raw.length - 4))) {
    throw new ConsensusError('bad-checksum', 'base58check checksum does not match (mistyped character?)', {
      field,
      value: text,
    });
  }
  return Uint8Array.from(payload);
}

export function encodeAddress(type: AddressType, hash: Uint8Array, prefixes: AddressPrefixes): string {
  if (hash.length !== 20) {
    throw addressError(
      'bad-address-length',
      `address hash must be 20 bytes, got ${hash.length}`,
      toHex(hash),
    );
  }
  const p = prefixesOf(prefixes);
  return base58CheckEncode(concatBytes(type === 'p2pkh' ? p.p2pkh : p.p2sh, hash));
}

/**
 * Decode a transparent address of this network. Errors name what is wrong: not base58
 * (`bad-base58`), a mistyped character (`bad-checksum`), a prefix of another network or kind
 * (`bad-address-prefix`), or the wrong payload size (`bad-address-length`).
 */
export function decodeAddress(address: string, prefixes: AddressPrefixes): DecodedAddress {
  const p = prefixesOf(prefixes);
  const text = address.trim();
  let payload: Uint8Array;
  try {
    payload = base58CheckDecode(text);
  } catch (err) {
    if (err instanceof ConsensusError) {
      const detail = err.message.slice(err.rule.length + 2);
      throw addressError(
        err.rule === 'bad-checksum' ? 'bad-address-checksum' : 'bad-address-encoding',
        detail,
        address,
      );
    }
    throw err;
  }
  for (const [type, prefix] of [
    ['p2pkh', p.p2pkh],
    ['p2sh', p.p2sh],
  ] as const) {
    if (payload.length >= prefix.length && equalBytes(payload.subarray(0, prefix.length), prefix)) {
      const hash = payload.subarray(prefix.length);
      if (hash.length !== 20) {
        throw addressError(
          'bad-address-length',
          `${type} address carries ${hash.length} bytes after its prefix; expected 20`,
          address,
        );
      }
      return { type, hash: Uint8Array.from(hash) };
    }
  }
  const seen = toHex(payload.subarray(0, Math.max(p.p2pkh.length, p.p2sh.length)));
  throw addressError(
    'bad-address-prefix',
    `prefix ${seen} is neither this network's P2PKH (${toHex(p.p2pkh)}) nor P2SH (${toHex(p.p2sh)}) prefix: an address of another network or kind`,
    address,
  );
}

export function isValidAddress(address: string, prefixes: AddressPrefixes): boolean {
  try {
    decodeAddress(address, prefixes);
    return true;
  } catch (err) {
    if (err instanceof ConsensusError) return false;
    throw err;
  }
}

/** The scriptPubKey that pays to `address`. */
export function scriptForAddress(address: string, prefixes: AddressPrefixes): Uint8Array {
  const { type, hash } = decodeAddress(address, prefixes);
  return type === 'p2pkh' ? p2pkhScript(hash) : p2shScript(hash);
}

/**
 * The address a scriptPubKey pays to: P2PKH, P2SH, and (as fluxd's ExtractDestination) P2PK by
 * its key's hash. Undefined for scripts with no single address (multisig, OP_RETURN, nonstandard).
 */
export function addressForScript(script: Uint8Array, prefixes: AddressPrefixes): string | undefined {
  const t = classifyScript(script);
  if (t.type === 'p2pkh') return encodeAddress('p2pkh', t.hash, prefixes);
  if (t.type === 'p2sh') return encodeAddress('p2sh', t.hash, prefixes);
  if (t.type === 'p2pk') return encodeAddress('p2pkh', hash160(t.pubKey), prefixes);
  return undefined;
}

/** The P2PKH address of a public key. */
export function addressForPublicKey(pubKey: Uint8Array, prefixes: AddressPrefixes): string {
  return encodeAddress('p2pkh', hash160(pubKey), prefixes);
}

/** The P2SH address of a redeem script. */
export function addressForRedeemScript(redeemScript: Uint8Array, prefixes: AddressPrefixes): string {
  return encodeAddress('p2sh', hash160(redeemScript), prefixes);
}
