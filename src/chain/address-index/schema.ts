import type { DatabaseSync } from 'node:sqlite';

/*
 * Tables of the address index, in the chain's own database file so that they commit in the same
 * transaction as the block that changes them.
 *   addr_utxo:    every unspent output by its script, mirroring the chain's `utxo` table (the same
 *                 outputs: unspendable ones are in neither).
 *   addr_history: one row per (script, transaction) that paid to or spent from the script, with the
 *                 net amount; keyed so that one script's rows read newest first from the index.
 *   addr_meta:    the block the tables describe, and the first height whose history is complete.
 */
const DDL = `
CREATE TABLE IF NOT EXISTS addr_utxo (
  script   BLOB NOT NULL,
  txid     BLOB NOT NULL,
  vout     INTEGER NOT NULL,
  value    INTEGER NOT NULL,
  height   INTEGER NOT NULL,
  coinbase INTEGER NOT NULL,
  PRIMARY KEY (script, txid, vout)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS addr_history (
  script   BLOB NOT NULL,
  height   INTEGER NOT NULL,
  position INTEGER NOT NULL,
  txid     BLOB NOT NULL,
  delta    INTEGER NOT NULL,
  PRIMARY KEY (script, height, position)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS addr_meta (
  key   TEXT PRIMARY KEY,
  value BLOB
);
`;

export interface IndexMeta {
  /** Hash of the block the tables describe; null before any block was connected (genesis). */
  tipHash: Uint8Array | null;
  tipHeight: number;
  /** History is complete from this height on (later than 1 when the index was added to a synced chain). */
  historyFrom: number;
}

export function createAddressIndexSchema(db: DatabaseSync): void {
  db.exec(DDL);
}

export function readMeta(db: DatabaseSync): IndexMeta | undefined {
  const rows = db.prepare('SELECT key, value FROM addr_meta').all() as { key: string; value: unknown }[];
  if (rows.length === 0) return undefined;
  const get = (k: string) => rows.find((r) => r.key === k)?.value;
  const hash = get('tip_hash');
  return {
    tipHash: hash instanceof Uint8Array ? hash : null,
    tipHeight: Number(get('tip_height') ?? 0),
    historyFrom: Number(get('history_from') ?? 1),
  };
}

export function writeTip(db: DatabaseSync, hash: Uint8Array | null, height: number): void {
  const put = db.prepare(
    'INSERT INTO addr_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
  );
  put.run('tip_hash', hash);
  put.run('tip_height', height);
}

/**
 * First open of the index on a chain database: copies the chain's current unspent outputs, so an
 * index added to an already synced node is complete for coins and balances at once; its history
 * starts with the next block. On a new database (no tip yet) this writes an empty index at genesis.
 */
export function initializeFromChain(db: DatabaseSync): IndexMeta {
  const tipRow = db.prepare("SELECT value FROM meta WHERE key = 'tip'").get() as
    | { value: unknown }
    | undefined;
  const tipHash = tipRow?.value instanceof Uint8Array ? tipRow.value : null;
  let tipHeight = 0;
  if (tipHash) {
    const h = db.prepare('SELECT height FROM block_index WHERE hash = ?').get(tipHash) as
      | { height: number | bigint }
      | undefined;
    tipHeight = Number(h?.height ?? 0);
    db.exec(
      'INSERT INTO addr_utxo (script, txid, vout, value, height, coinbase) SELECT script, txid, vout, value, height, coinbase FROM utxo',
    );
  }
  writeTip(db, tipHash, tipHeight);
  db.prepare("INSERT INTO addr_meta (key, value) VALUES ('history_from', ?)").run(tipHeight + 1);
  return { tipHash, tipHeight, historyFrom: tipHeight + 1 };
}
