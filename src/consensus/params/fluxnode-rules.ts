import type { ConsensusParams } from './types.ts';
import { must } from '../must.ts';

/** The fluxnode registry's windows in force at one height, in blocks. */
export interface RegistryRules {
  /** A START must be followed by its first CONFIRM within this many blocks. */
  startExpiry: number;
  /** Blocks a collateral that missed its first CONFIRM stays barred, counted from its START. */
  dosRemoval: number;
  /** A confirmed node with no CONFIRM for this many blocks expires. */
  confirmExpiry: number;
  /** A CONFIRM is refused unless more than this many blocks passed since the node's last one. */
  minConfirmInterval: number;
  /** Interval that applies instead when the CONFIRM changes the node's IP; null = no exception. */
  ipChangeMinInterval: number | null;
  /** Blocks the collateral output must be buried before START. */
  collateralMinConfirmations: number;
}

export function registryRulesAt(height: number, params: ConsensusParams): RegistryRules {
  const f = params.fluxnodes;
  let era = must(f.confirmation[0], 'fluxnode confirmation era from height 0');
  for (const e of f.confirmation) if (e.fromHeight <= height) era = e;
  return {
    startExpiry: f.startExpiration,
    dosRemoval: f.dosRemoval,
    confirmExpiry: era.expireAfter,
    minConfirmInterval: era.minConfirmInterval,
    ipChangeMinInterval: era.ipChangeMinInterval,
    collateralMinConfirmations: f.collateralMinConfirmations,
  };
}
