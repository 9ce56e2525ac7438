import {
  branchIdAt,
  type ConsensusParams,
  must,
  type OutPoint,
  precomputeSighash,
  SAPLING_TX_VERSION,
  SAPLING_VERSION_GROUP_ID,
  SIGHASH_ALL,
  signInputScript,
  type Transaction,
  type TxOut,
  upgradeActive,
} from '../consensus/index.ts';
import { OUTPUT_BYTES, P2PKH_INPUT_BYTES, TX_OVERHEAD_BYTES } from './coin-select.ts';

/** Blocks a v4 transaction stays minable after the block it was built for (Zcash's default). */
export const DEFAULT_EXPIRY_DELTA = 20;
/** The version transparent-only wallets used before Overwinter. */
export const LEGACY_TX_VERSION = 1;
/** A P2PKH input spent with an uncompressed (65-byte) public key. */
export const UNCOMPRESSED_P2PKH_INPUT_BYTES = P2PKH_INPUT_BYTES + 32;
const SEQUENCE_FINAL = 0xffffffff;

/** How a transaction for the block at `height` must be framed and signed. */
export interface TxFrame {
  height: number;
  /** Sapling v4 (Acadia active) or a legacy v1 transaction. */
  sapling: boolean;
  /** Consensus branch id its ZIP-243 signature hashes commit to. */
  branchId: number;
  /** 0 = never expires (always 0 for legacy transactions). */
  expiryHeight: number;
}

/**
 * The frame for a transaction meant for block `height` (the tip's height + 1): v4 Sapling with its
 * version group and an expiry height once Acadia (Overwinter + Sapling on Flux) is active, legacy
 * v1 before; signatures commit to the branch id of the upgrade in force at that height.
 */
export function frameFor(
  height: number,
  params: ConsensusParams,
  expiryDelta = DEFAULT_EXPIRY_DELTA,
): TxFrame {
  const sapling = upgradeActive('acadia', height, params);
  return {
    height,
    sapling,
    branchId: branchIdAt(height, params),
    expiryHeight: sapling && expiryDelta > 0 ? height + expiryDelta : 0,
  };
}

export function unsignedTransaction(
  frame: TxFrame,
  inputs: readonly OutPoint[],
  outputs: readonly TxOut[],
): Transaction {
  return {
    version: frame.sapling ? SAPLING_TX_VERSION : LEGACY_TX_VERSION,
    overwintered: frame.sapling,
    versionGroupId: frame.sapling ? SAPLING_VERSION_GROUP_ID : 0,
    inputs: inputs.map((prevout) => ({ prevout, scriptSig: new Uint8Array(0), sequence: SEQUENCE_FINAL })),
    outputs: outputs.map((o) => ({ value: o.value, scriptPubKey: o.scriptPubKey })),
    lockTime: 0,
    expiryHeight: frame.expiryHeight,
    valueBalance: 0n,
    shieldedSpends: [],
    shieldedOutputs: [],
    joinSplits: [],
  };
}

function compactSizeBytes(n: number): number {
  return n < 0xfd ? 1 : n <= 0xffff ? 3 : n <= 0xffffffff ? 5 : 9;
}

export function outputBytes(o: TxOut): number {
  return 8 + compactSizeBytes(o.scriptPubKey.length) + o.scriptPubKey.length;
}

/**
 * Bytes the real transaction may have beyond coin selection's P2PKH-only estimate: the frame's
 * fixed fields (version group, expiry, empty Sapling and JoinSplit lists; counts up to 65,535) and
 * outputs larger than a P2PKH one. An upper bound, so that the fee always covers the signed size.
 */
export function extraBytesFor(frame: TxFrame, outputs: readonly TxOut[]): number {
  const counts = 3 + 3;
  // v4: header, group id, lock time, expiry, valueBalance, three empty list counts; v1: header, lock time.
  const fixed = frame.sapling ? 4 + 4 + 4 + 4 + 8 + 1 + 1 + 1 : 4 + 4;
  let extra = fixed + counts - TX_OVERHEAD_BYTES;
  for (const o of outputs) extra += Math.max(0, outputBytes(o) - OUTPUT_BYTES);
  return extra;
}

export interface SigningKey {
  privateKey: Uint8Array;
  compressed: boolean;
}

/**
 * Signs every input (SIGHASH_ALL, P2PKH or P2PK outputs) of `tx`; `spent[i]` is the output input i
 * spends and `keyFor` gives the key for its script. Returns a new transaction.
 */
export function signAllInputs(
  tx: Transaction,
  spent: readonly TxOut[],
  keyFor: (script: Uint8Array, inputIndex: number) => SigningKey,
  branchId: number,
): Transaction {
  // Each signature hash ignores the other inputs' scriptSigs, so all are computed on the unsigned form.
  const cache = tx.overwintered ? precomputeSighash(tx) : undefined;
  const inputs = tx.inputs.map((input, i) => {
    const coin = must(spent[i], 'the output an input spends');
    const key = keyFor(coin.scriptPubKey, i);
    const scriptSig = signInputScript(tx, i, key.privateKey, coin, branchId, {
      hashType: SIGHASH_ALL,
      compressed: key.compressed,
      cache,
    });
    return { ...input, scriptSig };
  });
  return { ...tx, inputs };
}
