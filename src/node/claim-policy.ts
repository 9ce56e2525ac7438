/**
 * The mempool's view of parallel-asset claims: a claim transaction enters the pool only when the
 * economy would record it on the tip, and only one claim per source and asset waits at a time, so a
 * template never carries a claim its block would be refused for.
 */
import { ConsensusError, NO_FAULT, type OutPoint, type Transaction } from '../consensus/index.ts';
import { EconomyError, type EconomyExtension } from '../economy/index.ts';

export function claimPolicy(economy: EconomyExtension) {
  return (tx: Transaction, scriptOf: (o: OutPoint) => Uint8Array | undefined): readonly string[] => {
    try {
      const claim = economy.checkClaimTx(tx, scriptOf);
      return claim ? [claim.conflictKey] : [];
    } catch (err) {
      if (!(err instanceof EconomyError)) throw err;
      // An honest peer can relay a claim that a block has just made stale: no fault.
      throw new ConsensusError(err.code, err.message, {
        field: err.field,
        value: err.value,
        score: NO_FAULT,
      });
    }
  };
}
