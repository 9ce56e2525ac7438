/**
 * The economy's tables in the chain's database. Block rows (one summary per main-chain block, and
 * its fluxnode payments for per-address queries) are written and deleted inside the chain's block
 * transactions, so they always describe exactly the active chain. Claims and snapshots are not chain
 * data: they are appended in their own small transactions and never undone by a reorg.
 */
import type { Tier } from '../../consensus/index.ts';
import type { DatabaseSync } from 'node:sqlite';
import type { BlockSummary, MinedOutput, OperatorPayout } from '../inputs.ts';
import type { ClaimRecord } from '../parallel/ledger.ts';
import { reviveStoredBigint, storedBigint } from '../../chain/index.ts';

const DDL = `
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

export interface StoredClaim {
  record: ClaimRecord;
  height: number;
  /** The carrying transaction, display hex. */
  txid: string;
}

export interface StoredSnapshot {
  height: number;
  asset: string;
  number: number;
  time: number;
  claims: number;
  root: string;
}

export interface EarningsRow {
  tier: Tier;
  payouts: number;
  amount: bigint;
  eligible: bigint;
  firstHeight: number;
  lastHeight: number;
}

export class EconomyStore {
  private db: DatabaseSync | undefined;

  open(db: DatabaseSync): void {
    this.db = db;
    db.exec(DDL);
  }

  private get conn(): DatabaseSync {
    if (!this.db) throw new Error('the economy store is not open (was the extension given to the chain?)');
    return this.db;
  }

  // ── meta ────────────────────────────────────────────────────────────────────────────────────

  getMeta(key: string): number | undefined {
    const row = this.conn.prepare('SELECT value FROM economy_meta WHERE key = ?').get(key) as
      | { value: number }
      | undefined;
    return row ? Number(row.value) : undefined;
  }

  setMeta(key: string, value: number): void {
    this.conn
      .prepare(
        'INSERT INTO economy_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
      )
      .run(key, value);
  }

  // ── block rows ──────────────────────────────────────────────────────────────────────────────

  putBlock(
    hash: Uint8Array,
    summary: BlockSummary,
    eligible: (p: OperatorPayout) => boolean,
    epoch: number,
  ): void {
    const mined = this.conn.prepare(
      'INSERT INTO economy_mined (height, vout, txid, address, amount, time, eligible) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    for (const m of summary.minerOutputs ?? [])
      mined.run(m.height, m.vout, m.txid, m.address, m.amount, m.time, m.time >= epoch ? 1 : 0);
    this.conn
      .prepare('INSERT INTO economy_blocks (height, hash, summary) VALUES (?, ?, ?)')
      .run(summary.height, hash, JSON.stringify(summary, storedBigint));
    const put = this.conn.prepare(
      `INSERT INTO economy_payouts (height, collateral, txid, address, tier, amount, time, node_start_time, eligible)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const p of summary.operatorPayouts) {
      put.run(
        p.height,
        p.collateral,
        p.txid,
        p.payoutAddress,
        p.tier,
        p.amount,
        p.time,
        p.nodeStartTime,
        eligible(p) ? 1 : 0,
      );
    }
  }

  /** Deletes the block's rows; says whether it held claims or sealed snapshots. */
  deleteBlock(height: number): boolean {
    this.conn.prepare('DELETE FROM economy_blocks WHERE height = ?').run(height);
    this.conn.prepare('DELETE FROM economy_payouts WHERE height = ?').run(height);
    this.conn.prepare('DELETE FROM economy_mined WHERE height = ?').run(height);
    this.conn.prepare('DELETE FROM economy_pool_stakes WHERE height = ?').run(height);
    const claims = this.conn.prepare('DELETE FROM economy_chain_claims WHERE height = ?').run(height);
    const snaps = this.conn.prepare('DELETE FROM economy_chain_snapshots WHERE height = ?').run(height);
    const allocs = this.conn.prepare('DELETE FROM economy_allocations WHERE height = ?').run(height);
    return Number(claims.changes) + Number(snaps.changes) + Number(allocs.changes) > 0;
  }

  /** Drops every block row, claim and snapshot (coverage restarts at the next block). */
  clearBlocks(): void {
    this.conn.exec('DELETE FROM economy_blocks');
    this.conn.exec('DELETE FROM economy_payouts');
    this.conn.exec('DELETE FROM economy_mined');
    this.conn.exec('DELETE FROM economy_pool_stakes');
    this.conn.exec('DELETE FROM economy_allocations');
    this.conn.exec('DELETE FROM economy_chain_claims');
    this.conn.exec('DELETE FROM economy_chain_snapshots');
  }

  getBlock(height: number): { hash: Uint8Array; summary: BlockSummary } | undefined {
    const row = this.conn.prepare('SELECT hash, summary FROM economy_blocks WHERE height = ?').get(height) as
      | { hash: Uint8Array; summary: string }
      | undefined;
    return row ? { hash: row.hash, summary: parseSummary(row.summary) } : undefined;
  }

  /** Header time of a stored block, without parsing its summary. */
  timeAt(height: number): number | undefined {
    const row = this.conn
      .prepare("SELECT json_extract(summary, '$.time') AS time FROM economy_blocks WHERE height = ?")
      .get(height) as { time: number } | undefined;
    return row ? Number(row.time) : undefined;
  }

  /** Every stored summary in height order. */
  *summaries(): Generator<BlockSummary> {
    const rows = this.conn
      .prepare('SELECT summary FROM economy_blocks ORDER BY height')
      .iterate() as Iterable<{
      summary: string;
    }>;
    for (const r of rows) yield parseSummary(r.summary);
  }

  lastBlock(): { height: number; hash: Uint8Array } | undefined {
    const row = this.conn
      .prepare('SELECT height, hash FROM economy_blocks ORDER BY height DESC LIMIT 1')
      .get() as { height: number; hash: Uint8Array } | undefined;
    return row ? { height: Number(row.height), hash: row.hash } : undefined;
  }

  blockCount(): number {
    const row = this.conn.prepare('SELECT count(*) AS n FROM economy_blocks').get() as { n: number };
    return Number(row.n);
  }

  // ── payouts ─────────────────────────────────────────────────────────────────────────────────

  /** Payments at heights in (fromExclusive, toInclusive], in height order. */
  payoutsBetween(fromExclusive: number, toInclusive: number): OperatorPayout[] {
    const stmt = this.conn.prepare(
      `SELECT height, collateral, txid, address, tier, amount, time, node_start_time
       FROM economy_payouts WHERE height > ? AND height <= ? ORDER BY height, collateral`,
    );
    stmt.setReadBigInts(true);
    const rows = stmt.all(fromExclusive, toInclusive) as {
      height: bigint;
      collateral: string;
      txid: string;
      address: string;
      tier: Tier;
      amount: bigint;
      time: bigint;
      node_start_time: bigint;
    }[];
    return rows.map((r) => ({
      height: Number(r.height),
      time: Number(r.time),
      txid: r.txid,
      payoutAddress: r.address,
      collateral: r.collateral,
      tier: r.tier,
      amount: r.amount,
      nodeStartTime: Number(r.node_start_time),
    }));
  }

  /** Mined coinbase outputs at heights in (fromExclusive, toInclusive], in chain order. */
  minedBetween(fromExclusive: number, toInclusive: number): MinedOutput[] {
    const stmt = this.conn.prepare(
      `SELECT height, vout, txid, address, amount, time FROM economy_mined
       WHERE height > ? AND height <= ? ORDER BY height, vout`,
    );
    stmt.setReadBigInts(true);
    const rows = stmt.all(fromExclusive, toInclusive) as {
      height: bigint;
      vout: bigint;
      txid: string;
      address: string;
      amount: bigint;
      time: bigint;
    }[];
    return rows.map((r) => ({
      height: Number(r.height),
      vout: Number(r.vout),
      txid: r.txid,
      address: r.address,
      amount: r.amount,
      time: Number(r.time),
    }));
  }

  /** What an address mined at the tip: outputs, satoshis, and the part inside the accrual window. */
  minedBy(address: string): { outputs: number; amount: bigint; eligible: bigint } {
    const stmt = this.conn.prepare(
      `SELECT count(*) AS n, coalesce(sum(amount), 0) AS amount,
              coalesce(sum(CASE WHEN eligible = 1 THEN amount ELSE 0 END), 0) AS eligible
       FROM economy_mined WHERE address = ?`,
    );
    stmt.setReadBigInts(true);
    const r = stmt.get(address) as { n: bigint; amount: bigint; eligible: bigint };
    return { outputs: Number(r.n), amount: r.amount, eligible: r.eligible };
  }

  /** Eligible satoshis (fluxnode payments and mined outputs) of every address at the tip. */
  eligibleByAddress(): Map<string, bigint> {
    const stmt = this.conn.prepare(
      `SELECT address, sum(amount) AS amount FROM (
         SELECT address, amount FROM economy_payouts WHERE eligible = 1
         UNION ALL SELECT address, amount FROM economy_mined WHERE eligible = 1)
       GROUP BY address`,
    );
    stmt.setReadBigInts(true);
    const rows = stmt.all() as { address: string; amount: bigint }[];
    return new Map(rows.map((r) => [r.address, r.amount]));
  }

  putPoolStake(height: number, pool: string, holder: string, delta: bigint): void {
    this.conn
      .prepare('INSERT INTO economy_pool_stakes (height, pool, holder, delta) VALUES (?, ?, ?, ?)')
      .run(height, pool, holder, delta.toString());
  }

  /** Every holder's principal at every pool, at the tip. */
  poolPrincipal(): Map<string, Map<string, bigint>> {
    const rows = this.conn.prepare('SELECT pool, holder, delta FROM economy_pool_stakes').all() as {
      pool: string;
      holder: string;
      delta: string;
    }[];
    const out = new Map<string, Map<string, bigint>>();
    for (const r of rows) {
      const holders = out.get(r.pool) ?? new Map<string, bigint>();
      holders.set(r.holder, (holders.get(r.holder) ?? 0n) + BigInt(r.delta));
      out.set(r.pool, holders);
    }
    return out;
  }

  putAllocation(height: number, asset: string, address: string, units: bigint): void {
    this.conn
      .prepare('INSERT INTO economy_allocations (height, asset, address, units) VALUES (?, ?, ?, ?)')
      .run(height, asset, address, units.toString());
  }

  /** Units every holder snapshot gave an address, by asset (matured or not). */
  allocationsOf(address: string): Map<string, bigint> {
    const rows = this.conn
      .prepare('SELECT asset, units FROM economy_allocations WHERE address = ?')
      .all(address) as { asset: string; units: string }[];
    const out = new Map<string, bigint>();
    for (const r of rows) out.set(r.asset, (out.get(r.asset) ?? 0n) + BigInt(r.units));
    return out;
  }

  /** Units all holder snapshots gave, by asset. */
  allocationTotals(): Map<string, bigint> {
    const rows = this.conn.prepare('SELECT asset, units FROM economy_allocations').all() as {
      asset: string;
      units: string;
    }[];
    const out = new Map<string, bigint>();
    for (const r of rows) out.set(r.asset, (out.get(r.asset) ?? 0n) + BigInt(r.units));
    return out;
  }

  /** Holder allocations made at heights in (fromExclusive, toInclusive]. */
  allocationsBetween(
    fromExclusive: number,
    toInclusive: number,
  ): { height: number; asset: string; address: string; units: bigint }[] {
    const rows = this.conn
      .prepare(
        `SELECT height, asset, address, units FROM economy_allocations
         WHERE height > ? AND height <= ? ORDER BY height, asset, address`,
      )
      .all(fromExclusive, toInclusive) as { height: number; asset: string; address: string; units: string }[];
    return rows.map((r) => ({
      height: Number(r.height),
      asset: r.asset,
      address: r.address,
      units: BigInt(r.units),
    }));
  }

  /** An address's fluxnode earnings at the tip, by tier. */
  earnings(address: string): EarningsRow[] {
    const stmt = this.conn.prepare(
      `SELECT tier, count(*) AS payouts, sum(amount) AS amount,
              sum(CASE WHEN eligible = 1 THEN amount ELSE 0 END) AS eligible,
              min(height) AS first_height, max(height) AS last_height
       FROM economy_payouts WHERE address = ? GROUP BY tier ORDER BY tier`,
    );
    stmt.setReadBigInts(true);
    const rows = stmt.all(address) as {
      tier: Tier;
      payouts: bigint;
      amount: bigint;
      eligible: bigint;
      first_height: bigint;
      last_height: bigint;
    }[];
    return rows.map((r) => ({
      tier: r.tier,
      payouts: Number(r.payouts),
      amount: r.amount,
      eligible: r.eligible,
      firstHeight: Number(r.first_height),
      lastHeight: Number(r.last_height),
    }));
  }

  // ── claims and snapshots ────────────────────────────────────────────────────────────────────

  putClaim(c: StoredClaim): void {
    const r = c.record;
    this.conn
      .prepare(
        `INSERT INTO economy_chain_claims (height, txid, id, asset, source, target, amount, nonce, time)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        c.height,
        c.txid,
        r.id,
        r.assetId,
        r.sourceAddress,
        r.targetAddress,
        r.amount.toString(),
        r.nonce,
        r.time,
      );
  }

  /** Every claim on the active chain, in chain order. */
  claims(): StoredClaim[] {
    const rows = this.conn.prepare('SELECT * FROM economy_chain_claims ORDER BY height, seq').all() as {
      height: number;
      txid: string;
      id: string;
      asset: string;
      source: string;
      target: string;
      amount: string;
      nonce: number;
      time: number;
    }[];
    return rows.map((r) => ({
      record: {
        id: r.id,
        assetId: r.asset,
        sourceAddress: r.source,
        targetAddress: r.target,
        amount: BigInt(r.amount),
        nonce: Number(r.nonce),
        time: Number(r.time),
      },
      height: Number(r.height),
      txid: r.txid,
    }));
  }

  /** Where a claim was made: its block height and carrying transaction. */
  claimPlace(id: string): { height: number; txid: string } | undefined {
    const row = this.conn.prepare('SELECT height, txid FROM economy_chain_claims WHERE id = ?').get(id) as
      | { height: number; txid: string }
      | undefined;
    return row ? { height: Number(row.height), txid: row.txid } : undefined;
  }

  putSnapshot(s: StoredSnapshot): void {
    this.conn
      .prepare(
        'INSERT INTO economy_chain_snapshots (height, asset, number, time, claims, root) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(s.height, s.asset, s.number, s.time, s.claims, s.root);
  }

  snapshots(): StoredSnapshot[] {
    const rows = this.conn.prepare('SELECT * FROM economy_chain_snapshots ORDER BY asset, number').all() as {
      height: number;
      asset: string;
      number: number;
      time: number;
      claims: number;
      root: string;
    }[];
    return rows.map((r) => ({
      height: Number(r.height),
      asset: r.asset,
      number: Number(r.number),
      time: Number(r.time),
      claims: Number(r.claims),
      root: r.root,
    }));
  }
}

function parseSummary(text: string): BlockSummary {
  return JSON.parse(text, reviveStoredBigint) as BlockSummary;
}
