import {
  type Block,
  type BlockHeader,
  type Checkpoint,
  ConsensusError,
  equalBytes,
  maxFutureBlockTime,
  pushNumber,
  type Transaction,
} from '../../consensus/index.ts';
import { isCoinbaseTx } from '../connect-plan.ts';
import type { HeaderContext } from '../validator.ts';

/** Lock times below this are heights, from it on Unix times. */
export const LOCKTIME_THRESHOLD = 500_000_000;
const FINAL_SEQUENCE = 0xffffffff;

/**
 * The block time must pass the median of the previous 11 and not run ahead of the clock by more
 * than the network allows at this height (fluxd: 2 h before LWMA, 360 s from it on).
 */
export function checkHeaderTime(header: BlockHeader, ctx: HeaderContext): void {
  if (header.time <= ctx.medianTimePast) {
    throw new ConsensusError(
      'time-too-old',
      `block time ${header.time} is not after the median time past ${ctx.medianTimePast}`,
      { field: 'header.time', value: header.time },
    );
  }
  const limit = maxFutureBlockTime(ctx.height, ctx.params);
  if (header.time > ctx.now + limit) {
    throw new ConsensusError(
      'time-too-new',
      `block time ${header.time} is more than ${limit} s ahead of ${ctx.now}`,
      {
        field: 'header.time',
        value: header.time,
      },
    );
  }
}

/** Checkpointed heights must carry exactly the checkpointed block. */
export function checkCheckpoint(id: string, height: number, checkpoints: readonly Checkpoint[]): void {
  for (const cp of checkpoints) {
    if (cp.height === height && cp.hash !== id) {
      throw new ConsensusError(
        'checkpoint-mismatch',
        `block ${id} at height ${height} is not checkpoint ${cp.hash}`,
        {
          field: 'hash',
          value: id,
        },
      );
    }
  }
}

/** Zcash enforces BIP34 from launch: the coinbase scriptSig starts with the height pushed as a number. */
export function checkCoinbaseHeight(block: Block, height: number): void {
  const cb = block.txs[0];
  const sig = cb?.inputs[0]?.scriptSig;
  if (!cb || !sig || !isCoinbaseTx(cb)) return; // structure is checkBlock's business
  const expect = pushNumber(height);
  if (sig.length < expect.length || !equalBytes(sig.subarray(0, expect.length), expect)) {
    throw new ConsensusError('bad-cb-height', `coinbase does not start with the height ${height}`, {
      field: 'txs[0].inputs[0].scriptSig',
      value: height,
    });
  }
}

export function isFinalTx(tx: Transaction, height: number, blockTime: number): boolean {
  if (tx.lockTime === 0) return true;
  const cutoff = tx.lockTime < LOCKTIME_THRESHOLD ? height : blockTime;
  if (tx.lockTime < cutoff) return true;
  return tx.inputs.every((i) => i.sequence === FINAL_SEQUENCE);
}

/** Lock times, against the block's own height and time as Zcash does (not the median time past). */
export function checkTransactionsFinal(block: Block, height: number): void {
  for (const [t, tx] of block.txs.entries()) {
    if (!isFinalTx(tx, height, block.header.time)) {
      throw new ConsensusError('bad-txns-nonfinal', `transaction ${t} is not final at height ${height}`, {
        field: `txs[${t}].lockTime`,
        value: tx.lockTime,
      });
    }
  }
}
