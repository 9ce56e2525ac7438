/**
 * The consensus encodings the chain stores and hashes, gathered in one place so the chain's other
 * files do not depend on where each primitive lives.
 */
export {
  blockHash,
  decodeBlock,
  decodeHeader,
  encodeBlock,
  encodeHeader,
  headerHash,
  txid,
} from '../consensus/index.ts';
