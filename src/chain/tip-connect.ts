/**
 * Moving the tip by one block: connecting a child of the tip (UTXO plan, coinbase and script checks,
 * then one atomic write) or disconnecting the tip with its undo record. The in-memory chain and the
 * events follow only after the write committed.
 */
import { ConsensusError, must } from '../consensus/index.ts';
import type { IndexEntry } from './block-index.ts';
import type { ChainState } from './chain-state.ts';
import { txid } from './codec.ts';
import { planConnect } from './connect-plan.ts';
import { ChainStateError } from './errors.ts';
import { forgetBody, markInvalid } from './invalidation.ts';
import { connectWrite, disconnectWrite } from './state-writer.ts';
import { decodeUndo } from './undo.ts';
import { type BlockContext, UNCOMMITTED_BODY_RULES } from './validator.ts';

/** Connects `e` (child of the tip); false when it broke a rule (it is then marked invalid). */
export async function connectTip(s: ChainState, e: IndexEntry): Promise<boolean> {
  const started = performance.now();
  const block = s.loadBlock(e);
  const ctx: BlockContext = s.headerContext(e.parent!, e.height, e.hash);
  try {
    const txids = s.recent.get(e.key)?.txids ?? block.txs.map((tx) => txid(tx));
    const plan = planConnect(block, txids, e.height, s.utxos, {
      coinbaseMaturity: s.params.coinbaseMaturity,
      maxMoney: s.params.maxMoney,
    });
    s.validator.checkCoinbase({
      ...ctx,
      block,
      coinbase: must(block.txs[0], 'the coinbase (checkBlock requires one)'),
      fees: plan.fees,
      payees: s.fluxnodes.registry.payees(e.height),
    });
    await s.validator.verifyScripts(plan.scriptChecks, ctx);
    connectWrite(s.stores, e, block, plan);
  } catch (err) {
    if (!(err instanceof ConsensusError)) throw err;
    if (UNCOMMITTED_BODY_RULES.has(err.rule)) forgetBody(s, e, err.rule, err.message);
    else markInvalid(s, e, err.rule, err.message);
    return false;
  }
  e.status = 'valid';
  s.main.push(e);
  s.candidates.add(e);
  s.observer.connected(e, block.txs.length, (performance.now() - started) / 1000, s.bestHeader);
  s.events.emit('connect', block, e);
  return true;
}

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
