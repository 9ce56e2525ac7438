/**
 * The chain's gossip topics and their bounds. A block or a transaction is never bigger than the
 * largest block (2 MB on every network); the queues hold what a node can judge in a few seconds.
 * Cloud topics are declared by the cloud layer with the same `gossipTopic`.
 */
import { gossipTopic } from './gossip-validation.ts';

const MAX_BLOCK_BYTES = 2_000_000;

export const CHAIN_TOPICS = {
  /** Full blocks, each connected (or refused) before it is relayed. */
  blocks: gossipTopic('blocks', { maxBytes: 2 * MAX_BLOCK_BYTES, maxPending: 64 }),
  /** Loose transactions, each admitted to the mempool before it is relayed. */
  txs: gossipTopic('txs', { maxBytes: MAX_BLOCK_BYTES, maxPending: 1024 }),
} as const;
