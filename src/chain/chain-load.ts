/**
 * Opening a chain's in-memory state from its database: writes the genesis state on first open,
 * then rebuilds the block index, the active chain, the best header and the candidate tips.
 */
import { type Block, workFromBits } from '../consensus/index.ts';
import { betterThan, hashKey, IndexEntry } from './block-index.ts';
import type { ChainState } from './chain-state.ts';
import { blockHash, encodeBlock, encodeHeader } from './codec.ts';
import { ChainStateError } from './errors.ts';
import { inTransaction } from './storage/database.ts';

const HEADER_FIXED = 140;

function headerFields(raw: Uint8Array): { version: number; time: number; bits: number } {
  const v = new DataView(raw.buffer, raw.byteOffset, HEADER_FIXED);
  return { version: v.getInt32(0, true), time: v.getUint32(100, true), bits: v.getUint32(104, true) };
}

/** Builds the in-memory index from the database, creating the genesis state on first open. */
export function loadChain(s: ChainState, genesis: Block): void {
  const gHash = blockHash(genesis);
  const storedGenesis = s.blocks.getMeta('genesis');
  if (storedGenesis === undefined) writeGenesis(s, genesis, gHash);
  else if (!(storedGenesis instanceof Uint8Array) || hashKey(storedGenesis) !== hashKey(gHash)) {
    throw new ChainStateError('the database in this folder belongs to a chain with another genesis block');
  }
  loadIndex(s, gHash);

  const tipHash = s.blocks.getMeta('tip');
  const tip = tipHash instanceof Uint8Array ? s.index.get(tipHash) : undefined;
  if (!tip) throw new ChainStateError('stored tip is not in the block index');
  for (let e: IndexEntry | null = tip; e; e = e.parent) s.main[e.height] = e;

  s.bestHeader = tip;
  for (const e of s.index.values()) {
    if (e.status === 'invalid') continue;
    if (betterThan(e, s.bestHeader)) s.bestHeader = e;
    if (e.linked && e.chainWork >= tip.chainWork) s.candidates.add(e);
  }
}

function writeGenesis(s: ChainState, genesis: Block, gHash: Uint8Array): void {
  inTransaction(s.db, () => {
    const raw = encodeHeader(genesis.header);
    s.blocks.insertIndex({
      hash: gHash,
      prev: genesis.header.prevHash,
      height: 0,
      chainWork: workFromBits(genesis.header.bits),
      header: raw,
      status: 'valid',
      invalidRule: null,
      invalidReason: null,
      seq: 0,
    });
    // Like Bitcoin and Zcash, the genesis coinbase is not added to the UTXO set: it is unspendable.
    s.blocks.putBlockData(gHash, encodeBlock(genesis));
    s.blocks.setMain(0, gHash);
    s.blocks.setMeta('genesis', gHash);
    s.blocks.setMeta('tip', gHash);
  });
}

/** Every indexed row as an entry, parents before children (the store returns them by height). */
function loadIndex(s: ChainState, gHash: Uint8Array): void {
  let maxSeq = 0;
  for (const row of s.blocks.allIndex()) {
    const isGenesis = row.height === 0;
    const parent = isGenesis ? null : s.index.get(row.prev);
    if (!isGenesis && !parent)
      throw new ChainStateError(`indexed block at height ${row.height} has no parent`);
    if (isGenesis && hashKey(row.hash) !== hashKey(gHash)) {
      throw new ChainStateError('a second block at height 0 is indexed');
    }
    const e = new IndexEntry({
      hash: row.hash,
      prevHash: row.prev,
      height: row.height,
      chainWork: row.chainWork,
      ...headerFields(row.header),
      parent: parent ?? null,
      seq: row.seq,
      status: row.status,
      invalidRule: row.invalidRule,
      invalidReason: row.invalidReason,
    });
    e.linked = e.hasData && (parent ? parent.linked : true);
    s.index.add(e);
    if (row.seq > maxSeq) maxSeq = row.seq;
  }
  s.nextSeq = maxSeq + 1;
}
