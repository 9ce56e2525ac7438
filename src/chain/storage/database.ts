import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { createSchema } from './schema.ts';

/**
 * `normal` (default): in WAL mode SQLite syncs the log only at checkpoints. Every committed block is
 * already in the log when `COMMIT` returns, so a killed process loses nothing; a power cut may lose
 * the last few blocks but the file is never left half-written (each block is one transaction).
 * Blocks lost that way are fetched again from peers, so the chain trades that for speed during sync.
 * `full`: fsync on every commit, for nodes that must never go back after a power cut.
 */
export type Durability = 'normal' | 'full';

export const CHAIN_DB_FILE = 'chain.sqlite';

export function openChainDatabase(dir: string, durability: Durability = 'normal'): DatabaseSync {
  mkdirSync(dir, { recursive: true });
  const db = new DatabaseSync(join(dir, CHAIN_DB_FILE), { timeout: 5000 });
  db.exec('PRAGMA journal_mode = WAL');
  db.exec(`PRAGMA synchronous = ${durability === 'full' ? 'FULL' : 'NORMAL'}`);
  db.exec('PRAGMA foreign_keys = OFF');
  // A larger page cache keeps the hot part of the UTXO set in memory during sync (about 64 MB).
  db.exec('PRAGMA cache_size = -65536');
  db.exec('PRAGMA temp_store = MEMORY');
  createSchema(db);
  return db;
}

/**
 * Runs `fn` inside one write transaction: it commits if `fn` returns, and rolls everything back if
 * it throws, so the database holds either the state before or the state after, never a mix. Called
 * inside another transaction, `fn` runs in a savepoint of it: what `fn` wrote is undone if it
 * throws, and otherwise commits (or rolls back) with the outer transaction.
 */
export function inTransaction<T>(db: DatabaseSync, fn: () => T): T {
  if (db.isTransaction) return inSavepoint(db, fn);
  db.exec('BEGIN IMMEDIATE');
  try {
    const out = fn();
    db.exec('COMMIT');
    return out;
  } catch (err) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw err;
  }
}

function inSavepoint<T>(db: DatabaseSync, fn: () => T): T {
  db.exec('SAVEPOINT nested');
  try {
    const out = fn();
    db.exec('RELEASE nested');
    return out;
  } catch (err) {
    db.exec('ROLLBACK TO nested');
    db.exec('RELEASE nested');
    throw err;
  }
}
