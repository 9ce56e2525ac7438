import { readFileSync } from 'node:fs';
import { fromHex } from '../src/consensus/bytes.ts';
import { decodeBlock, encodeBlock } from '../src/consensus/primitives/block.ts';
import { headerHash } from '../src/consensus/primitives/header.ts';
import { decodeTransaction, txid } from '../src/consensus/primitives/transaction.ts';
import { checkBlock } from '../src/consensus/validation/check-block.ts';
import type { Benchmark } from './harness.ts';

const vector = (name: string) =>
  fromHex(readFileSync(new URL(`../test/spec/vectors/${name}`, import.meta.url), 'utf8'), name);

// A real Zcash mainnet block (header with a 1344-byte solution, four v3 transactions, two with JoinSplits).
const blockBytes = vector('zcash-mainnet-block-347501.hex');
const saplingTx = vector('komodo-zombie-tx-v4-sapling.hex');
const block = decodeBlock(blockBytes);
const limits = { maxMoney: 21_000_000n * 100_000_000n };

export const benchmarks: Benchmark[] = [
  {
    // Double SHA-256 over the full header (1,487 bytes with a 200,9 solution), as a node hashes every header it sees.
    name: 'primitives: block-header hashes (200,9 header with solution)',
    unit: 'hashes/s',
    run: () => {
      const n = 20_000;
      for (let i = 0; i < n; i++) headerHash(block.header);
      return n;
    },
  },
  {
    name: 'primitives: decode + re-encode a 5.7 kB block',
    unit: 'blocks/s',
    run: () => {
      const n = 2000;
      for (let i = 0; i < n; i++) encodeBlock(decodeBlock(blockBytes));
      return n;
    },
  },
  {
    name: 'primitives: decode a Sapling tx and compute its txid',
    unit: 'txs/s',
    run: () => {
      const n = 5000;
      for (let i = 0; i < n; i++) txid(decodeTransaction(saplingTx));
      return n;
    },
  },
  {
    name: 'validation: checkBlock (merkle, sizes, tx rules, sigops)',
    unit: 'blocks/s',
    run: () => {
      const n = 2000;
      for (let i = 0; i < n; i++) checkBlock(block, limits);
      return n;
    },
  },
];
