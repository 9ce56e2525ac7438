import type { DatabaseSync } from 'node:sqlite';
import { type Block, reverseHex, txid } from '../consensus/index.ts';
import type { ChainStateExtension } from './extension.ts';

/**
 * txid → height of the main-chain block that holds it, so `getrawtransaction` and the API find any
 * confirmed transaction. Kept in the block's own transaction; undo is "delete what this height added".
 */
export class TxIndexExtension implements ChainStateExtension {
  readonly name = 'tx-index';
  private db: DatabaseSync | undefined;

  init(db: DatabaseSync): void {
    this.db = db;
    db.exec(
      'CREATE TABLE IF NOT EXISTS tx_index (txid TEXT PRIMARY KEY, height INTEGER NOT NULL, position INTEGER NOT NULL)',
    );
    db.exec('CREATE INDEX IF NOT EXISTS tx_index_by_height ON tx_index (height)');
  }

  connectBlock(db: DatabaseSync, block: Block, height: number): void {
    const put = db.prepare('INSERT OR REPLACE INTO tx_index (txid, height, position) VALUES (?, ?, ?)');
    for (const [i, tx] of block.txs.entries()) put.run(reverseHex(txid(tx)), height, i);
  }

  disconnectBlock(db: DatabaseSync, _block: Block, height: number): void {
    db.prepare('DELETE FROM tx_index WHERE height = ?').run(height);
  }

  /** Where a confirmed transaction is, by display txid. */
  locate(id: string): { height: number; position: number } | undefined {
    if (!this.db) throw new Error('tx index is not open');
    const row = this.db
      .prepare('SELECT height, position FROM tx_index WHERE txid = ?')
      .get(id.toLowerCase()) as { height: number; position: number } | undefined;
    return row ? { height: row.height, position: row.position } : undefined;
  }
}
