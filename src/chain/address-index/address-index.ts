import { createHash } from 'node:crypto';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { type Block, type ByteWriter, equalBytes, reverseHex, toHex } from '../../consensus/index.ts';
import { txid as txidOf } from '../codec.ts';
import { isCoinbaseTx, isUnspendable } from '../connect-plan.ts';
import { ChainStateError } from '../errors.ts';
import type { ChainStateExtension, ExtensionContext } from '../extension.ts';
import { inTransaction } from '../storage/database.ts';
import type { ChainEntry } from '../types.ts';
import {
  createAddressIndexSchema,
  type IndexMeta,
  initializeFromChain,
  readMeta,
  writeTip,
} from './schema.ts';
import type { HistoryEntry, IndexedCoin, ScriptBalance } from './types.ts';
import { readSpentUndo, writeSpentUndo } from './undo.ts';

export interface AddressIndexOptions {
  /** Blocks a coinbase output waits before it may be spent (the network's `coinbaseMaturity`). */
  coinbaseMaturity: number;
  /**
   * On open, also compare every row with the chain's UTXO set (a full scan of both): for tests and
   * `--check` runs; the default check only compares the tip.
   */
  deepCheck?: boolean;
}

interface CoinRow {
  script: Uint8Array;
  txid: Uint8Array;
  vout: bigint;
  value: bigint;
  height: bigint;
  coinbase: bigint;
}

interface HistoryRow {
  txid: Uint8Array;
  height: bigint;
  position: bigint;
  delta: bigint;
}

interface Statements {
  insertCoin: StatementSync;
  deleteCoin: StatementSync;
  coinsOf: StatementSync;
  insertHistory: StatementSync;
  deleteHistoryAt: StatementSync;
  historyOf: StatementSync;
  historyBefore: StatementSync;
}

function rowToCoin(r: CoinRow): IndexedCoin {
  return {
    outpoint: { txid: r.txid, index: Number(r.vout) },
    value: r.value,
    scriptPubKey: r.script,
    height: Number(r.height),
    coinbase: r.coinbase === 1n,
  };
}

/**
 * Unspent outputs and transaction history by scriptPubKey, kept by the chain as a state extension:
 * each block's changes are written in the block's own SQLite transaction, with an undo record, so
 * the index always describes exactly the chain's tip, through reorgs and crashes alike. Wallets ask
 * it for their coins (`coinsFor`), explorers for a script's balance and history.
 */
export class AddressIndex implements ChainStateExtension {
  readonly name = 'address-index';
  private readonly opts: AddressIndexOptions;
  private db: DatabaseSync | undefined;
  private s: Statements | undefined;
  private meta: IndexMeta = { tipHash: null, tipHeight: 0, historyFrom: 1 };

  constructor(opts: AddressIndexOptions) {
    this.opts = opts;
  }

  // ── ChainStateExtension ───────────────────────────────────────────────────────────────────────

