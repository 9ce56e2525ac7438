import type { DatabaseSync } from 'node:sqlite';

export const SCHEMA_VERSION = 1;

/**
 * Tables of the chain state. Hashes and txids are 32-byte blobs in internal byte order; chain
 * work is a 32-byte big-endian blob (so byte order sorts like the number). Amounts are INTEGER
 * (64-bit) read back as bigint. Other state stores (fluxnodes, apps) add their own tables in the
 * same file so their updates commit in the same transaction as the block that causes them.
 */
const DDL = `
CREATE TABLE IF NOT EXISTS meta (
  key   TEXT PRIMARY KEY,
  value BLOB
);

CREATE TABLE IF NOT EXISTS block_index (
  hash           BLOB PRIMARY KEY,
  prev           BLOB NOT NULL,
  height         INTEGER NOT NULL,
  chain_work     BLOB NOT NULL,
  header         BLOB NOT NULL,
  status         TEXT NOT NULL CHECK (status IN ('header', 'data', 'valid', 'invalid')),
  invalid_rule   TEXT,
  invalid_reason TEXT,
  seq            INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS block_index_height ON block_index (height);

CREATE TABLE IF NOT EXISTS block_data (
  hash BLOB PRIMARY KEY,
  data BLOB NOT NULL
);

CREATE TABLE IF NOT EXISTS block_undo (
  hash BLOB PRIMARY KEY,
  data BLOB NOT NULL
);

CREATE TABLE IF NOT EXISTS main_chain (
  height INTEGER PRIMARY KEY,
  hash   BLOB NOT NULL
);

CREATE TABLE IF NOT EXISTS utxo (
  txid     BLOB NOT NULL,
  vout     INTEGER NOT NULL,
  value    INTEGER NOT NULL,
  script   BLOB NOT NULL,
  height   INTEGER NOT NULL,
  coinbase INTEGER NOT NULL,
  PRIMARY KEY (txid, vout)
) WITHOUT ROWID;
`;

export class SchemaVersionError extends Error {
  constructor(found: string) {
    super(`chain database schema version ${found} is not the supported version ${SCHEMA_VERSION}`);
    this.name = 'SchemaVersionError';
  }
}

export function createSchema(db: DatabaseSync): void {
  db.exec(DDL);
  const row = db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as
    | { value: string }
    | undefined;
  if (!row) {
    db.prepare("INSERT INTO meta (key, value) VALUES ('schema_version', ?)").run(String(SCHEMA_VERSION));
  } else if (String(row.value) !== String(SCHEMA_VERSION)) {
    throw new SchemaVersionError(String(row.value));
  }
}
