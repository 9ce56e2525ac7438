/**
 * Accepting a block body: its header indexed if new, the body checked and stored in one commit,
 * the branch linked, the best chain activated, and the answer of where the block ended up. Blocks
 * whose parent is unknown wait in the orphan pool and are accepted when it arrives.
 */
import { type Block, ConsensusError, reverseHex } from '../consensus/index.ts';
import { activateBestChain } from './activation.ts';
import { IndexEntry } from './block-index.ts';
import type { ChainState } from './chain-state.ts';
import { blockHash, encodeBlock } from './codec.ts';
import { acceptHeaderNow } from './header-accept.ts';
import { markInvalid } from './invalidation.ts';
import type { OrphanPool } from './orphan-pool.ts';
import { inTransaction } from './storage/database.ts';
import type { AcceptResult, BlockStatus } from './types.ts';
import { CORRUPTION_RULES } from './validator.ts';

export async function acceptBlockNow(
  s: ChainState,
  orphans: OrphanPool,
  block: Block,
): Promise<AcceptResult> {
  const stored = checkAndStore(s, orphans, block);
  if (!(stored instanceof IndexEntry)) return stored;
  await activateBestChain(s);
  return outcome(s, stored);
}

/**
 * Accepts several blocks as `acceptBlockNow` would one by one (results in the same order), but
 * stores them all, in one commit, before moving the tip: a run of blocks that extends the tip is
 * then connected as a pipeline (connect-pipeline.ts).
 */
export async function acceptBlocksNow(
  s: ChainState,
  orphans: OrphanPool,
  blocks: readonly Block[],
): Promise<AcceptResult[]> {
  const stored = inTransaction(s.db, () => blocks.map((b) => checkAndStore(s, orphans, b)));
  if (stored.some((x) => x instanceof IndexEntry)) await activateBestChain(s);
  return stored.map((x) => (x instanceof IndexEntry ? outcome(s, x) : x));
}

/** The block's entry once stored, or the answer when it goes no further (known, orphan, refused). */
function checkAndStore(s: ChainState, orphans: OrphanPool, block: Block): IndexEntry | AcceptResult {
  const hash = blockHash(block);
  const known = s.index.get(hash);
  const id = known?.id ?? reverseHex(hash);
  if (known?.status === 'invalid') {
    return {
      status: 'invalid',
      id,
      height: known.height,
      rule: known.invalidRule,
      reason: known.invalidReason,
    };
  }
  if (known?.hasData) return { status: 'duplicate', id, height: known.height };
  if (!known && !s.index.get(block.header.prevHash)) {
    orphans.add(block);
    return { status: 'orphan', id };
  }
  return storeBlock(s, block, hash, known);
}

/** Accepts waiting blocks whose parent just arrived, and their children in turn. */
export async function adoptOrphans(s: ChainState, orphans: OrphanPool, parent: Block): Promise<void> {
  const queue = [blockHash(parent)];
  while (queue.length) {
    for (const child of orphans.take(queue.shift()!)) {
      const r = await acceptBlockNow(s, orphans, child);
      if (r.status === 'connected' || r.status === 'side-branch') queue.push(blockHash(child));
    }
  }
}

/**
 * Header, body checks and the body itself go to disk in one commit; then the entry is remembered
 * and linked. Returns the entry, or the refusal.
 */
function storeBlock(
  s: ChainState,
  block: Block,
  hash: Uint8Array,
  known: IndexEntry | undefined,
): IndexEntry | AcceptResult {
  let txids: Uint8Array[] | undefined;
  const stored = inTransaction(s.db, (): IndexEntry | AcceptResult => {
    let entry = known;
    if (!entry) {
      const hr = acceptHeaderNow(s, block.header, hash);
      if (hr.status === 'invalid') {
        return { status: 'invalid', id: hr.id, height: hr.height, rule: hr.rule, reason: hr.reason };
      }
      entry = hr.entry as IndexEntry;
    }
    try {
      txids = s.validator.checkBlock(block, s.headerContext(entry.parent!, entry.height, hash))?.txids;
    } catch (err) {
      if (!(err instanceof ConsensusError)) throw err;
      // A body that does not match its header may be a corrupted copy of a good block: refuse the
      // copy but keep the header open for a correct one.
      if (!CORRUPTION_RULES.has(err.rule)) markInvalid(s, entry, err.rule, err.message);
      return { status: 'invalid', id: entry.id, height: entry.height, rule: err.rule, reason: err.message };
    }
    s.blocks.putBlockData(hash, encodeBlock(block));
    s.blocks.setStatus(hash, 'data');
    return entry;
  });
  if (!(stored instanceof IndexEntry)) return stored;
  stored.status = 'data';
  s.remember(stored, block, txids);
  link(s, stored);
  return stored;
}

/** Where a stored block ended up once the best chain was activated. */
function outcome(s: ChainState, entry: IndexEntry): AcceptResult {
  const { id, height } = entry;
  const refused = s.refusedCopies.get(entry.key);
  s.refusedCopies.delete(entry.key);
  if (refused && (entry.status as BlockStatus) === 'header') {
    return { status: 'invalid', id, height, rule: refused.rule, reason: refused.reason };
  }
  // Activation may have found the block (or an ancestor) invalid.
  if ((entry.status as BlockStatus) === 'invalid') {
    return { status: 'invalid', id, height, rule: entry.invalidRule, reason: entry.invalidReason };
  }
  return { status: s.main[height] === entry ? 'connected' : 'side-branch', id, height };
}

/** Marks `e` (and every stored descendant whose parent is now complete) as connectable. */
function link(s: ChainState, e: IndexEntry): void {
  if (!e.parent?.linked) return;
  const tipWork = s.top.chainWork;
  const stack = [e];
  while (stack.length) {
    const cur = stack.pop()!;
    if (!cur.hasData || cur.linked) continue;
    cur.linked = true;
    if (cur.chainWork >= tipWork) s.candidates.add(cur);
    stack.push(...cur.children);
  }
}
