import { availableParallelism } from 'node:os';
import {
  type BlockHeader,
  branchIdAt,
  checkBlock as checkBlockStateless,
  checkProofOfWorkTarget,
  ConsensusError,
  type ConsensusParams,
  fluxnodePayeeOutputs,
  headersNeededForNextWork,
  must,
  nextWorkRequired,
  precomputeSighash,
  reverseHex,
  SCRIPT_VERIFY,
  verifyHeaderSolution,
  verifyInputSignature,
  type WorkHeader,
} from '../consensus/index.ts';
import { ScriptVerifierPool, sharedVerifierPool } from './script-pool.ts';
import type { ChainEntry } from './types.ts';
import { checkCoinbaseAmount, checkFundOutputs, checkRequiredOutputs } from './rules/coinbase.ts';
import { checkNoUnverifiedShielded, checkTransactionContext } from './rules/transaction.ts';
import {
  checkCheckpoint,
  checkCoinbaseHeight,
  checkHeaderTime,
  checkTransactionsFinal,
} from './rules/contextual.ts';
import type { BlockContext, BlockValidator, HeaderContext, ScriptCheck } from './validator.ts';

/** Zcash-family blocks are version 4 or later. */
export const MIN_BLOCK_VERSION = 4;

/** Script rules every block must meet in the Zcash family: P2SH and OP_CHECKLOCKTIMEVERIFY. */
export const BLOCK_SCRIPT_FLAGS = SCRIPT_VERIFY.P2SH | SCRIPT_VERIFY.CHECKLOCKTIMEVERIFY;

/**
 * Switches of the rule set. None adds or replaces a rule: the rules are the network's, and only
 * tests turn some off (to build chains without mining) or tune how the work is spread.
 */
export interface DefaultValidatorOptions {
  /**
   * Check the proof of work (hash against the target, Equihash solution). Only chain-logic unit
   * tests turn this off, to build chains without mining.
   */
  checkPow?: boolean;
  /** Check that `bits` is what the difficulty algorithm requires (off only in such unit tests). */
  checkDifficulty?: boolean;
  /**
   * Accept JoinSplits and Sapling spends without verifying their proofs (this node cannot). Off by
   * default: such a transaction is refused (`bad-txns-shielded-unverified`), since an unverified
   * one could create money. Only for replaying history that is trusted by other means.
   */
  trustShieldedProofs?: boolean;
  /**
   * Worker threads for script checks of big blocks (default: one per CPU; 0 = always inline).
   * Blocks with fewer than `parallelMinInputs` inputs (default 32) are checked inline.
   */
  scriptThreads?: number;
  parallelMinInputs?: number;
}

/** The `count` headers ending at `e`, oldest first, as retargeting reads them. */
export function recentWorkHeaders(e: ChainEntry, count: number): WorkHeader[] {
  const out: WorkHeader[] = [];
  for (let cur: ChainEntry | null = e; cur && out.length < count; cur = cur.parent) {
    out.push({ height: cur.height, time: cur.time, bits: cur.bits });
  }
  return out.reverse();
}

/** Bits the block after `prev` must carry, given its time. */
export function requiredBits(prev: ChainEntry, time: number, params: ConsensusParams): number {
  return nextWorkRequired(recentWorkHeaders(prev, headersNeededForNextWork(params)), time, params);
}

const OP_HASH160 = 0xa9;
const OP_CHECKSIG = 0xac;
const OP_CHECKMULTISIGVERIFY = 0xaf;

/**
 * Inputs that may check a signature (their coin's script has a CHECKSIG-family opcode byte, or is
 * P2SH and so runs a script we cannot see yet), counted up to `enough`. Inputs of anyone-can-spend
 * or hash-locked coins cost less to verify than to hand to another thread.
 */
export function signatureChecks(checks: readonly ScriptCheck[], enough: number): number {
  let n = 0;
  for (const c of checks) {
    for (const coin of c.spent) {
      const s = coin.scriptPubKey;
      if (s[0] === OP_HASH160 || s.some((b) => b >= OP_CHECKSIG && b <= OP_CHECKMULTISIGVERIFY)) n++;
    }
    if (n >= enough) return n;
  }
  return n;
}

