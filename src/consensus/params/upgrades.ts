import type { ConsensusParams, UpgradeName } from './types.ts';

/** On-chain order of the upgrades; the latest active one names the branch. */
export const UPGRADE_ORDER: readonly UpgradeName[] = [
  'lwma',
  'equihash144_5',
  'acadia',
  'kamiooka',
  'kamata',
  'flux',
  'halving',
];

/** Whether an upgrade's rules apply to the block at `height` (ZIP 200: from the activation height on). */
export function upgradeActive(name: UpgradeName, height: number, params: ConsensusParams): boolean {
  const at = params.upgrades[name].activationHeight;
  return at !== null && height >= at;
}

/** The consensus branch id for transactions in the block at `height` (used by ZIP-243 sighash). */
export function branchIdAt(height: number, params: ConsensusParams): number {
  for (const name of UPGRADE_ORDER.toReversed()) {
    if (upgradeActive(name, height, params)) return params.upgrades[name].branchId;
  }
  return params.baseBranchId;
}
