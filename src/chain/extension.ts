import type { DatabaseSync } from 'node:sqlite';
import type { Block, ByteWriter } from '../consensus/index.ts';
import type { ChainEntry, Coin, OutPoint, SpentCoin } from './types.ts';

/** What an extension sees while a block is connected or disconnected. */
export interface ExtensionContext {
  /** The block's index entry (hash, height, time, parent…). */
  entry: ChainEntry;
  /**
   * The UTXO set with this block's spends and new outputs applied: on connect extensions run after
   * the UTXO changes (a collateral the block spends is already gone), on disconnect before they are
   * reverted (mirror order), so both see the same post-block set.
   */
  getUtxo(o: OutPoint): Coin | undefined;
  /** Coins this block spends, in input order (empty when disconnecting). */
  spent: readonly SpentCoin[];
  /**
   * What each extension named in `dependsOn` returned from its `connectBlock` for this block, by
   * name (empty when disconnecting). Only declared dependencies are here.
   */
  effects: ReadonlyMap<string, unknown>;
}

/**
 * Another piece of chain-derived state (the fluxnode registry, the app registry) kept in its own
 * tables of the chain's database. Its `connectBlock` / `disconnectBlock` run inside the same SQLite
 * transaction as the block's UTXO changes, so the state can never disagree with the tip, even after a
 * crash. Throwing a ConsensusError from `connectBlock` rejects the block: every change of the block,
 * the extension's included, is rolled back and the block is marked invalid with that rule.
 */
export interface ChainStateExtension {
  /** Unique, stable name: it keys the extension's part of each block's undo record. */
  readonly name: string;
  /**
   * Extensions whose effects this one reads: they connect before it (and disconnect after it), and
   * what their `connectBlock` returned is in `ctx.effects`. The chain refuses to open with an
   * unknown name here or a cycle.
   */
  readonly dependsOn?: readonly string[];
  /** Creates the extension's tables (idempotent); runs once when the chain opens. */
  init?(db: DatabaseSync): void;
  /**
   * Applies the block; writes whatever it needs to undo it into `undo`. Runs after the UTXO changes.
   * What it returns is the block's effect on this state, handed to the extensions that depend on it.
   */
  connectBlock(
    db: DatabaseSync,
    block: Block,
    height: number,
    undo: ByteWriter,
    ctx: ExtensionContext,
  ): unknown;
  /** Reverts the block using the bytes its `connectBlock` wrote. Runs before the UTXO changes are reverted. */
  disconnectBlock(
    db: DatabaseSync,
    block: Block,
    height: number,
    undo: Uint8Array,
    ctx: ExtensionContext,
  ): void;
  /**
   * Called after the transaction of a connect or disconnect this extension took part in was rolled
   * back, so an extension that caches its tables in memory can drop or reload the cache.
   */
  onRollback?(db: DatabaseSync): void;
  /** Checked on open: problems found in the extension's tables at this tip (empty = consistent). */
  checkConsistency?(db: DatabaseSync, tip: ChainEntry): string[];
}
