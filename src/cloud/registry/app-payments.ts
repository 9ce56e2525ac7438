import type { DatabaseSync } from 'node:sqlite';
import { type Block, type ByteWriter, reverseHex } from '../../consensus/index.ts';
import type { ChainStateExtension } from '../../chain/index.ts';
import { parseAppPayment } from './payment-tx.ts';

export interface AppPayment {
  specHash: string;
  txid: string;
  height: number;
  paid: bigint;
}

/**
 * Records every app payment in the chain's database, in the same transaction as its block, so the
 * set of paid specs always matches the tip (reorgs remove payments of disconnected blocks).
 * The specs themselves travel by gossip; this only says which hashes were paid for, when, how much.
 */
export class AppPaymentsExtension implements ChainStateExtension {
  readonly name = 'app-payments';
  private readonly appScript: Uint8Array;
  private readonly txidOf: (tx: Block['txs'][number]) => Uint8Array;
  private db: DatabaseSync | undefined;

  constructor(appScript: Uint8Array, txidOf: (tx: Block['txs'][number]) => Uint8Array) {
    this.appScript = appScript;
    this.txidOf = txidOf;
  }

  init(db: DatabaseSync): void {
    this.db = db;
    db.exec(`CREATE TABLE IF NOT EXISTS app_payments (
      txid TEXT PRIMARY KEY, spec_hash TEXT NOT NULL, height INTEGER NOT NULL, paid TEXT NOT NULL)`);
    db.exec('CREATE INDEX IF NOT EXISTS app_payments_by_hash ON app_payments (spec_hash)');
    db.exec('CREATE INDEX IF NOT EXISTS app_payments_by_height ON app_payments (height)');
  }

  connectBlock(db: DatabaseSync, block: Block, height: number, _undo: ByteWriter): void {
    const insert = db.prepare(
      'INSERT OR REPLACE INTO app_payments (txid, spec_hash, height, paid) VALUES (?, ?, ?, ?)',
    );
    for (const tx of block.txs.slice(1)) {
      const p = parseAppPayment(tx, this.appScript);
      if (p) insert.run(reverseHex(this.txidOf(tx)), p.specHash, height, p.paid.toString());
    }
  }

  disconnectBlock(db: DatabaseSync, _block: Block, height: number): void {
    // Payments are keyed by the block that carries them, so undo needs no extra record.
    db.prepare('DELETE FROM app_payments WHERE height = ?').run(height);
  }

  /** Payments for a spec hash on the active chain, oldest first. */
  paymentsFor(specHash: string): AppPayment[] {
    return this.rows('SELECT * FROM app_payments WHERE spec_hash = ? ORDER BY height, txid', specHash);
  }

  /** Every payment from `fromHeight` on (for building the app list at the tip). */
  paymentsSince(fromHeight: number): AppPayment[] {
    return this.rows('SELECT * FROM app_payments WHERE height >= ? ORDER BY height, txid', fromHeight);
  }

  private rows(sql: string, arg: string | number): AppPayment[] {
    if (!this.db) throw new Error('app payments are not open');
    return (
      this.db.prepare(sql).all(arg) as { txid: string; spec_hash: string; height: number; paid: string }[]
    ).map((r) => ({
      specHash: r.spec_hash,
      txid: r.txid,
      height: r.height,
      paid: BigInt(r.paid),
    }));
  }
}
