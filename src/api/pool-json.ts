/**
 * The staking pool as the API shows it (JSON-RPC and REST alike): the books a PoolFollower keeps,
 * with FLUX amounts as numbers next to exact satoshi strings. The books are public: every figure
 * here can be recomputed from the chain (`verifypool`, GET /pool/verify).
 */
import { encodeEvent, type PoolFollower, replay } from '../economy/index.ts';
import { fluxAmount } from './json.ts';

/** What the API reads and drives of a node's pool role. */
export interface PoolControls {
  /** The pool's books at the tip. */
  follower(): PoolFollower;
  /** The same books recomputed from the chain by a fresh follower. */
  recompute(): PoolFollower;
  /** The collateral the pool holds for its node, and that node's status in the fluxnode list. */
  node(): { collateral: string; status: string } | null;
  stake(holder: string, amount: bigint): Promise<string>;
  withdraw(holder: string, amount: bigint): Promise<string>;
}

const flux = (sat: bigint) => ({ flux: fluxAmount(sat), sat: sat.toString() });

export function poolInfoJson(c: PoolControls) {
  const f = c.follower();
  const s = f.pool.state();
  return {
    address: f.def.address,
    start_height: f.def.startHeight,
    height: s.height,
    params: {
      collateral: flux(s.params.collateral),
      fee_bps: s.params.feeBps,
      notice_blocks: s.params.noticeBlocks,
    },
    stakers: Object.keys(s.stakers).length,
    totals: Object.fromEntries(Object.entries(s.totals).map(([k, v]) => [k, flux(v)])),
    slots: s.nodes.map((n) => ({ slot: n.id, collateral: flux(n.collateral), opened_at: n.openedAt })),
    node: c.node(),
    unattributed: flux(f.unattributed),
    journal_entries: f.pool.journal.length,
  };
}

export function poolStakerJson(c: PoolControls, address: string) {
  const f = c.follower();
  const v = f.pool.staker(address);
  if (!v) return null;
  const active = f.pool.state().totals.active;
  return {
    address,
    stake: flux(v.stake),
    /** This staker's part of the earning stake, in parts per million. */
    share_ppm: active > 0n ? Number((v.stake * 1_000_000n) / active) : 0,
    earned: flux(v.earned),
    deposited: flux(v.deposited),
    withdrawn: flux(v.withdrawn),
    pending: flux(v.pending),
    pending_withdrawals: f.pool
      .state()
      .queue.filter((q) => q.staker === address)
      .map((q) => ({ amount: flux(q.amount), due: q.due, request: q.seq })),
    stake_blocks: v.stakeBlocks.toString(),
  };
}

export function poolJournalJson(c: PoolControls, from = 0) {
  return c
    .follower()
    .pool.journal.slice(from)
    .map((e) => JSON.parse(encodeEvent(e).replace(/"(-?\d+)n"/g, '"$1"')) as unknown);
}

/** Replays the journal and recomputes the books from the chain; both must equal the live books. */
export function poolVerifyJson(c: PoolControls) {
  const f = c.follower();
  const live = JSON.stringify(f.pool.state(), (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
  const check = (get: () => PoolFollower['pool']) => {
    try {
      const p = get();
      p.advance(f.height);
      return JSON.stringify(p.state(), (_k, v) => (typeof v === 'bigint' ? v.toString() : v)) === live
        ? 'equal'
        : 'differs';
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
  };
  return {
    height: f.height,
    entries: f.pool.journal.length,
    journal_replay: check(() => replay(f.pool.journal)),
    chain_replay: check(() => c.recompute().pool),
  };
}
