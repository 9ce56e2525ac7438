import { REFERENCE_DIR } from '../../support/reference.ts';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fromHex } from '../../../src/consensus/bytes.ts';
import { ConsensusError } from '../../../src/consensus/errors.ts';
import { decodeBlock } from '../../../src/consensus/primitives/block.ts';
import { merkleRoot } from '../../../src/consensus/primitives/merkle.ts';
import { txid } from '../../../src/consensus/primitives/transaction.ts';
import {
  type Block,
  COIN,
  FLUXNODE_START,
  type Transaction,
} from '../../../src/consensus/primitives/types.ts';
import { checkBlock, legacySigOpCount } from '../../../src/consensus/validation/check-block.ts';
import { at } from '../../support/at.ts';

const limits = { maxMoney: 21_000_000n * COIN };
const genesis = JSON.parse(readFileSync(`${REFERENCE_DIR}/vectors/mainnet-genesis.json`, 'utf8')) as {
  blockHex: string;
};
const load = (name: string): Block =>
  decodeBlock(fromHex(readFileSync(new URL(`../vectors/${name}`, import.meta.url), 'utf8'), name));
const genesisBlock = () => decodeBlock(fromHex(genesis.blockHex));

/** Re-commits the header to the block's transactions, so that a later rule is the one tested. */
function recommit(block: Block): Block {
  block.header.merkleRoot = merkleRoot(block.txs.map(txid)).root;
  return block;
}

function rejects(block: Block, rule: string): ConsensusError {
  let caught: ConsensusError | undefined;
  assert.throws(
    () => checkBlock(block, limits),
    (err: unknown) => {
      assert.ok(err instanceof ConsensusError, String(err));
      assert.equal(err.rule, rule, err.message);
      caught = err;
      return true;
    },
  );
  return caught!;
}

function spendTx(n: number): Transaction {
  return {
    version: 1,
    overwintered: false,
    versionGroupId: 0,
    inputs: [
      {
        prevout: { txid: new Uint8Array(32).fill(n), index: 0 },
        scriptSig: Uint8Array.of(0x51),
        sequence: 0,
      },
    ],
    outputs: [{ value: COIN, scriptPubKey: Uint8Array.of(0x51) }],
    lockTime: 0,
    expiryHeight: 0,
    valueBalance: 0n,
    shieldedSpends: [],
    shieldedOutputs: [],
    joinSplits: [],
  };
}

function startTx(sigTime: number): Transaction {
  return {
    ...spendTx(0),
    version: 5,
    inputs: [],
    outputs: [],
    fluxnode: {
      type: FLUXNODE_START,
      collateral: { txid: new Uint8Array(32).fill(9), index: 1 },
      collateralPubKey: new Uint8Array(33).fill(2),
      pubKey: new Uint8Array(33).fill(3),
      sigTime,
      sig: new Uint8Array(65),
    },
  };
}

test('real blocks pass the stateless block rules', () => {
  for (const [block, bytes] of [
    [genesisBlock(), fromHex(genesis.blockHex).length],
    [load('zcash-mainnet-block-396.hex'), 3643],
    [load('zcash-mainnet-block-347501.hex'), 5749],
  ] as const) {
    const checked = checkBlock(block, limits);
    assert.equal(checked.size, bytes);
    assert.deepEqual(checked.txids, block.txs.map(txid));
  }
  assert.equal(checkBlock(genesisBlock(), limits).sigOps, 1, 'the genesis output is one pay-to-pubkey');
});

test('bad-txnmrklroot: the header must commit to the transactions', () => {
  const block = genesisBlock();
  block.header.merkleRoot[0]! ^= 1;
  rejects(block, 'bad-txnmrklroot');
  const reordered = load('zcash-mainnet-block-347501.hex');
  reordered.txs.splice(1, 2, at(reordered.txs, 2), at(reordered.txs, 1));
  rejects(reordered, 'bad-txnmrklroot');
});

test('bad-txns-duplicate: a repeated last transaction keeps the root but is refused (CVE-2012-2459)', () => {
  const block = load('zcash-mainnet-block-347501.hex');
  block.txs = block.txs.slice(0, 3);
  recommit(block);
  checkBlock(block, limits);
  block.txs.push(at(block.txs, 2));
  rejects(block, 'bad-txns-duplicate');
});

test('bad-blk-length: empty blocks and blocks over 2 MB', () => {
  const empty = genesisBlock();
  empty.txs = [];
  recommit(empty);
  rejects(empty, 'bad-blk-length');
  const big = genesisBlock();
  const filler = spendTx(1);
  at(filler.outputs, 0).scriptPubKey = new Uint8Array(1_000_000);
  big.txs.push(filler, { ...structuredClone(filler), lockTime: 1 });
  recommit(big);
  rejects(big, 'bad-blk-length');
});

test('bad-cb-missing and bad-cb-multiple: one coinbase, first', () => {
  const noCoinbase = genesisBlock();
  noCoinbase.txs = [spendTx(1)];
  rejects(recommit(noCoinbase), 'bad-cb-missing');
  const two = genesisBlock();
  two.txs.push({ ...structuredClone(at(two.txs, 0)), lockTime: 5 });
  rejects(recommit(two), 'bad-cb-multiple');
});

test('bad-fluxnode-tx-multiple: one fluxnode transaction per collateral in a block', () => {
  const block = genesisBlock();
  block.txs.push(startTx(1));
  checkBlock(recommit(block), limits);
  block.txs.push(startTx(2));
  rejects(recommit(block), 'bad-fluxnode-tx-multiple');
});

test('a transaction rule failing inside a block keeps its rule name and says which transaction', () => {
  const block = genesisBlock();
  const bad = spendTx(1);
  at(bad.outputs, 0).value = -1n;
  block.txs.push(bad);
  const err = rejects(recommit(block), 'bad-txns-vout-negative');
  assert.equal(err.field, 'txs[1].vout[0].value');
  assert.match(err.message, /transaction 1/);
});

test('bad-blk-sigops: at most 20,000 legacy signature operations per block', () => {
  const block = genesisBlock();
  const heavy = spendTx(1);
  at(heavy.outputs, 0).scriptPubKey = new Uint8Array(19_999).fill(0xac); // OP_CHECKSIG × 19,999
  block.txs.push(heavy);
  assert.equal(checkBlock(recommit(block), limits).sigOps, 20_000);
  at(heavy.outputs, 0).scriptPubKey = new Uint8Array(20_000).fill(0xac);
  rejects(recommit(block), 'bad-blk-sigops');
});

test('legacy sigop counting skips pushed data and charges multisig 20', () => {
  const p2pkh = fromHex('76a914000102030405060708090a0b0c0d0e0f1011121388ac');
  assert.equal(legacySigOpCount(p2pkh), 1);
  assert.equal(legacySigOpCount(Uint8Array.of(0x52, 0x21, ...new Uint8Array(33), 0x51, 0xae)), 20);
  assert.equal(legacySigOpCount(Uint8Array.of(0x02, 0xac, 0xac)), 0, 'the 0xac bytes are data');
  assert.equal(legacySigOpCount(Uint8Array.of(0x4c, 0x01, 0xac, 0xad)), 1);
  assert.equal(legacySigOpCount(Uint8Array.of(0x4d, 0x01, 0x00, 0xae, 0xac)), 1);
  assert.equal(legacySigOpCount(Uint8Array.of(0xac, 0x4e, 0xff, 0xff)), 1, 'a truncated push ends the count');
});
