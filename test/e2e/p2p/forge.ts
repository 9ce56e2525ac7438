/**
 * Blocks and transactions a hostile peer sends: real proof of work on bodies that break a rule,
 * headers whose proof of work is wrong, well-formed messages that point at nothing.
 */
import { randomBytes } from 'node:crypto';
import { merkleRoot } from '../../../src/consensus/primitives/merkle.ts';
import {
  SAPLING_TX_VERSION,
  SAPLING_VERSION_GROUP_ID,
  txid,
} from '../../../src/consensus/primitives/transaction.ts';
import type { Block, BlockHeader, Transaction } from '../../../src/consensus/primitives/types.ts';
import { cpuSolver, solveNonce } from '../../../src/mining/pow.ts';
import type { BlockTemplate } from '../../../src/mining/template.ts';
import { at } from '../../support/at.ts';
import assert from 'node:assert/strict';

/** Solves `t` with `header` fields replaced; the body is `txs` (the template's by default). */
export function mineForged(
  t: BlockTemplate,
  opts: { txs?: Transaction[]; merkleRoot?: Uint8Array; header?: Partial<BlockHeader> } = {},
): Block {
  const txs = opts.txs ?? t.txs;
  const header: BlockHeader = {
    ...t.header,
    merkleRoot: opts.merkleRoot ?? merkleRoot(txs.map((tx) => txid(tx))).root,
    ...opts.header,
  };
  const forged = { ...t, header };
  for (;;) {
    const found = solveNonce(forged, Uint8Array.from(randomBytes(32)), cpuSolver);
    if (found.header) return { header: found.header, txs };
  }
}

/** The template's block with a solution of the right size that is not a solution. */
export function badPowBlock(t: BlockTemplate): Block {
  const { n, k } = at(t.equihash, 0);
  const size = ((1 << k) * (n / (k + 1) + 1)) / 8;
  return {
    header: {
      ...t.header,
      nonce: Uint8Array.from(randomBytes(32)),
      solution: Uint8Array.from(randomBytes(size)),
    },
    txs: t.txs,
  };
}

/** The template with the miner's output raised by `extra` satoshis (more than subsidy + fees allows). */
export function overpayingCoinbase(t: BlockTemplate, extra: bigint): Transaction[] {
  const [cb, ...rest] = t.txs;
  assert.ok(cb, 'a template has a coinbase');
  const outputs = cb.outputs.map((o, i) => (i === 0 ? { ...o, value: o.value + extra } : o));
  return [{ ...cb, outputs }, ...rest];
}

/** A well-formed transaction spending an output that does not exist. */
export function phantomSpend(): Transaction {
  return {
    version: SAPLING_TX_VERSION,
    overwintered: true,
    versionGroupId: SAPLING_VERSION_GROUP_ID,
    inputs: [
      {
        prevout: { txid: Uint8Array.from(randomBytes(32)), index: 0 },
        scriptSig: Uint8Array.of(0x51),
        sequence: 0xffffffff,
      },
    ],
    outputs: [{ value: 1_000_000n, scriptPubKey: Uint8Array.of(0x51) }],
    lockTime: 0,
    expiryHeight: 0,
    valueBalance: 0n,
    shieldedSpends: [],
    shieldedOutputs: [],
    joinSplits: [],
  };
}

/** A well-formed block whose parent nobody has (its proof of work is not checked here). */
export function unconnectedBlock(t: BlockTemplate, padding = 0): Block {
  const txs = padding ? [...t.txs, ...Array.from({ length: padding }, phantomSpend)] : t.txs;
  return {
    header: {
      ...t.header,
      prevHash: Uint8Array.from(randomBytes(32)),
      merkleRoot: merkleRoot(txs.map((tx) => txid(tx))).root,
      nonce: Uint8Array.from(randomBytes(32)),
    },
    txs,
  };
}
