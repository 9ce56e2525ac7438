/**
 * Claims and sealed snapshots in the chain's database: written with the block that carries or
 * seals them (claim-book.ts decides what), deleted with it on a disconnect (store.ts deleteBlock).
 */
import type { DatabaseSync } from 'node:sqlite';
import type { ClaimRecord } from '../parallel/ledger.ts';

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

export class ClaimRows {
  readonly #conn: () => DatabaseSync;

  constructor(conn: () => DatabaseSync) {
    this.#conn = conn;
  }

  putClaim(c: StoredClaim): void {
    const r = c.record;
    this.#conn()
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
    const rows = this.#conn().prepare('SELECT * FROM economy_chain_claims ORDER BY height, seq').all() as {
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
    const row = this.#conn().prepare('SELECT height, txid FROM economy_chain_claims WHERE id = ?').get(id) as
      | { height: number; txid: string }
      | undefined;
    return row ? { height: Number(row.height), txid: row.txid } : undefined;
  }

  putSnapshot(s: StoredSnapshot): void {
    this.#conn()
      .prepare(
        'INSERT INTO economy_chain_snapshots (height, asset, number, time, claims, root) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(s.height, s.asset, s.number, s.time, s.claims, s.root);
  }

  snapshots(): StoredSnapshot[] {
    const rows = this.#conn()
      .prepare('SELECT * FROM economy_chain_snapshots ORDER BY asset, number')
      .all() as {
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
