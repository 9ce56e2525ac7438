/** The chain layer's public surface: the Chain, its validator seam, extensions and result types. */
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
export { ChainStateError } from './errors.ts';
export type { ChainStateExtension, ExtensionContext } from './extension.ts';
export { genesisBlock } from './genesis.ts';
export type { RequiredCoinbaseOutputs } from './rules/coinbase.ts';
export { ScriptVerifierPool } from './script-pool.ts';
export type { Durability } from './storage/database.ts';
export type * from './types.ts';
export type {
  BlockContext,
  BlockValidator,
  CoinbaseContext,
  HeaderContext,
  ScriptCheck,
} from './validator.ts';
