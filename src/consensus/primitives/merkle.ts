import { concatBytes, equalBytes } from '../bytes.ts';
import { sha256d } from '../hash.ts';
import { must } from '../must.ts';

/**
 * Bitcoin's merkle root over txids (internal byte order): pair up, double-SHA256 each pair, and
 * repeat; an odd level repeats its last hash. Because of that repetition, [A, B, C] and
 * [A, B, C, C] share a root (CVE-2012-2459), so a level holding two equal hashes side by side at an
 * even position marks the list as `mutated`; such a block must be rejected (bad-txns-duplicate) even
 * though its root matches. An empty list has the all-zero root.
 */
export function merkleRoot(txids: Uint8Array[]): { root: Uint8Array; mutated: boolean } {
  if (txids.length === 0) return { root: new Uint8Array(32), mutated: false };
  let level = txids;
  let mutated = false;
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) {
      const left = must(level[i], 'merkle node');
      const right = level[i + 1] ?? left;
      if (i + 1 < level.length && equalBytes(left, right)) mutated = true;
      next.push(sha256d(concatBytes(left, right)));
    }
    level = next;
  }
  return { root: must(level[0], 'merkle root'), mutated };
}
