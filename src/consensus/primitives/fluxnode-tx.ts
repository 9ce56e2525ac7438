import type { ByteReader, ByteWriter } from '../bytes.ts';
import { DecodeError } from '../errors.ts';
import { encodeError } from './encode-guard.ts';
import { readOutPoint, writeOutPoint } from './outpoint.ts';
import { FLUXNODE_CONFIRM, FLUXNODE_START, type FluxnodeDelegates, type FluxnodeTx } from './types.ts';

/*
 * Fluxnode transactions, as fluxd serializes them (facts read from fluxd's primitives/transaction.h,
 * fluxnode/fluxnode.cpp and main.cpp; written here in our own words).
 *
 * - The 4-byte header word is the plain version, 5 or 6, without the Overwinter bit, and there is no
 *   version group id. No inputs, outputs, lock time or shielded parts follow: the body is only the
 *   fluxnode payload below.
 * - The payload starts with nType (int8): 2 = START, 4 = CONFIRM.
 * - v5 START:  collateral outpoint (32-byte txid + u32 index), collateral pubkey (compact-size
 *   bytes), node pubkey (compact-size bytes), sigTime (u32), sig (compact-size bytes).
 * - v6 START:  nFluxTxVersion (i32) right after nType. Value 1 (or bit 0x01 without bit 0x02) is
 *   the "normal" layout, identical to v5 START's fields. Value 2 (or bit 0x02) is the P2SH layout:
 *   collateral outpoint, node pubkey, redeem script (compact-size bytes), sigTime, sig. If bit 0x0100
 *   (delegates feature, a later upgrade) is set, a bool byte follows and, when true, the delegate
 *   data: nDelegateVersion (int8), nType (int8), and for version 1 with type 1 (update) a
 *   compact-size list of compact-size pubkeys.
 * - CONFIRM (v5 and v6 alike): collateral outpoint, sigTime (u32), benchmarkTier (int8),
 *   benchmarkSigTime (u32), nUpdateType (int8), ip (compact-size string), sig, benchmarkSig.
 * - Hashing (txid) uses fluxd's SER_GETHASH form, which leaves out `sig` (START) and `sig` and
 *   `benchmarkSig` (CONFIRM); everything else, delegate data included, is hashed. So a txid does
 *   not commit to the signatures, and the signatures can cover the txid:
 *     START:   the collateral key (or one key of the P2SH redeem script) signs, with Bitcoin message
 *              signing, the txid in display hex (64 lowercase characters).
 *     CONFIRM: the node key (the pubkey of its START) signs the text
 *              "COutPoint(<first 10 hex chars of the collateral txid, display order>, <index>)"
 *              followed directly by the index, nUpdateType and sigTime, all in decimal.
 *     The benchmark key signs the raw bytes of the CONFIRM's `sig` followed by benchmarkTier,
 *     benchmarkSigTime (decimal) and the ip text.
 * - fluxd reads pubkeys longer than 65 bytes as invalid keys; we refuse them when decoding. We also
 *   refuse nType values other than START/CONFIRM and v6 START versions with neither layout bit: fluxd
 *   parses those into transactions that its CheckTransaction then always rejects.
 */

export const FLUXNODE_TX_VERSION = 5;
export const FLUXNODE_TX_UPGRADEABLE_VERSION = 6;
export const FLUXNODE_INTERNAL_NORMAL_TX_VERSION = 1;
export const FLUXNODE_INTERNAL_P2SH_TX_VERSION = 2;
export const FLUXNODE_TX_TYPE_NORMAL_BIT = 0x01;
export const FLUXNODE_TX_TYPE_P2SH_BIT = 0x02;
export const FLUXNODE_TX_FEATURE_DELEGATES_BIT = 0x0100;
export const DELEGATES_INITIAL_VERSION = 1;
export const DELEGATES_UPDATE = 1;
export const DELEGATES_SIGNING = 2;
/** A CPubKey is at most 65 bytes (uncompressed). */
export const MAX_PUBKEY_SIZE = 65;

export function isFluxnodeVersion(version: number): boolean {
  return version === FLUXNODE_TX_VERSION || version === FLUXNODE_TX_UPGRADEABLE_VERSION;
}

