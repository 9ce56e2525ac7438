/**
 * Signature hashes: what a transparent input's signature commits to.
 *  - not overwintered ("Sprout"): Bitcoin's legacy algorithm, SHA-256d of a modified copy of the
 *    transaction followed by the 32-bit hash type;
 *  - overwintered v3: ZIP 143; overwintered Sapling v4: ZIP 243. Both are BLAKE2b-256 digests
 *    personalized with 'ZcashSigHash' and the consensus branch id.
 * Results are in the order the hash function returns them (not byte-reversed).
 */
import { ByteWriter, concatBytes, toHex } from '../bytes.ts';
import { ConsensusError } from '../errors.ts';
import { sha256d } from '../hash.ts';
import { blake2b } from '../pow/blake2b.ts';
import { writeOutPoint } from '../primitives/outpoint.ts';
import { writeJoinSplit, writeOutput } from '../primitives/shielded.ts';
import {
  encodeTransaction,
  isFluxnodeTx,
  SAPLING_TX_VERSION,
  SAPLING_VERSION_GROUP_ID,
} from '../primitives/transaction.ts';
import type { Transaction, TxIn, TxOut } from '../primitives/types.ts';
import { SIGHASH_ANYONECANPAY, SIGHASH_NONE, SIGHASH_SINGLE } from './interpreter.ts';
import { must } from '../must.ts';

export { SIGHASH_ALL, SIGHASH_ANYONECANPAY, SIGHASH_NONE, SIGHASH_SINGLE } from './interpreter.ts';

/** Input index for the hash a JoinSplit signature signs (fluxd's NOT_AN_INPUT). */
export const NOT_AN_INPUT = -1;

export type SigVersion = 'sprout' | 'overwinter' | 'sapling';

export function sigVersionOf(tx: Transaction): SigVersion {
  if (!tx.overwintered) return 'sprout';
  return tx.versionGroupId === SAPLING_VERSION_GROUP_ID ? 'sapling' : 'overwinter';
}

const encoder = new TextEncoder();
const personal = (s: string) => encoder.encode(s);
const PREVOUTS = personal('ZcashPrevoutHash');
const SEQUENCE = personal('ZcashSequencHash');
const OUTPUTS = personal('ZcashOutputsHash');
const JOINSPLITS = personal('ZcashJSplitsHash');
const SHIELDED_SPENDS = personal('ZcashSSpendsHash');
const SHIELDED_OUTPUTS = personal('ZcashSOutputHash');
const ZERO32: Uint8Array = new Uint8Array(32);

function blake(personalization: Uint8Array, data: Uint8Array): Uint8Array {
  // The in-tree BLAKE2b (written for Equihash) is about twice as fast as @noble/hashes' on these sizes.
  return blake2b(data, { outputLength: 32, personalization });
}

function writeTxOut(w: ByteWriter, out: TxOut): void {
  w.i64(out.value);
  w.varBytes(out.scriptPubKey);
}

/** The per-transaction parts of ZIP 143/243 hashes, computed once and shared by every input. */
export interface SighashCache {
  hashPrevouts: Uint8Array;
  hashSequence: Uint8Array;
  hashOutputs: Uint8Array;
  hashJoinSplits: Uint8Array;
  hashShieldedSpends: Uint8Array;
  hashShieldedOutputs: Uint8Array;
}

function hashPrevouts(tx: Transaction): Uint8Array {
  const w = new ByteWriter(36 * tx.inputs.length + 1);
  tx.inputs.forEach((input, i) => {
    writeOutPoint(w, input.prevout, `tx.vin[${i}].prevout`);
  });
  return blake(PREVOUTS, w.finish());
}

function hashSequence(tx: Transaction): Uint8Array {
  const w = new ByteWriter(4 * tx.inputs.length + 1);
  for (const input of tx.inputs) w.u32(input.sequence);
  return blake(SEQUENCE, w.finish());
}

function hashOutputs(outputs: TxOut[]): Uint8Array {
  const w = new ByteWriter(64 * outputs.length + 1);
  for (const out of outputs) writeTxOut(w, out);
  return blake(OUTPUTS, w.finish());
}

