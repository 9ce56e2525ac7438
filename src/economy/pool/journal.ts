/**
 * The pool's append-only journal. `init`, `deposit`, `withdraw-request` and `reward` are inputs;
 * `withdraw`, `node-open`, `node-close` and `fee` (and the split recorded on `reward`) are what the
 * pool decided. Replaying the inputs must reproduce every decision exactly.
 */
import { reviveStoredBigint, storedBigint } from '../../chain/index.ts';

export interface PoolParams {
  /** Collateral of one Stratus node, satoshis (40,000 FLUX after the 2022 transition). */
  collateral: bigint;
  /** The pool operator's cut of each node reward, basis points (0..10,000). */
  feeBps: number;
  /** Blocks between a withdrawal request and its payment. */
  noticeBlocks: number;
}

export type PoolEvent =
  | { seq: number; type: 'init'; height: number; params: PoolParams }
  | { seq: number; type: 'deposit'; height: number; staker: string; amount: bigint }
  | { seq: number; type: 'withdraw-request'; height: number; staker: string; amount: bigint; due: number }
  | { seq: number; type: 'withdraw'; height: number; staker: string; amount: bigint; request: number }
  | { seq: number; type: 'node-open'; height: number; node: string; collateral: bigint }
  | {
      seq: number;
      type: 'node-close';
      height: number;
      node: string;
      collateral: bigint;
      reason: 'withdrawal';
    }
  | {
      seq: number;
      type: 'reward';
      height: number;
      node: string;
      amount: bigint;
      /** Credited to stakers by stake-blocks. */
      distributed: bigint;
      /** Pool's carried remainder after this reward. */
      undistributed: bigint;
    }
  | { seq: number; type: 'fee'; height: number; node: string; amount: bigint };

export type PoolEventType = PoolEvent['type'];

/** Input events are replayed; the rest must come out of the replay identically. */
export const INPUT_EVENTS: ReadonlySet<PoolEventType> = new Set([
  'init',
  'deposit',
  'withdraw-request',
  'reward',
]);

/** Stable JSON line for storing and comparing journal entries; satoshi fields in the stored encoding ("123n"). */
export function encodeEvent(e: PoolEvent): string {
  return JSON.stringify(e, storedBigint);
}

/** Reads back a line written by encodeEvent. */
export function decodeEvent(line: string): PoolEvent {
  return JSON.parse(line, reviveStoredBigint) as PoolEvent;
}
