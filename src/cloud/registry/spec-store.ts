import { DatabaseSync } from 'node:sqlite';

export interface StoredSpec {
  specHash: string;
  /** Canonical JSON of the validated spec. */
  spec: string;
  /** Owner's signature over the spec hash (base64, Bitcoin-style message signature). */
  signature: string;
  received: number;
}

/**
 * Specs received by gossip (or submitted through the API), kept on disk so a restarted node does
 * not need them again. Holding a spec here means nothing by itself: only a paid spec is an app.
 */
export class SpecStore {
  private readonly db: DatabaseSync;

  constructor(file: string) {
    this.db = new DatabaseSync(file);
    this.db.exec('PRAGMA journal_mode = WAL');
    this.db.exec(
      'CREATE TABLE IF NOT EXISTS specs (spec_hash TEXT PRIMARY KEY, spec TEXT NOT NULL, signature TEXT NOT NULL, received INTEGER NOT NULL)',
    );
  }

  put(s: StoredSpec): boolean {
    const r = this.db
      .prepare('INSERT OR IGNORE INTO specs (spec_hash, spec, signature, received) VALUES (?, ?, ?, ?)')
      .run(s.specHash, s.spec, s.signature, s.received);
    return Number(r.changes) > 0;
  }

  get(specHash: string): StoredSpec | undefined {
    const r = this.db
      .prepare('SELECT spec_hash, spec, signature, received FROM specs WHERE spec_hash = ?')
      .get(specHash) as { spec_hash: string; spec: string; signature: string; received: number } | undefined;
    return r
      ? { specHash: r.spec_hash, spec: r.spec, signature: r.signature, received: r.received }
      : undefined;
  }

  all(): StoredSpec[] {
    return (
      this.db.prepare('SELECT spec_hash, spec, signature, received FROM specs').all() as {
        spec_hash: string;
        spec: string;
        signature: string;
        received: number;
      }[]
    ).map((r) => ({ specHash: r.spec_hash, spec: r.spec, signature: r.signature, received: r.received }));
  }

  close(): void {
    this.db.close();
  }
}
