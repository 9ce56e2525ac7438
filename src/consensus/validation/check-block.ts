import { ConsensusError } from '../errors.ts';
import { writeHeader } from '../primitives/header.ts';
import { merkleRoot } from '../primitives/merkle.ts';
import { outpointKey } from '../primitives/outpoint.ts';
import { isFluxnodeTx, transactionHashBytes, encodeTransaction } from '../primitives/transaction.ts';
import type { Block } from '../primitives/types.ts';
import { ByteWriter, equalBytes, reverseHex } from '../bytes.ts';
import { sha256d } from '../hash.ts';
import { checkTransaction, isCoinbase, type TxLimits } from './check-tx.ts';
import { must } from '../must.ts';

/*
 * Stateless block rules, in fluxd's CheckBlock order: merkle root (and the CVE-2012-2459 duplicate
 * test), size, coinbase placement, one fluxnode tx per collateral, every transaction's own rules,
 * and the legacy signature-operation limit. Proof of work and everything that needs the chain
 * (heights, times, payments, UTXOs) are checked elsewhere.
 */

/** Network-rule limits from fluxd's consensus.h. */
export const MAX_BLOCK_SIZE = 2_000_000;
export const MAX_BLOCK_SIGOPS = 20_000;

export interface BlockLimits extends TxLimits {
  /** Largest serialized block; default MAX_BLOCK_SIZE. */
  maxBlockSize?: number;
  /** Most legacy signature operations in a block; default MAX_BLOCK_SIGOPS. */
  maxBlockSigOps?: number;
}

export interface CheckedBlock {
  /** Each transaction's id (internal order), in block order. */
  txids: Uint8Array[];
  /** Serialized size of the whole block. */
  size: number;
  /** Legacy signature operations counted over every script. */
  sigOps: number;
}

function fail(rule: string, detail: string, field: string, value: unknown): never {
  throw new ConsensusError(rule, detail, { field, value });
}

const OP_PUSHDATA1 = 0x4c;
const OP_PUSHDATA2 = 0x4d;
const OP_PUSHDATA4 = 0x4e;
const OP_CHECKSIG = 0xac;
const OP_CHECKSIGVERIFY = 0xad;
const OP_CHECKMULTISIG = 0xae;
const OP_CHECKMULTISIGVERIFY = 0xaf;
/** Legacy counting charges every CHECKMULTISIG the maximum number of keys. */
const MULTISIG_LEGACY_COST = 20;

/**
 * Bitcoin's legacy (inaccurate) sigop count of one script: CHECKSIG(VERIFY) counts 1 and
 * CHECKMULTISIG(VERIFY) counts 20; pushed data is skipped; a truncated push ends the count there.
 */
export function legacySigOpCount(script: Uint8Array): number {
  let count = 0;
  let pc = 0;
  while (pc < script.length) {
    const op = script[pc++]!;
    if (op <= OP_PUSHDATA4) {
      let size: number;
      if (op < OP_PUSHDATA1) size = op;
      else if (op === OP_PUSHDATA1) {
        if (pc + 1 > script.length) break;
        size = script[pc]!;
        pc += 1;
      } else if (op === OP_PUSHDATA2) {
        if (pc + 2 > script.length) break;
        size = script[pc]! | (script[pc + 1]! << 8);
        pc += 2;
      } else {
        if (pc + 4 > script.length) break;
        size =
          (script[pc]! | (script[pc + 1]! << 8) | (script[pc + 2]! << 16) | (script[pc + 3]! << 24)) >>> 0;
        pc += 4;
      }
      if (script.length - pc < size) break;
      pc += size;
    } else if (op === OP_CHECKSIG || op === OP_CHECKSIGVERIFY) {
      count += 1;
    } else if (op === OP_CHECKMULTISIG || op === OP_CHECKMULTISIGVERIFY) {
      count += MULTISIG_LEGACY_COST;
    }
  }
  return count;
}

function compactSizeLength(n: number): number {
  return n < 0xfd ? 1 : n <= 0xffff ? 3 : n <= 0xffffffff ? 5 : 9;
}

/** Throws ConsensusError naming the first stateless rule `block` breaks; returns what it computed. */
export function checkBlock(block: Block, limits: BlockLimits): CheckedBlock {
  const maxBlockSize = limits.maxBlockSize ?? MAX_BLOCK_SIZE;
  const maxSigOps = limits.maxBlockSigOps ?? MAX_BLOCK_SIGOPS;

  const sizes: number[] = [];
  const txids = block.txs.map((tx) => {
    const wire = encodeTransaction(tx);
    sizes.push(wire.length);
    return sha256d(isFluxnodeTx(tx) ? transactionHashBytes(tx) : wire);
  });

  const { root, mutated } = merkleRoot(txids);
  if (!equalBytes(root, block.header.merkleRoot)) {
    fail(
      'bad-txnmrklroot',
      `header commits to ${reverseHex(block.header.merkleRoot)}, transactions give ${reverseHex(root)}`,
      'header.merkleRoot',
      reverseHex(block.header.merkleRoot),
    );
  }
  if (mutated) fail('bad-txns-duplicate', 'transaction list repeats a subtree (CVE-2012-2459)', 'txs', null);

  const headerWriter = new ByteWriter(1600);
  writeHeader(headerWriter, block.header);
  let size = headerWriter.length + compactSizeLength(block.txs.length);
  for (const s of sizes) size += s;
  if (block.txs.length === 0 || block.txs.length > maxBlockSize || size > maxBlockSize) {
    fail(
      'bad-blk-length',
      `${block.txs.length} transactions, ${size} bytes (at most ${maxBlockSize})`,
      'size',
      size,
    );
  }

  const first = block.txs[0];
  if (!first || !isCoinbase(first))
    fail('bad-cb-missing', 'first transaction is not a coinbase', 'txs[0]', 0);
  const collaterals = new Set<string>();
  for (const [i, tx] of block.txs.entries()) {
    if (i === 0) continue;
    if (isCoinbase(tx)) fail('bad-cb-multiple', `transaction ${i} is a second coinbase`, `txs[${i}]`, i);
    if (isFluxnodeTx(tx) && tx.fluxnode) {
      const key = outpointKey(tx.fluxnode.collateral);
      if (collaterals.has(key)) {
        fail(
          'bad-fluxnode-tx-multiple',
          `second fluxnode transaction for collateral ${key}`,
          `txs[${i}]`,
          key,
        );
      }
      collaterals.add(key);
    }
  }

  block.txs.forEach((tx, i) => {
    try {
      checkTransaction(tx, limits, must(sizes[i], 'transaction size'));
    } catch (err) {
      if (!(err instanceof ConsensusError)) throw err;
      const detail = `transaction ${i} (${reverseHex(must(txids[i], 'transaction id'))}): ${err.message}`;
      throw new ConsensusError(err.rule, detail, { field: `txs[${i}].${err.field ?? ''}`, value: err.value });
    }
  });

  let sigOps = 0;
  for (const tx of block.txs) {
    for (const input of tx.inputs) sigOps += legacySigOpCount(input.scriptSig);
    for (const output of tx.outputs) sigOps += legacySigOpCount(output.scriptPubKey);
  }
  if (sigOps > maxSigOps)
    fail('bad-blk-sigops', `${sigOps} signature operations, at most ${maxSigOps}`, 'sigOps', sigOps);

  return { txids, size, sigOps };
}
