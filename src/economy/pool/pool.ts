import { EconomyError, requireHeight, requireNonEmpty, requirePositiveAmount } from '../errors.ts';
import type { PoolEvent, PoolParams } from './journal.ts';

interface Staker {
  /** Earning balance (deposits + credited rewards − requested withdrawals). */
  stake: bigint;
  /** Stake × blocks accumulated since the last reward, up to `since`. */
  stakeBlocks: bigint;
  since: number;
  /** Requested, not yet paid out; earns nothing. */
  pending: bigint;
  deposited: bigint;
  withdrawn: bigint;
  earned: bigint;
}

export interface NodeSlot {
  id: string;
  collateral: bigint;
  openedAt: number;
}

interface WithdrawalRequest {
  seq: number;
  staker: string;
  amount: bigint;
  due: number;
}

export interface StakerView {
  staker: string;
  stake: bigint;
  pending: bigint;
  deposited: bigint;
  withdrawn: bigint;
  earned: bigint;
  /** Stake-blocks counted toward the next reward, as of the pool's current height. */
  stakeBlocks: bigint;
}

/** Everything the pool knows, as plain sorted data: two pools are equal iff their states are deep-equal. */
export interface PoolState {
  height: number;
  params: PoolParams;
  stakers: Record<string, Staker>;
  nodes: NodeSlot[];
  queue: WithdrawalRequest[];
  nextNode: number;
  weight: { stakeBlocks: bigint; since: number };
  totals: {
    active: bigint;
    pending: bigint;
    allocated: bigint;
    deposited: bigint;
    withdrawn: bigint;
    rewards: bigint;
    fees: bigint;
    credited: bigint;
    undistributed: bigint;
  };
}

export interface RewardOutcome {
  fee: bigint;
  distributed: bigint;
  undistributed: bigint;
}

const BPS = 10_000n;

function validateParams(p: PoolParams): void {
  requirePositiveAmount(p.collateral, 'collateral');
  if (!Number.isInteger(p.feeBps) || p.feeBps < 0 || p.feeBps > 10_000) {
    throw new EconomyError('bad-fee', 'feeBps must be an integer 0..10000', {
      field: 'feeBps',
      value: p.feeBps,
    });
  }
  if (!Number.isSafeInteger(p.noticeBlocks) || p.noticeBlocks < 0) {
    throw new EconomyError('bad-notice', 'noticeBlocks must be a non-negative integer', {
      field: 'noticeBlocks',
      value: p.noticeBlocks,
    });
  }
}

/**
 * A Stratus staking pool, exact to the satoshi.
 *
 * - Deposits earn from the block after the deposit. Whenever active stake not yet backing a node
 *   reaches the collateral, the pool opens a node.
 * - A node reward pays the operator's fee (floor of feeBps), then the rest plus the carried
 *   remainder is shared by stake-blocks since the previous reward: share = ⌊pot × w / W⌋. Shares
 *   compound into stake; what the floors leave is carried as `undistributed`, never dropped.
 * - A withdrawal request stops that amount earning at once and pays it `noticeBlocks` later, from
 *   funds not backing nodes; when those fall short the pool closes its newest nodes, one at a time,
 *   until the payment is covered (a forced close).
 *
 * Heights never go back; every method checks all input before it changes anything.
 */
export class StakingPool {
  readonly params: PoolParams;
  private current: number;
  private readonly events: PoolEvent[] = [];
  private readonly stakers = new Map<string, Staker>();
  private readonly nodes: NodeSlot[] = [];
  /** Height each closed node was closed at. */
  private readonly closedAt = new Map<string, number>();
  private readonly queue: WithdrawalRequest[] = [];
  private queueHead = 0;
  private nextNode = 0;
  private active = 0n;
  private pendingTotal = 0n;
  private allocated = 0n;
  private totalStakeBlocks = 0n;
  private weightSince: number;
  private deposited = 0n;
  private withdrawn = 0n;
  private rewards = 0n;
  private fees = 0n;
  private credited = 0n;
  private undistributed = 0n;