/** Sequential script verification of every input of every transaction. */
export function verifyScriptsInline(checks: ScriptCheck[], ctx: BlockContext): void {
  const branchId = branchIdAt(ctx.height, ctx.params);
  for (const { tx, txIndex, spent } of checks) {
    // The shared sighash parts pay off only when several inputs sign over them.
    const cache = tx.overwintered && tx.inputs.length > 1 ? precomputeSighash(tx) : undefined;
    for (let i = 0; i < tx.inputs.length; i++) {
      const coin = must(spent[i], 'the coin a block input spends');
      try {
        verifyInputSignature(
          tx,
          i,
          { value: coin.value, scriptPubKey: coin.scriptPubKey },
          branchId,
          BLOCK_SCRIPT_FLAGS,
          cache,
        );
      } catch (err) {
        if (!(err instanceof ConsensusError)) throw err;
        throw new ConsensusError(err.rule, `transaction ${txIndex} input ${i}: ${err.message}`, {
          field: `txs[${txIndex}].inputs[${i}].scriptSig`,
          value: err.value,
        });
      }
    }
  }
}

/** The full rule set, wired from `consensus/`: what every Chain validates with. */
export function defaultValidator(
  params: ConsensusParams,
  options: DefaultValidatorOptions = {},
): BlockValidator {
  const checkPow = options.checkPow ?? true;
  const checkDifficulty = options.checkDifficulty ?? true;
  const trustShielded = options.trustShieldedProofs ?? false;
  const threads = options.scriptThreads ?? availableParallelism();
  const minInputs = options.parallelMinInputs ?? 32;
  // The process's shared pool unless a thread count of its own was asked for (tests).
  const own = options.scriptThreads !== undefined && options.scriptThreads !== availableParallelism();
  let pool: ScriptVerifierPool | undefined;
  const poolNow = () => {
    pool ??= own ? new ScriptVerifierPool(threads) : sharedVerifierPool();
    return pool;
  };
  const verifyScripts = (checks: ScriptCheck[], ctx: BlockContext): void | Promise<void> => {
    if (threads < 1 || signatureChecks(checks, minInputs) < minInputs)
      return verifyScriptsInline(checks, ctx);
    return poolNow().verify(checks, branchIdAt(ctx.height, params), BLOCK_SCRIPT_FLAGS);
  };
  return {
    checkHeader(header: BlockHeader, ctx: HeaderContext): void {
      if (header.version < MIN_BLOCK_VERSION) {
        throw new ConsensusError(
          'version-too-low',
          `block version ${header.version} is below ${MIN_BLOCK_VERSION}`,
          {
            field: 'header.version',
            value: header.version,
          },
        );
      }
      checkHeaderTime(header, ctx);
      checkCheckpoint(reverseHex(ctx.hash), ctx.height, params.checkpoints);
      if (checkDifficulty) {
        const want = requiredBits(ctx.prev, header.time, params);
        if (header.bits !== want) {
          throw new ConsensusError(
            'bad-diffbits',
            `bits 0x${header.bits.toString(16)} differ from the required 0x${want.toString(16)}`,
            { field: 'header.bits', value: header.bits },
          );
        }
      }
      if (checkPow) {
        checkProofOfWorkTarget(ctx.hash, header.bits, params.difficulty.powLimit);
        verifyHeaderSolution(header, ctx.height, params);
      }
    },

    checkBlock(block, ctx) {
      const { txids } = checkBlockStateless(block, {
        maxMoney: params.maxMoney,
        maxBlockSize: params.maxBlockSize,
      });
      checkCoinbaseHeight(block, ctx.height);
      checkTransactionsFinal(block, ctx.height);
      for (const [t, tx] of block.txs.entries()) {
        checkTransactionContext(tx, t, ctx.height, params);
        if (!trustShielded) checkNoUnverifiedShielded(tx, t);
      }
      return { txids };
    },

    checkCoinbase(ctx): void {
      checkCoinbaseAmount(ctx, params);
      checkFundOutputs(ctx, params);
      // The payee rule: each tier's node at the front of the queue gets its share (`bad-cb-payee`).
      const required = fluxnodePayeeOutputs(ctx.height, params, ctx.payees);
      if (required.length) checkRequiredOutputs(ctx, required);
    },

    verifyScripts,

    async close() {
      // The shared pool outlives a chain; its idle threads stop by themselves.
      if (own) await pool?.close();
      pool = undefined;
    },
  };
}
