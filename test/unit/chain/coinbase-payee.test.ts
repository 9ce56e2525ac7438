/**
 * The coinbase payee rule as fluxd's CheckZelnodePayout has it: each node due a payment gets an
 * output to its script of exactly its share. Ours is `bad-cb-payee`; fluxd rejects the same
 * blocks with `bad-txns-not-paying-correct-zelnodes`.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkRequiredOutputs } from '../../../src/chain/rules/coinbase.ts';
import { ConsensusError } from '../../../src/consensus/errors.ts';
import type { Transaction, TxOut } from '../../../src/consensus/primitives/types.ts';
import { p2pkhScript } from '../../../src/consensus/script/templates.ts';

const MINER = p2pkhScript(new Uint8Array(20).fill(0x11));
const NODE = p2pkhScript(new Uint8Array(20).fill(0x42));
const DUE: TxOut = { value: 5_625_000_00n, scriptPubKey: NODE };

function coinbase(outputs: TxOut[]): { coinbase: Transaction } {
  return {
    coinbase: {
      version: 4,
      overwintered: true,
      versionGroupId: 0x892f2085,
      inputs: [],
      outputs,
      lockTime: 0,
      expiryHeight: 0,
      valueBalance: 0n,
      shieldedSpends: [],
      shieldedOutputs: [],
      joinSplits: [],
    },
  };
}

const refusedAsPayee = (err: unknown) => err instanceof ConsensusError && err.rule === 'bad-cb-payee';

test('paying the node exactly its share passes', () => {
  checkRequiredOutputs(coinbase([{ value: 100n, scriptPubKey: MINER }, DUE]), [DUE]);
});

test('one satoshi more than the share is refused, as fluxd refuses it (bad-txns-not-paying-correct-zelnodes)', () => {
  const over = coinbase([
    { value: 99n, scriptPubKey: MINER },
    { ...DUE, value: DUE.value + 1n },
  ]);
  assert.throws(() => checkRequiredOutputs(over, [DUE]), refusedAsPayee);
});

test('one satoshi less, another script, or no output at all are refused too', () => {
  for (const outputs of [
    [{ ...DUE, value: DUE.value - 1n }],
    [{ ...DUE, scriptPubKey: MINER }],
    [{ value: 100n, scriptPubKey: MINER }],
  ]) {
    assert.throws(() => checkRequiredOutputs(coinbase(outputs), [DUE]), refusedAsPayee);
  }
});

test('one output cannot pay two required payments', () => {
  assert.throws(() => checkRequiredOutputs(coinbase([DUE]), [DUE, DUE]), refusedAsPayee);
  checkRequiredOutputs(coinbase([DUE, DUE]), [DUE, DUE]);
});
