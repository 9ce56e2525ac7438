import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EconomyError } from '../../../src/economy/errors.ts';
import {
  decodeEvent,
  encodeEvent,
  type PoolEvent,
  type PoolParams,
} from '../../../src/economy/pool/journal.ts';
import { StakingPool } from '../../../src/economy/pool/pool.ts';
import { replay } from '../../../src/economy/pool/replay.ts';
import { prng } from './support.ts';
import { at } from '../../support/at.ts';

const COIN = 100_000_000n;

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof EconomyError) return err.code;
    throw err;
  }
  return 'accepted';
}

test('rewards follow stake × blocks staked, the fee is taken first, the remainder is carried', () => {
  const params: PoolParams = { collateral: 1_000n, feeBps: 500, noticeBlocks: 10 };
  const pool = new StakingPool(params, 0);
  pool.deposit(0, 'alice', 600n);
  pool.deposit(50, 'bob', 600n);
  assert.deepEqual(
    pool.nodeList().map((n) => [n.id, n.openedAt]),
    [['pool-node-1', 50]],
  );
  const out = pool.reward(100, 'pool-node-1', 1_000n);
  // By hand: fee 5% = 50; pot 950; alice 600 × 100 blocks, bob 600 × 50 blocks.
  const wA = 600n * 100n;
  const wB = 600n * 50n;
  const shareA = (950n * wA) / (wA + wB);
  const shareB = (950n * wB) / (wA + wB);
  assert.equal(out.fee, 50n);
  assert.equal(pool.staker('alice')!.earned, shareA);
  assert.equal(pool.staker('bob')!.earned, shareB);
  assert.equal(out.undistributed, 950n - shareA - shareB);
  assert.ok(out.undistributed > 0n);

  // Next reward: equal stakes for equal time now, and the carried satoshi joins the pot.
  const carried = out.undistributed;
  const out2 = pool.reward(200, 'pool-node-1', 1_000n);
  const stakeA = 600n + shareA;
  const stakeB = 600n + shareB;
  const pot2 = 950n + carried;
  const W2 = (stakeA + stakeB) * 100n;
  assert.equal(pool.staker('alice')!.earned - shareA, (pot2 * stakeA * 100n) / W2);
  assert.equal(pool.staker('bob')!.earned - shareB, (pot2 * stakeB * 100n) / W2);
  assert.equal(out2.distributed + out2.undistributed, pot2);
});

test('a deposit earns from the next block: depositing in the reward block gets nothing', () => {
  const pool = new StakingPool({ collateral: 1_000n, feeBps: 0, noticeBlocks: 0 }, 0);
  pool.deposit(0, 'early', 1_000n);
  pool.deposit(10, 'sniper', 5_000_000n);
  pool.reward(10, 'pool-node-1', 777n);
  assert.equal(pool.staker('early')!.earned, 777n);
  assert.equal(pool.staker('sniper')!.earned, 0n);
});

test('withdrawals wait out the notice, stop earning at once, and force-close the newest node when short', () => {
  const params: PoolParams = { collateral: 1_000n, feeBps: 0, noticeBlocks: 10 };
  const pool = new StakingPool(params, 0);
  pool.deposit(0, 'a', 1_500n);
  pool.deposit(0, 'b', 700n);
  assert.equal(pool.nodeList().length, 2); // 2,200 staked: two nodes, 200 free
  const { due } = pool.requestWithdrawal(5, 'a', 1_000n);
  assert.equal(due, 15);
  pool.reward(14, 'pool-node-2', 110n);
  // a earned on 1,500 for blocks 0..5, then only on the 500 left staked; the pending 1,000 earns nothing.
  const wA = 1_500n * 5n + 500n * 9n;
  const wB = 700n * 14n;
  assert.equal(pool.staker('a')!.earned, (110n * wA) / (wA + wB));
  pool.advance(14);
  assert.equal(pool.staker('a')!.pending, 1_000n); // not yet due
  pool.advance(15);
  const tail = pool.journal.slice(-2).map((e) => e.type);
  assert.deepEqual(tail, ['node-close', 'withdraw']);
  const close = pool.journal.at(-2) as Extract<PoolEvent, { type: 'node-close' }>;
  assert.equal(close.node, 'pool-node-2');
  assert.equal(pool.staker('a')!.pending, 0n);
  assert.equal(pool.staker('a')!.withdrawn, 1_000n);
  assert.deepEqual(
    pool.nodeList().map((n) => n.id),
    ['pool-node-1'],
  );
});

