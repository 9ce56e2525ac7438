import {
  type Block,
  blockHash,
  type ConsensusParams,
  decodeTransaction,
  fromHex,
  fromReverseHex,
  merkleRoot,
  reverseHex,
  txid,
} from '../consensus/index.ts';
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
