import { toHex } from '../../consensus/bytes.ts';
import { ConsensusError, NO_FAULT } from '../../consensus/errors.ts';
import {
  FLUXNODE_CONFIRM,
  FLUXNODE_START,
  type Block,
  type OutPoint,
} from '../../consensus/primitives/types.ts';
import { reverseHex } from '../../consensus/bytes.ts';
import {
  type FluxnodeRecord,
  type Payee,
  type RegistryContext,
  type RegistryParams,
  type RegistryUndo,
  TIERS,
  type Tier,
} from './types.ts';

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

  get size(): number {
    return this.nodes.size;
  }

  get(collateral: string): FluxnodeRecord | undefined {
    const r = this.nodes.get(collateral);
    return r ? { ...r } : undefined;
  }

  list(): FluxnodeRecord[] {
    return [...this.nodes.values()].map((r) => ({ ...r })).sort((a, b) => cmp(a.collateral, b.collateral));
  }

  confirmed(tier?: Tier): FluxnodeRecord[] {
    return this.list().filter((r) => r.status === 'confirmed' && (!tier || r.tier === tier));
  }

  /**
   * The node each tier pays in the block at `height`: the confirmed node paid longest ago (never
   * paid: confirmed longest ago), ties broken by collateral. A tier with no confirmed node pays none.
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
   * transaction (collateral spends, START, CONFIRM), then expiries. Throws ConsensusError (and
   * changes nothing) when a fluxnode transaction breaks a rule.
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
        const r = this.nodes.get(payee.collateral)!;
        r.lastPaidHeight = height;
      }
      for (const tx of block.txs) {
        for (const input of tx.inputs) {
          const key = collateralKey(input.prevout);
          if (this.nodes.has(key)) {
            remember(key);
            this.nodes.delete(key);
          }
        }
        const fx = tx.fluxnode;
        if (!fx) continue;
        const key = collateralKey(fx.collateral);
        if (fx.type === FLUXNODE_START) this.applyStart(key, fx, height, ctx, remember);
        else if (fx.type === FLUXNODE_CONFIRM) this.applyConfirm(key, fx, height, ctx, remember);
        else
          throw new ConsensusError('bad-fluxnode-tx-type', `unknown fluxnode tx type ${fx.type}`, {
            field: 'type',
            value: fx.type,
          });
      }
      for (const r of [...this.nodes.values()]) {
        if (this.isExpired(r, height)) {
          remember(r.collateral);
          this.nodes.delete(r.collateral);
        }
      }
    } catch (err) {
      this.disconnectBlock(undo);
      throw err;
    }
    return undo;
  }

  disconnectBlock(undo: RegistryUndo): void {
    for (let i = undo.length - 1; i >= 0; i--) {
      const { collateral, before } = undo[i];
      if (before) this.nodes.set(collateral, { ...before });
      else this.nodes.delete(collateral);
    }
  }

  private isExpired(r: FluxnodeRecord, height: number): boolean {
    const rules = this.params.rulesAt(height);
    if (r.status === 'started') return height - r.startHeight > rules.startExpiry;
    return height - (r.lastConfirmHeight ?? r.startHeight) > rules.confirmExpiry;
  }

  private applyStart(
    key: string,
    fx: NonNullable<Block['txs'][number]['fluxnode']>,
    height: number,
    ctx: RegistryContext,
    remember: (k: string) => void,
  ): void {
    if (this.nodes.has(key))
      throw new ConsensusError('bad-fluxnode-start-duplicate', `collateral ${key} is already registered`, {
        score: NO_FAULT,
        field: 'collateral',
        value: key,
      });
    if (!fx.collateralPubKey || !fx.pubKey)
      throw new ConsensusError(
        'bad-fluxnode-start-keys',
        'START needs the collateral key and the operator key',
        { field: 'pubKey', value: key },
      );
    const utxo = ctx.getUtxo(fx.collateral);
    if (!utxo)
      throw new ConsensusError(
        'bad-fluxnode-collateral-missing',
        `collateral ${key} is not an unspent output`,
        { score: NO_FAULT, field: 'collateral', value: key },
      );
    const tier = this.params.tierOfCollateral(utxo.value, height);
    if (!tier)
      throw new ConsensusError(
        'bad-fluxnode-collateral-amount',
        `collateral ${key} holds ${utxo.value} satoshis, not a tier amount`,
        { score: NO_FAULT, field: 'collateral', value: utxo.value },
      );
    const depth = height - utxo.height;
    const needed = this.params.rulesAt(height).collateralMinConfirmations;
    if (depth < needed) {
      throw new ConsensusError(
        'bad-fluxnode-collateral-immature',
        `collateral ${key} has ${depth} confirmations, needs ${needed}`,
        { score: NO_FAULT, field: 'collateral', value: depth },
      );
    }
    if (!ctx.scriptPaysToPubKey(utxo.scriptPubKey, fx.collateralPubKey)) {
      throw new ConsensusError(
        'bad-fluxnode-collateral-key',
        `collateral ${key} is not owned by the START's collateral key`,
        { field: 'collateralPubKey', value: toHex(fx.collateralPubKey) },
      );
    }
    if (!ctx.verifyFluxnodeSignature(fx, fx.collateralPubKey)) {
      throw new ConsensusError(
        'bad-fluxnode-start-signature',
        `START for ${key} is not signed by the collateral key`,
        { field: 'sig', value: key },
      );
    }
    remember(key);
    this.nodes.set(key, {
      collateral: key,
      tier,
      amount: utxo.value,
      payoutScript: toHex(utxo.scriptPubKey),
      operatorPubKey: toHex(fx.pubKey),
      ip: '',
      status: 'started',
      startHeight: height,
      confirmedHeight: null,
      lastConfirmHeight: null,
      lastPaidHeight: null,
    });
  }

  private applyConfirm(
    key: string,
    fx: NonNullable<Block['txs'][number]['fluxnode']>,
    height: number,
    ctx: RegistryContext,
    remember: (k: string) => void,
  ): void {
    const r = this.nodes.get(key);
    if (!r)
      throw new ConsensusError('bad-fluxnode-confirm-unknown', `no STARTed node with collateral ${key}`, {
        score: NO_FAULT,
        field: 'collateral',
        value: key,
      });
    const interval = this.params.rulesAt(height).minConfirmInterval;
    if (r.lastConfirmHeight !== null && height - r.lastConfirmHeight <= interval) {
      throw new ConsensusError(
        'bad-fluxnode-confirm-too-soon',
        `node ${key} confirmed at ${r.lastConfirmHeight}, next allowed at ${r.lastConfirmHeight + interval + 1}`,
        { score: NO_FAULT, field: 'collateral', value: height },
      );
    }
    if (!ctx.verifyFluxnodeSignature(fx, fromHexKey(r.operatorPubKey))) {
      throw new ConsensusError(
        'bad-fluxnode-confirm-signature',
        `CONFIRM for ${key} is not signed by the node's operator key`,
        { field: 'sig', value: key },
      );
    }
    remember(key);
    r.lastConfirmHeight = height;
    if (r.status === 'started') {
      r.status = 'confirmed';
      r.confirmedHeight = height;
    }
    if (fx.ip) r.ip = fx.ip;
  }

  /** A digest of the whole list, for comparing two nodes' registries. */
  digestInput(): string {
    return JSON.stringify(this.list(), (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
  }
}

function fromHexKey(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

function queueOrder(a: FluxnodeRecord, b: FluxnodeRecord): number {
  const pa = a.lastPaidHeight ?? a.confirmedHeight ?? a.startHeight;
  const pb = b.lastPaidHeight ?? b.confirmedHeight ?? b.startHeight;
  return pa !== pb ? pa - pb : cmp(a.collateral, b.collateral);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
