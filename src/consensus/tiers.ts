import type { ConsensusParams, HardwareMinimums, Tier } from './params/types.ts';

export type { Tier } from './params/types.ts';

export const TIERS: readonly Tier[] = ['cumulus', 'nimbus', 'stratus'];

export function isTier(name: string): name is Tier {
  return (TIERS as readonly string[]).includes(name);
}

/**
 * The collateral amounts a new node of `tier` may lock at `height`, newest first: the old amount
 * before the tier's transition window, both inside it, only the new amount from its end on.
 */
export function collateralFor(tier: Tier, height: number, params: ConsensusParams): bigint[] {
  const c = params.fluxnodes.collateral[tier];
  if (height < c.transitionStart) return [c.before];
  if (height < c.transitionEnd && c.before !== c.after) return [c.after, c.before];
  return [c.after];
}

/** The tier a collateral output of `amount` satoshis qualifies for at `height`, or null. */
export function tierOfCollateral(amount: bigint, height: number, params: ConsensusParams): Tier | null {
  for (const tier of TIERS) if (collateralFor(tier, height, params).includes(amount)) return tier;
  return null;
}

/**
 * True once a tier's transition window has closed at `height`: confirmed nodes still holding the
 * old amount are expired from then on (fluxd enforces this at the window's end).
 */
export function collateralTransitionOver(tier: Tier, height: number, params: ConsensusParams): boolean {
  return height >= params.fluxnodes.collateral[tier].transitionEnd;
}

/** The benchmark minimums a node of `tier` must meet to be eligible for apps on this network. */
export function tierHardwareMinimums(tier: Tier, params: ConsensusParams): HardwareMinimums {
  return params.fluxnodes.hardwareMinimums[tier];
}