function hashJoinSplits(tx: Transaction): Uint8Array {
  const w = new ByteWriter(2000 * tx.joinSplits.length);
  const useGroth = tx.overwintered && tx.version >= SAPLING_TX_VERSION;
  tx.joinSplits.forEach((js, i) => {
    writeJoinSplit(w, js, useGroth, `tx.joinSplits[${i}]`);
  });
  w.bytes(tx.joinSplitPubKey ?? ZERO32);
  return blake(JOINSPLITS, w.finish());
}

function hashShieldedSpends(tx: Transaction): Uint8Array {
  const w = new ByteWriter(320 * tx.shieldedSpends.length);
  // The spend authorization signatures are what get signed over, so they are left out.
  for (const s of tx.shieldedSpends)
    w.bytes(s.cv).bytes(s.anchor).bytes(s.nullifier).bytes(s.rk).bytes(s.zkproof);
  return blake(SHIELDED_SPENDS, w.finish());
}

function hashShieldedOutputs(tx: Transaction): Uint8Array {
  const w = new ByteWriter(948 * tx.shieldedOutputs.length);
  tx.shieldedOutputs.forEach((o, i) => {
    writeOutput(w, o, `tx.shieldedOutputs[${i}]`);
  });
  return blake(SHIELDED_OUTPUTS, w.finish());
}

/** Compute the shared parts once when verifying or signing several inputs of one transaction. */
export function precomputeSighash(tx: Transaction): SighashCache {
  return {
    hashPrevouts: hashPrevouts(tx),
    hashSequence: hashSequence(tx),
    hashOutputs: hashOutputs(tx.outputs),
    hashJoinSplits: tx.joinSplits.length > 0 ? hashJoinSplits(tx) : ZERO32,
    hashShieldedSpends: tx.shieldedSpends.length > 0 ? hashShieldedSpends(tx) : ZERO32,
    hashShieldedOutputs: tx.shieldedOutputs.length > 0 ? hashShieldedOutputs(tx) : ZERO32,
  };
}

function sighashError(detail: string, value: unknown): ConsensusError {
  return new ConsensusError('bad-sighash', detail, { field: 'inputIndex', value });
}

/**
 * The hash an input's signature signs.
 * @param inputIndex the input being signed, or NOT_AN_INPUT for the JoinSplit signature
 * @param scriptCode the script being satisfied (the scriptPubKey, or the redeem script for P2SH)
 * @param amount the value of the output being spent (committed to from Overwinter on)
 * @param hashType the full 32-bit hash type (the signature's last byte when verifying)
 * @param consensusBranchId the branch id of the upgrade in force (Overwinter/Sapling only)
 */
export function signatureHash(
  tx: Transaction,
  inputIndex: number,
  scriptCode: Uint8Array,
  amount: bigint,
  hashType: number,
  consensusBranchId: number,
  cache?: SighashCache,
): Uint8Array {
  if (
    inputIndex !== NOT_AN_INPUT &&
    (!Number.isInteger(inputIndex) || inputIndex < 0 || inputIndex >= tx.inputs.length)
  ) {
    throw sighashError(
      `input index ${inputIndex} is out of range (transaction has ${tx.inputs.length} inputs)`,
      inputIndex,
    );
  }
  const version = sigVersionOf(tx);
  if (version === 'sprout') return legacySignatureHash(tx, inputIndex, scriptCode, hashType);

  const base = hashType & 0x1f;
  const anyoneCanPay = (hashType & SIGHASH_ANYONECANPAY) !== 0;
  const single = base === SIGHASH_SINGLE;
  const none = base === SIGHASH_NONE;

  const prevouts = anyoneCanPay ? ZERO32 : (cache?.hashPrevouts ?? hashPrevouts(tx));
  const sequence = anyoneCanPay || single || none ? ZERO32 : (cache?.hashSequence ?? hashSequence(tx));
  let outputs: Uint8Array = ZERO32;
  if (!single && !none) outputs = cache?.hashOutputs ?? hashOutputs(tx.outputs);
  else if (single && inputIndex !== NOT_AN_INPUT) {
    const output = tx.outputs[inputIndex];
    if (output) outputs = hashOutputs([output]);
  }
  const joinSplits = tx.joinSplits.length > 0 ? (cache?.hashJoinSplits ?? hashJoinSplits(tx)) : ZERO32;

  const w = new ByteWriter(320);
  w.u32((tx.overwintered ? 0x80000000 : 0) | tx.version);
  w.u32(tx.versionGroupId);
  w.bytes(prevouts).bytes(sequence).bytes(outputs).bytes(joinSplits);
  if (version === 'sapling') {
    w.bytes(tx.shieldedSpends.length > 0 ? (cache?.hashShieldedSpends ?? hashShieldedSpends(tx)) : ZERO32);
    w.bytes(tx.shieldedOutputs.length > 0 ? (cache?.hashShieldedOutputs ?? hashShieldedOutputs(tx)) : ZERO32);
  }
  w.u32(tx.lockTime);
  w.u32(tx.expiryHeight);
  if (version === 'sapling') w.i64(tx.valueBalance);
  w.i32(hashType);
  if (inputIndex !== NOT_AN_INPUT) {
    const input = must(tx.inputs[inputIndex], 'the input being signed (index checked above)');
    writeOutPoint(w, input.prevout, 'prevout');
    w.varBytes(scriptCode);
    w.i64(amount);
    w.u32(input.sequence);
  }

  const branch = new Uint8Array(4);
  new DataView(branch.buffer).setUint32(0, consensusBranchId >>> 0, true);
  return blake(concatBytes(personal('ZcashSigHash'), branch), w.finish());
}