  constructor(params: PoolParams, height = 0) {
    validateParams(params);
    requireHeight(height);
    this.params = Object.freeze({ ...params });
    this.current = height;
    this.weightSince = height;
    this.append({ type: 'init', height, params: { ...params } });
  }

  get height(): number {
    return this.current;
  }

  get journal(): readonly PoolEvent[] {
    return this.events;
  }

  deposit(height: number, staker: string, amount: bigint): void {
    this.checkHeight(height);
    requireNonEmpty(staker, 'staker');
    requirePositiveAmount(amount, 'amount');
    this.advance(height);
    const s = this.stakerFor(staker);
    this.settleWeight(height);
    this.settleStaker(s, height);
    s.stake += amount;
    s.deposited += amount;
    this.active += amount;
    this.deposited += amount;
    this.append({ type: 'deposit', height, staker, amount });
    this.openDueNodes(height);
  }

  /** Moves `amount` of stake to pending; it is paid at `due` = height + noticeBlocks. */
  requestWithdrawal(height: number, staker: string, amount: bigint): { due: number } {
    this.checkHeight(height);
    requireNonEmpty(staker, 'staker');
    requirePositiveAmount(amount, 'amount');
    const s = this.stakers.get(staker);
    if (!s || s.stake < amount) {
      throw new EconomyError('insufficient-stake', `${staker} has ${s?.stake ?? 0n} staked`, {
        field: 'amount',
        value: amount,
      });
    }
    this.advance(height);
    this.settleWeight(height);
    this.settleStaker(s, height);
    s.stake -= amount;
    s.pending += amount;
    this.active -= amount;
    this.pendingTotal += amount;
    const due = height + this.params.noticeBlocks;
    const seq = this.events.length;
    this.queue.push({ seq, staker, amount, due });
    this.append({ type: 'withdraw-request', height, staker, amount, due });
    // Requests are due in order (fixed notice, heights never go back), so a zero notice pays here.
    this.advance(height);
    return { due };
  }

