/**
 * Wallet Import Format: base58check of the network's secret-key prefix (0x80 mainnet, 0xEF
 * testnet), the 32-byte private key, and a 0x01 suffix when its public key is used compressed.
 */
import { concatBytes, equalBytes, toHex } from '../bytes.ts';
import { ConsensusError } from '../errors.ts';
import { base58CheckDecode, base58CheckEncode } from './address.ts';
import { isValidPrivateKey } from './keys.ts';

export interface DecodedWif {
  privateKey: Uint8Array;
  compressed: boolean;
}

function wifError(rule: string, detail: string): ConsensusError {
  // The key itself never goes into an error.
  return new ConsensusError(rule, detail, { field: 'wif', value: '(hidden)' });
}

export function encodeWif(privateKey: Uint8Array, prefix: Uint8Array, compressed = true): string {
  if (!isValidPrivateKey(privateKey))
    throw wifError('bad-wif-key', 'not a valid 32-byte secp256k1 private key');
  return base58CheckEncode(
    concatBytes(prefix, privateKey, compressed ? Uint8Array.of(1) : new Uint8Array(0)),
  );
}

/** Decode a WIF key of this network (`prefix` = the network's secret-key prefix bytes). */
export function decodeWif(wif: string, prefix: Uint8Array): DecodedWif {
  let payload: Uint8Array;
  try {
    payload = base58CheckDecode(wif.trim(), 'wif');
  } catch (err) {
    if (err instanceof ConsensusError) {
      if (err.rule === 'bad-checksum')
        throw wifError('bad-wif-checksum', 'checksum does not match (mistyped character?)');
      throw wifError('bad-wif-encoding', 'not a base58check string');
    }
    throw err;
  }
  if (payload.length < prefix.length || !equalBytes(payload.subarray(0, prefix.length), prefix)) {
    throw wifError(
      'bad-wif-prefix',
      `prefix ${toHex(payload.subarray(0, prefix.length))} is not this network's secret-key prefix ${toHex(prefix)}`,
    );
  }
  const body = payload.subarray(prefix.length);
  let compressed: boolean;
  if (body.length === 32) compressed = false;
  else if (body.length === 33 && body[32] === 1) compressed = true;
  else {
    throw wifError('bad-wif-length', `expected 32 key bytes (+ 0x01 when compressed), got ${body.length}`);
  }
  const privateKey = Uint8Array.from(body.subarray(0, 32));
  if (!isValidPrivateKey(privateKey)) throw wifError('bad-wif-key', 'key is outside the secp256k1 range');
  return { privateKey, compressed };
}
