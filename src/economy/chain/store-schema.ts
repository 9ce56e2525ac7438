/**
 * The economy's tables in the chain's database, on one page. Every row derives from main-chain
 * blocks and is deleted with its block on a disconnect (store.ts): block summaries, fluxnode
 * payments and mined outputs (per-address queries), holder allocations and pool stakes
 * (holder-rows.ts), claims and sealed snapshots (claim-rows.ts); economy_meta keeps where the
 * summaries start.
 */
export const ECONOMY_DDL = `
CREATE TABLE IF NOT EXISTS economy_blocks (
  height  INTEGER PRIMARY KEY,
  hash    BLOB NOT NULL,
  summary TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS economy_payouts (
  height          INTEGER NOT NULL,
  collateral      TEXT NOT NULL,
  txid            TEXT NOT NULL,
  address         TEXT NOT NULL,
  tier            TEXT NOT NULL,
  amount          INTEGER NOT NULL,
  time            INTEGER NOT NULL,
  node_start_time INTEGER NOT NULL,
  eligible        INTEGER NOT NULL,
  PRIMARY KEY (height, collateral)
);
CREATE INDEX IF NOT EXISTS economy_payouts_by_address ON economy_payouts (address, height);
CREATE TABLE IF NOT EXISTS economy_mined (
  height   INTEGER NOT NULL,
  vout     INTEGER NOT NULL,
  txid     TEXT NOT NULL,
  address  TEXT NOT NULL,
  amount   INTEGER NOT NULL,
  time     INTEGER NOT NULL,
  eligible INTEGER NOT NULL,
  PRIMARY KEY (height, vout)
);
CREATE INDEX IF NOT EXISTS economy_mined_by_address ON economy_mined (address, height);
-- units of one asset a holder snapshot at \`height\` gave an address
CREATE TABLE IF NOT EXISTS economy_allocations (
  height  INTEGER NOT NULL,
  asset   TEXT NOT NULL,
  address TEXT NOT NULL,
  units   TEXT NOT NULL,
  PRIMARY KEY (height, asset, address)
);
-- a holder's principal at a staking pool: + stake, − withdrawal request (pool-data.ts)
CREATE TABLE IF NOT EXISTS economy_pool_stakes (
  height INTEGER NOT NULL,
  pool   TEXT NOT NULL,
  holder TEXT NOT NULL,
  delta  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS economy_pool_stakes_by_height ON economy_pool_stakes (height);
CREATE TABLE IF NOT EXISTS economy_chain_claims (
  seq        INTEGER PRIMARY KEY,
  height     INTEGER NOT NULL,
  txid       TEXT NOT NULL,
  id         TEXT NOT NULL UNIQUE,
  asset      TEXT NOT NULL,
  source     TEXT NOT NULL,
  target     TEXT NOT NULL,
  amount     TEXT NOT NULL,
  nonce      INTEGER NOT NULL,
  time       INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS economy_chain_claims_by_height ON economy_chain_claims (height);
CREATE TABLE IF NOT EXISTS economy_chain_snapshots (
  height INTEGER NOT NULL,
  asset  TEXT NOT NULL,
  number INTEGER NOT NULL,
  time   INTEGER NOT NULL,
  -- how many of the asset's claims (in claim order) the snapshots up to this one hold
  claims INTEGER NOT NULL,
  root   TEXT NOT NULL,
  PRIMARY KEY (asset, number)
);
CREATE TABLE IF NOT EXISTS economy_meta (
  key   TEXT PRIMARY KEY,
  value INTEGER NOT NULL
);
`;