test('a withdrawal covered by free funds closes nothing', () => {
  const pool = new StakingPool({ collateral: 1_000n, feeBps: 0, noticeBlocks: 3 }, 0);
  pool.deposit(0, 'a', 1_400n);
  pool.requestWithdrawal(1, 'a', 300n);
  pool.advance(4);
  assert.deepEqual(
    pool.journal.map((e) => e.type),
    ['init', 'deposit', 'node-open', 'withdraw-request', 'withdraw'],
  );
  assert.equal(pool.nodeList().length, 1);
});

test('bad input is refused by name and changes nothing', () => {
  const pool = new StakingPool({ collateral: 1_000n, feeBps: 100, noticeBlocks: 5 }, 10);
  pool.deposit(10, 'a', 1_200n);
  const before = encodeState(pool);
  const journalLength = pool.journal.length;
  assert.equal(
    codeOf(() => pool.deposit(10, 'a', 0n)),
    'bad-amount',
  );
  assert.equal(
    codeOf(() => pool.deposit(9, 'a', 5n)),
    'height-went-back',
  );
  assert.equal(
    codeOf(() => pool.deposit(11, '', 5n)),
    'bad-input',
  );
  assert.equal(
    codeOf(() => pool.requestWithdrawal(20, 'a', 1_201n)),
    'insufficient-stake',
  );
  assert.equal(
    codeOf(() => pool.requestWithdrawal(20, 'nobody', 1n)),
    'insufficient-stake',
  );
  assert.equal(
    codeOf(() => pool.reward(20, 'pool-node-9', 100n)),
    'unknown-node',
  );
  assert.equal(
    codeOf(() => pool.reward(20, 'pool-node-1', -1n)),
    'bad-amount',
  );
  assert.equal(
    codeOf(() => new StakingPool({ collateral: 1n, feeBps: 10_001, noticeBlocks: 0 })),
    'bad-fee',
  );
  assert.equal(encodeState(pool), before);
  assert.equal(pool.journal.length, journalLength);
});

test('replay refuses a journal whose decisions were tampered with', () => {
  const pool = new StakingPool({ collateral: 1_000n, feeBps: 250, noticeBlocks: 2 }, 0);
  pool.deposit(0, 'a', 1_000n);
  pool.deposit(1, 'b', 400n);
  pool.reward(3, 'pool-node-1', 90n);
  pool.requestWithdrawal(4, 'b', 200n);
  pool.advance(6);
  const journal = [...pool.journal];
  assert.deepEqual(replay(journal).state(), pool.state());

  const at = (type: string) => journal.findIndex((e) => e.type === type);
  const tamper = (i: number, patch: Record<string, unknown>) =>
    journal.map((e, k) => (k === i ? ({ ...e, ...patch } as PoolEvent) : e));
  assert.equal(
    codeOf(() => replay(tamper(at('withdraw'), { amount: 201n }))),
    'journal-mismatch',
  );
  assert.equal(
    codeOf(() => replay(tamper(at('reward'), { distributed: 1n }))),
    'journal-mismatch',
  );
  assert.equal(
    codeOf(() => replay(tamper(at('fee'), { amount: 3n }))),
    'journal-mismatch',
  );
  assert.equal(
    codeOf(() => replay(journal.filter((e) => e.type !== 'node-open'))),
    'journal-mismatch',
  );
  assert.equal(
    codeOf(() => replay(journal.filter((e) => e.type !== 'fee'))),
    'journal-mismatch',
  );
  // A prefix is a consistent earlier journal: it replays, to the earlier state, not the live one.
  assert.notDeepEqual(replay(journal.slice(0, -1)).state(), pool.state());
  assert.equal(
    codeOf(() => replay(journal.slice(1))),
    'journal-mismatch',
  );
});

function encodeState(pool: StakingPool): string {
  return JSON.stringify(pool.state(), (_k, v) => (typeof v === 'bigint' ? `${v}` : v));
}

