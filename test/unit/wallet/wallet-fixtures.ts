/**
 * A real chain (devnet rules, proof of work off) in a temp folder, with the address index wired in,
 * and a helper that mines blocks paying a chosen script: what wallet tests spend from.
 */
import { AddressIndex } from '../../../src/chain/address-index/address-index.ts';
import { Chain } from '../../../src/chain/chain.ts';
import type { ChainStateExtension } from '../../../src/chain/extension.ts';
import { mempoolValidator } from '../../../src/chain/mempool/accept.ts';
import { Mempool, type PoolEntry } from '../../../src/chain/mempool/mempool.ts';
import type { AcceptResult } from '../../../src/chain/types.ts';
import { type ConsensusParams, upgradeActive } from '../../../src/consensus/params/index.ts';
import type { Block, Transaction } from '../../../src/consensus/primitives/types.ts';
import {
  coinbaseTx,
  DEVNET_GENESIS,
  devnet,
  makeBlock,
  type Parent,
  parentOf,
  SUBSIDY,
  tempDir,
} from '../../support/chain-fixtures.ts';

export { devnet, SUBSIDY };

export class TestNet {
  readonly chain: Chain;
  readonly index: AddressIndex;
  private readonly cleanup: () => void;
  tip: Parent;

  private constructor(chain: Chain, index: AddressIndex, cleanup: () => void) {
    this.chain = chain;
    this.index = index;
    this.cleanup = cleanup;
    this.tip = parentOf(DEVNET_GENESIS, 0);
  }

  static async open(
    params: ConsensusParams = devnet,
    extensions: ChainStateExtension[] = [],
  ): Promise<TestNet> {
    const t = tempDir('fluxnode-wallet-');
    const index = new AddressIndex({ coinbaseMaturity: params.coinbaseMaturity, deepCheck: true });
    const chain = await Chain.open(t.dir, params, {
      validation: { checkPow: false, checkDifficulty: false },
      extensions: [index, ...extensions],
    });
    return new TestNet(chain, index, t.cleanup);
  }

  /** A block on the tip: a coinbase paying the subsidy to `payTo`, then `txs`. Not yet submitted. */
  block(payTo: Uint8Array, txs: Transaction[] = [], tag = 0): Block {
    const height = this.tip.height + 1;
    let cb = coinbaseTx(height, [{ value: SUBSIDY, scriptPubKey: payTo }], tag);
    // Before Acadia a block carries only legacy (not overwintered) transactions.
    if (!upgradeActive('acadia', height, this.chain.params)) {
      cb = { ...cb, version: 1, overwintered: false, versionGroupId: 0, expiryHeight: 0 };
    }
    return makeBlock(this.tip, [cb, ...txs]);
  }

  /** Submits `block`; the tip moves when it connects. */
  async submit(block: Block): Promise<AcceptResult> {
    const r = await this.chain.acceptBlock(block);
    if (r.status === 'connected') this.tip = parentOf(block, r.height!);
    return r;
  }

  /** Mines a block paying `payTo` and containing `txs`; throws unless it connects. */
  async mine(payTo: Uint8Array, txs: Transaction[] = []): Promise<Block> {
    const b = this.block(payTo, txs);
    const r = await this.submit(b);
    if (r.status !== 'connected') throw new Error(`block ${r.height} ${r.status}: ${r.rule} ${r.reason}`);
    return b;
  }

  async mineMany(n: number, payTo: Uint8Array): Promise<void> {
    for (let i = 0; i < n; i++) await this.mine(payTo);
  }

  /**
   * Offers `tx` to a fresh mempool of this chain (relay fee 1,000 satoshis/kB, standard policy):
   * what a node does with a transaction before it may be mined. Throws the rule it breaks.
   */
  toMempool(txs: Transaction[]): PoolEntry[] {
    const pool = new Mempool({ maxBytes: 1_000_000, minFeePerKb: 1_000n });
    const validate = mempoolValidator({
      params: this.chain.params,
      tipHeight: () => this.chain.height(),
      getUtxo: (o) => this.chain.getUtxo(o),
      registry: () => this.chain.fluxnodes,
    });
    return txs.map((tx) => pool.add(tx, validate, 0));
  }

  close(): void {
    this.chain.close();
    this.cleanup();
  }
}
