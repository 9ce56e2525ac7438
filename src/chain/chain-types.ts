// What a Chain is opened with (ChainOptions), the events it emits, and how callers name a block.

import type { Logger } from 'pino';
import type { Block } from '../consensus/index.ts';
import type { DefaultValidatorOptions } from './default-validator.ts';
import type { ChainStateExtension } from './extension.ts';
import type { ChainMetrics } from './metrics.ts';
import type { Durability } from './storage/database.ts';
import type { ChainEntry } from './types.ts';

export interface ChainOptions {
  /** Genesis block of the network; defaults to the params' genesis. */
  genesis?: Block;
  /**
   * Switches of the rule set (proof of work off in chain-logic tests, script threads). The rules
   * themselves are always the network's: see defaultValidator.
   */
  validation?: DefaultValidatorOptions;
  /**
   * Other chain-derived state kept in step with the tip (apps, indexes, the economy). The fluxnode
   * registry is always there, named "fluxnodes", for extensions to depend on.
   */
  extensions?: ChainStateExtension[];
  durability?: Durability;
  /** Network-adjusted clock in seconds (tests pin it). */
  now?: () => number;
  /** Blocks whose parent is unknown kept in memory, waiting for it. */
  maxOrphans?: number;
  /** Run SQLite's own page-level check when opening (slow on big databases). */
  integrityCheck?: boolean;
  metrics?: ChainMetrics | null;
  /** The chain's child logger (`{ module: 'chain' }`); silent when not given. */
  log?: Logger;
}

export interface ChainEvents {
  connect: [block: Block, entry: ChainEntry];
  disconnect: [block: Block, entry: ChainEntry];
  tip: [entry: ChainEntry];
  invalid: [entry: ChainEntry, rule: string, reason: string];
}

/** A block by height on the main chain, by hash (internal bytes) or by id (display hex). */
export type BlockRef = number | Uint8Array | string;
