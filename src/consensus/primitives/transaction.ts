import { ByteReader, ByteWriter } from '../bytes.ts';
import { DecodeError } from '../errors.ts';
import { sha256d } from '../hash.ts';
import { encodeError, writeFixed } from './encode-guard.ts';
import { isFluxnodeVersion, readFluxnodePayload, writeFluxnodePayload } from './fluxnode-tx.ts';
import { readOutPoint, writeOutPoint } from './outpoint.ts';
import { readJoinSplit, readOutput, readSpend, writeJoinSplit, writeOutput, writeSpend } from './shielded.ts';
import type { Transaction, TxIn, TxOut } from './types.ts';

/*
 * Transaction layout (Zcash family, as fluxd reads it):
 *   header word u32: low 31 bits nVersion, top bit fOverwintered
 *   [overwintered] nVersionGroupId u32; only (v3, 0x03C48270) and (v4, 0x892F2085) are known
 *   [not overwintered, version 5 or 6] fluxnode payload and nothing else (see fluxnode-tx.ts)
 *   vin, vout, nLockTime u32
 *   [v3/v4] nExpiryHeight u32
 *   [v4] valueBalance i64, Sapling spends, Sapling outputs
 *   [nVersion >= 2] JoinSplits (Groth proofs when overwintered v4, else PHGR), and when there is at
 *     least one: joinSplitPubKey (32) and joinSplitSig (64)
 *   [v4 with any spend or output] bindingSig (64)
 * Like fluxd, the decoder accepts any non-overwintered version here (a legacy random version >= 2
 * simply carries a JoinSplit list); which versions are valid is CheckTransaction's business.
 */

export const OVERWINTER_VERSION_GROUP_ID = 0x03c48270;
export const SAPLING_VERSION_GROUP_ID = 0x892f2085;
export const OVERWINTER_TX_VERSION = 3;
export const SAPLING_TX_VERSION = 4;
const OVERWINTERED_BIT = 0x80000000;

function isOverwinterV3(tx: Pick<Transaction, 'overwintered' | 'versionGroupId' | 'version'>): boolean {
  return (
    tx.overwintered &&
    tx.versionGroupId === OVERWINTER_VERSION_GROUP_ID &&
    tx.version === OVERWINTER_TX_VERSION
  );
}

function isSaplingV4(tx: Pick<Transaction, 'overwintered' | 'versionGroupId' | 'version'>): boolean {
  return (
    tx.overwintered && tx.versionGroupId === SAPLING_VERSION_GROUP_ID && tx.version === SAPLING_TX_VERSION
  );
}

export function isFluxnodeTx(tx: Pick<Transaction, 'overwintered' | 'version'>): boolean {
  return !tx.overwintered && isFluxnodeVersion(tx.version);
}

function emptyBody(): Pick<
  Transaction,
  | 'inputs'
  | 'outputs'
  | 'lockTime'
  | 'expiryHeight'
  | 'valueBalance'
  | 'shieldedSpends'
  | 'shieldedOutputs'
  | 'joinSplits'
> {
  return {
    inputs: [],
    outputs: [],
    lockTime: 0,
    expiryHeight: 0,
    valueBalance: 0n,
    shieldedSpends: [],
    shieldedOutputs: [],
    joinSplits: [],
  };
}

function readTxIn(r: ByteReader, field: string): TxIn {
  const prevout = readOutPoint(r, `${field}.prevout`);
  const scriptSig = r.varBytes(`${field}.scriptSig`);
  const sequence = r.u32(`${field}.sequence`);
  return { prevout, scriptSig, sequence };
}

function readTxOut(r: ByteReader, field: string): TxOut {
  const value = r.i64(`${field}.value`);
  const scriptPubKey = r.varBytes(`${field}.scriptPubKey`);
  return { value, scriptPubKey };
}