test('simulation: 10,000 blocks, 500 stakers joining and leaving; every satoshi accounted for', () => {
  const rng = prng(0xf1c5);
  const params: PoolParams = { collateral: 40_000n * COIN, feeBps: 750, noticeBlocks: 720 };
  const pool = new StakingPool(params, 1_100_000);
  const stakers = Array.from({ length: 500 }, (_, i) => `t1staker${String(i).padStart(3, '0')}`);
  let rewardsPaid = 0n;
  let depositsMade = 0n;
  // Each staker joins at its own block in the first 80% of the run; members top up and leave at random.
  const joinAt = new Map<number, string[]>();
  for (const who of stakers) {
    const h = 1_100_000 + rng.int(0, 7_999);
    joinAt.set(h, [...(joinAt.get(h) ?? []), who]);
  }
  const members: string[] = [];
  const deposit = (h: number, who: string) => {
    const amount = BigInt(rng.int(100, 30_000)) * COIN + BigInt(rng.int(0, 99_999_999));
    pool.deposit(h, who, amount);
    depositsMade += amount;
  };

  const check = () => {
    const st = pool.state();
    const t = st.totals;
    assert.equal(t.credited + t.fees + t.undistributed, t.rewards, 'rewards = payouts + fee + undistributed');
    assert.equal(t.rewards, rewardsPaid);
    assert.equal(t.deposited, depositsMade);
    let stake = 0n;
    let pending = 0n;
    let earned = 0n;
    for (const [name, s] of Object.entries(st.stakers)) {
      assert.ok(
        s.stake >= 0n && s.pending >= 0n && s.earned >= 0n && s.stakeBlocks >= 0n,
        `${name} negative`,
      );
      assert.equal(s.deposited - s.withdrawn + s.earned, s.stake + s.pending, `${name} balance`);
      stake += s.stake;
      pending += s.pending;
      earned += s.earned;
    }
    assert.equal(stake, t.active);
    assert.equal(pending, t.pending);
    assert.equal(earned, t.credited);
    assert.equal(t.allocated, BigInt(st.nodes.length) * params.collateral);
    assert.ok(t.allocated <= t.active + t.pending, 'nodes backed by owned funds');
    assert.ok(t.active - t.allocated < params.collateral, 'no idle full collateral');
    // The pool's wallet: everything that came in minus everything that went out.
    assert.equal(t.deposited + t.rewards - t.withdrawn - t.fees, t.active + t.pending + t.undistributed);
  };

  for (let h = 1_100_000; h < 1_110_000; h++) {
    pool.advance(h);
    for (const who of joinAt.get(h) ?? []) {
      deposit(h, who);
      members.push(who);
    }
    if (members.length > 0 && rng.next() < 0.02) deposit(h, rng.pick(members));
    // The last 2,000 blocks are an exodus, so that withdrawals outrun free funds and close nodes.
    if (members.length > 0 && rng.next() < (h < 1_108_000 ? 0.05 : 0.25)) {
      const who = rng.pick(members);
      const stake = pool.staker(who)?.stake ?? 0n;
      if (stake > 0n) {
        const amount = rng.next() < 0.3 ? stake : (stake * BigInt(rng.int(1, 99))) / 100n || stake;
        pool.requestWithdrawal(h, who, amount);
      }
    }
    const nodes = pool.nodeList();
    if (nodes.length > 0 && rng.next() < 0.3) {
      const amount = 1_125_000_000n + BigInt(rng.int(0, 9_999));
      pool.reward(h, rng.pick(nodes).id, amount);
      rewardsPaid += amount;
    }
    if (h % 1_000 === 0) check();
  }
  check();

  const st = pool.state();
  assert.equal(members.length, 500);
  assert.equal(pool.stakerAddresses().length, 500);
  const types = new Set(pool.journal.map((e) => e.type));
  for (const t of ['deposit', 'withdraw-request', 'withdraw', 'node-open', 'node-close', 'reward', 'fee']) {
    assert.ok(types.has(t as PoolEvent['type']), `simulation exercised ${t}`);
  }
  // Every withdrawal was paid exactly when due.
  for (const e of pool.journal) {
    if (e.type === 'withdraw') {
      const req = at(pool.journal, e.request);
      assert.ok(req.type === 'withdraw-request' && req.due === e.height && req.amount === e.amount);
    }
  }
  // From the journal alone: Σ distributed + Σ fees + last undistributed = Σ rewards.
  let distributed = 0n;
  let fees = 0n;
  let lastUndistributed = 0n;
  for (const e of pool.journal) {
    if (e.type === 'reward') {
      distributed += e.distributed;
      lastUndistributed = e.undistributed;
    } else if (e.type === 'fee') fees += e.amount;
  }
  assert.equal(distributed + fees + lastUndistributed, rewardsPaid);
  assert.ok(st.totals.undistributed < 500n, 'remainder is rounding dust, under one satoshi per staker');

  // replay(journal) equals the live state, also after a round trip through stored text.
  assert.deepEqual(replay(pool.journal).state(), st);
  const stored = pool.journal.map(encodeEvent).join('\n');
  assert.deepEqual(replay(stored.split('\n').map(decodeEvent)).state(), st);
});
