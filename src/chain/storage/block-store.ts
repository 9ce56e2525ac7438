import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { BlockStatus } from '../types.ts';

export interface IndexRow {
  hash: Uint8Array;
  prev: Uint8Array;
  height: number;
  chainWork: bigint;
  header: Uint8Array;
  status: BlockStatus;
  invalidRule: string | null;
  invalidReason: string | null;
  seq: number;
}

export function workToBlob(work: bigint): Uint8Array {
  const out = new Uint8Array(32);
  let w = work;
  for (let i = 31; i >= 0 && w > 0n; i--) {
    out[i] = Number(w & 0xffn);
    w >>= 8n;
  }
  return out;
}

export function blobToWork(blob: Uint8Array): bigint {
  let w = 0n;
  for (const b of blob) w = (w << 8n) | BigInt(b);
  return w;
}

/** Prepared statements over the block index, block bodies, undo data, the main chain and meta. */
export class BlockStore {
  private readonly s: {
    insertIndex: StatementSync;
    setStatus: StatementSync;
    deleteData: StatementSync;
    allIndex: StatementSync;
    putData: StatementSync;
    getData: StatementSync;
    hasData: StatementSync;
    putUndo: StatementSync;
    getUndo: StatementSync;
    deleteUndo: StatementSync;
    setMain: StatementSync;
    deleteMain: StatementSync;
    getMain: StatementSync;
    getMeta: StatementSync;
    setMeta: StatementSync;
  };

  constructor(db: DatabaseSync) {
    this.s = {
      insertIndex: db.prepare(
        `INSERT INTO block_index (hash, prev, height, chain_work, header, status, invalid_rule, invalid_reason, seq)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      setStatus: db.prepare(
        'UPDATE block_index SET status = ?, invalid_rule = ?, invalid_reason = ? WHERE hash = ?',
      ),
      allIndex: db.prepare(
        `SELECT hash, prev, height, chain_work, header, status, invalid_rule, invalid_reason, seq
         FROM block_index ORDER BY height, seq`,
      ),
      putData: db.prepare('INSERT OR REPLACE INTO block_data (hash, data) VALUES (?, ?)'),
      getData: db.prepare('SELECT data FROM block_data WHERE hash = ?'),
      deleteData: db.prepare('DELETE FROM block_data WHERE hash = ?'),
      hasData: db.prepare('SELECT 1 AS x FROM block_data WHERE hash = ?'),
      putUndo: db.prepare('INSERT OR REPLACE INTO block_undo (hash, data) VALUES (?, ?)'),
      getUndo: db.prepare('SELECT data FROM block_undo WHERE hash = ?'),
      deleteUndo: db.prepare('DELETE FROM block_undo WHERE hash = ?'),
      setMain: db.prepare('INSERT OR REPLACE INTO main_chain (height, hash) VALUES (?, ?)'),
      deleteMain: db.prepare('DELETE FROM main_chain WHERE height = ?'),
      getMain: db.prepare('SELECT hash FROM main_chain WHERE height = ?'),
      getMeta: db.prepare('SELECT value FROM meta WHERE key = ?'),
      setMeta: db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)'),
    };
  }

  insertIndex(r: IndexRow): void {
    this.s.insertIndex.run(
      r.hash,
      r.prev,
      r.height,
      workToBlob(r.chainWork),
      r.header,
      r.status,
      r.invalidRule,
      r.invalidReason,
      r.seq,
    );
  }

  setStatus(
    hash: Uint8Array,
    status: BlockStatus,
    rule: string | null = null,
    reason: string | null = null,
  ): void {
    this.s.setStatus.run(status, rule, reason, hash);
  }

  *allIndex(): Generator<IndexRow> {
    for (const row of this.s.allIndex.iterate() as Iterable<Record<string, unknown>>) {
      yield {
        hash: row.hash as Uint8Array,
        prev: row.prev as Uint8Array,
        height: Number(row.height),
        chainWork: blobToWork(row.chain_work as Uint8Array),
        header: row.header as Uint8Array,
        status: row.status as BlockStatus,
        invalidRule: (row.invalid_rule as string | null) ?? null,
        invalidReason: (row.invalid_reason as string | null) ?? null,
        seq: Number(row.seq),
      };
    }
  }

  putBlockData(hash: Uint8Array, data: Uint8Array): void {
    this.s.putData.run(hash, data);
  }

  /** Drops a stored body (a copy that failed a rule its header does not commit to). */
  deleteBlockData(hash: Uint8Array): void {
    this.s.deleteData.run(hash);
  }

  getBlockData(hash: Uint8Array): Uint8Array | undefined {
    const row = this.s.getData.get(hash) as { data: Uint8Array } | undefined;
    return row?.data;
  }

  hasBlockData(hash: Uint8Array): boolean {
    return this.s.hasData.get(hash) !== undefined;
  }

  putUndo(hash: Uint8Array, data: Uint8Array): void {
    this.s.putUndo.run(hash, data);
  }

  getUndo(hash: Uint8Array): Uint8Array | undefined {
    const row = this.s.getUndo.get(hash) as { data: Uint8Array } | undefined;
    return row?.data;
  }

  deleteUndo(hash: Uint8Array): void {
    this.s.deleteUndo.run(hash);
  }

  setMain(height: number, hash: Uint8Array): void {
    this.s.setMain.run(height, hash);
  }

  deleteMain(height: number): void {
    this.s.deleteMain.run(height);
  }

  getMain(height: number): Uint8Array | undefined {
    const row = this.s.getMain.get(height) as { hash: Uint8Array } | undefined;
    return row?.hash;
  }

  getMeta(key: string): Uint8Array | string | undefined {
    const row = this.s.getMeta.get(key) as { value: Uint8Array | string } | undefined;
    return row?.value ?? undefined;
  }

  setMeta(key: string, value: Uint8Array | string): void {
    this.s.setMeta.run(key, value);
  }
}
