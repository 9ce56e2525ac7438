/**
 * A staking pool derived from the chain alone. Anyone who knows the pool's address, start height
 * and parameters folds the blocks through this and gets the same journal and balances as the pool
 * operator, to the satoshi: stakes and withdrawal requests are holders' transactions (pool-data.ts),
 * rewards are the fluxnode payments the coinbase makes to the pool's address. Every decision (nodes
 * opened and closed, withdrawals paid, fees) is the StakingPool's, so `replay(journal)` checks it.
 */
import {
  addressForScript,
  type Block,
  classifyScript,
  type ConsensusParams,
  hash160,
  type OutPoint,
  scriptForAddress,
  equalBytes,
} from '../../consensus/index.ts';
import { EconomyError } from '../errors.ts';
import type { OperatorPayout } from '../inputs.ts';
import type { PoolParams } from './journal.ts';
import { StakingPool } from './pool.ts';
import { decodePoolData } from './pool-data.ts';

export interface PoolDefinition {
  /** Stakes pay it; the pool's Stratus collaterals sit at it and are paid there. */
  address: string;
  /** The pool starts after this block: stakes from the next one on count. */
  startHeight: number;
  params: PoolParams;
}

/** One main-chain block as the follower reads it. */
export interface PoolBlock {
  block: Block;
  height: number;
  /** Script of the coin an input of the block spends. */
  scriptOf: (o: OutPoint) => Uint8Array | undefined;
  /** The fluxnode payments of its coinbase (the economy's block summary). */
  payouts: readonly OperatorPayout[];
}

export class PoolFollower {
  readonly def: PoolDefinition;
  readonly pool: StakingPool;
  readonly #script: Uint8Array;
  readonly #poolHash: Uint8Array;
  readonly #base58: ConsensusParams['base58'];
  /** Collateral outpoint → the pool's node slot it backs, in order of first payment. */
  readonly #slots = new Map<string, string>();
  /** Payments to the pool's address while it had no open node for them (kept out of the split). */
  unattributed = 0n;
  /** The id of each block applied, by height: a follower on a branch the chain left is rebuilt. */
  readonly hashes = new Map<number, string>();

  constructor(def: PoolDefinition, params: ConsensusParams) {
    this.def = def;
    this.#base58 = params.base58;
    this.#script = scriptForAddress(def.address, params.base58);
    this.#poolHash = hash160(this.#script);
    this.pool = new StakingPool(def.params, def.startHeight);
  }

  get height(): number {
    return this.pool.height;
  }

  /** The slot a collateral backs, once the pool has been paid for it. */
  slotOf(collateral: string): string | undefined {
    return this.#slots.get(collateral);
  }

  apply(b: PoolBlock, id = ''): void {
    if (b.height !== this.pool.height + 1)
      throw new EconomyError('not-next-block', `the pool is at ${this.pool.height}`, {
        field: 'height',
        value: b.height,
      });
    for (const p of b.payouts) if (p.payoutAddress === this.def.address) this.#reward(b.height, p);
    for (const tx of b.block.txs.slice(1)) {
      for (const out of tx.outputs) {
        const t = classifyScript(out.scriptPubKey);
        const data = t.type === 'nulldata' ? decodePoolData(t.data) : null;
        if (!data || !tx.inputs[0]) continue;
        const source = b.scriptOf(tx.inputs[0].prevout);
        const holder = source && addressForScript(source, this.#base58);
        if (!holder || holder === this.def.address) break;
        if (data.kind === 'stake') {
          const paid = tx.outputs.reduce(
            (n, o) => (equalBytes(o.scriptPubKey, this.#script) ? n + o.value : n),
            0n,
          );
          if (paid > 0n) this.pool.deposit(b.height, holder, paid);
        } else if (equalBytes(data.pool, this.#poolHash)) {
          const stake = this.pool.staker(holder)?.stake ?? 0n;
          // A request for more than the holder has staked is not one: the pool ignores it.
          if (data.amount <= stake) this.pool.requestWithdrawal(b.height, holder, data.amount);
        }
        break;
      }
    }
    this.pool.advance(b.height);
    this.hashes.set(b.height, id);
  }

  #reward(height: number, p: OperatorPayout): void {
    let slot = this.#slots.get(p.collateral);
    const open = this.pool.nodeList();
    if (!slot) {
      const taken = new Set(this.#slots.values());
      slot = open.find((n) => !taken.has(n.id))?.id;
      if (slot) this.#slots.set(p.collateral, slot);
    }
    if (slot && open.some((n) => n.id === slot)) this.pool.reward(height, slot, p.amount);
    else this.unattributed += p.amount;
  }
}
