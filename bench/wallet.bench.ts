import { scriptForAddress } from '../src/consensus/keys/address.ts';
import { paramsFor } from '../src/consensus/params/index.ts';
import { COIN } from '../src/consensus/primitives/types.ts';
import { type CoinSource, Wallet, type WalletCoin } from '../src/wallet/wallet.ts';
import type { Benchmark } from './harness.ts';
import { at } from '../test/support/at.ts';

const params = paramsFor('devnet');

/**
 * A wallet of 20 keys holding 400 one-FLUX coins (non-coinbase, so all spendable): paying 9.5 FLUX
 * takes 10 of them. Coins are not reserved, so every payment selects from the same set.
 */
function setup(): { wallet: Wallet; to: string } {
  const wallet = new Wallet(params);
  const addresses = Array.from({ length: 20 }, (_, i) => wallet.newAddress(`k${i}`));
  const coins: WalletCoin[] = Array.from({ length: 400 }, (_, i) => ({
    outpoint: { txid: Uint8Array.from({ length: 32 }, (_, j) => (i * 31 + j) & 0xff), index: i },
    value: COIN,
    scriptPubKey: scriptForAddress(at(addresses, i % addresses.length), params.base58),
    height: 1 + (i % 50),
    coinbase: false,
  }));
  const source: CoinSource = { coinsFor: () => coins, tipHeight: () => 1_000 };
  wallet.setSource(source);
  return { wallet, to: new Wallet(params).newAddress() };
}

let ctx: ReturnType<typeof setup>;

function payments(verify: boolean): number {
  const n = 40;
  for (let i = 0; i < n; i++) {
    const p = ctx.wallet.createPayment({
      to: [{ address: ctx.to, amount: 950_000_000n }],
      feePerKb: 1_000n,
      reserve: false,
      verify,
    });
    if (p.tx.inputs.length !== 10) throw new Error(`expected 10 inputs, got ${p.tx.inputs.length}`);
  }
  return n;
}

export const benchmarks: Benchmark[] = [
  {
    name: 'wallet: build + sign a v4 payment with 10 P2PKH inputs',
    unit: 'payments/s',
    setup: () => {
      ctx = setup();
    },
    run: () => payments(false),
  },
  {
    name: 'wallet: build + sign + self-verify a v4 payment with 10 P2PKH inputs (default)',
    unit: 'payments/s',
    setup: () => {
      ctx = setup();
    },
    run: () => payments(true),
  },
];
