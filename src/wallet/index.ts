/** The wallet layer's public surface: what other layers may import (DESIGN.md, Layers). */
export { InsufficientFundsError } from './coin-select.ts';
export {
  BENCHMARK_TIER_NUMBER,
  buildFluxnodeConfirm,
  CONFIRM_UPDATE_TYPE_INITIAL,
  CONFIRM_UPDATE_TYPE_UPDATE,
  startFromWallet,
} from './fluxnode-txs.ts';
export { Wallet } from './wallet.ts';
export { frameFor, unsignedTransaction } from './tx-builder.ts';
export type { Payment, PaymentRequest, WalletCoin } from './wallet-types.ts';
