import { DEVNET_BENCHMARK_PUBKEY } from './bench-key.ts';
import { COIN } from '../primitives/types.ts';
import { GENESIS_COINBASE_TX } from './genesis-data.ts';
import { mainnet } from './mainnet.ts';
import type { ConsensusParams } from './types.ts';

/** Flux regtest, from fluxd's chainparams.cpp: Kamata, Flux and Halving rules from genesis. */

const SAPLING_BRANCH_ID = 0x76b809bb;
const REGTEST_GENESIS_HASH = '01998760a88dc2b5715f69d2f18c1d90e0b604612242d9099eaff3048dd1e0ce';

export const regtest: ConsensusParams = {
  network: 'regtest',
  magic: Uint8Array.of(0xaa, 0xe8, 0x3f, 0x5f),
  defaultPort: 26126,
  base58: {
    pubkeyHash: Uint8Array.of(0x1d, 0x25),
    scriptHash: Uint8Array.of(0x1c, 0xba),
    secretKey: Uint8Array.of(0xef),
  },
  bip44CoinType: 1,

  difficulty: {
    powLimit: 0x0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0fn,
    targetSpacing: 120,
    allowMinDifficultyAfterHeight: 0,
    // fluxd turns Digishield's bounds off on regtest (0 and 0): the target is the window's average.
    digishield: { averagingWindow: 17, maxAdjustDownPercent: 0, maxAdjustUpPercent: 0, medianTimeSpan: 11 },
    minDifficultyGapSpacings: 2,
    lwma: {
      window: 60,
      futureTimeLimit: 360,
      maxSolvetimeSpacings: 6,
      lwma3StepPercent: { min: 67, max: 150 },
    },
    // Equihash 144,5 never activates here, yet fluxd's arithmetic on "no height" (−1) puts
    // eh_epoch_1_end at 9, so blocks 10..70 get powLimit.
    resetAfterEquihashSwitch: { firstHeight: 10, blocks: 61 },
    // fluxd would also ramp blocks 71..73 (eh_epoch_2_end is 9 too) and, comparing heights with −1,
    // run LWMA3 on regtest; it checks no proof of work there, so it never notices. This regtest keeps
    // Digishield without the ramp, whose wrapped targets could make a test chain unminable.
    zelhashRamp: null,
    futureBlockTime: { beforeLwma: 2 * 60 * 60, fromLwma: 360 },
  },
  equihashEpochs: [{ fromHeight: 0, spec: { n: 48, k: 5, personalization: 'ZcashPoW' } }],
  equihashFadeBlocks: 11,

  upgrades: {
    lwma: { activationHeight: null, branchId: SAPLING_BRANCH_ID, protocolVersion: 170002 },
    equihash144_5: { activationHeight: null, branchId: SAPLING_BRANCH_ID, protocolVersion: 170002 },
    acadia: { activationHeight: null, branchId: SAPLING_BRANCH_ID, protocolVersion: 170006 },
    kamiooka: { activationHeight: null, branchId: SAPLING_BRANCH_ID, protocolVersion: 170012 },
    kamata: { activationHeight: 0, branchId: SAPLING_BRANCH_ID, protocolVersion: 170016 },
    flux: { activationHeight: 0, branchId: SAPLING_BRANCH_ID, protocolVersion: 170017 },
    halving: { activationHeight: 0, branchId: SAPLING_BRANCH_ID, protocolVersion: 170018 },
  },
  baseBranchId: 0,

  subsidy: {
    baseAmount: 150n * COIN,
    slowStartInterval: 0,
    halvingInterval: 150,
    maxHalvings: 2,
    premine: { height: 1, amount: 13_020_000n * COIN },
  },

  fluxnodes: {
    ...mainnet.fluxnodes,
    // fluxd's regtest keys have no published private key; this regtest uses the devnet bench key,
    // whose secret the bench component holds (src/cloud/benchmark/devnet-key.ts).
    benchmarkKeys: [{ pubKey: DEVNET_BENCHMARK_PUBKEY, fromTime: 0 }],
    // fluxd leaves nStartFluxnodePaymentsHeight unset on regtest; deterministic nodes exist from 0.
    paymentsStartHeight: 0,
    tierShares: [{ fromHeight: 0, basisPoints: { cumulus: 750, nimbus: 1250, stratus: 3000 } }],
    collateral: {
      cumulus: { ...mainnet.fluxnodes.collateral.cumulus, transitionStart: 0, transitionEnd: 1_000 },
      nimbus: { ...mainnet.fluxnodes.collateral.nimbus, transitionStart: 0, transitionEnd: 1_000 },
      stratus: { ...mainnet.fluxnodes.collateral.stratus, transitionStart: 0, transitionEnd: 100 },
    },
    confirmation: [{ fromHeight: 0, minConfirmInterval: 120, expireAfter: 160, ipChangeMinInterval: 5 }],
  },

  oneOffs: [
    {
      kind: 'exchange-fund',
      address: 'tmRucHD85zgSigtA4sJJBDbPkMUJDcw5XDE',
      amount: 3_000_000n * COIN,
      firstHeight: 10,
      interval: 0,
      count: 1,
    },
    {
      kind: 'foundation-fund',
      address: 't2DFGpj2tciojsGKKrGVwQ92hUwAxWQQgJ9',
      amount: 2_500_000n * COIN,
      firstHeight: 10,
      interval: 0,
      count: 1,
    },
    {
      kind: 'swap-pool',
      address: 't2Dsexh4v5g2dpL2LLCsR1p9TshMm63jSBM',
      amount: 2_100_000n * COIN,
      firstHeight: 10,
      interval: 10,
      count: 5,
    },
  ],

  maxMoney: mainnet.maxMoney,
  coinbaseMaturity: 100,
  maxBlockSize: 2_000_000,
  minimumChainWork: 0n,

  genesis: {
    hash: REGTEST_GENESIS_HASH,
    merkleRoot: '94c7aed6b2c67f1718006684bfc3b92081a2f19d59075691b189160d6f3aa13a',
    time: 1_296_688_602,
    bits: 0x200f0f0f,
    version: 4,
    nonce: '0000000000000000000000000000000000000000000000000000000000000016',
    solution: '02853a9dd062e2356909a0d2b9f0e4873dbf092edd3f00eea317e21222d1f2c414b926ee',
    coinbaseTx: GENESIS_COINBASE_TX,
  },
  // fluxd's regtest table holds the merkle root at height 0 (a slip with no effect); we pin the hash.
  // fluxd main.h MAX_REORG_LENGTH, the same on every network.
  maxReorgDepth: 29,
  checkpoints: [{ height: 0, hash: REGTEST_GENESIS_HASH }],
};
