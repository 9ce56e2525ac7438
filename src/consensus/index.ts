/** The consensus layer's public surface: what other layers may import (DESIGN.md, Layers). */
export { jsonDepth, JsonDepthError, MAX_JSON_DEPTH, parseBoundedJson } from './bounded-json.ts';
export { jsonReplacer } from './output-json.ts';
export {
  ByteReader,
  ByteWriter,
  concatBytes,
  equalBytes,
  fromHex,
  fromReverseHex,
  reverseHex,
  toHex,
} from './bytes.ts';
export { maxFutureBlockTime } from './difficulty/future-time.ts';
export {
  headersNeededForNextWork,
  nextWork,
  nextWorkRequired,
  type WorkHeader,
} from './difficulty/next-work.ts';
export { bitsToTarget, checkProofOfWorkTarget, hashToBigInt, workFromBits } from './difficulty/target.ts';
export { ConsensusError, DecodeError, isBug, NO_FAULT, verdictOf } from './errors.ts';
export { benchmarkMessageOf, benchmarkSignatureValid } from './fluxnode/benchmark.ts';
export { fluxnodeTransaction, scriptPaysToPubKey, verifyFluxnodeSignature } from './fluxnode/signatures.ts';
export { hash160 } from './hash.ts';
export {
  addressForPublicKey,
  addressForScript,
  type AddressPrefixes,
  base58CheckDecode,
  decodeAddress,
  encodeAddress,
  scriptForAddress,
} from './keys/address.ts';
export {
  generatePrivateKey,
  isValidPrivateKey,
  pubKeyHash,
  publicKeyOf,
  signMessage,
  signMessageBase64,
  verifyMessage,
} from './keys/keys.ts';
export { type EcdsaBackend, ecdsaBackend, useEcdsaBackend, WASM_ECDSA } from './keys/ecdsa-backend.ts';
export { decodeWif, encodeWif } from './keys/wif.ts';
export { fluxnodePayeeOutputs, type Payee } from './money/payees.ts';
export {
  type CoinbaseSplit,
  coinbaseSplit,
  maxCoinbaseValue,
  type OneOffPayment,
  oneOffsAt,
  tierPayment,
} from './money/rewards.ts';
export { blockSubsidy, halvingHeight } from './money/subsidy.ts';
export { devnet } from './params/devnet.ts';
export {
  type Base58Prefixes,
  branchIdAt,
  type Checkpoint,
  type ConsensusParams,
  type EquihashSpec,
  equihashSpecsAt,
  isNetworkName,
  type NetworkName,
  NETWORKS,
  paramsFor,
  registryRulesAt,
  upgradeActive,
  UPGRADE_ORDER,
} from './params/index.ts';
export { DEFAULT_API_PORT, DEFAULT_RPC_PORT } from './params/service-ports.ts';
export type { BenchmarkKey, HardwareMinimums } from './params/types.ts';
export { solutionSize } from './pow/equihash-params.ts';
export { verifyHeaderSolution } from './pow/header-solution.ts';
export { solveEquihash } from './pow/solver.ts';
export { blockHash, decodeBlock, encodeBlock } from './primitives/block.ts';
export {
  fluxnodeBenchmarkMessage,
  fluxnodeConfirmMessage,
  fluxnodeStartMessage,
} from './primitives/fluxnode-messages.ts';
export {
  FLUXNODE_INTERNAL_NORMAL_TX_VERSION,
  FLUXNODE_TX_UPGRADEABLE_VERSION,
  FLUXNODE_TX_VERSION,
} from './primitives/fluxnode-tx.ts';
export { decodeHeader, encodeHeader, headerHash, powInput } from './primitives/header.ts';
export { merkleRoot } from './primitives/merkle.ts';
export { nullOutPoint, outpointKey, parseOutpointKey } from './primitives/outpoint.ts';
export {
  decodeTransaction,
  encodeTransaction,
  isFluxnodeTx,
  SAPLING_TX_VERSION,
  SAPLING_VERSION_GROUP_ID,
  txid,
} from './primitives/transaction.ts';
export {
  type Block,
  type BlockHeader,
  COIN,
  FLUXNODE_CONFIRM,
  FLUXNODE_START,
  type FluxnodeTx,
  type JoinSplitDescription,
  type OutPoint,
  type OutputDescription,
  type SpendDescription,
  type Transaction,
  type TxOut,
} from './primitives/types.ts';
export { SCRIPT_VERIFY, SIGHASH_ALL, STANDARD_SCRIPT_VERIFY_FLAGS } from './script/interpreter.ts';
export { pushData, pushNumber, scriptToAsm } from './script/script.ts';
export { precomputeSighash } from './script/sighash.ts';
export { signInputScript, verifyInputSignature, verifyTransactionInputs } from './script/sign.ts';
export {
  classifyScript,
  isStandardScript,
  nullDataScript,
  p2pkhScript,
  p2pkScript,
  p2shScript,
} from './script/templates.ts';
export { collateralFor, isTier, type Tier, tierHardwareMinimums, tierOfCollateral, TIERS } from './tiers.ts';
export { checkBlock, legacySigOpCount, MAX_BLOCK_SIGOPS } from './validation/check-block.ts';
export { checkTransaction, isCoinbase } from './validation/check-tx.ts';
export { must } from './must.ts';
