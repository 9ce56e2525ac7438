import {
  addressForPublicKey,
  type Base58Prefixes,
  ConsensusError,
  decodeAddress,
  decodeWif,
  encodeWif,
  fromHex,
  generatePrivateKey,
  isValidPrivateKey,
  p2pkhScript,
  p2pkScript,
  pubKeyHash,
  publicKeyOf,
  toHex,
} from '../consensus/index.ts';
import { type StoredKey, WalletError } from './keystore.ts';

/** One key of the wallet with everything derived from it. */
export interface KeyEntry {
  privateKey: Uint8Array;
  publicKey: Uint8Array;
  compressed: boolean;
  label: string;
  created: number;
  /** P2PKH address on this network. */
  address: string;
  /** The scripts that pay to this key: P2PKH (what the address means) and bare P2PK. */
  p2pkh: Uint8Array;
  p2pk: Uint8Array;
}

/** What `list` shows of a key: never the secret. */
export interface KeyInfo {
  address: string;
  label: string;
  publicKey: string;
  compressed: boolean;
  created: number;
}

/**
 * The wallet's keys, with their addresses on one network and the scripts that pay to them. Keys
 * enter by generation or import (WIF or raw), leave only by explicit WIF export, and are stored
 * through the keystore (`toStored`).
 */
export class KeyRing {
  private readonly prefixes: Base58Prefixes;
  private readonly byAddress = new Map<string, KeyEntry>();
  private readonly byScript = new Map<string, KeyEntry>();

  constructor(prefixes: Base58Prefixes, stored: readonly StoredKey[] = []) {
    this.prefixes = prefixes;
    stored.forEach((k, i) => {
      const secret = /^[0-9a-fA-F]{64}$/.test(k.secret) ? fromHex(k.secret, `keys[${i}].secret`) : undefined;
      if (!secret || !isValidPrivateKey(secret)) {
        throw new WalletError(
          `keys[${i}].secret`,
          `stored key ${i} (${k.label || 'no label'}) is not a valid private key`,
        );
      }
      this.add(secret, { label: k.label, created: k.created, compressed: k.compressed ?? true });
    });
  }

  get size(): number {
    return this.byAddress.size;
  }

  /** A new random key; returns its entry. */
  generate(label = '', now = Math.floor(Date.now() / 1000), random?: (n: number) => Uint8Array): KeyEntry {
    return this.add(generatePrivateKey(random), { label, created: now });
  }

  /**
   * Adds a private key (or returns the entry already held for it, relabelled when a label is given):
   * importing the same key twice is harmless.
   */
  add(
    privateKey: Uint8Array,
    opts: { label?: string; created?: number; compressed?: boolean } = {},
  ): KeyEntry {
    if (!isValidPrivateKey(privateKey))
      throw new WalletError('privateKey', 'not a valid secp256k1 private key');
    const compressed = opts.compressed ?? true;
    const publicKey = publicKeyOf(privateKey, compressed);
    const address = addressForPublicKey(publicKey, this.prefixes);
    const known = this.byAddress.get(address);
    if (known) {
      if (opts.label) known.label = opts.label;
      return known;
    }
    const entry: KeyEntry = {
      privateKey: Uint8Array.from(privateKey),
      publicKey,
      compressed,
      label: opts.label ?? '',
      created: opts.created ?? Math.floor(Date.now() / 1000),
      address,
      p2pkh: p2pkhScript(pubKeyHash(publicKey)),
      p2pk: p2pkScript(publicKey),
    };
    this.byAddress.set(address, entry);
    this.byScript.set(toHex(entry.p2pkh), entry);
    this.byScript.set(toHex(entry.p2pk), entry);
    return entry;
  }

  /** Imports a WIF key of this network (its compressed flag decides the address). */
  importWif(wif: string, label = ''): KeyEntry {
    let decoded: ReturnType<typeof decodeWif>;
    try {
      decoded = decodeWif(wif, this.prefixes.secretKey);
    } catch (err) {
      if (err instanceof ConsensusError) throw new WalletError('wif', `cannot import key: ${err.message}`);
      throw err;
    }
    return this.add(decoded.privateKey, { label, compressed: decoded.compressed });
  }

  exportWif(address: string): string {
    const e = this.require(address);
    return encodeWif(e.privateKey, this.prefixes.secretKey, e.compressed);
  }

  setLabel(address: string, label: string): void {
    this.require(address).label = label;
  }

  get(address: string): KeyEntry | undefined {
    return this.byAddress.get(address.trim());
  }

  /** The key an output script pays to (P2PKH or P2PK of one of our keys). */
  forScript(script: Uint8Array): KeyEntry | undefined {
    return this.byScript.get(toHex(script));
  }

  /** Every script that pays to one of our keys. */
  scripts(): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (const e of this.byAddress.values()) out.push(e.p2pkh, e.p2pk);
    return out;
  }

  entries(): KeyEntry[] {
    return [...this.byAddress.values()];
  }

  list(): KeyInfo[] {
    return this.entries().map((e) => ({
      address: e.address,
      label: e.label,
      publicKey: toHex(e.publicKey),
      compressed: e.compressed,
      created: e.created,
    }));
  }

  toStored(): StoredKey[] {
    return this.entries().map((e) => ({
      secret: toHex(e.privateKey),
      label: e.label,
      created: e.created,
      ...(e.compressed ? {} : { compressed: false }),
    }));
  }

  /** The entry for `address`; a clear error for an address of another network or not ours. */
  require(address: string): KeyEntry {
    const e = this.get(address);
    if (e) return e;
    try {
      decodeAddress(address, this.prefixes);
    } catch (err) {
      if (err instanceof ConsensusError) throw new WalletError('address', `${address}: ${err.message}`);
      throw err;
    }
    throw new WalletError('address', `${address} is not an address of this wallet`);
  }
}
