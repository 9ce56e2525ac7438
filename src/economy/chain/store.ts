/**
 * The economy's rows in the chain's database (schema: store-schema.ts). Every row is written and
 * deleted inside the chain's block transactions, so they always describe exactly the active chain:
 * here the block summaries, fluxnode payments and mined outputs (per-address queries) and the meta
 * row; claims and snapshots in claim-rows.ts, pool stakes and holder allocations in holder-rows.ts.
 */
import type { Tier } from '../../consensus/index.ts';
import type { DatabaseSync } from 'node:sqlite';
import type { BlockSummary, MinedOutput, OperatorPayout } from '../inputs.ts';
import { reviveStoredBigint, storedBigint } from '../../chain/index.ts';
import { ClaimRows } from './claim-rows.ts';
import { HolderRows } from './holder-rows.ts';
import { ECONOMY_DDL } from './store-schema.ts';

export type { StoredClaim, StoredSnapshot } from './claim-rows.ts';

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
  /** Claims and sealed snapshots. */
  readonly claimRows = new ClaimRows(() => this.conn);
  /** Pool stakes and holder allocations. */
  readonly holderRows = new HolderRows(() => this.conn);

  open(db: DatabaseSync): void {
    this.db = db;
    db.exec(ECONOMY_DDL);
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
}

function parseSummary(text: string): BlockSummary {
  return JSON.parse(text, reviveStoredBigint) as BlockSummary;
}
