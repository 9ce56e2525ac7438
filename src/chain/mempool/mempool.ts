import {
  ConsensusError,
  NO_FAULT,
  type OutPoint,
  reverseHex,
  type Transaction,
} from '../../consensus/index.ts';
import type { ChainMetrics } from '../metrics.ts';

/** What validation of one transaction against the chain tip (plus the pool's own outputs) found. */
export interface ValidatedTx {
  txid: string;
  fee: bigint;
  size: number;
  /**
   * Keys besides the outputs it spends that no other pooled tx may hold (a layer's rule that two
   * such txs cannot share a block or its state, e.g. one pending claim per source and asset).
   */
  conflictKeys?: readonly string[];
}

/**
 * Validates a tx for the pool: stateless checks, standard policy, inputs (from the chain's UTXO set or
 * from `poolOutput` for chained unconfirmed txs), scripts. Throws ConsensusError naming the rule.
 */
export type TxValidator = (
  tx: Transaction,
  poolOutput: (o: OutPoint) => { value: bigint; scriptPubKey: Uint8Array } | undefined,
) => ValidatedTx;

export interface MempoolOptions {
  maxBytes: number;
  /** Minimum relay fee, satoshis per 1,000 bytes. */
  minFeePerKb: bigint;
  /** Its size and bytes are read from here at each scrape. */
  metrics?: ChainMetrics | null;
}

export interface PoolEntry {
  tx: Transaction;
  txid: string;
  fee: bigint;
  size: number;
  /** Fee rate, satoshis per 1,000 bytes, as a bigint to keep ordering exact. */
  feePerKb: bigint;
  time: number;
  /** txids in the pool this entry spends from. */
  parents: Set<string>;
  /** Its conflict keys beyond the outputs it spends (ValidatedTx.conflictKeys). */
  extraKeys: readonly string[];
}

/** A transaction put out of the pool because a block could not carry it, and why. */
export interface EvictedTx {
  txid: string;
  tx: Transaction;
  /** The rule it broke (for a descendant of such a transaction: `evicted-with-parent`). */
  rule: string;
  reason: string;
}

const keyOf = (o: OutPoint) => `${reverseHex(o.txid)}:${o.index}`;

/**
 * Unconfirmed transactions: no two spend the same output, chained spends are allowed, entries are
 * ordered by fee rate for block templates (parents before children) and the cheapest are evicted
 * when the pool is full. Fluxnode transactions (no inputs) conflict by collateral.
 */
export class Mempool {
  private readonly entries = new Map<string, PoolEntry>();
  /** outpoint key → txid spending it (for transparent inputs) or collateral key → fluxnode txid. */
  private readonly spends = new Map<string, string>();
  private readonly opts: MempoolOptions;
  private bytes = 0;

  constructor(opts: MempoolOptions) {
    this.opts = opts;
    opts.metrics?.watchMempool(this);
  }

  get size(): number {
    return this.entries.size;
  }

  get totalBytes(): number {
    return this.bytes;
  }

  /** The relay fee floor, satoshis per 1,000 bytes. */
  get minFeePerKb(): bigint {
    return this.opts.minFeePerKb;
  }

  has(txid: string): boolean {
    return this.entries.has(txid);
  }

  get(txid: string): PoolEntry | undefined {
    return this.entries.get(txid);
  }

  all(): PoolEntry[] {
    return [...this.entries.values()];
  }

  /** Output `o` created by a pool transaction, if any (for chained spends). */
  output(o: OutPoint): { value: bigint; scriptPubKey: Uint8Array } | undefined {
    const e = this.entries.get(reverseHex(o.txid));
    return e?.tx.outputs[o.index];
  }

  isSpent(o: OutPoint): boolean {
    return this.spends.has(keyOf(o));
  }