/** Which START layout a v6 nFluxTxVersion selects (fluxd's bit rules; both bits set means P2SH). */
export function fluxnodeStartLayout(fluxTxVersion: number): 'normal' | 'p2sh' | undefined {
  const normal =
    fluxTxVersion === FLUXNODE_INTERNAL_NORMAL_TX_VERSION ||
    (fluxTxVersion & FLUXNODE_TX_TYPE_NORMAL_BIT) !== 0;
  const p2sh =
    fluxTxVersion === FLUXNODE_INTERNAL_P2SH_TX_VERSION || (fluxTxVersion & FLUXNODE_TX_TYPE_P2SH_BIT) !== 0;
  if (normal && (fluxTxVersion & FLUXNODE_TX_TYPE_P2SH_BIT) === 0) return 'normal';
  if (p2sh) return 'p2sh';
  return undefined;
}

export function hasDelegatesFeature(fluxTxVersion: number | undefined): boolean {
  return fluxTxVersion !== undefined && (fluxTxVersion & FLUXNODE_TX_FEATURE_DELEGATES_BIT) !== 0;
}

/** Strings in fluxnode txs (the ip) are raw bytes; latin1 keeps every byte, so re-encoding is exact. */
function bytesToLatin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]!);
  return s;
}

export function latin1ToBytes(s: string, field: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff) throw encodeError(field, `character ${JSON.stringify(s[i])} is not a single byte`, s);
    out[i] = c;
  }
  return out;
}

function readDelegates(r: ByteReader, field: string): FluxnodeDelegates {
  const version = r.i8(`${field}.version`);
  const type = r.i8(`${field}.type`);
  const keys: Uint8Array[] = [];
  if (version === DELEGATES_INITIAL_VERSION && type === DELEGATES_UPDATE) {
    const n = r.count(`${field}.keys`, 1);
    for (let i = 0; i < n; i++) keys.push(r.varBytes(`${field}.keys[${i}]`, MAX_PUBKEY_SIZE));
  }
  return { version, type, keys };
}

function writeDelegates(w: ByteWriter, d: FluxnodeDelegates): void {
  w.i8(d.version);
  w.i8(d.type);
  if (d.version === DELEGATES_INITIAL_VERSION && d.type === DELEGATES_UPDATE) {
    w.compactSize(d.keys.length);
    for (const k of d.keys) w.varBytes(k);
  }
}

/**
 * Reads the payload after the header word of a v5/v6 transaction. `withSignatures` false reads the
 * hashing form (no sig / benchmarkSig), which only exists for hashing but is handy in tests.
 */
export function readFluxnodePayload(
  r: ByteReader,
  version: number,
  withSignatures = true,
  field = 'fluxnode',
): FluxnodeTx {
  const typeAt = r.offset;
  const type = r.i8(`${field}.type`);
  if (type !== FLUXNODE_START && type !== FLUXNODE_CONFIRM) {
    throw new DecodeError(`${field}.type`, typeAt, `unknown fluxnode transaction type ${type}`);
  }
  if (type === FLUXNODE_CONFIRM) {
    const collateral = readOutPoint(r, `${field}.collateral`);
    const sigTime = r.u32(`${field}.sigTime`);
    const benchmarkTier = r.i8(`${field}.benchmarkTier`);
    const benchmarkSigTime = r.u32(`${field}.benchmarkSigTime`);
    const updateType = r.i8(`${field}.updateType`);
    const ip = bytesToLatin1(r.varBytes(`${field}.ip`));
    const sig = withSignatures ? r.varBytes(`${field}.sig`) : new Uint8Array(0);
    const benchmarkSig = withSignatures ? r.varBytes(`${field}.benchmarkSig`) : new Uint8Array(0);
    return { type, collateral, sigTime, benchmarkTier, benchmarkSigTime, updateType, ip, sig, benchmarkSig };
  }
  if (version === FLUXNODE_TX_VERSION) {
    const collateral = readOutPoint(r, `${field}.collateral`);
    const collateralPubKey = r.varBytes(`${field}.collateralPubKey`, MAX_PUBKEY_SIZE);
    const pubKey = r.varBytes(`${field}.pubKey`, MAX_PUBKEY_SIZE);
    const sigTime = r.u32(`${field}.sigTime`);
    const sig = withSignatures ? r.varBytes(`${field}.sig`) : new Uint8Array(0);
    return { type, collateral, collateralPubKey, pubKey, sigTime, sig };
  }
  const versionAt = r.offset;
  const fluxTxVersion = r.i32(`${field}.fluxTxVersion`);
  const layout = fluxnodeStartLayout(fluxTxVersion);
  let out: FluxnodeTx;
  if (layout === 'normal') {
    const collateral = readOutPoint(r, `${field}.collateral`);
    const collateralPubKey = r.varBytes(`${field}.collateralPubKey`, MAX_PUBKEY_SIZE);
    const pubKey = r.varBytes(`${field}.pubKey`, MAX_PUBKEY_SIZE);
    const sigTime = r.u32(`${field}.sigTime`);
    const sig = withSignatures ? r.varBytes(`${field}.sig`) : new Uint8Array(0);
    out = { type, fluxTxVersion, collateral, collateralPubKey, pubKey, sigTime, sig };
  } else if (layout === 'p2sh') {
    const collateral = readOutPoint(r, `${field}.collateral`);
    const pubKey = r.varBytes(`${field}.pubKey`, MAX_PUBKEY_SIZE);
    const redeemScript = r.varBytes(`${field}.redeemScript`);
    const sigTime = r.u32(`${field}.sigTime`);
    const sig = withSignatures ? r.varBytes(`${field}.sig`) : new Uint8Array(0);
    out = { type, fluxTxVersion, collateral, pubKey, redeemScript, sigTime, sig };
  } else {
    throw new DecodeError(
      `${field}.fluxTxVersion`,
      versionAt,
      `no START layout for version ${fluxTxVersion}`,
    );
  }
  if (hasDelegatesFeature(fluxTxVersion)) {
    const flagAt = r.offset;
    const flag = r.u8(`${field}.usingDelegates`);
    if (flag > 1) throw new DecodeError(`${field}.usingDelegates`, flagAt, `boolean byte ${flag}`);
    out.usingDelegates = flag === 1;
    if (out.usingDelegates) out.delegates = readDelegates(r, `${field}.delegates`);
  }
  return out;
}