  init(db: DatabaseSync): void {
    this.db = db;
    createAddressIndexSchema(db);
    this.meta = readMeta(db) ?? inTransaction(db, () => initializeFromChain(db));
    const prep = (sql: string) => {
      const st = db.prepare(sql);
      st.setReadBigInts(true);
      return st;
    };
    this.s = {
      insertCoin: prep(
        'INSERT INTO addr_utxo (script, txid, vout, value, height, coinbase) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      deleteCoin: prep('DELETE FROM addr_utxo WHERE script = ? AND txid = ? AND vout = ?'),
      coinsOf: prep(
        'SELECT script, txid, vout, value, height, coinbase FROM addr_utxo WHERE script = ? ORDER BY height, txid, vout',
      ),
      insertHistory: prep(
        'INSERT INTO addr_history (script, height, position, txid, delta) VALUES (?, ?, ?, ?, ?)',
      ),
      deleteHistoryAt: prep('DELETE FROM addr_history WHERE script = ? AND height = ?'),
      historyOf: prep(
        'SELECT txid, height, position, delta FROM addr_history WHERE script = ? ORDER BY height DESC, position DESC LIMIT ?',
      ),
      historyBefore: prep(
        'SELECT txid, height, position, delta FROM addr_history WHERE script = ? AND height < ? ORDER BY height DESC, position DESC LIMIT ?',
      ),
    };
  }

  connectBlock(
    _db: DatabaseSync,
    block: Block,
    height: number,
    undo: ByteWriter,
    ctx: ExtensionContext,
  ): void {
    const s = this.statements();
    const spent: IndexedCoin[] = [];
    let k = 0;
    for (const [t, tx] of block.txs.entries()) {
      const id = txidOf(tx);
      const coinbase = t === 0 && isCoinbaseTx(tx);
      // Net amount per script for this transaction, keyed by script hex.
      const deltas = new Map<string, { script: Uint8Array; delta: bigint }>();
      const add = (script: Uint8Array, v: bigint) => {
        const key = toHex(script);
        const d = deltas.get(key);
        if (d) d.delta += v;
        else deltas.set(key, { script, delta: v });
      };
      if (!coinbase) {
        for (const input of tx.inputs) {
          const sc = ctx.spent[k++];
          if (
            !sc ||
            !equalBytes(sc.outpoint.txid, input.prevout.txid) ||
            sc.outpoint.index !== input.prevout.index
          ) {
            throw new ChainStateError(
              `address index: spent coins of block ${ctx.entry.id} do not follow its inputs (transaction ${t})`,
            );
          }
          const { coin } = sc;
          const gone = s.deleteCoin.run(coin.scriptPubKey, input.prevout.txid, input.prevout.index);
          if (Number(gone.changes) !== 1) {
            throw new ChainStateError(
              `address index lacks output ${reverseHex(input.prevout.txid)}:${input.prevout.index} spent in block ${ctx.entry.id}`,
            );
          }
          spent.push({ outpoint: input.prevout, ...coin });
          add(coin.scriptPubKey, -coin.value);
        }
      }
      for (const [i, out] of tx.outputs.entries()) {
        if (isUnspendable(out.scriptPubKey)) continue;
        s.insertCoin.run(out.scriptPubKey, id, i, out.value, height, coinbase ? 1 : 0);
        add(out.scriptPubKey, out.value);
      }
      for (const { script, delta } of deltas.values()) s.insertHistory.run(script, height, t, id, delta);
    }
    if (k !== ctx.spent.length) {
      throw new ChainStateError(
        `address index: block ${ctx.entry.id} spends ${ctx.spent.length} coins, its inputs name ${k}`,
      );
    }
    writeSpentUndo(undo, spent);
    writeTip(this.database(), ctx.entry.hash, height);
    this.meta = { ...this.meta, tipHash: ctx.entry.hash, tipHeight: height };
  }

  disconnectBlock(
    _db: DatabaseSync,
    block: Block,
    height: number,
    undo: Uint8Array,
    ctx: ExtensionContext,
  ): void {
    const s = this.statements();
    const spent = readSpentUndo(undo);
    const scripts = new Map<string, Uint8Array>();
    // Mirror of connect: transactions last to first, each one's outputs removed, then its spends restored.
    let k = spent.length;
    for (const [t, tx] of [...block.txs.entries()].reverse()) {
      const id = txidOf(tx);
      for (const [i, out] of tx.outputs.entries()) {
        if (isUnspendable(out.scriptPubKey)) continue;
        const gone = s.deleteCoin.run(out.scriptPubKey, id, i);
        if (Number(gone.changes) !== 1) {
          throw new ChainStateError(
            `address index lacks output ${reverseHex(id)}:${i} of block ${ctx.entry.id} being disconnected`,
          );
        }
        scripts.set(toHex(out.scriptPubKey), out.scriptPubKey);
      }
      if (t === 0 && isCoinbaseTx(tx)) continue;
      for (const { prevout } of tx.inputs.toReversed()) {
        const c = spent[--k];
        if (!c || !equalBytes(c.outpoint.txid, prevout.txid) || c.outpoint.index !== prevout.index) {
          throw new ChainStateError(
            `address index undo record of block ${ctx.entry.id} does not match its inputs`,
          );
        }
        s.insertCoin.run(
          c.scriptPubKey,
          c.outpoint.txid,
          c.outpoint.index,
          c.value,
          c.height,
          c.coinbase ? 1 : 0,
        );
        scripts.set(toHex(c.scriptPubKey), c.scriptPubKey);
      }
    }
    if (k !== 0) {
      throw new ChainStateError(
        `address index undo record of block ${ctx.entry.id} lists ${spent.length - k} extra coins`,
      );
    }
    for (const script of scripts.values()) s.deleteHistoryAt.run(script, height);
    const parentHash = ctx.entry.parent?.hash ?? null;
    writeTip(this.database(), parentHash, height - 1);
    this.meta = { ...this.meta, tipHash: parentHash, tipHeight: height - 1 };
  }

  /** The cached tip may be ahead of the tables after a rolled-back block: read it again. */
  onRollback(db: DatabaseSync): void {
    this.meta = readMeta(db) ?? this.meta;
  }

  checkConsistency(db: DatabaseSync, tip: ChainEntry): string[] {
    const problems: string[] = [];
    const meta = readMeta(db);
    if (!meta) return ['address index has no tip record'];
    // No hash yet: the index was created on an empty database and no block was connected since.
    const same = meta.tipHash ? equalBytes(meta.tipHash, tip.hash) : tip.height === 0;
    if (!same || meta.tipHeight !== tip.height) {
      problems.push(
        `address index describes height ${meta.tipHeight} (${meta.tipHash ? reverseHex(meta.tipHash) : 'genesis'}), the chain tip is ${tip.height} (${tip.id})`,
      );
    }
    if (this.opts.deepCheck) problems.push(...this.compareWithUtxoSet(db));
    return problems;
  }

  // ── queries ───────────────────────────────────────────────────────────────────────────────────

  /** Height of the block the index describes. */
  tipHeight(): number {
    return this.meta.tipHeight;
  }

  /** The first height from which `history` is complete (1 unless the index was added to a synced chain). */
  historyFrom(): number {
    return this.meta.historyFrom;
  }

  /** Unspent outputs paying to any of `scripts`, oldest first; each output once. */
  coinsFor(scripts: readonly Uint8Array[]): IndexedCoin[] {
    const s = this.statements();
    const seen = new Set<string>();
    const out: IndexedCoin[] = [];
    for (const script of scripts) {
      const key = toHex(script);
      if (seen.has(key)) continue;
      seen.add(key);
      for (const row of s.coinsOf.iterate(script) as Iterable<CoinRow>) out.push(rowToCoin(row));
    }
    if (seen.size > 1) out.sort((a, b) => a.height - b.height || compareOutpoints(a, b));
    return out;
  }

  /** What `script` holds; spendable means spendable by a transaction in the next block. */
  balance(script: Uint8Array): ScriptBalance {
    const nextHeight = this.meta.tipHeight + 1;
    const result: ScriptBalance = { total: 0n, spendable: 0n, immature: 0n, coins: 0 };
    for (const c of this.coinsFor([script])) {
      result.total += c.value;
      result.coins++;
      if (c.coinbase && nextHeight - c.height < this.opts.coinbaseMaturity) result.immature += c.value;
      else result.spendable += c.value;
    }
    return result;
  }

  /**
   * What every script holds at the tip, in script order: the holder snapshot of the parallel
   * assets reads it while the block it is taken at connects (it runs after this extension).
   */
  balances(): { script: Uint8Array; value: bigint }[] {
    const stmt = this.database().prepare(
      'SELECT script, sum(value) AS value FROM addr_utxo GROUP BY script ORDER BY script',
    );
    stmt.setReadBigInts(true);
    return stmt.all() as { script: Uint8Array; value: bigint }[];
  }

  /** Transactions that touched `script`, newest first; `beforeHeight` pages back through older ones. */
  history(script: Uint8Array, limit = 50, beforeHeight?: number): HistoryEntry[] {
    const s = this.statements();
    const n = Math.max(0, Math.floor(limit));
    const rows = (beforeHeight === undefined
      ? s.historyOf.all(script, n)
      : s.historyBefore.all(script, beforeHeight, n)) as unknown as HistoryRow[];
    return rows.map((r) => ({
      txid: reverseHex(r.txid),
      height: Number(r.height),
      position: Number(r.position),
      delta: r.delta,
    }));
  }

  /**
   * SHA-256 over every row of the index in key order: two nodes (or a node and a fresh replay) that
   * agree on this agree on the whole index.
   */
  digest(): string {
    const db = this.database();
    const h = createHash('sha256');
    const coins = db.prepare(
      'SELECT script, txid, vout, value, height, coinbase FROM addr_utxo ORDER BY script, txid, vout',
    );
    coins.setReadBigInts(true);
    for (const r of coins.iterate() as Iterable<CoinRow>) {
      h.update(`c:${toHex(r.script)}:${toHex(r.txid)}:${r.vout}:${r.value}:${r.height}:${r.coinbase}\n`);
    }
    const hist = db.prepare(
      'SELECT script, height, position, txid, delta FROM addr_history ORDER BY script, height, position',
    );
    hist.setReadBigInts(true);
    for (const r of hist.iterate() as Iterable<HistoryRow & { script: Uint8Array }>) {
      h.update(`h:${toHex(r.script)}:${r.height}:${r.position}:${toHex(r.txid)}:${r.delta}\n`);
    }
    return h.digest('hex');
  }

  // ── internals ─────────────────────────────────────────────────────────────────────────────────

  private compareWithUtxoSet(db: DatabaseSync): string[] {
    const count = (sql: string) => Number((db.prepare(sql).get() as { n: number | bigint }).n);
    const cols = 'txid, vout, value, script, height, coinbase';
    const missing = count(
      `SELECT count(*) AS n FROM (SELECT ${cols} FROM utxo EXCEPT SELECT ${cols} FROM addr_utxo)`,
    );
    const extra = count(
      `SELECT count(*) AS n FROM (SELECT ${cols} FROM addr_utxo EXCEPT SELECT ${cols} FROM utxo)`,
    );
    const out: string[] = [];
    if (missing) out.push(`address index lacks ${missing} unspent outputs of the chain`);
    if (extra) out.push(`address index holds ${extra} outputs that are not unspent in the chain`);
    return out;
  }

  private database(): DatabaseSync {
    if (!this.db) throw new ChainStateError('address index used before the chain opened it');
    return this.db;
  }

  private statements(): Statements {
    if (!this.s) throw new ChainStateError('address index used before the chain opened it');
    return this.s;
  }
}

function compareOutpoints(a: IndexedCoin, b: IndexedCoin): number {
  const x = toHex(a.outpoint.txid);
  const y = toHex(b.outpoint.txid);
  return x < y ? -1 : x > y ? 1 : a.outpoint.index - b.outpoint.index;
}
