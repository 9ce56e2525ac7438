/**
 * A holder's pool transactions, built from a wallet holding the holder's key: the first input is
 * the holder's largest spendable coin (so the pool reads the holder from it), the data is
 * pool-data.ts's. A stake pays the pool; a withdrawal request pays a small amount back to the holder.
 */
import { hash160, type ConsensusParams, scriptForAddress } from '../../consensus/index.ts';
import type { Payment, Wallet } from '../../wallet/index.ts';
import { EconomyError } from '../errors.ts';
import { CLAIM_CARRIER_SAT } from '../parallel/claim-payment.ts';
import { stakeData, withdrawData } from './pool-data.ts';

function holderCoins(wallet: Wallet, holder: string) {
  if (!wallet.isMine(holder))
    throw new EconomyError('holder-key-missing', `the wallet holds no key of ${holder}`, {
      field: 'holder',
      value: holder,
    });
  const coins = wallet
    .coins()
    .filter((c) => c.address === holder && c.status === 'spendable')
    .sort((x, y) => (x.value > y.value ? -1 : x.value < y.value ? 1 : 0));
  if (!coins.length)
    throw new EconomyError('holder-has-no-coin', `${holder} has no spendable coin`, {
      field: 'holder',
      value: holder,
    });
  return coins;
}

/** Stakes `amount` satoshis of `holder` in the pool at `pool`. */
export function stakePayment(wallet: Wallet, holder: string, pool: string, amount: bigint): Payment {
  const coins = holderCoins(wallet, holder);
  const inputs = [];
  let sum = 0n;
  for (const c of coins) {
    if (sum > amount) break;
    inputs.push(c.outpoint);
    sum += c.value;
  }
  return wallet.createPayment({
    to: [{ address: pool, amount }],
    opReturn: stakeData(),
    changeAddress: holder,
    inputs,
  });
}

/** Asks the pool at `pool` to pay `amount` satoshis of `holder`'s stake back after its notice. */
export function withdrawPayment(
  wallet: Wallet,
  holder: string,
  pool: string,
  amount: bigint,
  params: ConsensusParams,
): Payment {
  const coin = holderCoins(wallet, holder)[0]!;
  return wallet.createPayment({
    to: [{ address: holder, amount: CLAIM_CARRIER_SAT }],
    opReturn: withdrawData(amount, hash160(scriptForAddress(pool, params.base58))),
    changeAddress: holder,
    inputs: [coin.outpoint],
  });
}