/**
 * Bitcoin's original algorithm, as fluxd keeps it for transactions that are not overwintered:
 * other inputs' scripts blanked, outputs and sequences trimmed by the hash type, the JoinSplit
 * signature zeroed, then SHA-256d of that serialization and the hash type.
 */
function legacySignatureHash(
  tx: Transaction,
  inputIndex: number,
  scriptCode: Uint8Array,
  hashType: number,
): Uint8Array {
  if (isFluxnodeTx(tx)) {
    throw sighashError('fluxnode transactions carry no transparent inputs to sign', inputIndex);
  }
  const base = hashType & 0x1f;
  const anyoneCanPay = (hashType & SIGHASH_ANYONECANPAY) !== 0;
  const single = base === SIGHASH_SINGLE;
  const none = base === SIGHASH_NONE;
  if (single && (inputIndex === NOT_AN_INPUT || inputIndex >= tx.outputs.length)) {
    // Bitcoin signed the constant 1 here; fluxd refuses instead.
    throw sighashError(
      `no output ${inputIndex} to match SIGHASH_SINGLE (${tx.outputs.length} outputs)`,
      inputIndex,
    );
  }
  if (anyoneCanPay && inputIndex === NOT_AN_INPUT) {
    throw sighashError('SIGHASH_ANYONECANPAY needs an input to keep', inputIndex);
  }

  const empty = new Uint8Array(0);
  const inputFor = (input: TxIn, i: number): TxIn => ({
    prevout: input.prevout,
    scriptSig: i === inputIndex ? scriptCode : empty,
    sequence: i !== inputIndex && (single || none) ? 0 : input.sequence,
  });
  const inputs = anyoneCanPay
    ? [inputFor(must(tx.inputs[inputIndex], 'the input being signed'), inputIndex)]
    : tx.inputs.map((input, i) => inputFor(input, i));
  let outputs: TxOut[] = tx.outputs;
  if (none) outputs = [];
  else if (single) {
    // Outputs before ours become "null" outputs: value −1 and an empty script.
    outputs = tx.outputs
      .slice(0, inputIndex + 1)
      .map((o, i) => (i === inputIndex ? o : { value: -1n, scriptPubKey: empty }));
  }
  const copy: Transaction = {
    ...tx,
    inputs,
    outputs,
    joinSplitSig: tx.joinSplits.length > 0 ? new Uint8Array(64) : tx.joinSplitSig,
  };
  const body = encodeTransaction(copy);
  const w = new ByteWriter(body.length + 4);
  w.bytes(body).i32(hashType);
  return sha256d(w.finish());
}

/** Display form (byte-reversed hex), as fluxd's test data and RPC print a uint256. */
export function sighashHex(hash: Uint8Array): string {
  return toHex(Uint8Array.from(hash).reverse());
}
