/**
 * What holders own besides their coins, in the chain's database: principal staked at pools (+ stake,
 * − withdrawal request) and the units each holder snapshot allocated. Both are written with their
 * block and deleted with it on a disconnect (store.ts deleteBlock).
 */
import type { DatabaseSync } from 'node:sqlite';

export class HolderRows {
  readonly #conn: () => DatabaseSync;

  constructor(conn: () => DatabaseSync) {
    this.#conn = conn;
  }

  putPoolStake(height: number, pool: string, holder: string, delta: bigint): void {
    this.#conn()
      .prepare('INSERT INTO economy_pool_stakes (height, pool, holder, delta) VALUES (?, ?, ?, ?)')
      .run(height, pool, holder, delta.toString());
  }

  /** Every holder's principal at every pool, at the tip. */
  poolPrincipal(): Map<string, Map<string, bigint>> {
    const rows = this.#conn().prepare('SELECT pool, holder, delta FROM economy_pool_stakes').all() as {
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
    this.#conn()
      .prepare('INSERT INTO economy_allocations (height, asset, address, units) VALUES (?, ?, ?, ?)')
      .run(height, asset, address, units.toString());
  }

  /** Units every holder snapshot gave an address, by asset (matured or not). */
  allocationsOf(address: string): Map<string, bigint> {
    const rows = this.#conn()
      .prepare('SELECT asset, units FROM economy_allocations WHERE address = ?')
      .all(address) as { asset: string; units: string }[];
    const out = new Map<string, bigint>();
    for (const r of rows) out.set(r.asset, (out.get(r.asset) ?? 0n) + BigInt(r.units));
    return out;
  }

  /** Units all holder snapshots gave, by asset. */
  allocationTotals(): Map<string, bigint> {
    const rows = this.#conn().prepare('SELECT asset, units FROM economy_allocations').all() as {
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
    const rows = this.#conn()
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
}
