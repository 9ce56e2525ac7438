import { devnet } from './devnet.ts';
import { mainnet } from './mainnet.ts';
import { regtest } from './regtest.ts';
import { testnet } from './testnet.ts';
import type { ConsensusParams, NetworkName } from './types.ts';

export type * from './types.ts';
export { equihashSpecsAt } from './equihash.ts';
export { registryRulesAt, type RegistryRules } from './fluxnode-rules.ts';
export { branchIdAt, UPGRADE_ORDER, upgradeActive } from './upgrades.ts';

export const NETWORKS: readonly NetworkName[] = ['mainnet', 'testnet', 'regtest', 'devnet'];

const BY_NAME: Record<NetworkName, ConsensusParams> = { mainnet, testnet, regtest, devnet };

export function isNetworkName(name: string): name is NetworkName {
  return (NETWORKS as readonly string[]).includes(name);
}

/** The consensus parameters of a network. Callers pass the result explicitly to every rule. */
export function paramsFor(network: NetworkName): ConsensusParams {
  if (!isNetworkName(network)) {
    throw new RangeError(`unknown network "${String(network)}" (expected ${NETWORKS.join(', ')})`);
  }
  return BY_NAME[network];
}
