/**
 * Connecting a branch of blocks onto the tip as a pipeline. While the scripts of one block are
 * verified (on the verifier pool's threads), the next block's inputs are looked up against the
 * coins as they will stand after it (coin-overlay.ts). Every block is still checked in full, in the
 * serial order of the rules, and written in a savepoint of its own before the next one is; up to
 * CONNECT_GROUP blocks share one commit, since most pages a block writes are those the blocks
 * before it wrote. The in-memory chain and the events follow only after the commit.
 */
import { type Block, ConsensusError, must } from '../consensus/index.ts';
import type { IndexEntry } from './block-index.ts';
import type { ChainState } from './chain-state.ts';
import { txid } from './codec.ts';
import { CoinOverlay } from './coin-overlay.ts';
import { type CoinSource, type ConnectPlan, planConnect } from './connect-plan.ts';
import { forgetBody, markInvalid } from './invalidation.ts';
import { connectWrite } from './state-writer.ts';
import { type BlockContext, UNCOMMITTED_BODY_RULES } from './validator.ts';

/** Blocks connected in a row that share one commit. */
const CONNECT_GROUP = 32;

/** A block on its way to the tip: the checks done so far, and its scripts being verified. */
interface Prepared {
  e: IndexEntry;
  block: Block;
  ctx: BlockContext;
  started: number;
  plan?: ConnectPlan;
  /** What planning threw, reported at the block's turn (after the blocks before it connected). */
  error?: unknown;
  scripts?: Promise<void>;
}

/**
 * Connects `path` (its first block a child of the tip), oldest first; false when a block broke a
 * rule (it is then marked invalid, after the blocks before it committed).
 */
export async function connectPath(s: ChainState, path: IndexEntry[]): Promise<boolean> {
  let pending: Prepared | undefined;
  let group: Prepared[] = [];
  let broken: { p: Prepared; err: ConsensusError } | undefined;
  const commit = () => {
    if (s.db.isTransaction) s.db.exec('COMMIT');
    for (const p of group) publish(s, p);
    group = [];
  };
  try {
    for (const e of [...path, undefined]) {
      const coins = pending?.plan ? new CoinOverlay(s.utxos, pending.plan) : s.utxos;
      const next = e ? prepareConnect(s, e, coins) : undefined;
      if (pending) {
        if (!s.db.isTransaction && next) s.db.exec('BEGIN IMMEDIATE');
        const err = await finishConnect(s, pending);
        if (err) {
          broken = { p: pending, err };
          break;
        }
        group.push(pending);
        if (group.length >= CONNECT_GROUP) commit();
      }
      pending = next;
    }
    commit();
  } catch (err) {
    // Not a rule (a closed or failing database): nothing of the open group stays.
    if (s.db.isOpen && s.db.isTransaction) {
      s.db.exec('ROLLBACK');
      for (const ext of s.extensions) ext.onRollback?.(s.db);
    }
    throw err;
  }
  if (!broken) return true;
  const { p, err } = broken;
  if (UNCOMMITTED_BODY_RULES.has(err.rule)) forgetBody(s, p.e, err.rule, err.message);
  else markInvalid(s, p.e, err.rule, err.message);
  return false;
}

/** The checks of `e` that need only the coins it spends; its scripts start verifying. */
function prepareConnect(s: ChainState, e: IndexEntry, coins: CoinSource): Prepared {
  const started = performance.now();
  const block = s.loadBlock(e);
  const ctx: BlockContext = s.headerContext(e.parent!, e.height, e.hash);
  try {
    const txids = s.recent.get(e.key)?.txids ?? block.txs.map((tx) => txid(tx));
    const plan = planConnect(block, txids, e.height, coins, {
      coinbaseMaturity: s.params.coinbaseMaturity,
      maxMoney: s.params.maxMoney,
    });
    const scripts = (async () => s.validator.verifyScripts(plan.scriptChecks, ctx))();
    // Awaited at the block's turn, or dropped with it when an earlier block fails.
    scripts.catch(() => undefined);
    return { e, block, ctx, started, plan, scripts };
  } catch (err) {
    return { e, block, ctx, started, error: err };
  }
}

/** Finishes connecting `p` on top of the tip, in the serial order of the rules: the rule it broke, if any. */
async function finishConnect(s: ChainState, p: Prepared): Promise<ConsensusError | undefined> {
  const { e, block, ctx } = p;
  try {
    if (!p.plan) throw p.error;
    s.validator.checkCoinbase({
      ...ctx,
      block,
      coinbase: must(block.txs[0], 'the coinbase (checkBlock requires one)'),
      fees: p.plan.fees,
      payees: s.fluxnodes.registry.payees(e.height),
    });
    await p.scripts;
    connectWrite(s.stores, e, block, p.plan);
    return undefined;
  } catch (err) {
    if (!(err instanceof ConsensusError)) throw err;
    return err;
  }
}

/** A connected block's entry joins the main chain in memory, and the world hears of it. */
function publish(s: ChainState, p: Prepared): void {
  p.e.status = 'valid';
  s.main.push(p.e);
  s.candidates.add(p.e);
  s.observer.connected(p.e, p.block.txs.length, (performance.now() - p.started) / 1000, s.bestHeader);
  s.events.emit('connect', p.block, p.e);
}