  /** Adds `tx` or throws ConsensusError (`txn-already-in-mempool`, `txn-mempool-conflict`, `min-relay-fee-not-met`, `mempool-full`, or the validator's rule). */
  add(tx: Transaction, validate: TxValidator, now: number): PoolEntry {
    const v = validate(tx, (o) => this.output(o));
    const conflictKeys = [...spendKeys(tx), ...(v.conflictKeys ?? [])];
    if (this.entries.has(v.txid))
      throw new ConsensusError('txn-already-in-mempool', v.txid, {
        score: NO_FAULT,
        field: 'txid',
        value: v.txid,
      });
    for (const k of conflictKeys) {
      const other = this.spends.get(k);
      if (other)
        throw new ConsensusError('txn-mempool-conflict', `${k} is already spent by ${other}`, {
          score: NO_FAULT,
          field: 'inputs',
          value: k,
        });
    }
    if (tx.fluxnode) {
      const collateral = keyOf(tx.fluxnode.collateral);
      const spender = this.spends.get(collateral);
      if (spender) {
        throw new ConsensusError(
          'bad-fluxnode-collateral-spent',
          `collateral ${collateral} is spent by pooled transaction ${spender}`,
          {
            score: NO_FAULT,
            field: 'collateral',
            value: collateral,
          },
        );
      }
    }
    const feePerKb = (v.fee * 1000n) / BigInt(Math.max(1, v.size));
    if (!tx.fluxnode && feePerKb < this.opts.minFeePerKb) {
      throw new ConsensusError(
        'min-relay-fee-not-met',
        `fee ${v.fee} for ${v.size} bytes is below ${this.opts.minFeePerKb} per kB`,
        {
          score: NO_FAULT,
          field: 'fee',
          value: v.fee,
        },
      );
    }
    const parents = new Set<string>();
    for (const input of tx.inputs) {
      const p = reverseHex(input.prevout.txid);
      if (this.entries.has(p)) parents.add(p);
    }
    // Spending a collateral shuts its node down: a pooled START or CONFIRM for it could not share a
    // block with the spend (the node is gone once the spend applies), so the spend wins.
    for (const k of conflictKeys) {
      const fluxnodeTx = this.spends.get(`fluxnode:${k}`);
      if (fluxnodeTx) this.remove(fluxnodeTx);
    }
    const entry: PoolEntry = {
      tx,
      txid: v.txid,
      fee: v.fee,
      size: v.size,
      feePerKb,
      time: now,
      parents,
      extraKeys: v.conflictKeys ?? [],
    };
    this.entries.set(entry.txid, entry);
    for (const k of conflictKeys) this.spends.set(k, entry.txid);
    this.bytes += entry.size;
    if (this.bytes > this.opts.maxBytes) {
      this.trimToSize();
      if (!this.entries.has(entry.txid)) {
        throw new ConsensusError('mempool-full', `fee rate ${feePerKb} per kB is too low for a full pool`, {
          score: NO_FAULT,
          field: 'fee',
          value: v.fee,
        });
      }
    }
    return entry;
  }

  /** Removes the tx and everything in the pool that spends from it. */
  remove(txid: string): Transaction[] {
    return this.removeEntries(txid).map((e) => e.tx);
  }

  private removeEntries(txid: string): PoolEntry[] {
    const removed: PoolEntry[] = [];
    const stack = [txid];
    while (stack.length) {
      const id = stack.pop()!;
      const e = this.entries.get(id);
      if (!e) continue;
      this.entries.delete(id);
      this.bytes -= e.size;
      for (const k of keysOf(e)) if (this.spends.get(k) === id) this.spends.delete(k);
      removed.push(e);
      for (const other of this.entries.values()) if (other.parents.has(id)) stack.push(other.txid);
    }
    return removed;
  }

  /** After a block connects: drop its txs, and any pool tx that now conflicts with them. */
  removeForBlock(txs: Transaction[], txidOf: (tx: Transaction) => string): void {
    for (const tx of txs) {
      const id = txidOf(tx);
      const e = this.entries.get(id);
      if (e) {
        // Confirmed: its children stay, now spending a chain output.
        this.entries.delete(id);
        this.bytes -= e.size;
        for (const k of keysOf(e)) if (this.spends.get(k) === id) this.spends.delete(k);
        for (const other of this.entries.values()) other.parents.delete(id);
      }
      for (const k of spendKeys(tx)) {
        const conflicting = this.spends.get(k);
        if (conflicting && conflicting !== id) this.remove(conflicting);
      }
    }
  }

