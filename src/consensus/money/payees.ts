/**
 * Owns the coinbase payee rule's arithmetic: given the node at the front of each tier's payment
 * queue (chain state, chosen by the chain's fluxnode registry), which outputs the coinbase at a
 * height must carry. The templates pay exactly these; the chain refuses a block without them.
 */
import { fromHex } from '../bytes.ts';
import type { ConsensusParams, Tier } from '../params/types.ts';
import type { TxOut } from '../primitives/types.ts';
import { TIERS } from '../tiers.ts';
import { tierPayment } from './rewards.ts';

/** The node a tier pays in one block: its collateral ("txid:index") and payout script (hex). */
export interface Payee {
  tier: Tier;
  collateral: string;
  payoutScript: string;
}

/**
 * The fluxnode outputs the coinbase at `height` must carry, in tier order: each tier with a payee
 * gets its share of the subsidy (none before node payments start). At most one payee per tier
 * counts: the first listed.
 */
export function fluxnodePayeeOutputs(
  height: number,
  params: ConsensusParams,
  payees: readonly Payee[],
): TxOut[] {
  const out: TxOut[] = [];
  for (const tier of TIERS) {
    const p = payees.find((x) => x.tier === tier);
    const value = p ? tierPayment(height, tier, params) : 0n;
    if (p && value > 0n) out.push({ value, scriptPubKey: fromHex(p.payoutScript, 'payoutScript') });
  }
  return out;
}
