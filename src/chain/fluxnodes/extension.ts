import type { DatabaseSync } from 'node:sqlite';
import type { ByteWriter } from '../../consensus/bytes.ts';
import { ByteReader } from '../../consensus/bytes.ts';
import type { Block, FluxnodeTx } from '../../consensus/primitives/types.ts';
import type { ChainStateExtension, ExtensionContext } from '../extension.ts';
import type { ChainEntry } from '../types.ts';
import { FluxnodeRegistry } from './registry.ts';
import type { FluxnodeRecord, RegistryParams, RegistryUndo } from './types.ts';

export interface FluxnodeExtensionOptions {
  params: RegistryParams;
  verifyFluxnodeSignature: (tx: FluxnodeTx, pubKey: Uint8Array) => boolean;
  scriptPaysToPubKey: (script: Uint8Array, pubKey: Uint8Array) => boolean;
}

/**
 * Keeps the fluxnode registry in the chain's database, updated in the same transaction as each
 * block, with the registry in memory for the payment queue. The table is the truth; the memory copy
 * is reloaded from it whenever a transaction rolls back.
 */
export class FluxnodeExtension implements ChainStateExtension {
  readonly name = 'fluxnodes';
  private readonly opts: FluxnodeExtensionOptions;
  registry: FluxnodeRegistry;

  constructor(opts: FluxnodeExtensionOptions) {
    this.opts = opts;
    this.registry = new FluxnodeRegistry(opts.params);
  }

  init(db: DatabaseSync): void {
    db.exec('CREATE TABLE IF NOT EXISTS fluxnodes (collateral TEXT PRIMARY KEY, record TEXT NOT NULL)');
    this.reload(db);
  }

  connectBlock(
    db: DatabaseSync,
    block: Block,
    height: number,
    undo: ByteWriter,
    ctx: ExtensionContext,
  ): void {
    const changes = this.registry.connectBlock(block, height, {
      getUtxo: (o) => ctx.getUtxo(o),
      verifyFluxnodeSignature: this.opts.verifyFluxnodeSignature,
      scriptPaysToPubKey: this.opts.scriptPaysToPubKey,
    });
    undo.varString(JSON.stringify(changes, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v)));
    this.persist(db, changes);
  }

  disconnectBlock(
    db: DatabaseSync,
    _block: Block,
    _height: number,
    undo: Uint8Array,
    _ctx: ExtensionContext,
  ): void {
    const changes = JSON.parse(
      new ByteReader(undo).varString('fluxnode undo', 64 * 1024 * 1024),
      reviveBigint,
    ) as RegistryUndo;
    this.registry.disconnectBlock(changes);
    this.persist(db, changes);
  }

  onRollback(db: DatabaseSync): void {
    this.reload(db);
  }

  checkConsistency(db: DatabaseSync, _tip: ChainEntry): string[] {
    const stored = this.load(db);
    const mem = this.registry.records();
    return JSON.stringify(stored.sort(byCollateral), jsonBigint) === JSON.stringify(mem, jsonBigint)
      ? []
      : ['fluxnode registry in memory differs from its table'];
  }

  private persist(db: DatabaseSync, changes: RegistryUndo): void {
    const upsert = db.prepare(
      'INSERT INTO fluxnodes (collateral, record) VALUES (?, ?) ON CONFLICT(collateral) DO UPDATE SET record = excluded.record',
    );
    const del = db.prepare('DELETE FROM fluxnodes WHERE collateral = ?');
    for (const key of new Set(changes.map((c) => c.collateral))) {
      const now = this.registry.stored(key);
      if (now) upsert.run(key, JSON.stringify(now, jsonBigint));
      else del.run(key);
    }
  }

  private reload(db: DatabaseSync): void {
    this.registry = new FluxnodeRegistry(this.opts.params, this.load(db));
  }

  private load(db: DatabaseSync): FluxnodeRecord[] {
    const rows = db.prepare('SELECT record FROM fluxnodes').all() as { record: string }[];
    return rows.map((r) => JSON.parse(r.record, reviveBigint) as FluxnodeRecord);
  }
}

function jsonBigint(_k: string, v: unknown): unknown {
  return typeof v === 'bigint' ? `${v}n` : v;
}

function reviveBigint(_k: string, v: unknown): unknown {
  return typeof v === 'string' && /^-?\d+n$/.test(v) ? BigInt(v.slice(0, -1)) : v;
}

function byCollateral(a: FluxnodeRecord, b: FluxnodeRecord): number {
  return a.collateral < b.collateral ? -1 : a.collateral > b.collateral ? 1 : 0;
}
