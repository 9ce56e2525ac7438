/**
 * Activation of the best chain: while a candidate tip has more work than the current tip, walk back
 * to the fork, disconnect down to it and connect the candidate's branch; a block that breaks a rule
 * there drops out of the candidates and the loop picks the next best.
 */
import { betterThan, BlockIndex, type IndexEntry } from './block-index.ts';
import type { ChainState } from './chain-state.ts';
import { ChainStateError } from './errors.ts';
import { connectPath } from './connect-pipeline.ts';
import { disconnectTip } from './tip-connect.ts';

/** Switches to the most-work chain whose blocks are all valid; emits `tip` once if it moved. */
export async function activateBestChain(s: ChainState): Promise<void> {
  const before = s.top;
  for (;;) {
    const tip = s.top;
    const best = bestCandidate(s);
    if (!best || best === tip || best.chainWork <= tip.chainWork) break;
    const fork = BlockIndex.fork(tip, best);
    if (!fork) throw new ChainStateError(`block ${best.id} shares no ancestor with the tip`);
    if (tip !== fork) s.observer.reorg(tip, best, fork, tip.height - fork.height);
    while (s.top !== fork) disconnectTip(s);
    await connectPath(s, branch(fork, best));
  }
  const tip = s.top;
  for (const e of s.candidates) if (e.chainWork < tip.chainWork) s.candidates.delete(e);
  if (tip !== before) s.events.emit('tip', tip);
}

function bestCandidate(s: ChainState): IndexEntry | undefined {
  let best: IndexEntry | undefined;
  for (const e of s.candidates) if (!best || betterThan(e, best)) best = e;
  return best;
}

/** The entries after `fork` up to `to`, oldest first. */
function branch(fork: IndexEntry, to: IndexEntry): IndexEntry[] {
  const path: IndexEntry[] = [];
  for (let e: IndexEntry = to; e !== fork; e = e.parent!) path.push(e);
  return path.reverse();
}