/** The smallest transaction: a version and lock time around two empty lists. */
export const MIN_TX_BYTES = 10;
/** Smallest serialized items (fixed parts only), so a declared count is checked against the bytes left. */
const MIN_TXIN_BYTES = 32 + 4 + 1 + 4;
const MIN_TXOUT_BYTES = 8 + 1;
const SPEND_BYTES = 384;
const OUTPUT_BYTES = 948;
const MIN_JOINSPLIT_BYTES = 1698;

function readList<T>(
  r: ByteReader,
  field: string,
  minItemBytes: number,
  item: (r: ByteReader, field: string) => T,
): T[] {
  const n = r.count(field, minItemBytes);
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(item(r, `${field}[${i}]`));
  return out;
}

export interface ReadTxOptions {
  /** Prefix of the field names in decode errors, e.g. "block.txs[3]"; default "tx". */
  field?: string;
  /** False reads the hashing form of a fluxnode transaction (no signatures). */
  withSignatures?: boolean;
}

/** Reads one transaction from `r` (which may hold more after it, as a block does). */
export function readTransaction(r: ByteReader, options: ReadTxOptions = {}): Transaction {
  const f = options.field ?? 'tx';
  const withSignatures = options.withSignatures ?? true;
  const headerAt = r.offset;
  const header = r.u32(`${f}.header`);
  const overwintered = (header & OVERWINTERED_BIT) !== 0;
  const version = header & 0x7fffffff;
  const versionGroupId = overwintered ? r.u32(`${f}.versionGroupId`) : 0;
  const shape = { overwintered, versionGroupId, version };
  const v3 = isOverwinterV3(shape);
  const v4 = isSaplingV4(shape);
  if (overwintered && !v3 && !v4) {
    throw new DecodeError(
      `${f}.versionGroupId`,
      headerAt,
      `unknown transaction format: version ${version}, group id 0x${versionGroupId.toString(16)}`,
    );
  }
  if (isFluxnodeTx(shape)) {
    const fluxnode = readFluxnodePayload(r, version, withSignatures, `${f}.fluxnode`);
    return { version, overwintered, versionGroupId, ...emptyBody(), fluxnode };
  }
  const tx: Transaction = { version, overwintered, versionGroupId, ...emptyBody() };
  tx.inputs = readList(r, `${f}.vin`, MIN_TXIN_BYTES, readTxIn);
  tx.outputs = readList(r, `${f}.vout`, MIN_TXOUT_BYTES, readTxOut);
  tx.lockTime = r.u32(`${f}.lockTime`);
  if (v3 || v4) tx.expiryHeight = r.u32(`${f}.expiryHeight`);
  if (v4) {
    tx.valueBalance = r.i64(`${f}.valueBalance`);
    tx.shieldedSpends = readList(r, `${f}.shieldedSpends`, SPEND_BYTES, readSpend);
    tx.shieldedOutputs = readList(r, `${f}.shieldedOutputs`, OUTPUT_BYTES, readOutput);
  }
  if (version >= 2) {
    const useGroth = overwintered && version >= SAPLING_TX_VERSION;
    tx.joinSplits = readList(r, `${f}.joinSplits`, MIN_JOINSPLIT_BYTES, (rr, f) =>
      readJoinSplit(rr, useGroth, f),
    );
    if (tx.joinSplits.length > 0) {
      tx.joinSplitPubKey = r.bytesN(32, `${f}.joinSplitPubKey`);
      tx.joinSplitSig = r.bytesN(64, `${f}.joinSplitSig`);
    }
  }
  if (v4 && (tx.shieldedSpends.length > 0 || tx.shieldedOutputs.length > 0)) {
    tx.bindingSig = r.bytesN(64, `${f}.bindingSig`);
  }
  return tx;
}

/**
 * Writes `tx`. `withSignatures` false gives fluxd's hashing form, which differs from the wire form
 * only for fluxnode transactions (their signatures are left out).
 */
