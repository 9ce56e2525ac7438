/**
 * The in-memory half of a Chain, shared by the files that change it (header and block acceptance,
 * activation, connect/disconnect, invalidation): the block index, the active chain, the candidate
 * tips, the best header, the recent-block cache, and the stores and validator they write through.
 * Internal to chain/: the Chain façade is the only way in from outside.
 */
import type { EventEmitter } from 'node:events';
import type { DatabaseSync } from 'node:sqlite';
import type { Block, BlockHeader, ConsensusParams } from '../consensus/index.ts';
import { must } from '../consensus/index.ts';
import { BlockIndex, type IndexEntry } from './block-index.ts';
import type { ChainEvents } from './chain-types.ts';
import { decodeBlock, decodeHeader } from './codec.ts';
import { ChainStateError } from './errors.ts';
import type { ChainStateExtension } from './extension.ts';
import type { FluxnodeExtension } from './fluxnodes/extension.ts';
import type { ChainObserver } from './observer.ts';
import type { BlockStore } from './storage/block-store.ts';
import type { UtxoStore } from './storage/utxo-store.ts';
import type { StateStores } from './state-writer.ts';
import type { BlockValidator, HeaderContext } from './validator.ts';

const RECENT_BLOCKS = 64;

export interface ChainStateParts {
  params: ConsensusParams;
  db: DatabaseSync;
  blocks: BlockStore;
  utxos: UtxoStore;
  validator: BlockValidator;
  fluxnodes: FluxnodeExtension;
  extensions: ChainStateExtension[];
  now: () => number;
  observer: ChainObserver;
  events: EventEmitter<ChainEvents>;
}

export class ChainState {
  readonly params: ConsensusParams;
  readonly db: DatabaseSync;
  readonly blocks: BlockStore;
  readonly utxos: UtxoStore;
  readonly validator: BlockValidator;
  readonly fluxnodes: FluxnodeExtension;
  readonly extensions: ChainStateExtension[];
  readonly now: () => number;
  readonly observer: ChainObserver;
  /** The Chain itself: what the other files emit their events on. */
  readonly events: EventEmitter<ChainEvents>;
  readonly index = new BlockIndex();
  /** The active chain by height. */
  readonly main: IndexEntry[] = [];
  /** Entries with all data down to genesis, not invalid, at least as much work as the tip. */
  readonly candidates = new Set<IndexEntry>();
  /** Recently seen blocks (and their txids once computed), to spare decoding and hashing them again. */
  readonly recent = new Map<string, { block: Block; txids?: Uint8Array[] }>();
  /** Copies dropped by `forgetBody` during the current accept, so the sender still hears why. */
  readonly refusedCopies = new Map<string, { rule: string; reason: string }>();
  /** The most-work header known that is not invalid; set by loadChain. */
  bestHeader!: IndexEntry;
  nextSeq = 1;

  constructor(p: ChainStateParts) {
    this.params = p.params;
    this.db = p.db;
    this.blocks = p.blocks;
    this.utxos = p.utxos;
    this.validator = p.validator;
    this.fluxnodes = p.fluxnodes;
    this.extensions = p.extensions;
    this.now = p.now;
    this.observer = p.observer;
    this.events = p.events;
  }

  /** The last main-chain entry; a chain always holds at least its genesis. */
  get top(): IndexEntry {
    return must(this.main.at(-1), 'the main-chain tip');
  }

  get stores(): StateStores {
    return { db: this.db, blocks: this.blocks, utxos: this.utxos, extensions: this.extensions };
  }

  headerContext(prev: IndexEntry, height: number, hash: Uint8Array): HeaderContext {
    return {
      params: this.params,
      hash,
      height,
      prev,
      medianTimePast: BlockIndex.medianTimePast(prev),
      now: this.now(),
    };
  }

  /** The block of `e`, from the recent cache or the store; undefined when no body is stored. */
  findBlock(e: IndexEntry): Block | undefined {
    const cached = this.recent.get(e.key);
    if (cached) return cached.block;
    const raw = this.blocks.getBlockData(e.hash);
    return raw ? decodeBlock(raw) : undefined;
  }

  loadBlock(e: IndexEntry): Block {
    const block = this.findBlock(e);
    if (!block) throw new ChainStateError(`block ${e.id} has no stored data`);
    return block;
  }

  loadHeader(e: IndexEntry): BlockHeader {
    const cached = this.recent.get(e.key);
    if (cached) return cached.block.header;
    const row = this.db.prepare('SELECT header FROM block_index WHERE hash = ?').get(e.hash) as
      | { header: Uint8Array }
      | undefined;
    if (!row) throw new ChainStateError(`header ${e.id} is in the index but not stored`);
    return decodeHeader(row.header);
  }

  remember(e: IndexEntry, block: Block, txids?: Uint8Array[]): void {
    this.recent.set(e.key, { block, txids });
    if (this.recent.size > RECENT_BLOCKS) this.recent.delete(this.recent.keys().next().value!);
  }
}