  /** Moves the pool to `height`, paying every withdrawal due by then. */
  advance(height: number): void {
    this.checkHeight(height);
    this.current = height;
    for (let w = this.queue[this.queueHead]; w && w.due <= height; w = this.queue[this.queueHead]) {
      this.payWithdrawal(w, height);
      this.queueHead++;
    }
    if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
      this.queue.splice(0, this.queueHead);
      this.queueHead = 0;
    }
  }

  /** Shares one node reward received at `height`. */
  reward(height: number, node: string, amount: bigint): RewardOutcome {
    this.checkHeight(height);
    requirePositiveAmount(amount, 'amount');
    // A node closed at this very height was still open when the block paid it (a replay meets the
    // close first: the journal records it before the reward that triggered it).
    if (!this.nodes.some((n) => n.id === node) && this.closedAt.get(node) !== height) {
      throw new EconomyError('unknown-node', `the pool has no open node ${JSON.stringify(node)}`, {
        field: 'node',
        value: node,
      });
    }
    // The node was open when paid; a withdrawal due at this height may close it below, which
    // changes no weight (pending funds earn nothing), so the split is the same either way.
    this.advance(height);
    this.settleWeight(height);
    const total = this.totalStakeBlocks;
    const fee = (amount * BigInt(this.params.feeBps)) / BPS;
    const pot = amount - fee + this.undistributed;
    let distributed = 0n;
    for (const s of this.stakers.values()) {
      const weight = s.stakeBlocks + s.stake * BigInt(height - s.since);
      s.stakeBlocks = 0n;
      s.since = height;
      if (weight === 0n) continue;
      const share = (pot * weight) / total;
      s.stake += share;
      s.earned += share;
      distributed += share;
    }
    if (distributed > pot) throw new EconomyError('pool-overpaid', 'shares exceed the pot (ledger bug)');
    this.totalStakeBlocks = 0n;
    this.active += distributed;
    this.credited += distributed;
    this.undistributed = pot - distributed;
    this.rewards += amount;
    this.fees += fee;
    this.append({ type: 'reward', height, node, amount, distributed, undistributed: this.undistributed });
    if (fee > 0n) this.append({ type: 'fee', height, node, amount: fee });
    this.openDueNodes(height);
    return { fee, distributed, undistributed: this.undistributed };
  }

  staker(address: string): StakerView | undefined {
    const s = this.stakers.get(address);
    if (!s) return undefined;
    return {
      staker: address,
      stake: s.stake,
      pending: s.pending,
      deposited: s.deposited,
      withdrawn: s.withdrawn,
      earned: s.earned,
      stakeBlocks: s.stakeBlocks + s.stake * BigInt(this.current - s.since),
    };
  }

  stakerAddresses(): string[] {
    return [...this.stakers.keys()];
  }

  nodeList(): NodeSlot[] {
    return this.nodes.map((n) => ({ ...n }));
  }

  /** Funds owned by stakers that back no node (may include pending withdrawals). */
  unallocated(): bigint {
    return this.active + this.pendingTotal - this.allocated;
  }

  state(): PoolState {
    const stakers: Record<string, Staker> = {};
    for (const key of [...this.stakers.keys()].sort()) stakers[key] = { ...this.stakers.get(key)! };
    return {
      height: this.current,
      params: { ...this.params },
      stakers,
      nodes: this.nodes.map((n) => ({ ...n })),
      queue: this.queue.slice(this.queueHead).map((q) => ({ ...q })),
      nextNode: this.nextNode,
      weight: { stakeBlocks: this.totalStakeBlocks, since: this.weightSince },
      totals: {
        active: this.active,
        pending: this.pendingTotal,
        allocated: this.allocated,
        deposited: this.deposited,
        withdrawn: this.withdrawn,
        rewards: this.rewards,
        fees: this.fees,
        credited: this.credited,
        undistributed: this.undistributed,
      },
    };
  }

  private openDueNodes(height: number): void {
    while (this.active - this.allocated >= this.params.collateral) {
      const node: NodeSlot = {
        id: `pool-node-${++this.nextNode}`,
        collateral: this.params.collateral,
        openedAt: height,
      };
      this.nodes.push(node);
      this.allocated += node.collateral;
      this.append({ type: 'node-open', height, node: node.id, collateral: node.collateral });
    }
  }

  private payWithdrawal(req: WithdrawalRequest, height: number): void {
    const s = this.stakers.get(req.staker)!;
    // Funds not backing a node: owned by stakers (earning or pending) minus collateral in use.
    let free = this.active + this.pendingTotal - this.allocated;
    while (free < req.amount) {
      const node = this.nodes.pop();
      if (!node) throw new EconomyError('pool-insolvent', 'withdrawal exceeds pool funds (ledger bug)');
      this.allocated -= node.collateral;
      free += node.collateral;
      this.closedAt.set(node.id, height);
      this.append({
        type: 'node-close',
        height,
        node: node.id,
        collateral: node.collateral,
        reason: 'withdrawal',
      });
    }
    s.pending -= req.amount;
    s.withdrawn += req.amount;
    this.pendingTotal -= req.amount;
    this.withdrawn += req.amount;
    this.append({ type: 'withdraw', height, staker: req.staker, amount: req.amount, request: req.seq });
  }

  private stakerFor(address: string): Staker {
    let s = this.stakers.get(address);
    if (!s) {
      s = {
        stake: 0n,
        stakeBlocks: 0n,
        since: this.current,
        pending: 0n,
        deposited: 0n,
        withdrawn: 0n,
        earned: 0n,
      };
      this.stakers.set(address, s);
    }
    return s;
  }

  private settleWeight(height: number): void {
    this.totalStakeBlocks += this.active * BigInt(height - this.weightSince);
    this.weightSince = height;
  }

  private settleStaker(s: Staker, height: number): void {
    s.stakeBlocks += s.stake * BigInt(height - s.since);
    s.since = height;
  }

  private checkHeight(height: number): void {
    requireHeight(height);
    if (height < this.current) {
      throw new EconomyError('height-went-back', `pool is at height ${this.current}`, {
        field: 'height',
        value: height,
      });
    }
  }

  private append(event: DistributiveOmit<PoolEvent, 'seq'>): void {
    this.events.push(Object.freeze({ seq: this.events.length, ...event }) as PoolEvent);
  }
}

type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;
