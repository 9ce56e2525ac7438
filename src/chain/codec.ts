/**
 * The consensus encodings the chain stores and hashes, gathered in one place so the chain's other
 * files do not depend on where each primitive lives.
 */
export { blockHash, decodeBlock, encodeBlock } from '../consensus/primitives/block.ts';
export { decodeHeader, encodeHeader, headerHash } from '../consensus/primitives/header.ts';
export { txid } from '../consensus/primitives/transaction.ts';