export function writeTransaction(w: ByteWriter, tx: Transaction, withSignatures = true): void {
  if (tx.version < 0 || tx.version > 0x7fffffff || !Number.isInteger(tx.version)) {
    throw encodeError('tx.version', `not a 31-bit version: ${tx.version}`, tx.version);
  }
  w.u32((tx.overwintered ? OVERWINTERED_BIT : 0) | tx.version);
  if (tx.overwintered) w.u32(tx.versionGroupId);
  const v3 = isOverwinterV3(tx);
  const v4 = isSaplingV4(tx);
  if (tx.overwintered && !v3 && !v4) {
    throw encodeError('tx.versionGroupId', 'unknown overwintered version / group id', tx.versionGroupId);
  }
  if (isFluxnodeTx(tx)) {
    if (!tx.fluxnode) throw encodeError('tx.fluxnode', `version ${tx.version} needs a fluxnode payload`);
    writeFluxnodePayload(w, tx.version, tx.fluxnode, withSignatures);
    return;
  }
  if (tx.fluxnode) throw encodeError('tx.fluxnode', `version ${tx.version} carries no fluxnode payload`);
  w.compactSize(tx.inputs.length);
  tx.inputs.forEach((input, i) => {
    writeOutPoint(w, input.prevout, `tx.vin[${i}].prevout`);
    w.varBytes(input.scriptSig);
    w.u32(input.sequence);
  });
  w.compactSize(tx.outputs.length);
  for (const out of tx.outputs) {
    w.i64(out.value);
    w.varBytes(out.scriptPubKey);
  }
  w.u32(tx.lockTime);
  if (v3 || v4) w.u32(tx.expiryHeight);
  if (v4) {
    w.i64(tx.valueBalance);
    w.compactSize(tx.shieldedSpends.length);
    for (const [i, spend] of tx.shieldedSpends.entries()) writeSpend(w, spend, `tx.shieldedSpends[${i}]`);
    w.compactSize(tx.shieldedOutputs.length);
    for (const [i, output] of tx.shieldedOutputs.entries())
      writeOutput(w, output, `tx.shieldedOutputs[${i}]`);
  } else if (tx.shieldedSpends.length > 0 || tx.shieldedOutputs.length > 0 || tx.valueBalance !== 0n) {
    throw encodeError('tx.shieldedSpends', 'Sapling fields exist only in overwintered v4 transactions');
  }
  if (tx.version >= 2) {
    const useGroth = tx.overwintered && tx.version >= SAPLING_TX_VERSION;
    w.compactSize(tx.joinSplits.length);
    for (const [i, js] of tx.joinSplits.entries()) writeJoinSplit(w, js, useGroth, `tx.joinSplits[${i}]`);
    if (tx.joinSplits.length > 0) {
      writeFixed(w, tx.joinSplitPubKey, 32, 'tx.joinSplitPubKey');
      writeFixed(w, tx.joinSplitSig, 64, 'tx.joinSplitSig');
    }
  } else if (tx.joinSplits.length > 0) {
    throw encodeError('tx.joinSplits', 'JoinSplits exist only from version 2');
  }
  if (v4 && (tx.shieldedSpends.length > 0 || tx.shieldedOutputs.length > 0)) {
    writeFixed(w, tx.bindingSig, 64, 'tx.bindingSig');
  }
}

export function encodeTransaction(tx: Transaction): Uint8Array {
  const w = new ByteWriter(512);
  writeTransaction(w, tx, true);
  return w.finish();
}

/** Decodes exactly one transaction; trailing bytes are an error. */
export function decodeTransaction(bytes: Uint8Array): Transaction {
  const r = new ByteReader(bytes);
  const tx = readTransaction(r);
  r.end('tx');
  return tx;
}

/** The bytes a txid hashes: the wire form, minus the signatures of fluxnode transactions. */
export function transactionHashBytes(tx: Transaction): Uint8Array {
  const w = new ByteWriter(512);
  writeTransaction(w, tx, false);
  return w.finish();
}

/** Transaction id in internal byte order; show it with `reverseHex`. */
export function txid(tx: Transaction): Uint8Array {
  return sha256d(transactionHashBytes(tx));
}
