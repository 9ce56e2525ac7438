/**
 * Accepting one header into the block index: known and invalid headers answered from the index,
 * orphans and forks deeper than the reorganisation limit refused, the header rules run, and the
 * new entry stored (with no body yet) and weighed against the best header.
 */
import { type BlockHeader, ConsensusError, reverseHex, workFromBits } from '../consensus/index.ts';
import { betterThan, IndexEntry } from './block-index.ts';
import type { ChainState } from './chain-state.ts';
import { encodeHeader } from './codec.ts';
import type { HeaderAcceptResult } from './types.ts';

/** Checks `header` (whose hash is `hash`) against its parent and indexes it; the caller commits. */
export function acceptHeaderNow(s: ChainState, header: BlockHeader, hash: Uint8Array): HeaderAcceptResult {
  const known = s.index.get(hash);
  if (known) return knownHeader(known);
  const id = reverseHex(hash);
  const parent = s.index.get(header.prevHash);
  if (!parent) return { status: 'orphan', id };
  const height = parent.height + 1;
  if (parent.status === 'invalid') {
    return { status: 'invalid', id, height, rule: 'bad-prevblk', reason: `parent ${parent.id} is invalid` };
  }
  // fluxd refuses a fork from deeper than its reorganisation limit, whatever its work.
  const depth = s.main.length - 1 - parent.height;
  if (depth >= s.params.maxReorgDepth) {
    return {
      status: 'invalid',
      id,
      height,
      rule: 'bad-fork-prior-to-maxreorgdepth',
      reason: `parent at height ${parent.height} is ${depth} blocks below the tip (limit ${s.params.maxReorgDepth})`,
    };
  }
  try {
    s.validator.checkHeader(header, s.headerContext(parent, height, hash));
  } catch (err) {
    if (err instanceof ConsensusError)
      return { status: 'invalid', id, height, rule: err.rule, reason: err.message };
    throw err;
  }
  const e = indexHeader(s, header, hash, parent);
  return { status: 'accepted', id, height, entry: e };
}

function knownHeader(known: IndexEntry): HeaderAcceptResult {
  const { id, height } = known;
  if (known.status === 'invalid') {
    return {
      status: 'invalid',
      id,
      height,
      rule: known.invalidRule,
      reason: known.invalidReason,
      entry: known,
    };
  }
  return { status: 'duplicate', id, height, entry: known };
}

/** Adds a checked header to the index and the store, and moves the best header if it has more work. */
function indexHeader(s: ChainState, header: BlockHeader, hash: Uint8Array, parent: IndexEntry): IndexEntry {
  const e = new IndexEntry({
    hash,
    prevHash: header.prevHash,
    height: parent.height + 1,
    chainWork: parent.chainWork + workFromBits(header.bits),
    version: header.version,
    time: header.time,
    bits: header.bits,
    parent,
    seq: s.nextSeq++,
    status: 'header',
  });
  s.blocks.insertIndex({
    hash,
    prev: header.prevHash,
    height: e.height,
    chainWork: e.chainWork,
    header: encodeHeader(header),
    status: 'header',
    invalidRule: null,
    invalidReason: null,
    seq: e.seq,
  });
  s.index.add(e);
  if (betterThan(e, s.bestHeader)) s.bestHeader = e;
  return e;
}
