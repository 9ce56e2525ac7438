/**
 * The economy's own copy of the fluxnode registry.
 *
 * Why a copy: a block's payees are the registry's queue BEFORE the block, and the collateral a block
 * locks or releases is the registry's change ACROSS the block. The fluxnode extension's registry is
 * before or after the block depending on where each extension sits in the chain's list, so reading
 * it from another extension's connectBlock would make the figures depend on that order. The copy is
 * advanced inside the economy's own connectBlock with the same FluxnodeRegistry code and the same
 * post-block UTXO view, so it is always exactly "before this block" when asked for payees and
 * "after" once advanced, wherever the economy sits in the list.
 *
 * The copy trusts signatures (the real registry checks them in the same transaction: a bad one
 * rejects the block and rolls this copy back with it). It starts from, and after a rollback reloads
 * from, the fluxnode extension's table, which always holds the committed tip's list.
 */
import type { DatabaseSync } from 'node:sqlite';
import { ByteReader, type ByteWriter } from '../../consensus/bytes.ts';
import type { Block } from '../../consensus/primitives/types.ts';
import type { ExtensionContext } from '../../chain/extension.ts';
import { FluxnodeRegistry } from '../../chain/fluxnodes/registry.ts';
import type { FluxnodeRecord, RegistryParams, RegistryUndo, Tier } from '../../chain/fluxnodes/types.ts';
import { decodeUndo } from '../../chain/undo.ts';
import type { CollateralChange } from '../inputs.ts';

const TIERS: readonly Tier[] = ['cumulus', 'nimbus', 'stratus'];

/** Same encoding as the fluxnode extension's table: bigints as "123n" inside JSON. */
function jsonBigint(_k: string, v: unknown): unknown {
  return typeof v === 'bigint' ? `${v}n` : v;
}

function reviveBigint(_k: string, v: unknown): unknown {
  return typeof v === 'string' && /^-?\d+n$/.test(v) ? BigInt(v.slice(0, -1)) : v;
}

export interface BlockRegistryEffect {
  /** The queue's payees for this height, as records before the block. */
  payees: FluxnodeRecord[];
  /** Net collateral locked (+) / released (−) per tier by the block; tiers without change omitted. */
  collateral: CollateralChange[];
}

/** The fluxnode extension's name: its table, and its key in each block's undo record. */
const FLUXNODE_TABLE = 'fluxnodes';

export class RegistryReplica {
  private readonly params: RegistryParams;
  private registry: FluxnodeRegistry;

  constructor(params: RegistryParams) {
    this.params = params;
    this.registry = new FluxnodeRegistry(params);
  }

  /** Reloads the list from the fluxnode extension's table (empty when that table does not exist yet). */
  load(db: DatabaseSync): void {
    this.registry = new FluxnodeRegistry(this.params, readFluxnodeTable(db));
  }

  get(collateral: string): FluxnodeRecord | undefined {
    return this.registry.get(collateral);
  }

  /** Applies the block; writes its undo to `undo`. Throws the registry's ConsensusError for a bad block. */
  connect(block: Block, height: number, ctx: ExtensionContext, undo: ByteWriter): BlockRegistryEffect {
    const payees = this.registry.payees(height).map((p) => this.registry.get(p.collateral)!);
    const changes = this.registry.connectBlock(block, height, {
      getUtxo: (o) => ctx.getUtxo(o),
      verifyFluxnodeSignature: () => true,
      scriptPaysToPubKey: () => true,
    });
    undo.varString(JSON.stringify(changes, jsonBigint));
    return { payees, collateral: this.collateralChange(changes) };
  }

  /** Reverts a block from the undo `connect` wrote (the fluxnode extension's undo has the same form). */
  disconnect(undo: Uint8Array): void {
    const changes = JSON.parse(
      new ByteReader(undo).varString('economy registry undo', 64 * 1024 * 1024),
      reviveBigint,
    ) as RegistryUndo;
    this.registry.disconnectBlock(changes);
  }

  /**
   * Reverts a block connected before this store existed (it left no undo of ours), with the fluxnode
   * extension's part of the block's undo record; reloads from the table when there is none.
   */
  disconnectWithChainUndo(db: DatabaseSync, blockHash: Uint8Array): void {
    const row = db.prepare('SELECT data FROM block_undo WHERE hash = ?').get(blockHash) as
      | { data: Uint8Array }
      | undefined;
    const theirs = row ? decodeUndo(row.data).extensions.get(FLUXNODE_TABLE) : undefined;
    if (theirs?.length) this.disconnect(theirs);
    else this.load(db);
  }

  /** The replica against the fluxnode table; empty when they agree. */
  differences(db: DatabaseSync): string[] {
    const table = readFluxnodeTable(db).sort((a, b) => (a.collateral < b.collateral ? -1 : 1));
    const mine = this.registry.records();
    return JSON.stringify(table, jsonBigint) === JSON.stringify(mine, jsonBigint)
      ? []
      : [`economy's fluxnode list (${mine.length} nodes) differs from the registry's (${table.length})`];
  }

  /** Each touched record contributes its amount after minus its amount before, by tier. */
  private collateralChange(changes: RegistryUndo): CollateralChange[] {
    const net: Record<Tier, bigint> = { cumulus: 0n, nimbus: 0n, stratus: 0n };
    for (const c of changes) {
      // A barred collateral (dos) is no node: it locked nothing when it was barred.
      if (c.before && c.before.status !== 'dos') net[c.before.tier] -= c.before.amount;
      const now = this.registry.get(c.collateral);
      if (now) net[now.tier] += now.amount;
    }
    return TIERS.filter((t) => net[t] !== 0n).map((tier) => ({ tier, amount: net[tier] }));
  }
}

function readFluxnodeTable(db: DatabaseSync): FluxnodeRecord[] {
  const exists = db
    .prepare("SELECT 1 AS x FROM sqlite_master WHERE type = 'table' AND name = ?")
    .get(FLUXNODE_TABLE);
  if (!exists) return [];
  const rows = db.prepare(`SELECT record FROM ${FLUXNODE_TABLE}`).all() as { record: string }[];
  return rows.map((r) => JSON.parse(r.record, reviveBigint) as FluxnodeRecord);
}