  /** Removes `txid` (and what spends from it) because a block cannot carry it; says why for each. */
  evict(txid: string, rule: string, reason: string): EvictedTx[] {
    return this.removeEntries(txid).map((e) =>
      e.txid === txid
        ? { txid, tx: e.tx, rule, reason }
        : { txid: e.txid, tx: e.tx, rule: 'evicted-with-parent', reason: `spends ${txid}` },
    );
  }

  /**
   * Re-checks entries chosen by `which` against the new tip and evicts those that no longer pass
   * (with their descendants), each with the rule it broke. Fluxnode transactions need this: a
   * CONFIRM valid when it arrived can be too early or too late a few blocks on, and a template
   * must never carry it then.
   */
  revalidate(validate: TxValidator, which: (e: PoolEntry) => boolean): EvictedTx[] {
    const dropped: EvictedTx[] = [];
    for (const e of [...this.entries.values()]) {
      if (!which(e) || !this.entries.has(e.txid)) continue;
      const keys = keysOf(e);
      // Validate as if the entry were not in the pool, so it does not conflict with itself.
      for (const k of keys) this.spends.delete(k);
      try {
        validate(e.tx, (o) => this.output(o));
        for (const k of keys) this.spends.set(k, e.txid);
      } catch (err) {
        for (const k of keys) this.spends.set(k, e.txid);
        if (!(err instanceof ConsensusError)) throw err;
        dropped.push(...this.evict(e.txid, err.rule, err.message));
      }
    }
    return dropped;
  }

  /**
   * Transactions for a block template, best fee rate first with parents before children, within
   * `maxBytes`.
   */
  selectForBlock(maxBytes: number): PoolEntry[] {
    const sorted = [...this.entries.values()].sort((a, b) =>
      b.feePerKb > a.feePerKb
        ? 1
        : b.feePerKb < a.feePerKb
          ? -1
          : a.time - b.time || (a.txid < b.txid ? -1 : 1),
    );
    const chosen = new Set<string>();
    const out: PoolEntry[] = [];
    let used = 0;
    // A child goes in only as a package with its not-yet-chosen ancestors (parents first), whole or not at all.
    const packageOf = (e: PoolEntry, pkg: PoolEntry[], seen: Set<string>): boolean => {
      if (chosen.has(e.txid) || seen.has(e.txid)) return true;
      seen.add(e.txid);
      for (const p of e.parents) {
        const pe = this.entries.get(p);
        if (!pe || !packageOf(pe, pkg, seen)) return false;
      }
      pkg.push(e);
      return true;
    };
    const take = (e: PoolEntry): void => {
      const pkg: PoolEntry[] = [];
      if (!packageOf(e, pkg, new Set())) return;
      const bytes = pkg.reduce((n, x) => n + x.size, 0);
      if (used + bytes > maxBytes) return;
      for (const x of pkg) {
        chosen.add(x.txid);
        out.push(x);
      }
      used += bytes;
    };
    for (const e of sorted) take(e);
    return out;
  }

  private trimToSize(): void {
    while (this.bytes > this.opts.maxBytes && this.entries.size > 0) {
      let worst: PoolEntry | undefined;
      for (const e of this.entries.values()) {
        if (!worst || e.feePerKb < worst.feePerKb || (e.feePerKb === worst.feePerKb && e.time > worst.time))
          worst = e;
      }
      this.remove(worst!.txid);
    }
  }
}

function keysOf(e: PoolEntry): string[] {
  return [...spendKeys(e.tx), ...e.extraKeys];
}

function spendKeys(tx: Transaction): string[] {
  if (tx.fluxnode) return [`fluxnode:${keyOf(tx.fluxnode.collateral)}`];
  return tx.inputs.map((i) => keyOf(i.prevout));
}
