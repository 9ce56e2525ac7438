import type { DatabaseSync } from 'node:sqlite';
import { type Block, ByteWriter, must, reverseHex } from '../consensus/index.ts';
import type { IndexEntry } from './block-index.ts';
import { txid } from './codec.ts';
import { type ConnectPlan, isCoinbaseTx, isUnspendable } from './connect-plan.ts';
import { ChainStateError } from './errors.ts';
import type { ChainStateExtension, ExtensionContext } from './extension.ts';
import type { BlockStore } from './storage/block-store.ts';
import { inTransaction } from './storage/database.ts';
import type { UtxoStore } from './storage/utxo-store.ts';
import { type BlockUndo, encodeUndo } from './undo.ts';

export interface StateStores {
  db: DatabaseSync;
  blocks: BlockStore;
  utxos: UtxoStore;
  extensions: ChainStateExtension[];
}

/** Runs `fn` in one transaction; extensions that took part hear about a rollback. */
function atomically(s: StateStores, fn: (touched: ChainStateExtension[]) => void): void {
  const touched: ChainStateExtension[] = [];
  try {
    inTransaction(s.db, () => fn(touched));
  } catch (err) {
    for (const ext of touched) ext.onRollback?.(s.db);
    throw err;
  }
}

/**
 * Writes a checked block as the new tip: UTXO changes, undo record, main-chain row, status, tip,
 * and every extension's changes (in dependency order, see extension-order.ts), in one transaction.
 * An extension's ConsensusError aborts it all.
 */
export function connectWrite(s: StateStores, e: IndexEntry, block: Block, plan: ConnectPlan): void {
  atomically(s, (touched) => {
    for (const o of plan.deletes) {
      if (!s.utxos.delete(o)) {
        throw new ChainStateError(
          `output ${reverseHex(o.txid)}:${o.index} vanished while connecting ${e.id}`,
        );
      }
    }
    for (const { outpoint, coin } of plan.created) s.utxos.put(outpoint, coin);

    const extUndo = new Map<string, Uint8Array>();
    const effects = new Map<string, unknown>();
    for (const ext of s.extensions) {
      touched.push(ext);
      const w = new ByteWriter();
      const ctx: ExtensionContext = {
        entry: e,
        getUtxo: (o) => s.utxos.get(o),
        spent: plan.spent,
        effects: new Map((ext.dependsOn ?? []).map((name) => [name, effects.get(name)])),
      };
      effects.set(ext.name, ext.connectBlock(s.db, block, e.height, w, ctx));
      extUndo.set(ext.name, w.finish());
    }

    const undo: BlockUndo = { spent: plan.spent.map((x) => x.coin), extensions: extUndo };
    s.blocks.putUndo(e.hash, encodeUndo(undo));
    s.blocks.setMain(e.height, e.hash);
    s.blocks.setStatus(e.hash, 'valid');
    s.blocks.setMeta('tip', e.hash);
  });
}

/**
 * Reverts the tip block with its undo record, in one transaction: extensions first (newest
 * last-connected first), then each transaction from last to first (remove its outputs, restore the
 * coins its inputs spent), then the main-chain row and tip.
 */
export function disconnectWrite(s: StateStores, e: IndexEntry, block: Block, undo: BlockUndo): void {
  const parent = e.parent;
  if (!parent) throw new ChainStateError('cannot disconnect the genesis block');
  atomically(s, (touched) => {
    const ctx: ExtensionContext = { entry: e, getUtxo: (o) => s.utxos.get(o), spent: [], effects: new Map() };
    for (const ext of s.extensions.toReversed()) {
      touched.push(ext);
      ext.disconnectBlock(s.db, block, e.height, undo.extensions.get(ext.name) ?? new Uint8Array(0), ctx);
    }

    // Offsets of each transaction's first input in the block-wide list of spent coins.
    const offsets: number[] = [];
    let n = 0;
    for (const [t, tx] of block.txs.entries()) {
      offsets.push(n);
      if (!(t === 0 && isCoinbaseTx(tx))) n += tx.inputs.length;
    }
    if (n !== undo.spent.length) {
      throw new ChainStateError(
        `undo record of ${e.id} lists ${undo.spent.length} spent coins, block spends ${n}`,
      );
    }

    for (const [t, tx] of [...block.txs.entries()].reverse()) {
      const id = txid(tx);
      for (const [i, out] of tx.outputs.entries()) {
        if (isUnspendable(out.scriptPubKey)) continue;
        if (!s.utxos.delete({ txid: id, index: i })) {
          throw new ChainStateError(`output ${reverseHex(id)}:${i} of ${e.id} is missing from the UTXO set`);
        }
      }
      if (t === 0 && isCoinbaseTx(tx)) continue;
      // The count check above makes every offset and coin present.
      const first = must(offsets[t], 'the spent-coin offset of a transaction');
      for (const [i, input] of [...tx.inputs.entries()].reverse()) {
        s.utxos.put(input.prevout, must(undo.spent[first + i], 'the undo coin of an input'));
      }
    }

    s.blocks.deleteMain(e.height);
    s.blocks.deleteUndo(e.hash);
    s.blocks.setMeta('tip', parent.hash);
  });
}
