/**
 * What happens to a block that broke a rule: either it is invalid for good (with every descendant),
 * or only the stored copy was bad (a rule over bytes its hash does not commit to) and the copy is
 * dropped while the header stays open for an honest one.
 */
import { betterThan, BlockIndex, type IndexEntry } from './block-index.ts';
import type { ChainState } from './chain-state.ts';
import { inTransaction } from './storage/database.ts';

/** Marks `e` invalid by `rule`, and every descendant by bad-prevblk, on disk then in memory. */
export function markInvalid(s: ChainState, e: IndexEntry, rule: string, reason: string): void {
  const hit = [e, ...BlockIndex.descendants(e)];
  const verdict = (d: IndexEntry): [string, string] =>
    d === e ? [rule, reason] : ['bad-prevblk', `descends from invalid block ${e.id}`];
  inTransaction(s.db, () => {
    for (const d of hit) {
      if (d.status === 'invalid') continue;
      s.blocks.setStatus(d.hash, 'invalid', ...verdict(d));
    }
  });
  for (const d of hit) {
    if (d.status === 'invalid') continue;
    d.status = 'invalid';
    [d.invalidRule, d.invalidReason] = verdict(d);
    s.candidates.delete(d);
    s.recent.delete(d.key);
  }
  if (hit.includes(s.bestHeader)) recomputeBestHeader(s);
  s.observer.invalid(e, rule);
  s.events.emit('invalid', e, rule, reason);
}

/**
 * Drops a stored copy of `e` that broke a rule over bytes its hash does not commit to: the header
 * (and every descendant) stays open, so an honest copy of the same block can still connect.
 */
export function forgetBody(s: ChainState, e: IndexEntry, rule: string, reason: string): void {
  inTransaction(s.db, () => {
    s.blocks.deleteBlockData(e.hash);
    s.blocks.setStatus(e.hash, 'header', null, null);
  });
  e.status = 'header';
  s.recent.delete(e.key);
  for (const d of [e, ...BlockIndex.descendants(e)]) {
    d.linked = false;
    s.candidates.delete(d);
  }
  s.refusedCopies.set(e.key, { rule, reason });
  s.observer.invalid(e, rule);
}

function recomputeBestHeader(s: ChainState): void {
  let best = s.top;
  for (const e of s.index.values()) if (e.status !== 'invalid' && betterThan(e, best)) best = e;
  s.bestHeader = best;
}
