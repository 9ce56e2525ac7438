/**
 * The staking-pool role (`fluxnode start --pool ADDRESS`). The pool's books are a PoolFollower over
 * the chain (economy/pool/follower.ts): every holder can recompute them. This module does what the
 * books decide, with the pool address's key in the node's wallet:
 *   - a node slot opened → lock a Stratus collateral at the pool address, START it once buried
 *     (the operator module then keeps it confirmed);
 *   - a node slot closed → release the collateral (spending it ends the node), in order;
 *   - a withdrawal due → pay the holder from the pool address.
 * What it has done is kept in a small state file, so a restart neither pays twice nor relocks.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { parseOutpointKey, type Transaction } from '../../consensus/index.ts';
import { type PoolDefinition, PoolFollower } from '../../economy/index.ts';
import type { Wallet } from '../../wallet/index.ts';
import type { NodeModule } from '../module.ts';
import type { FluxnodeOperator } from './operator.ts';
import { type ChainSource, followChain } from './pool-sync.ts';

export interface PoolModuleDeps extends ChainSource {
  wallet: Wallet;
  operator: FluxnodeOperator;
  submit: (tx: Transaction) => Promise<unknown>;
  stateFile: string;
  log: Logger;
}

interface PoolActions {
  /** The collateral this pool locked for its node slot ("txid:vout"), while it holds it. */
  collateral?: string;
  /** Node closes of the journal already carried out. */
  closes: number;
  /** Journal seqs of the withdrawals already paid, and the paying txids. */
  paid: Record<string, string>;
}

export class PoolModule implements NodeModule {
  readonly name = 'pool';
  readonly def: PoolDefinition;
  readonly #d: PoolModuleDeps;
  #follower: PoolFollower;
  #state: PoolActions;
  #busy = false;

  constructor(def: PoolDefinition, deps: PoolModuleDeps) {
    this.def = def;
    this.#d = deps;
    this.#follower = new PoolFollower(def, deps.params);
    this.#state = existsSync(deps.stateFile)
      ? (JSON.parse(readFileSync(deps.stateFile, 'utf8')) as PoolActions)
      : { closes: 0, paid: {} };
  }

  readonly #onTip = () =>
    void this.tick().catch((err) => this.#d.log.warn({ err: String(err) }, 'pool step failed'));

  async open(): Promise<void> {
    this.#d.chain.on('tip', this.#onTip);
    await this.tick();
  }

  async close(): Promise<void> {
    this.#d.chain.off('tip', this.#onTip);
  }

  /** The pool's books at the tip. */
  get follower(): PoolFollower {
    this.#sync();
    return this.#follower;
  }

  /** The books recomputed from the chain by a fresh follower (what any holder can do). */
  recompute(): PoolFollower {
    return followChain(new PoolFollower(this.def, this.#d.params), this.def, this.#d);
  }

  get actions(): Readonly<PoolActions> {
    return this.#state;
  }

  /** Brings the books to the tip, then carries out what they decided and is not yet done. */
  async tick(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      this.#sync();
      await this.#windDown();
      await this.#lockCollateral();
      await this.#startNode();
      await this.#payWithdrawals();
    } finally {
      this.#busy = false;
    }
  }

  #sync(): void {
    this.#follower = followChain(this.#follower, this.def, this.#d);
  }

  async #lockCollateral(): Promise<void> {
    const slots = this.#follower.pool.nodeList().length;
    if (slots === 0 || this.#state.collateral) return;
    const amount = this.def.params.collateral;
    const payment = this.#d.wallet.createPayment({
      to: [{ address: this.def.address, amount }],
      changeAddress: this.def.address,
      inputs: this.#coinsFor(amount + 100_000n),
    });
    await this.#d.submit(payment.tx);
    this.#save({ ...this.#state, collateral: `${payment.txid}:0` });
    this.#d.log.info({ collateral: this.#state.collateral }, 'pool locked a Stratus collateral');
  }

  async #startNode(): Promise<void> {
    const c = this.#state.collateral;
    if (!c || this.#d.operator.collateral === c) return;
    const coin = this.#d.chain.getUtxo(parseOutpointKey(c));
    const buried = coin ? this.#d.chain.height() - coin.height + 1 : 0;
    if (buried < this.#d.params.fluxnodes.collateralMinConfirmations) return;
    await this.#d.operator.start(c);
    this.#d.log.info({ collateral: c }, 'pool STARTed its Stratus node');
  }

  /** A close in the journal not yet carried out: the collateral is released to pay withdrawals. */
  async #windDown(): Promise<void> {
    const closes = this.#follower.pool.journal.filter((e) => e.type === 'node-close').length;
    if (closes <= this.#state.closes) return;
    const c = this.#state.collateral;
    if (c) this.#d.wallet.unlockCoin(parseOutpointKey(c));
    const { collateral: _released, ...rest } = this.#state;
    this.#save({ ...rest, closes });
    this.#d.log.info({ collateral: c }, 'pool wound its Stratus node down: collateral released');
  }

  async #payWithdrawals(): Promise<void> {
    for (const e of this.#follower.pool.journal) {
      if (e.type !== 'withdraw' || this.#state.paid[e.seq] !== undefined) continue;
      const payment = this.#d.wallet.createPayment({
        to: [{ address: e.staker, amount: e.amount }],
        changeAddress: this.def.address,
        inputs: this.#coinsFor(e.amount + 100_000n),
      });
      await this.#d.submit(payment.tx);
      this.#save({ ...this.#state, paid: { ...this.#state.paid, [e.seq]: payment.txid } });
      this.#d.log.info(
        { staker: e.staker, amount: String(e.amount), txid: payment.txid },
        'pool paid a withdrawal',
      );
    }
  }

  /** Spendable coins of the pool address covering `need` (largest first), collateral excluded. */
  #coinsFor(need: bigint) {
    const coins = this.#d.wallet
      .coins()
      .filter((c) => c.address === this.def.address && c.status === 'spendable')
      .sort((x, y) => (x.value > y.value ? -1 : x.value < y.value ? 1 : 0));
    const picked = [];
    let sum = 0n;
    for (const c of coins) {
      if (sum >= need) break;
      picked.push(c.outpoint);
      sum += c.value;
    }
    if (sum < need) throw new Error(`the pool address has ${sum} spendable satoshis, ${need} needed`);
    return picked;
  }

  #save(state: PoolActions): void {
    this.#state = state;
    writeFileSync(this.#d.stateFile, `${JSON.stringify(state, null, 2)}\n`);
  }
}
