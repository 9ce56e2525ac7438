import { DEVNET_BENCHMARK_PUBKEY } from './bench-key.ts';
import { COIN } from '../primitives/types.ts';
import { mainnet } from './mainnet.ts';
import { regtest } from './regtest.ts';
import type { ConsensusParams } from './types.ts';

/**
 * devnet: our private profile for local networks (`fluxnode devnet up`). Not a fluxd network.
 * Tiny Equihash (48,5), 3-second blocks, an easy powLimit, every upgrade from height 1, fluxnode
 * payments from height 10, a flat 150 FLUX subsidy with no slow start, fluxd's block-1 premine, and short
 * confirmation windows, so that a laptop runs miners and nodes of every tier within minutes.
 * Collaterals are mainnet's post-transition amounts.
 */

const SAPLING_BRANCH_ID = 0x76b809bb;

export const devnet: ConsensusParams = {
  network: 'devnet',
  magic: Uint8Array.of(0xf1, 0x7d, 0xe0, 0x5a),
  defaultPort: 36125,
  // Testnet prefixes so devnet keys are never mistaken for mainnet ones.
  base58: {
    pubkeyHash: Uint8Array.of(0x1d, 0x25),
    scriptHash: Uint8Array.of(0x1c, 0xba),
    secretKey: Uint8Array.of(0xef),
  },
  bip44CoinType: 1,

  difficulty: {
    // Same limit as regtest, so regtest's 48,5 genesis block serves devnet too.
    powLimit: regtest.difficulty.powLimit,
    // Blocks are paced by the devnet's miner (--mine-interval-ms), not by difficulty: a CPU finds a
    // block at powLimit in a fraction of a second, so tests can mine hundreds in seconds.
    noRetargeting: true,
    targetSpacing: 3,
    // A devnet may sit idle; after 2 spacings without a block the next one may use powLimit.
    allowMinDifficultyAfterHeight: 0,
    minDifficultyGapSpacings: 2,
    digishield: { averagingWindow: 17, maxAdjustDownPercent: 32, maxAdjustUpPercent: 16, medianTimeSpan: 11 },
    // FTL = N·T/20 as fluxd derives it.
    lwma: {
      window: 60,
      futureTimeLimit: 9,
      maxSolvetimeSpacings: 6,
      lwma3StepPercent: { min: 67, max: 150 },
    },
    resetAfterEquihashSwitch: null,
    zelhashRamp: null,
    // The clock rule stays a mainnet-sized 2 h so containers with skewed clocks still sync.
    futureBlockTime: { beforeLwma: 2 * 60 * 60, fromLwma: 2 * 60 * 60 },
  },
  equihashEpochs: [{ fromHeight: 0, spec: { n: 48, k: 5, personalization: 'ZcashPoW' } }],
  equihashFadeBlocks: 11,

  upgrades: {
    lwma: { activationHeight: 1, branchId: SAPLING_BRANCH_ID, protocolVersion: 170002 },
    equihash144_5: { activationHeight: 1, branchId: SAPLING_BRANCH_ID, protocolVersion: 170002 },
    acadia: { activationHeight: 1, branchId: SAPLING_BRANCH_ID, protocolVersion: 170007 },
    kamiooka: { activationHeight: 1, branchId: SAPLING_BRANCH_ID, protocolVersion: 170012 },
    kamata: { activationHeight: 1, branchId: SAPLING_BRANCH_ID, protocolVersion: 170016 },
    flux: { activationHeight: 1, branchId: SAPLING_BRANCH_ID, protocolVersion: 170017 },
    halving: { activationHeight: 1, branchId: SAPLING_BRANCH_ID, protocolVersion: 170018 },
  },
  baseBranchId: 0,

  subsidy: {
    baseAmount: 150n * COIN,
    slowStartInterval: 0,
    halvingInterval: 5_000,
    maxHalvings: 2,
    // fluxd pays a 13,020,000 FLUX premine at block 1 on every network; on a devnet it is what
    // funds the collaterals of every tier within seconds of starting.
    premine: { height: 1, amount: 13_020_000n * COIN },
  },

  fluxnodes: {
    paymentsStartHeight: 10,
    tierShares: [{ fromHeight: 10, basisPoints: { cumulus: 750, nimbus: 1250, stratus: 3000 } }],
    // Post-transition amounts only: the window is over before the chain starts.
    collateral: {
      cumulus: { before: 1_000n * COIN, after: 1_000n * COIN, transitionStart: 0, transitionEnd: 0 },
      nimbus: { before: 12_500n * COIN, after: 12_500n * COIN, transitionStart: 0, transitionEnd: 0 },
      stratus: { before: 40_000n * COIN, after: 40_000n * COIN, transitionStart: 0, transitionEnd: 0 },
    },
    collateralMinConfirmations: 10,
    startExpiration: 20,
    dosRemoval: 30,
    confirmation: [{ fromHeight: 0, minConfirmInterval: 10, expireAfter: 30, ipChangeMinInterval: 2 }],
    // Scaled down so one laptop passes every tier's benchmark.
    // The devnet's own benchmark key: its secret is public knowledge of every devnet bench process
    // (src/cloud/benchmark/devnet-key.ts), never the operator's.
    benchmarkKeys: [{ pubKey: DEVNET_BENCHMARK_PUBKEY, fromTime: 0 }],
    hardwareMinimums: {
      cumulus: { cores: 1, ramGB: 1, ssdGB: 2, eps: 10, diskWriteMBps: 10 },
      nimbus: { cores: 1, ramGB: 1, ssdGB: 4, eps: 20, diskWriteMBps: 10 },
      stratus: { cores: 2, ramGB: 2, ssdGB: 8, eps: 40, diskWriteMBps: 20 },
    },
  },

  oneOffs: [],

  maxMoney: mainnet.maxMoney,
  coinbaseMaturity: 10,
  maxBlockSize: 2_000_000,
  minimumChainWork: 0n,

  // Regtest's genesis block (valid 48,5 solution, bits = this powLimit).
  genesis: regtest.genesis,
  // Devnet nodes may mine apart for a while before they find each other (fluxd's 29 would split
  // such a devnet for good), so it allows deeper reorganisations.
  maxReorgDepth: 1_000,
  checkpoints: [{ height: 0, hash: regtest.genesis.hash }],
};
