/**
 * Feeds a PoolFollower the main chain's blocks up to the tip. A follower that has followed a branch
 * the chain left is rebuilt from the pool's start: the books are a pure function of the chain.
 */
import type { Chain } from '../../chain/index.ts';
import type { ConsensusParams, OutPoint } from '../../consensus/index.ts';
import { type EconomyExtension, type PoolDefinition, PoolFollower } from '../../economy/index.ts';

export interface ChainSource {
  chain: Chain;
  params: ConsensusParams;
  economy: Pick<EconomyExtension, 'blockSummary'>;
  /** Script of any output ever created on the main chain (spent or not): the tx index has it. */
  outputScript: (o: OutPoint) => Uint8Array | undefined;
}

/** `follower` moved to the tip (or a new one, when the chain reorganized below it). */
export function followChain(follower: PoolFollower, def: PoolDefinition, src: ChainSource): PoolFollower {
  const { chain } = src;
  let f = follower;
  const onMain = f.height <= def.startHeight || f.hashes.get(f.height) === chain.getEntry(f.height)?.id;
  if (f.height > chain.height() || !onMain) f = new PoolFollower(def, src.params);
  for (let h = f.height + 1; h <= chain.height(); h++) {
    const block = chain.getBlock(h);
    if (!block) throw new Error(`main-chain block ${h} is not stored`);
    const payouts = src.economy.blockSummary(h)?.operatorPayouts ?? [];
    f.apply({ block, height: h, scriptOf: src.outputScript, payouts }, chain.getEntry(h)?.id ?? '');
  }
  return f;
}
