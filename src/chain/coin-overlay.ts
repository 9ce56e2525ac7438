/**
 * The UTXO set as it will stand once a checked block that is not yet written is connected: the
 * store, minus the coins that block spends, plus the coins it creates. Lets the chain check the
 * next block's inputs while the scripts of the one before are still being verified.
 */
import { type OutPoint, toHex } from '../consensus/index.ts';
import type { CoinSource, ConnectPlan } from './connect-plan.ts';
import type { Coin } from './types.ts';

/** The store's view, plus the output indexes of a txid that are unspent there. */
export interface CoinStore extends CoinSource {
  unspentIndexesOf(txid: Uint8Array): number[];
}

const keyOf = (o: OutPoint) => `${toHex(o.txid)}:${o.index}`;

export class CoinOverlay implements CoinSource {
  readonly #base: CoinStore;
  readonly #spent = new Set<string>();
  readonly #created = new Map<string, Coin>();
  readonly #createdTxids = new Set<string>();
  readonly #spentTxids = new Set<string>();

  constructor(base: CoinStore, pending: Pick<ConnectPlan, 'deletes' | 'created'>) {
    this.#base = base;
    for (const o of pending.deletes) {
      this.#spent.add(keyOf(o));
      this.#spentTxids.add(toHex(o.txid));
    }
    for (const { outpoint, coin } of pending.created) {
      this.#created.set(keyOf(outpoint), coin);
      this.#createdTxids.add(toHex(outpoint.txid));
    }
  }

  get(o: OutPoint): Coin | undefined {
    const key = keyOf(o);
    const made = this.#created.get(key);
    if (made) return made;
    return this.#spent.has(key) ? undefined : this.#base.get(o);
  }

  hasAnyOutputOf(txid: Uint8Array): boolean {
    const hex = toHex(txid);
    if (this.#createdTxids.has(hex)) return true;
    if (!this.#spentTxids.has(hex)) return this.#base.hasAnyOutputOf(txid);
    // The pending block spent some of its outputs: is any left?
    return this.#base.unspentIndexesOf(txid).some((index) => !this.#spent.has(`${hex}:${index}`));
  }
}
