/**
 * The shape of one network's consensus parameters. Every number that a rule depends on lives in
 * a value of this type (mainnet.ts, testnet.ts, regtest.ts, devnet.ts) and is passed to the rules
 * explicitly, so a correction is a one-line data change.
 *
 * Heights are block heights; times are seconds; amounts are satoshis (bigint).
 */

export type NetworkName = 'mainnet' | 'testnet' | 'regtest' | 'devnet';

export type Tier = 'cumulus' | 'nimbus' | 'stratus';

/** Network upgrades in on-chain order (fluxd's UpgradeIndex, without the base and test entries). */
export type UpgradeName = 'lwma' | 'equihash144_5' | 'acadia' | 'kamiooka' | 'kamata' | 'flux' | 'halving';

export interface UpgradeInfo {
  /** First height at which the upgrade's rules apply; null = never activates on this network. */
  activationHeight: number | null;
  /** Consensus branch id committed to by ZIP-243 signature hashes once this upgrade is the latest. */
  branchId: number;
  protocolVersion: number;
  /** The block at the activation height, display hex, where fluxd pins it. */
  activationBlockHash?: string;
}

export interface EquihashSpec {
  n: number;
  k: number;
  /** 8 ASCII characters used in the BLAKE2b personalization. */
  personalization: string;
  /** ZelHash's twist on Equihash 125,4. */
  zelhash?: boolean;
}

export interface EquihashEpoch {
  fromHeight: number;
  spec: EquihashSpec;
}

export interface DigishieldParams {
  averagingWindow: number;
  /** Percent the target may grow (difficulty fall) per retarget. */
  maxAdjustDownPercent: number;
  /** Percent the target may shrink (difficulty rise) per retarget. */
  maxAdjustUpPercent: number;
  /** Blocks whose times make the median time past. */
  medianTimeSpan: number;
}

export interface LwmaParams {
  window: number;
  /** Lower clamp on one LWMA v1 solve time is minus this many seconds (fluxd fixes it at 360). */
  futureTimeLimit: number;
  /** Upper clamp on one solve time, in target spacings (LWMA v1 and LWMA3). */
  maxSolvetimeSpacings: number;
  /** LWMA3 keeps each new target within these percentages of the parent's target. */
  lwma3StepPercent: { min: number; max: number };
}

/**
 * How far past the node's clock a block time may be: `beforeLwma` seconds while the chain tip is
 * below the LWMA height, `fromLwma` from it on (fluxd: 2 h, then N·T/20 = 360 s).
 */
export interface FutureBlockTime {
  beforeLwma: number;
  fromLwma: number;
}

/**
 * The climb back after the switch to ZelHash: for the blocks at heights firstHeight …
 * firstHeight+blocks−1 the LWMA3 target is raised by (firstHeight + startSteps − height)/32 of
 * itself; that count is a 32-bit unsigned number, so the last blocks wrap (fluxd's arithmetic).
 */
export interface ZelhashRamp {
  firstHeight: number;
  blocks: number;
  startSteps: number;
}

export interface DifficultyParams {
  powLimit: bigint;
  /**
   * Every block at powLimit, whatever the block times (regtest-style). A devnet paces its blocks
   * with the miner instead, so tests and laptops are not held to a target spacing.
   */
  noRetargeting?: boolean;
  targetSpacing: number;
  /**
   * From the block after this height, a block whose time is more than `minDifficultyGapSpacings`
   * target spacings after its parent may use the easiest target (testnet rule). null = never.
   */
  allowMinDifficultyAfterHeight: number | null;
  minDifficultyGapSpacings: number;
  digishield: DigishieldParams;
  lwma: LwmaParams;
  /**
   * After the switch away from Equihash 200,9, fluxd mines a run of blocks at powLimit. The heights
   * are those of the blocks that get powLimit. null = no reset on this network.
   */
  resetAfterEquihashSwitch: { firstHeight: number; blocks: number } | null;
  zelhashRamp: ZelhashRamp | null;
  futureBlockTime: FutureBlockTime;
}

export interface SubsidyParams {
  /** Full block subsidy after the slow start, before any halving. */
  baseAmount: bigint;
  /** Linear ramp length in blocks (0 = no slow start). Halvings are shifted by half of it. */
  slowStartInterval: number;
  halvingInterval: number;
  /** fluxd stops halving after this many halvings (the third one was cancelled). */
  maxHalvings: number;
  /** One block paying a fixed amount in place of the schedule. */
  premine: { height: number; amount: bigint } | null;
}

