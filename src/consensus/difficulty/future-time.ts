import type { ConsensusParams } from '../params/types.ts';
import { upgradeActive } from '../params/upgrades.ts';

/**
 * How many seconds past the node's clock the block at `height` may be dated. fluxd decides by the
 * height of its own tip when it checks the header; for a block extending that tip the tip is the
 * parent, so the long limit holds while the parent is below the LWMA height.
 */
export function maxFutureBlockTime(height: number, params: ConsensusParams): number {
  const limits = params.difficulty.futureBlockTime;
  return upgradeActive('lwma', height - 1, params) ? limits.fromLwma : limits.beforeLwma;
}
