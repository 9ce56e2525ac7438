/**
 * How transactions enter this node: from RPC, the wallet and the operator (`accept`, then relay),
 * from gossip (`onGossip`, which returns the verdict for the p2p wrapper), and back from blocks a
 * reorg disconnected. Keeps the pool in step with the chain while it is open.
 */
import type { Logger } from 'pino';
import {
  type Chain,
  type ChainMetrics,
  type EvictedTx,
  type FluxnodeRegistry,
  Mempool,
  mempoolValidator,
  type PoolEntry,
  type TxValidator,
} from '../chain/index.ts';
import {
  type Block,
  ConsensusError,
  type ConsensusParams,
  decodeTransaction,
  encodeTransaction,
  type OutPoint,
  reverseHex,
  type Transaction,
  txid,
} from '../consensus/index.ts';
import {
  ACCEPT,
  CHAIN_TOPICS,
  type GossipVerdict,
  ignore,
  MempoolSync,
  type P2PHost,
  refusal,
  reject,
} from '../p2p/index.ts';
import type { NodeModule } from './module.ts';

export interface TxAcceptanceDeps {
  params: ConsensusParams;
  chain: Chain;
  registry: () => FluxnodeRegistry;
  p2p: P2PHost;
  log: Logger;
  metrics: ChainMetrics | null;
  /**
   * A layer's own pool rule on top of the chain's (the economy's claim check): throws a
   * ConsensusError to refuse, returns conflict keys no other pooled tx may share.
   */
  policy?: (tx: Transaction, scriptOf: (o: OutPoint) => Uint8Array | undefined) => readonly string[];
}

export class TxAcceptance implements NodeModule {
  readonly name = 'mempool';
  readonly mempool: Mempool;
  readonly #d: TxAcceptanceDeps;
  readonly #validate: TxValidator;
  readonly #onConnect = (block: Block) =>
    this.mempool.removeForBlock(block.txs, (tx) => reverseHex(txid(tx)));
  readonly #onTip = () => this.#revalidateFluxnodeTxs();
  readonly #onDisconnect = (block: Block) => {
    // Transactions of a disconnected block go back to the pool when they are still valid.
    for (const tx of block.txs.slice(1)) void this.accept(tx, false).catch(() => {});
  };

  constructor(deps: TxAcceptanceDeps) {
    this.#d = deps;
    this.mempool = new Mempool({ maxBytes: 50_000_000, minFeePerKb: 100n, metrics: deps.metrics });
    const base = mempoolValidator({
      params: deps.params,
      tipHeight: () => deps.chain.height(),
      getUtxo: (o) => deps.chain.getUtxo(o),
      registry: deps.registry,
    });
    const policy = deps.policy;
    this.#validate = policy
      ? (tx, poolOutput) => {
          const v = base(tx, poolOutput);
          const scriptOf = (o: OutPoint) => (deps.chain.getUtxo(o) ?? poolOutput(o))?.scriptPubKey;
          return { ...v, conflictKeys: policy(tx, scriptOf) };
        }
      : base;
    deps.p2p.subscribe(CHAIN_TOPICS.txs, (data) => this.onGossip(data));
    // A peer that connects is asked for its pool; what it sends goes through the same intake.
    new MempoolSync({
      net: deps.p2p,
      txids: () => this.mempool.all().map((e) => e.txid),
      has: (id) => this.mempool.has(id),
      get: (id) => {
        const e = this.mempool.get(id);
        return e ? encodeTransaction(e.tx) : undefined;
      },
      accept: (bytes) => this.onGossip(bytes),
    }).install();
  }

  async open(): Promise<void> {
    this.#d.chain.on('connect', this.#onConnect);
    this.#d.chain.on('tip', this.#onTip);
    this.#d.chain.on('disconnect', this.#onDisconnect);
  }

  async close(): Promise<void> {
    this.#d.chain.off('connect', this.#onConnect);
    this.#d.chain.off('tip', this.#onTip);
    this.#d.chain.off('disconnect', this.#onDisconnect);
  }

  /** Validates and pools `tx` (throws ConsensusError naming the rule), then relays it. */
  async accept(tx: Transaction, relay = true): Promise<PoolEntry> {
    const entry = this.mempool.add(tx, this.#validate, Date.now());
    if (relay) await this.#d.p2p.publish(CHAIN_TOPICS.txs, encodeTransaction(tx));
    return entry;
  }

  /** A gossiped transaction: pooled (accept), or refused with the score its rule carries. */
  onGossip(data: Uint8Array): GossipVerdict {
    let tx: Transaction;
    try {
      tx = decodeTransaction(data);
    } catch {
      return reject('undecodable-tx');
    }
    try {
      this.mempool.add(tx, this.#validate, Date.now());
      return ACCEPT;
    } catch (err) {
      const rule = err instanceof ConsensusError ? err.rule : 'not-pooled';
      this.#d.log.debug({ rule }, 'gossip tx not pooled');
      return err instanceof ConsensusError ? refusal(err.rule, err.score) : ignore(rule);
    }
  }

  #revalidateFluxnodeTxs(): void {
    const dropped = this.mempool.revalidate(this.#validate, (e) => e.tx.fluxnode !== undefined);
    for (const d of dropped) this.logEvicted(d);
  }

  /** Checks every pooled transaction again (the miner does before a template); evicts what fails. */
  recheckPool(): EvictedTx[] {
    return this.mempool.revalidate(this.#validate, () => true);
  }

  /** A pool transaction no block can carry any more was evicted: say which and by what rule. */
  logEvicted(e: EvictedTx): void {
    this.#d.log.info(
      { txid: e.txid, rule: e.rule, reason: e.reason },
      'evicted transaction from the mempool',
    );
  }
}