/** Share of the block subsidy paid to each tier, in basis points (1/10,000), from a height on. */
export interface TierShareEra {
  fromHeight: number;
  basisPoints: Record<Tier, number>;
}

/** A tier's collateral amounts: only `before` below the window, both inside it, only `after` from its end. */
export interface TierCollateral {
  before: bigint;
  after: bigint;
  transitionStart: number;
  /** First height at which only `after` is accepted. */
  transitionEnd: number;
}

/** Confirmation cadence from a height on. */
export interface ConfirmationEra {
  fromHeight: number;
  /** A CONFIRM is refused unless more than this many blocks passed since the node's last one. */
  minConfirmInterval: number;
  /** A confirmed node with no CONFIRM for this many blocks expires. */
  expireAfter: number;
  /** An IP change may be confirmed after this many blocks instead; null = no such exception. */
  ipChangeMinInterval: number | null;
}

export interface HardwareMinimums {
  cores: number;
  ramGB: number;
  ssdGB: number;
  /** CPU events per second, as the node's benchmark measures them. */
  eps: number;
  diskWriteMBps: number;
}

export interface FluxnodeParams {
  /** First height whose coinbase pays fluxnodes. */
  paymentsStartHeight: number;
  tierShares: TierShareEra[];
  collateral: Record<Tier, TierCollateral>;
  /** Blocks the collateral output must be buried before a START may use it. */
  collateralMinConfirmations: number;
  /** A STARTed node not confirmed within this many blocks is put on the DoS list. */
  startExpiration: number;
  /** Blocks a collateral stays on the DoS list, counted from its START. */
  dosRemoval: number;
  confirmation: ConfirmationEra[];
  hardwareMinimums: Record<Tier, HardwareMinimums>;
  /**
   * Keys that sign CONFIRMs' benchmark attestations (fluxd's vecBenchmarkingPublicKeys): the key
   * for a CONFIRM is the last one whose `fromTime` is at or before its benchmarkSigTime.
   */
  benchmarkKeys: BenchmarkKey[];
}

export interface BenchmarkKey {
  /** Public key, hex (fluxd's keys are uncompressed). */
  pubKey: string;
  /** Unix time from which the key signs. */
  fromTime: number;
}

/** An extra coinbase output paid on top of the subsidy: `count` times, every `interval` blocks. */
export interface OneOffFunding {
  kind: 'exchange-fund' | 'foundation-fund' | 'swap-pool';
  address: string;
  amount: bigint;
  firstHeight: number;
  interval: number;
  count: number;
}

export interface GenesisParams {
  hash: string;
  merkleRoot: string;
  time: number;
  bits: number;
  version: number;
  /** Display hex of the 32-byte nonce. */
  nonce: string;
  /** Equihash solution hex, where stored here (the mainnet one is in reference/vectors too). */
  solution?: string;
  /** The genesis block's only transaction, serialized hex. */
  coinbaseTx: string;
}

export interface Checkpoint {
  height: number;
  hash: string;
}

export interface Base58Prefixes {
  pubkeyHash: Uint8Array;
  scriptHash: Uint8Array;
  secretKey: Uint8Array;
}

export interface ConsensusParams {
  network: NetworkName;
  /** p2p message start bytes. */
  magic: Uint8Array;
  defaultPort: number;
  base58: Base58Prefixes;
  bip44CoinType: number;

  difficulty: DifficultyParams;
  equihashEpochs: EquihashEpoch[];
  /** Blocks after an epoch switch during which the previous epoch's solutions are still accepted. */
  equihashFadeBlocks: number;

  upgrades: Record<UpgradeName, UpgradeInfo>;
  /** Branch id before any upgrade (Sprout). */
  baseBranchId: number;

  subsidy: SubsidyParams;
  fluxnodes: FluxnodeParams;
  oneOffs: OneOffFunding[];

  maxMoney: bigint;
  coinbaseMaturity: number;
  maxBlockSize: number;
  minimumChainWork: bigint;

  genesis: GenesisParams;
  checkpoints: Checkpoint[];
  /**
   * A header whose parent lies this many blocks or more below the active tip is refused
   * (`bad-fork-prior-to-maxreorgdepth`): no reorganisation can go that deep.
   */
  maxReorgDepth: number;
}
