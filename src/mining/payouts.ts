import {
  coinbaseSplit,
  type CoinbaseSplit,
  type ConsensusParams,
  fromHex,
  type OneOffPayment,
  type Payee,
  scriptForAddress,
  type Tier,
  tierPayment,
  TIERS,
  type TxOut,
} from '../consensus/index.ts';
import { MiningError } from './errors.ts';

/** One coinbase output, with why it is there. */
export type CoinbasePayout =
  | { kind: 'miner'; output: TxOut }
  | { kind: 'fluxnode'; tier: Tier; collateral: string; output: TxOut }
  | { kind: OneOffPayment['kind']; address: string; output: TxOut };

export interface CoinbasePlan {
  split: CoinbaseSplit;
  /** In coinbase order: miner, then one per paid tier (cumulus, nimbus, stratus), then fund outputs. */
  payouts: CoinbasePayout[];
}

/** The payees by tier; refuses two payees for one tier or a payout script that is not hex. */
function payeesByTier(payees: readonly Payee[]): Map<Tier, Payee> {
  const byTier = new Map<Tier, Payee>();
  for (const p of payees) {
    if (!TIERS.includes(p.tier)) {
      throw new MiningError('bad-payee', `unknown tier "${String(p.tier)}" for payee ${p.collateral}`, {
        field: 'payees.tier',
        value: p.tier,
      });
    }
    if (byTier.has(p.tier)) {
      throw new MiningError('bad-payee', `two payees for tier ${p.tier}`, {
        field: 'payees',
        value: p.collateral,
      });
    }
    byTier.set(p.tier, p);
  }
  return byTier;
}

function payeeScript(p: Payee): Uint8Array {
  try {
    return fromHex(p.payoutScript, 'payoutScript');
  } catch {
    throw new MiningError('bad-payee', `payout script of ${p.collateral} is not hex`, {
      field: 'payees.payoutScript',
      value: p.payoutScript,
    });
  }
}

/**
 * What the coinbase of the block at `height` pays, exactly as the rules split it: each tier with a
 * payee gets its share of the subsidy (tiers paid nothing yet, before fluxnode payments start, get
 * no output), the miner takes the rest plus `fees`, and the fund outputs due at the height follow.
 * The fluxnode outputs are the ones the chain requires (consensus/money/payees.ts).
 */
export function planCoinbase(
  height: number,
  params: ConsensusParams,
  opts: { fees: bigint; payees: readonly Payee[]; minerScript: Uint8Array },
): CoinbasePlan {
  const byTier = payeesByTier(opts.payees);
  const paid = [...byTier.keys()].filter((tier) => tierPayment(height, tier, params) > 0n);
  const split = coinbaseSplit(height, params, { fees: opts.fees, tiersPresent: paid });
  const payouts: CoinbasePayout[] = [
    { kind: 'miner', output: { value: split.miner, scriptPubKey: opts.minerScript } },
  ];
  for (const tier of TIERS) {
    const p = byTier.get(tier);
    if (!p || split[tier] === 0n) continue;
    payouts.push({
      kind: 'fluxnode',
      tier,
      collateral: p.collateral,
      output: { value: split[tier], scriptPubKey: payeeScript(p) },
    });
  }
  for (const o of split.oneOffs) {
    payouts.push({
      kind: o.kind,
      address: o.address,
      output: { value: o.amount, scriptPubKey: scriptForAddress(o.address, params.base58) },
    });
  }
  return { split, payouts };
}
