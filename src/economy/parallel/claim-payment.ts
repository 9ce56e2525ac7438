/**
 * Builds a claim transaction from a wallet that holds the source address's key: its first (and
 * only) input is the source's largest spendable coin, it pays a small amount back to the source
 * (a payment needs a recipient), carries the claim data in OP_RETURN, and returns the change to the
 * source. Collateral-sized coins are never spent (the wallet holds them back).
 */
import { EconomyError } from '../errors.ts';
import type { Payment, Wallet } from '../../wallet/index.ts';
import type { ParallelAsset } from './assets.ts';
import { type ClaimData, encodeClaimData } from './claim-data.ts';

/** What the claim transaction pays back to the source address, satoshis. */
export const CLAIM_CARRIER_SAT = 1_000n;

export function claimPayment(
  wallet: Wallet,
  claim: ClaimData & { sourceAddress: string },
  registry: readonly ParallelAsset[],
): Payment {
  const data = encodeClaimData(claim, registry);
  if (!wallet.isMine(claim.sourceAddress))
    throw new EconomyError('source-key-missing', `the wallet holds no key of ${claim.sourceAddress}`, {
      field: 'sourceAddress',
      value: claim.sourceAddress,
    });
  const coin = wallet
    .coins()
    .filter((c) => c.address === claim.sourceAddress && c.status === 'spendable')
    .sort((x, y) => (x.value > y.value ? -1 : x.value < y.value ? 1 : 0))[0];
  if (!coin)
    throw new EconomyError(
      'source-has-no-coin',
      `${claim.sourceAddress} has no spendable coin to carry the claim`,
      {
        field: 'sourceAddress',
        value: claim.sourceAddress,
      },
    );
  return wallet.createPayment({
    to: [{ address: claim.sourceAddress, amount: CLAIM_CARRIER_SAT }],
    opReturn: data,
    changeAddress: claim.sourceAddress,
    inputs: [coin.outpoint],
  });
}
