/**
 * What a staking pool reads from the chain: the OP_RETURN data of its holders' transactions.
 *
 *   "FXP" 0x01 's'                        stake: the outputs of this transaction that pay the pool's
 *                                         address are the stake of the first input's address
 *   "FXP" 0x01 'w' u64 amount, 20 bytes   withdrawal request of `amount` satoshis by the first
 *                                         input's address, from the pool whose script this is
 *                                         (hash160 of the pool's output script)
 *
 * As with claims, the first input's signature covers the data, so only a holder's key can stake or
 * withdraw in its name. Nothing here is a consensus rule: a pool and anyone checking it read these.
 */
import { ByteReader, ByteWriter, equalBytes } from '../../consensus/index.ts';

export const POOL_MARKER = Uint8Array.of(0x46, 0x58, 0x50, 0x01);
const STAKE = 0x73;
const WITHDRAW = 0x77;

export type PoolData = { kind: 'stake' } | { kind: 'withdraw'; amount: bigint; pool: Uint8Array };

export function stakeData(): Uint8Array {
  return new ByteWriter().bytes(POOL_MARKER).u8(STAKE).finish();
}

/** `pool` is hash160 of the pool's output script. */
export function withdrawData(amount: bigint, pool: Uint8Array): Uint8Array {
  return new ByteWriter().bytes(POOL_MARKER).u8(WITHDRAW).u64(amount).bytes(pool).finish();
}

/** The pool data in an OP_RETURN, or null when it is none (or malformed: a pool ignores those). */
export function decodePoolData(data: Uint8Array): PoolData | null {
  if (data.length < 5 || !equalBytes(data.subarray(0, 4), POOL_MARKER)) return null;
  const r = new ByteReader(data.subarray(4));
  try {
    const kind = r.u8('kind');
    if (kind === STAKE && r.remaining === 0) return { kind: 'stake' };
    if (kind !== WITHDRAW) return null;
    const amount = r.u64('amount');
    const pool = r.bytesN(20, 'pool');
    return r.remaining === 0 && amount > 0n ? { kind: 'withdraw', amount, pool } : null;
  } catch {
    return null;
  }
}
