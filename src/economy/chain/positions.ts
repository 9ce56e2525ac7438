/**
 * The economy's answers per asset and per address at the tip, folded from the stored rows (what
 * accrued) and the claim book (what matured, was claimed, can be claimed).
 */
import { must, type Tier } from '../../consensus/index.ts';
import { parallelUnits } from '../parallel/accrual.ts';
import { isLaunched } from '../parallel/assets.ts';
import type { ChainTip, ClaimBook } from './claim-book.ts';
import type { AddressBalance, AddressEarnings, AssetBalance, AssetSupply } from './extension-types.ts';
import type { EarningsRow, EconomyStore } from './store.ts';

/** Per parallel asset over every address: accrued, matured, claimed, claimable, pending. */
export function assetSupplyOf(store: EconomyStore, book: ClaimBook, tip: ChainTip): AssetSupply[] {
  const eligible = store.eligibleByAddress();
  const allocated = store.holderRows.allocationTotals();
  return book.registry.map((asset) => {
    let accrued = allocated.get(asset.id) ?? 0n;
    for (const sat of eligible.values()) accrued += parallelUnits(sat, asset.decimals);
    const t = book.totals(asset.id, tip);
    return {
      assetId: asset.id,
      chain: asset.chain,
      decimals: asset.decimals,
      launched: isLaunched(asset, tip.time),
      accrued,
      matured: t.accrued,
      claimed: t.claimed,
      claimable: t.claimable,
      pending: t.pending,
    };
  });
}

/** An address's fluxnode payments by tier, and what it mined. */
export function earningsOf(store: EconomyStore, address: string): AddressEarnings {
  const rows = store.earnings(address);
  const byTier: Partial<Record<Tier, EarningsRow>> = {};
  for (const r of rows) byTier[r.tier] = r;
  return {
    address,
    payouts: rows.reduce((n, r) => n + r.payouts, 0),
    total: rows.reduce((s, r) => s + r.amount, 0n),
    eligible: rows.reduce((s, r) => s + r.eligible, 0n),
    byTier,
    mined: store.minedBy(address),
  };
}

/** Every parallel asset's position for a payout address. */
export function balanceOf(
  store: EconomyStore,
  book: ClaimBook,
  address: string,
  tip: ChainTip,
): AddressBalance {
  const earnings = earningsOf(store, address);
  const positions = book.positions(address, tip);
  const allocated = store.holderRows.allocationsOf(address);
  const basis = earnings.eligible + earnings.mined.eligible;
  const assets = positions.map((p, i): AssetBalance => {
    const asset = must(book.registry[i], 'the asset of a position (one per registered asset)');
    const accrued = parallelUnits(basis, asset.decimals) + (allocated.get(asset.id) ?? 0n);
    return {
      assetId: asset.id,
      chain: asset.chain,
      decimals: asset.decimals,
      launchTime: asset.launchTime,
      launched: isLaunched(asset, tip.time),
      accrued,
      matured: p.accrued,
      claimed: p.claimed,
      claimable: p.claimable,
      pending: p.pending,
      immature: accrued > p.accrued ? accrued - p.accrued : 0n,
      nextNonce: p.nextNonce,
    };
  });
  return { address, tip, maturedHeight: book.maturedHeight(tip.height), earnings, assets };
}
