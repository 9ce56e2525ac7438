/**
 * Transactions meet scripts: the signature checker the interpreter uses to verify an input, and
 * signing of P2PKH / P2PK inputs for the wallet.
 */
import { concatBytes, equalBytes, toHex } from '../bytes.ts';
import { ConsensusError } from '../errors.ts';
import { hash160 } from '../hash.ts';
import { publicKeyOf, signDigest, verifyDigest } from '../keys/keys.ts';
import type { Transaction, TxOut } from '../primitives/types.ts';
import {
  type SignatureChecker,
  SIGHASH_ALL,
  STANDARD_SCRIPT_VERIFY_FLAGS,
  verifyScript,
} from './interpreter.ts';
import { type SighashCache, precomputeSighash, signatureHash } from './sighash.ts';
import { classifyScript, p2pkhScriptSig, p2pkScriptSig } from './templates.ts';
import { must } from '../must.ts';

/** Lock times below this are block heights, at or above it Unix times. */
export const LOCKTIME_THRESHOLD = 500_000_000;
const SEQUENCE_FINAL = 0xffffffff;

/**
 * Signatures already verified (fluxd's sigcache): a mempool that checked a transaction's inputs
 * need not redo the ECDSA work when the same transaction arrives in a block. Keys commit to the
 * digest, signature and public key, so a hit is exactly as good as a fresh verification. Oldest
 * entries are dropped beyond `capacity`.
 */
export class SignatureCache {
  private readonly seen = new Set<string>();
  readonly capacity: number;

  constructor(capacity = 50_000) {
    this.capacity = capacity;
  }

  static key(digest: Uint8Array, derSignature: Uint8Array, pubKey: Uint8Array): string {
    return `${toHex(digest)}:${toHex(derSignature)}:${toHex(pubKey)}`;
  }

  has(key: string): boolean {
    return this.seen.has(key);
  }

  add(key: string): void {
    if (this.seen.has(key)) return;
    if (this.seen.size >= this.capacity) {
      const oldest = this.seen.values().next();
      if (!oldest.done) this.seen.delete(oldest.value);
    }
    this.seen.add(key);
  }

  get size(): number {
    return this.seen.size;
  }
}

export interface CheckerOptions {
  /** Shared ZIP-143/243 parts of the transaction, computed once for all its inputs. */
  cache?: SighashCache;
  /** Valid signatures seen before; successful verifications are added. */
  signatureCache?: SignatureCache;
}

/** The options may be given as just the precomputed sighash parts. */
function checkerOptions(options: SighashCache | CheckerOptions | undefined): CheckerOptions {
  if (!options) return {};
  return 'hashPrevouts' in options ? { cache: options } : options;
}

/**
 * fluxd's TransactionSignatureChecker for input `inputIndex` of `tx`, which spends an output
 * worth `amount` under consensus branch `consensusBranchId`.
 */
export function transactionChecker(
  tx: Transaction,
  inputIndex: number,
  amount: bigint,
  consensusBranchId: number,
  options: SighashCache | CheckerOptions = {},
): SignatureChecker {
  const { cache, signatureCache } = checkerOptions(options);
  return {
    checkSig(signature, pubKey, scriptCode) {
      const hashType = signature.at(-1);
      if (hashType === undefined) return false;
      let digest: Uint8Array;
      try {
        digest = signatureHash(tx, inputIndex, scriptCode, amount, hashType, consensusBranchId, cache);
      } catch (err) {
        // A hash that cannot be formed (SIGHASH_SINGLE without its output) is a failed signature.
        if (err instanceof ConsensusError) return false;
        throw err;
      }
      const der = signature.subarray(0, signature.length - 1);
      if (!signatureCache) return verifyDigest(der, digest, pubKey);
      const key = SignatureCache.key(digest, der, pubKey);
      if (signatureCache.has(key)) return true;
      const ok = verifyDigest(der, digest, pubKey);
      if (ok) signatureCache.add(key);
      return ok;
    },
    checkLockTime(lockTime) {
      const txLockTime = BigInt(tx.lockTime);
      const threshold = BigInt(LOCKTIME_THRESHOLD);
      // Heights compare with heights and times with times.
      if (txLockTime < threshold !== lockTime < threshold) return false;
      if (lockTime > txLockTime) return false;
      // A final input would let the transaction ignore its lock time altogether.
      return must(tx.inputs[inputIndex], 'the input being checked').sequence !== SEQUENCE_FINAL;
    },
  };
}