function need<T>(value: T | undefined, field: string): T {
  if (value === undefined) throw encodeError(field, 'missing');
  return value;
}

/** Writes the payload; `withSignatures` false gives the hashing form the txid is computed over. */
export function writeFluxnodePayload(
  w: ByteWriter,
  version: number,
  f: FluxnodeTx,
  withSignatures: boolean,
): void {
  if (f.type !== FLUXNODE_START && f.type !== FLUXNODE_CONFIRM) {
    throw encodeError('fluxnode.type', `unknown fluxnode transaction type ${f.type}`, f.type);
  }
  w.i8(f.type);
  if (f.type === FLUXNODE_CONFIRM) {
    writeOutPoint(w, f.collateral, 'fluxnode.collateral');
    w.u32(f.sigTime);
    w.i8(need(f.benchmarkTier, 'fluxnode.benchmarkTier'));
    w.u32(need(f.benchmarkSigTime, 'fluxnode.benchmarkSigTime'));
    w.i8(need(f.updateType, 'fluxnode.updateType'));
    w.varBytes(latin1ToBytes(need(f.ip, 'fluxnode.ip'), 'fluxnode.ip'));
    if (withSignatures) {
      w.varBytes(f.sig);
      w.varBytes(need(f.benchmarkSig, 'fluxnode.benchmarkSig'));
    }
    return;
  }
  if (version === FLUXNODE_TX_VERSION) {
    writeOutPoint(w, f.collateral, 'fluxnode.collateral');
    w.varBytes(need(f.collateralPubKey, 'fluxnode.collateralPubKey'));
    w.varBytes(need(f.pubKey, 'fluxnode.pubKey'));
    w.u32(f.sigTime);
    if (withSignatures) w.varBytes(f.sig);
    return;
  }
  const fluxTxVersion = need(f.fluxTxVersion, 'fluxnode.fluxTxVersion');
  const layout = fluxnodeStartLayout(fluxTxVersion);
  w.i32(fluxTxVersion);
  if (layout === 'normal') {
    writeOutPoint(w, f.collateral, 'fluxnode.collateral');
    w.varBytes(need(f.collateralPubKey, 'fluxnode.collateralPubKey'));
    w.varBytes(need(f.pubKey, 'fluxnode.pubKey'));
    w.u32(f.sigTime);
    if (withSignatures) w.varBytes(f.sig);
  } else if (layout === 'p2sh') {
    writeOutPoint(w, f.collateral, 'fluxnode.collateral');
    w.varBytes(need(f.pubKey, 'fluxnode.pubKey'));
    w.varBytes(need(f.redeemScript, 'fluxnode.redeemScript'));
    w.u32(f.sigTime);
    if (withSignatures) w.varBytes(f.sig);
  } else {
    throw encodeError(
      'fluxnode.fluxTxVersion',
      `no START layout for version ${fluxTxVersion}`,
      fluxTxVersion,
    );
  }
  if (hasDelegatesFeature(fluxTxVersion)) {
    const using = f.usingDelegates ?? f.delegates !== undefined;
    w.u8(using ? 1 : 0);
    if (using) writeDelegates(w, need(f.delegates, 'fluxnode.delegates'));
  }
}
