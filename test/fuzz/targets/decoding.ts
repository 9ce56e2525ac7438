/**
 * Block, transaction and header decoding: any bytes either decode to a value that encodes back to
 * exactly those bytes (the reader is strict: one encoding per value), or are refused with a
 * DecodeError/ConsensusError naming the field. Seeds: real blocks and transactions from the
 * reference vectors, and every network's genesis block.
 */
import { readFileSync } from 'node:fs';
import { genesisBlock } from '../../../src/chain/genesis.ts';
import { equalBytes, fromHex } from '../../../src/consensus/bytes.ts';
import { ConsensusError } from '../../../src/consensus/errors.ts';
import { paramsFor } from '../../../src/consensus/params/index.ts';
import { decodeBlock, encodeBlock } from '../../../src/consensus/primitives/block.ts';
import { decodeHeader, encodeHeader } from '../../../src/consensus/primitives/header.ts';
import { decodeTransaction, encodeTransaction } from '../../../src/consensus/primitives/transaction.ts';
import { mutatedBytes } from '../mutate.ts';
import { type FuzzTarget, onlyTyped } from '../target.ts';

const vector = (name: string) =>
  fromHex(readFileSync(new URL(`../../spec/vectors/${name}`, import.meta.url), 'utf8'), name);

const blocks = [
  ...(['mainnet', 'regtest'] as const).map((n) => encodeBlock(genesisBlock(paramsFor(n)))),
  vector('zcash-mainnet-block-396.hex'),
  vector('zcash-mainnet-block-347501.hex'),
];
const txs = [
  vector('komodo-zombie-tx-v4-sapling.hex'),
  vector('zcash-testnet-tx-v4-joinsplit.hex'),
  ...blocks.flatMap((b) => decodeBlock(b).txs.map(encodeTransaction)),
];
const headers = blocks.map((b) => encodeHeader(decodeBlock(b).header));

function roundTrip<T>(
  name: string,
  decode: (b: Uint8Array) => T,
  encode: (v: T) => Uint8Array,
): (bytes: Uint8Array) => string | undefined {
  return (bytes) => {
    let decoded: T | undefined;
    const finding = onlyTyped(
      () => {
        decoded = decode(bytes);
      },
      (err) => err instanceof ConsensusError,
    );
    if (finding || decoded === undefined) return finding;
    const again = encode(decoded);
    return equalBytes(again, bytes)
      ? undefined
      : `${name} of ${bytes.length} bytes re-encodes to ${again.length} other bytes`;
  };
}

export const decodingTargets: FuzzTarget<Uint8Array>[] = [
  {
    name: 'decode-block',
    input: mutatedBytes(blocks, 8192),
    check: roundTrip('block', decodeBlock, encodeBlock),
  },
  {
    name: 'decode-tx',
    input: mutatedBytes(txs),
    check: roundTrip('transaction', decodeTransaction, encodeTransaction),
  },
  {
    name: 'decode-header',
    input: mutatedBytes(headers, 2048),
    check: roundTrip('header', decodeHeader, encodeHeader),
  },
];
