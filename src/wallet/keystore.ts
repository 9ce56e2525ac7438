import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** A key the wallet holds: the 32-byte secret (hex) and a label for people. */
export interface StoredKey {
  secret: string;
  label: string;
  created: number;
  /** False for a key imported from an uncompressed WIF: its address hashes the 65-byte public key. */
  compressed?: boolean;
}

interface WalletFile {
  format: 'fluxnode-wallet';
  version: 1;
  kdf: { name: 'scrypt'; N: number; r: number; p: number; salt: string };
  cipher: { name: 'aes-256-gcm'; iv: string; tag: string };
  data: string;
}

export class WalletError extends Error {
  readonly field: string;

  constructor(field: string, message: string) {
    super(message);
    this.name = 'WalletError';
    this.field = field;
  }
}

const KDF = { N: 1 << 15, r: 8, p: 1 };

function deriveKey(passphrase: string, salt: Buffer, kdf: { N: number; r: number; p: number }): Buffer {
  return scryptSync(passphrase, salt, 32, { N: kdf.N, r: kdf.r, p: kdf.p, maxmem: 128 * kdf.N * kdf.r * 2 });
}

/**
 * Keys encrypted at rest with AES-256-GCM under an scrypt-derived key. Written atomically (temp file,
 * then rename) so a crash mid-write never leaves a half wallet.
 */
export function saveKeys(file: string, passphrase: string, keys: StoredKey[]): void {
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', deriveKey(passphrase, salt, KDF), iv);
  const data = Buffer.concat([cipher.update(JSON.stringify(keys), 'utf8'), cipher.final()]);
  const out: WalletFile = {
    format: 'fluxnode-wallet',
    version: 1,
    kdf: { name: 'scrypt', ...KDF, salt: salt.toString('hex') },
    cipher: { name: 'aes-256-gcm', iv: iv.toString('hex'), tag: cipher.getAuthTag().toString('hex') },
    data: data.toString('base64'),
  };
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(out, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}

export function loadKeys(file: string, passphrase: string): StoredKey[] {
  if (!existsSync(file))
    throw new WalletError('wallet', `no wallet at ${file} (create one with: fluxnode wallet create)`);
  let parsed: WalletFile;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as WalletFile;
  } catch (err) {
    throw new WalletError('wallet', `${file} is not a wallet file: ${(err as Error).message}`);
  }
  if (parsed.format !== 'fluxnode-wallet' || parsed.version !== 1) {
    throw new WalletError(
      'wallet',
      `${file} has format ${parsed.format} v${parsed.version}; expected fluxnode-wallet v1`,
    );
  }
  const key = deriveKey(passphrase, Buffer.from(parsed.kdf.salt, 'hex'), parsed.kdf);
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(parsed.cipher.iv, 'hex'));
  decipher.setAuthTag(Buffer.from(parsed.cipher.tag, 'hex'));
  let plain: string;
  try {
    plain = Buffer.concat([decipher.update(Buffer.from(parsed.data, 'base64')), decipher.final()]).toString(
      'utf8',
    );
  } catch {
    throw new WalletError('passphrase', 'wrong passphrase for this wallet (or the file was altered)');
  }
  return JSON.parse(plain) as StoredKey[];
}
