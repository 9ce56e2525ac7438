import { createHash } from 'node:crypto';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { ByteWriter } from '../../consensus/index.ts';
import type { Coin, OutPoint } from '../types.ts';

interface UtxoRow {
  txid: Uint8Array;
  vout: number | bigint;
  value: bigint;
  script: Uint8Array;
  height: number | bigint;
  coinbase: number | bigint;
}

function rowToCoin(r: UtxoRow): Coin {
  return {
    value: BigInt(r.value),
    scriptPubKey: r.script,
    height: Number(r.height),
    coinbase: Number(r.coinbase) === 1,
  };
}

/** The unspent outputs, keyed by (txid, output index). */
export class UtxoStore {
  private readonly s: {
    get: StatementSync;
    put: StatementSync;
    del: StatementSync;
    anyOfTx: StatementSync;
    indexesOfTx: StatementSync;
    all: StatementSync;
    stats: StatementSync;
  };

  constructor(db: DatabaseSync) {
    this.s = {
      get: db.prepare('SELECT value, script, height, coinbase FROM utxo WHERE txid = ? AND vout = ?'),
      put: db.prepare(
        'INSERT INTO utxo (txid, vout, value, script, height, coinbase) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      del: db.prepare('DELETE FROM utxo WHERE txid = ? AND vout = ?'),
      anyOfTx: db.prepare('SELECT 1 AS x FROM utxo WHERE txid = ? LIMIT 1'),
      indexesOfTx: db.prepare('SELECT vout FROM utxo WHERE txid = ?'),
      all: db.prepare('SELECT txid, vout, value, script, height, coinbase FROM utxo ORDER BY txid, vout'),
      stats: db.prepare('SELECT count(*) AS n, coalesce(sum(value), 0) AS total FROM utxo'),
    };
    // Amounts above 2^53 satoshis exist (max money is 4.4e16): read them exactly.
    this.s.get.setReadBigInts(true);
    this.s.all.setReadBigInts(true);
    this.s.stats.setReadBigInts(true);
  }

  get(o: OutPoint): Coin | undefined {
    const row = this.s.get.get(o.txid, o.index) as UtxoRow | undefined;
    return row ? rowToCoin(row) : undefined;
  }

  /** Fails (SQLite constraint) if the outpoint is already unspent: callers check BIP30 first. */
  put(o: OutPoint, c: Coin): void {
    this.s.put.run(o.txid, o.index, c.value, c.scriptPubKey, c.height, c.coinbase ? 1 : 0);
  }

  /** Returns whether a row was removed. */
  delete(o: OutPoint): boolean {
    return Number(this.s.del.run(o.txid, o.index).changes) === 1;
  }

  hasAnyOutputOf(txid: Uint8Array): boolean {
    return this.s.anyOfTx.get(txid) !== undefined;
  }

  unspentIndexesOf(txid: Uint8Array): number[] {
    return (this.s.indexesOfTx.all(txid) as { vout: number | bigint }[]).map((r) => Number(r.vout));
  }

  *entries(): Generator<{ outpoint: OutPoint; coin: Coin }> {
    for (const row of this.s.all.iterate() as Iterable<UtxoRow>) {
      yield { outpoint: { txid: row.txid, index: Number(row.vout) }, coin: rowToCoin(row) };
    }
  }

  stats(): { count: number; totalValue: bigint } {
    const row = this.s.stats.get() as { n: bigint; total: bigint };
    return { count: Number(row.n), totalValue: BigInt(row.total) };
  }

  /**
   * SHA-256 over every unspent output in (txid, index) order, each written as txid, index (u32),
   * height (u32), coinbase flag (u8), value (i64) and script (compact-size prefixed). Two nodes with
   * the same UTXO set get the same hash whatever order they built it in.
   */
  hash(): string {
    const h = createHash('sha256');
    for (const { outpoint, coin } of this.entries()) {
      const w = new ByteWriter(64 + coin.scriptPubKey.length);
      w.bytes(outpoint.txid)
        .u32(outpoint.index)
        .u32(coin.height)
        .u8(coin.coinbase ? 1 : 0)
        .i64(coin.value)
        .varBytes(coin.scriptPubKey);
      h.update(w.finish());
    }
    return h.digest('hex');
  }
}
