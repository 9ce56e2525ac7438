import { fromHex, fromReverseHex, reverseHex } from '../consensus/bytes.ts';
import type { ConsensusParams } from '../consensus/params/index.ts';
import { blockHash } from '../consensus/primitives/block.ts';
import { merkleRoot } from '../consensus/primitives/merkle.ts';
import { decodeTransaction, txid } from '../consensus/primitives/transaction.ts';
import type { Block } from '../consensus/primitives/types.ts';
import { ChainStateError } from './errors.ts';

/**
 * The network's genesis block, assembled from its parameters and checked against the pinned
 * hash, so a wrong field can never start a node on a chain of its own.
 */
export function genesisBlock(params: ConsensusParams): Block {
  const g = params.genesis;
  const coinbase = decodeTransaction(fromHex(g.coinbaseTx, 'genesis.coinbaseTx'));
  const block: Block = {
    header: {
      version: g.version,
      prevHash: new Uint8Array(32),
      merkleRoot: merkleRoot([txid(coinbase)]).root,
      finalSaplingRoot: new Uint8Array(32),
      time: g.time,
      bits: g.bits,
      nonce: fromReverseHex(g.nonce, 'genesis.nonce'),
      solution: fromHex(g.solution ?? '', 'genesis.solution'),
    },
    txs: [coinbase],
  };
  const id = reverseHex(blockHash(block));
  if (id !== g.hash) {
    throw new ChainStateError(
      `the ${params.network} genesis parameters give block ${id}, not the pinned ${g.hash}`,
    );
  }
  return block;
}
