import {
  type Block,
  ConsensusError,
  FLUXNODE_CONFIRM,
  FLUXNODE_START,
  type OutPoint,
  reverseHex,
  type Transaction,
  TIERS,
  type Tier,
} from '../../consensus/index.ts';
import { queueOrder } from './queue.ts';
import { confirmRecord, startRecord } from './tx-rules.ts';
import type { FluxnodeRecord, Payee, RegistryContext, RegistryParams, RegistryUndo } from './types.ts';
import { storedBigint } from '../stored-json.ts';

export function collateralKey(o: OutPoint): string {
  return `${reverseHex(o.txid)}:${o.index}`;
}

/**
 * The fluxnode list, derived only from the chain: every node computes the same list and the same
 * payment queue from the same blocks. Connecting a block returns undo data; undoing it restores
 * the exact previous state, so reorgs replay deterministically.
 */
export class FluxnodeRegistry {
  readonly params: RegistryParams;
  private readonly nodes = new Map<string, FluxnodeRecord>();

  constructor(params: RegistryParams, records: Iterable<FluxnodeRecord> = []) {
    this.params = params;
    for (const r of records) this.nodes.set(r.collateral, { ...r });
  }

  /** Listed nodes (STARTed or confirmed). */
  get size(): number {
    return this.list().length;
  }

  /** The listed node (STARTed or confirmed) of a collateral. */
  get(collateral: string): FluxnodeRecord | undefined {
    const r = this.nodes.get(collateral);
    return r && r.status !== 'dos' ? { ...r } : undefined;
  }

  /** The record of a collateral, a barred one (`dos`) included: what the registry's table holds. */
  stored(collateral: string): FluxnodeRecord | undefined {
    const r = this.nodes.get(collateral);
    return r ? { ...r } : undefined;
  }

  /** The listed nodes, STARTed or confirmed, by collateral. */
  list(): FluxnodeRecord[] {
    return this.records().filter((r) => r.status !== 'dos');
  }

  /** Every record, barred collaterals included (what the registry's table holds). */
  records(): FluxnodeRecord[] {
    return [...this.nodes.values()].map((r) => ({ ...r })).sort((a, b) => cmp(a.collateral, b.collateral));
  }

  confirmed(tier?: Tier): FluxnodeRecord[] {
    return this.list().filter((r) => r.status === 'confirmed' && (!tier || r.tier === tier));
  }

  /**
   * The node each tier pays in the block at `height`: the front of the tier's payment queue (see
   * queue.ts for fluxd's order). A tier with no confirmed node pays none.
   */
  payees(_height: number): Payee[] {
    const front = new Map<Tier, FluxnodeRecord>();
    for (const r of this.nodes.values()) {
      if (r.status !== 'confirmed') continue;
      const best = front.get(r.tier);
      if (!best || queueOrder(r, best) < 0) front.set(r.tier, r);
    }
    const out: Payee[] = [];
    for (const tier of TIERS) {
      const r = front.get(tier);
      if (r) out.push({ tier, collateral: r.collateral, payoutScript: r.payoutScript });
    }
    return out;
  }

  /**
   * Applies block `height`'s effects in a fixed order: payments of this block's payees, then each
   * transaction (collateral spends, START, CONFIRM), then the windows that close at this height.
   * Throws ConsensusError (and changes nothing) when a fluxnode transaction breaks a rule.
   */
  connectBlock(block: Block, height: number, ctx: RegistryContext): RegistryUndo {
    const undo: RegistryUndo = [];
    const touched = new Set<string>();
    const remember = (collateral: string) => {
      if (touched.has(collateral)) return;
      touched.add(collateral);
      const r = this.nodes.get(collateral);
      undo.push({ collateral, before: r ? { ...r } : null });
    };
    try {
      for (const payee of this.payees(height)) {
        remember(payee.collateral);
        this.nodes.get(payee.collateral)!.lastPaidHeight = height;
      }
      for (const tx of block.txs) this.applyTx(tx, height, ctx, remember);
      this.closeWindows(height, remember);
    } catch (err) {
      this.disconnectBlock(undo);
      throw err;
    }
    return undo;
  }

  disconnectBlock(undo: RegistryUndo): void {
    for (const { collateral, before } of undo.toReversed()) {
      if (before) this.nodes.set(collateral, { ...before });
      else this.nodes.delete(collateral);
    }
  }

  private applyTx(
    tx: Transaction,
    height: number,
    ctx: RegistryContext,
    remember: (k: string) => void,
  ): void {
    for (const input of tx.inputs) {
      const key = collateralKey(input.prevout);
      if (this.nodes.has(key)) {
        remember(key);
        this.nodes.delete(key);
      }
    }
    const fx = tx.fluxnode;
    if (!fx) return;
    const key = collateralKey(fx.collateral);
    const before = this.nodes.get(key);
    let after: FluxnodeRecord;
    if (fx.type === FLUXNODE_START) after = startRecord(key, fx, before, height, this.params, ctx);
    else if (fx.type === FLUXNODE_CONFIRM) after = confirmRecord(key, fx, before, height, this.params, ctx);
    else {
      throw new ConsensusError('bad-fluxnode-tx-type', `unknown fluxnode tx type ${fx.type}`, {
        field: 'type',
        value: fx.type,
      });
    }
    remember(key);
    this.nodes.set(key, after);
  }

  /**
   * The windows that close after this block's transactions, as fluxd's cache flush closes them:
   * a START unconfirmed for `startExpiry` blocks becomes barred; a bar ends `dosRemoval` blocks
   * after its START; a confirmed node expires when it has not confirmed for more than
   * `confirmExpiry` blocks, or at once when its tier's collateral transition is over and its
   * amount is no longer one any tier accepts.
   */
  private closeWindows(height: number, remember: (k: string) => void): void {
    const rules = this.params.rulesAt(height);
    for (const r of [...this.nodes.values()]) {
      if (r.status === 'started' && height - r.startHeight >= rules.startExpiry) {
        remember(r.collateral);
        this.nodes.set(r.collateral, { ...r, status: 'dos' });
      } else if (
        (r.status === 'dos' && height - r.startHeight >= rules.dosRemoval) ||
        (r.status === 'confirmed' &&
          (height - (r.lastConfirmHeight ?? r.startHeight) > rules.confirmExpiry ||
            this.onOldCollateral(r, height)))
      ) {
        remember(r.collateral);
        this.nodes.delete(r.collateral);
      }
    }
  }

  private onOldCollateral(r: FluxnodeRecord, height: number): boolean {
    const end = this.params.collateralTransitionEnd?.(r.tier);
    return end !== undefined && height >= end && this.params.tierOfCollateral(r.amount, height) === null;
  }

  /** A digest of the whole registry (barred collaterals included), for comparing two nodes'. */
  digestInput(): string {
    return JSON.stringify(this.records(), storedBigint);
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