/**
 * Verify input `inputIndex` of `tx` against the output it spends. Throws ScriptError naming the
 * failing opcode (rule `mandatory-script-verify-flag-failed`).
 */
export function verifyInputSignature(
  tx: Transaction,
  inputIndex: number,
  spent: TxOut,
  consensusBranchId: number,
  flags: number = STANDARD_SCRIPT_VERIFY_FLAGS,
  options: SighashCache | CheckerOptions = {},
): void {
  const input = tx.inputs[inputIndex];
  if (!input) {
    throw new ConsensusError('bad-txns-input-index', `input ${inputIndex} does not exist`, {
      field: 'inputIndex',
      value: inputIndex,
    });
  }
  const checker = transactionChecker(tx, inputIndex, spent.value, consensusBranchId, options);
  verifyScript(input.scriptSig, spent.scriptPubKey, checker, flags);
}

/** Verify every transparent input; `spent[i]` is the output input i spends. */
export function verifyTransactionInputs(
  tx: Transaction,
  spent: TxOut[],
  consensusBranchId: number,
  flags: number = STANDARD_SCRIPT_VERIFY_FLAGS,
  signatureCache?: SignatureCache,
): void {
  if (spent.length !== tx.inputs.length) {
    throw new ConsensusError(
      'bad-txns-inputs-missing',
      `${tx.inputs.length} inputs but ${spent.length} spent outputs given`,
      { field: 'spent', value: spent.length },
    );
  }
  const cache = tx.overwintered ? precomputeSighash(tx) : undefined;
  for (const [i, out] of spent.entries()) {
    verifyInputSignature(tx, i, out, consensusBranchId, flags, { cache, signatureCache });
  }
}

export interface SignInputOptions {
  hashType?: number;
  /** Use the compressed public key (default true; it must be the one the output pays to). */
  compressed?: boolean;
  cache?: SighashCache;
}

/**
 * Sign input `inputIndex` of `tx`, which spends the P2PKH (or P2PK) output `spent`, with
 * `privateKey`. Returns a new transaction with that input's scriptSig filled in; `tx` is unchanged.
 */
export function signInput(
  tx: Transaction,
  inputIndex: number,
  privateKey: Uint8Array,
  spent: TxOut,
  consensusBranchId: number,
  options: SignInputOptions = {},
): Transaction {
  const scriptSig = signInputScript(tx, inputIndex, privateKey, spent, consensusBranchId, options);
  const inputs = tx.inputs.map((input, i) => (i === inputIndex ? { ...input, scriptSig } : input));
  return { ...tx, inputs };
}

/** The scriptSig `signInput` would put in place. */
export function signInputScript(
  tx: Transaction,
  inputIndex: number,
  privateKey: Uint8Array,
  spent: TxOut,
  consensusBranchId: number,
  options: SignInputOptions = {},
): Uint8Array {
  const hashType = options.hashType ?? SIGHASH_ALL;
  const pubKey = publicKeyOf(privateKey, options.compressed ?? true);
  const template = classifyScript(spent.scriptPubKey);
  if (template.type === 'p2pkh') {
    if (!equalBytes(template.hash, hash160(pubKey))) {
      throw new ConsensusError(
        'sign-wrong-key',
        `output pays to key hash ${toHex(template.hash)}, this key's hash is ${toHex(hash160(pubKey))}`,
        { field: 'privateKey', value: inputIndex },
      );
    }
  } else if (template.type === 'p2pk') {
    if (!equalBytes(template.pubKey, pubKey)) {
      throw new ConsensusError(
        'sign-wrong-key',
        `output pays to key ${toHex(template.pubKey)}, not this key`,
        {
          field: 'privateKey',
          value: inputIndex,
        },
      );
    }
  } else {
    throw new ConsensusError(
      'sign-unsupported-script',
      `cannot sign a ${template.type} output with one key`,
      {
        field: 'spent.scriptPubKey',
        value: toHex(spent.scriptPubKey),
      },
    );
  }
  const digest = signatureHash(
    tx,
    inputIndex,
    spent.scriptPubKey,
    spent.value,
    hashType,
    consensusBranchId,
    options.cache,
  );
  const signature = concatBytes(signDigest(digest, privateKey), Uint8Array.of(hashType & 0xff));
  return template.type === 'p2pkh' ? p2pkhScriptSig(signature, pubKey) : p2pkScriptSig(signature);
}
