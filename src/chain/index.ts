/** The chain layer's public surface: the Chain, its rule set, extensions and result types. */
export { type BlockRef, Chain, type ChainEvents, type ChainOptions } from './chain.ts';
export {
  isCoinbaseTx,
  isUnspendable,
  planConnect,
  type ConnectPlan,
  type CoinSource,
} from './connect-plan.ts';
export {
  BLOCK_SCRIPT_FLAGS,
  defaultValidator,
  type DefaultValidatorOptions,
  requiredBits,
  verifyScriptsInline,
} from './default-validator.ts';
export { ChainConfigError, ChainStateError } from './errors.ts';
export type { ChainStateExtension, ExtensionContext } from './extension.ts';
export { FLUXNODES } from './fluxnodes/extension.ts';
export { FluxnodeRegistry } from './fluxnodes/registry.ts';
export type { FluxnodeBlockEffect, FluxnodeRecord } from './fluxnodes/types.ts';
export { genesisBlock } from './genesis.ts';
export { installEcdsaBackend } from './ecdsa-native.ts';
export { ScriptVerifierPool, type ScriptVerifierPoolOptions, sharedVerifierPool } from './script-pool.ts';
export type { SignedMessageCheck } from './verify-batch.ts';
export type { Durability } from './storage/database.ts';
export type * from './types.ts';
export type {
  BlockContext,
  BlockValidator,
  CoinbaseContext,
  HeaderContext,
  ScriptCheck,
} from './validator.ts';
export { AddressIndex } from './address-index/address-index.ts';
export type { HistoryEntry, IndexedCoin, ScriptBalance } from './address-index/types.ts';
export { fluxnodeEffectOf } from './fluxnodes/extension.ts';
export type { Payee } from './fluxnodes/types.ts';
export { mempoolValidator } from './mempool/accept.ts';
export { type EvictedTx, Mempool, type PoolEntry, type TxValidator } from './mempool/mempool.ts';
export { type ChainMetrics, createChainMetrics } from './metrics.ts';
export { checkCheckpoint, isFinalTx } from './rules/contextual.ts';
export { checkTransactionContext } from './rules/transaction.ts';
export { inTransaction } from './storage/database.ts';
export { reviveStoredBigint, storedBigint } from './stored-json.ts';
export { TxIndexExtension } from './tx-index.ts';
export type { AcceptResult, ChainEntry } from './types.ts';
export { TRANSIENT_HEADER_RULES } from './validator.ts';
