/**
 * Moving the tip back by one block: disconnecting the tip with its undo record (connecting goes
 * through connect-pipeline.ts). The in-memory chain and the events follow only after the write committed.
 */
import type { ChainState } from './chain-state.ts';
import { ChainStateError } from './errors.ts';
import { disconnectWrite } from './state-writer.ts';
import { decodeUndo } from './undo.ts';

export function disconnectTip(s: ChainState): void {
  const e = s.top;
  if (e.height === 0) throw new ChainStateError('cannot disconnect the genesis block');
  const block = s.loadBlock(e);
  const rawUndo = s.blocks.getUndo(e.hash);
  if (!rawUndo) throw new ChainStateError(`block ${e.id} on the main chain has no undo record`);
  disconnectWrite(s.stores, e, block, decodeUndo(rawUndo));
  s.main.pop();
  s.candidates.add(e);
  s.observer.disconnected(e);
  s.events.emit('disconnect', block, e);
}
