import type { DatabaseSync } from 'node:sqlite';
import {
  type Block,
  ByteReader,
  type ByteWriter,
  type ConsensusParams,
  registryRulesAt,
  tierOfCollateral,
} from '../../consensus/index.ts';
import { ChainStateError } from '../errors.ts';
import type { ChainStateExtension, ExtensionContext } from '../extension.ts';
import type { ChainEntry } from '../types.ts';
import { reviveStoredBigint, storedBigint } from '../stored-json.ts';
import { FluxnodeRegistry } from './registry.ts';
import type { FluxnodeBlockEffect, FluxnodeRecord, RegistryParams, RegistryUndo } from './types.ts';

/** The extension's name: its table, its key in each block's undo record, what dependents name. */
export const FLUXNODES = 'fluxnodes';

/** The registry's rules of a network. */
export function registryParamsFor(params: ConsensusParams): RegistryParams {
  return {
    rulesAt: (h) => registryRulesAt(h, params),
    tierOfCollateral: (a, h) => tierOfCollateral(a, h, params),
    collateralTransitionEnd: (tier) => params.fluxnodes.collateral[tier].transitionEnd,
    benchmarkKeys: params.fluxnodes.benchmarkKeys,
  };
}

/**
 * Keeps the fluxnode registry in the chain's database, updated in the same transaction as each
 * block, with the registry in memory for the payment queue. The table is the truth; the memory copy
 * is reloaded from it whenever a transaction rolls back. Every Chain has one (it is consensus: the
 * START/CONFIRM rules and the payees); what a block did to it is its effect for dependents.
 */
export class FluxnodeExtension implements ChainStateExtension {
  readonly name = FLUXNODES;
  readonly #params: RegistryParams;
  registry: FluxnodeRegistry;

  constructor(params: ConsensusParams) {
    this.#params = registryParamsFor(params);
    this.registry = new FluxnodeRegistry(this.#params);
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
  ): FluxnodeBlockEffect {
    const paid = this.registry.payees(height).map((p) => this.registry.get(p.collateral)!);
    const changes = this.registry.connectBlock(block, height, { getUtxo: (o) => ctx.getUtxo(o) });
    undo.varString(JSON.stringify(changes, storedBigint));
    this.persist(db, changes);
    return {
      paid,
      // A barred collateral (dos) is no node: it appears as null on either side.
      changes: changes.map((c) => ({
        collateral: c.collateral,
        before: c.before?.status === 'dos' ? null : c.before,
        after: this.registry.get(c.collateral) ?? null,
      })),
    };
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
      reviveStoredBigint,
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
    return JSON.stringify(stored.sort(byCollateral), storedBigint) === JSON.stringify(mem, storedBigint)
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
      if (now) upsert.run(key, JSON.stringify(now, storedBigint));
      else del.run(key);
    }
  }

  private reload(db: DatabaseSync): void {
    this.registry = new FluxnodeRegistry(this.#params, this.load(db));
  }

  private load(db: DatabaseSync): FluxnodeRecord[] {
    const rows = db.prepare('SELECT record FROM fluxnodes').all() as { record: string }[];
    return rows.map((r) => JSON.parse(r.record, reviveStoredBigint) as FluxnodeRecord);
  }
}

function byCollateral(a: FluxnodeRecord, b: FluxnodeRecord): number {
  return a.collateral < b.collateral ? -1 : a.collateral > b.collateral ? 1 : 0;
}

/**
 * The registry's effect of the block being connected, for an extension that declared
 * `dependsOn: [FLUXNODES]` (the chain hands it over in `ctx.effects`).
 */
export function fluxnodeEffectOf(ctx: ExtensionContext): FluxnodeBlockEffect {
  const effect = ctx.effects.get(FLUXNODES);
  if (!effect) throw new ChainStateError(`no fluxnode effect for block ${ctx.entry.id}: declare dependsOn`);
  return effect as FluxnodeBlockEffect;
}
