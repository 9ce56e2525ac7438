import { EconomyError } from '../errors.ts';
import { encodeEvent, INPUT_EVENTS, type PoolEvent } from './journal.ts';
import { StakingPool } from './pool.ts';

function mismatch(seq: number, expected: PoolEvent | undefined, got: PoolEvent | undefined): never {
  throw new EconomyError(
    'journal-mismatch',
    `entry ${seq}: journal has ${expected ? encodeEvent(expected) : 'nothing'}, replay gives ${got ? encodeEvent(got) : 'nothing'}`,
    { field: 'seq', value: seq },
  );
}

/**
 * Rebuilds a pool from its journal alone. The inputs (deposits, withdrawal requests, rewards) are
 * fed to a fresh pool; every decision it makes (node opens and closes, payments, fees, reward
 * splits) must equal the journal's entry for entry, or replay throws `journal-mismatch`.
 * The returned pool's `state()` is every balance re-derived.
 */
export function replay(journal: readonly PoolEvent[]): StakingPool {
  const first = journal[0];
  if (first?.type !== 'init') {
    throw new EconomyError('journal-mismatch', 'a journal starts with its init entry', {
      field: 'seq',
      value: 0,
    });
  }
  const pool = new StakingPool(first.params, first.height);
  for (const [i, entry] of journal.entries()) {
    if (i === 0) continue;
    if (entry.seq !== i) mismatch(i, entry, pool.journal[i]);
    if (pool.journal.length <= i) {
      try {
        if (INPUT_EVENTS.has(entry.type)) applyInput(pool, entry);
        // A decision the pool has not yet made happened while moving to its height.
        else pool.advance(entry.height);
      } catch (err) {
        if (!(err instanceof EconomyError) || err.code === 'journal-mismatch') throw err;
        throw new EconomyError('journal-mismatch', `entry ${i} cannot be applied: ${err.message}`, {
          field: 'seq',
          value: i,
        });
      }
    }
    const got = pool.journal[i];
    if (!got || encodeEvent(got) !== encodeEvent(entry)) mismatch(i, entry, got);
  }
  if (pool.journal.length !== journal.length)
    mismatch(journal.length, undefined, pool.journal[journal.length]);
  return pool;
}

function applyInput(pool: StakingPool, e: PoolEvent): void {
  switch (e.type) {
    case 'deposit':
      pool.deposit(e.height, e.staker, e.amount);
      return;
    case 'withdraw-request':
      pool.requestWithdrawal(e.height, e.staker, e.amount);
      return;
    case 'reward':
      pool.reward(e.height, e.node, e.amount);
      return;
    case 'init':
      throw new EconomyError('journal-mismatch', 'init may only open the journal', {
        field: 'seq',
        value: e.seq,
      });
    default:
      throw new EconomyError('journal-mismatch', `${e.type} is not an input`, { field: 'seq', value: e.seq });
  }
}
