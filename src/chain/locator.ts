import { BlockIndex, type IndexEntry } from './block-index.ts';
import { must } from '../consensus/index.ts';

/**
 * Hashes describing a branch to a peer: the last 10 blocks one by one, then doubling steps back,
 * always ending with genesis. A peer finds the newest one it has on its main chain.
 */
export function buildLocator(from: IndexEntry, main: IndexEntry[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let step = 1;
  let cur: IndexEntry | undefined = from;
  while (cur) {
    out.push(cur.hash);
    if (cur.height === 0) break;
    const next = Math.max(cur.height - step, 0);
    // On the main chain the array answers at once; off it, walk back to where the branch joins it.
    cur = main[cur.height] === cur ? main[next] : BlockIndex.ancestor(cur, next);
    if (out.length >= 10) step *= 2;
  }
  return out;
}

/** The newest locator hash on `main` (the active chain by height); genesis when none is. */
export function forkFromLocator(locator: Uint8Array[], index: BlockIndex, main: IndexEntry[]): IndexEntry {
  for (const hash of locator) {
    const e = index.get(hash);
    if (e && main[e.height] === e) return e;
  }
  return must(main[0], 'the genesis block');
}
