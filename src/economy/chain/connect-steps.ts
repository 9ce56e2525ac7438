/**
 * What a connected block adds to the economy besides its summary, each read from the block and what
 * it spent: pool stakes and withdrawal requests, holder allocations at a holder snapshot's height,
 * the claims it carries, and the collateral it locked or released.
 */
import type { ExtensionContext, FluxnodeBlockEffect } from '../../chain/index.ts';
import { ChainStateError } from '../../chain/index.ts';
import {
  type Block,
  type ConsensusParams,
  must,
  type OutPoint,
  reverseHex,
  TIERS,
  type Tier,
  txid,
} from '../../consensus/index.ts';
import type { CollateralChange } from '../inputs.ts';
import { parallelUnits } from '../parallel/accrual.ts';
import { findAsset, type ParallelAsset } from '../parallel/assets.ts';
import { payoutAddressOf } from './block-summary.ts';
import type { BlockClaim } from './claim-book.ts';
import { claimDataOf, claimFieldsOf } from './claim-tx.ts';
import type { HolderBalances, HolderSnapshot } from './extension-types.ts';
import type { HolderRows } from './holder-rows.ts';
import { attributeStakes, poolHash, poolStakeChanges } from './holders.ts';

export function outpointKey(o: OutPoint): string {
  return `${reverseHex(o.txid)}:${o.index}`;
}

/** The scripts of the coins the block spends, by outpoint key. */
function spentScripts(ctx: ExtensionContext): Map<string, Uint8Array> {
  return new Map(ctx.spent.map((s) => [outpointKey(s.outpoint), s.coin.scriptPubKey]));
}

/** Keeps the block's pool stakes and withdrawal requests: stakes count for holders at a snapshot. */
export function recordPoolStakes(
  rows: HolderRows,
  block: Block,
  height: number,
  ctx: ExtensionContext,
  params: ConsensusParams,
): void {
  const coins = spentScripts(ctx);
  const pools = new Map([...rows.poolPrincipal().keys()].map((p) => [poolHash(p, params), p]));
  const scriptOf = (t: number) => {
    const input = block.txs[t]?.inputs[0];
    return input ? coins.get(outpointKey(input.prevout)) : undefined;
  };
  for (const c of poolStakeChanges(block, scriptOf, params, (h) => pools.get(h)))
    rows.putPoolStake(height, c.pool, c.holder, c.delta);
}

/** Gives every holder its share of each asset whose holder snapshot is at this height. */
export function allocateHolders(
  rows: HolderRows,
  due: readonly HolderSnapshot[],
  holders: HolderBalances,
  registry: readonly ParallelAsset[],
  height: number,
  params: ConsensusParams,
): void {
  const balances = new Map<string, bigint>();
  for (const b of holders.balances()) {
    const address = payoutAddressOf(b.script, params);
    balances.set(address, (balances.get(address) ?? 0n) + b.value);
  }
  const byAddress = attributeStakes(balances, rows.poolPrincipal());
  for (const h of due) {
    const asset = findAsset(registry, h.assetId);
    for (const [address, sat] of [...byAddress].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))) {
      const units = parallelUnits(sat, asset.decimals);
      if (units > 0n) rows.putAllocation(height, asset.id, address, units);
    }
  }
}

/** The claims the block carries, in block order, each with the script of the coin it spends first. */
export function blockClaims(
  block: Block,
  ctx: ExtensionContext,
  registry: readonly ParallelAsset[],
  params: ConsensusParams,
): BlockClaim[] {
  const coins = spentScripts(ctx);
  const claims: BlockClaim[] = [];
  for (const tx of block.txs.slice(1)) {
    const data = claimDataOf(tx, registry);
    if (!data) continue;
    const script = coins.get(outpointKey(must(tx.inputs[0], 'a claim input').prevout));
    if (!script) throw new ChainStateError(`economy: the coin of a claim input is not in the block's spends`);
    claims.push({ fields: claimFieldsOf(data, script, params), txid: reverseHex(txid(tx)) });
  }
  return claims;
}

/** Net collateral locked (+) / released (−) per tier by the block; tiers without change omitted. */
export function collateralChange(effect: FluxnodeBlockEffect): CollateralChange[] {
  const net: Record<Tier, bigint> = { cumulus: 0n, nimbus: 0n, stratus: 0n };
  for (const c of effect.changes) {
    if (c.before) net[c.before.tier] -= c.before.amount;
    if (c.after) net[c.after.tier] += c.after.amount;
  }
  return TIERS.filter((t) => net[t] !== 0n).map((tier) => ({ tier, amount: net[tier] }));
}
