import { COIN } from '../primitives/types.ts';
import { GENESIS_COINBASE_TX } from './genesis-data.ts';
import { mainnet } from './mainnet.ts';
import type { ConsensusParams, EquihashSpec } from './types.ts';

/** Flux testnet ("testnet-kamata"), from fluxd's chainparams.cpp. */

const SAPLING_BRANCH_ID = 0x76b809bb;
const EH48_5: EquihashSpec = { n: 48, k: 5, personalization: 'ZcashPoW' };
const TESTNET_FUND_ADDRESS = 'tmRucHD85zgSigtA4sJJBDbPkMUJDcw5XDE';

export const testnet: ConsensusParams = {
  network: 'testnet',
  magic: Uint8Array.of(0xfa, 0x1a, 0xf9, 0xbf),
  defaultPort: 26125,
  base58: {
    pubkeyHash: Uint8Array.of(0x1d, 0x25), // "tm…"
    scriptHash: Uint8Array.of(0x1c, 0xba), // "t2…"
    secretKey: Uint8Array.of(0xef),
  },
  bip44CoinType: 1,

  difficulty: {
    powLimit: 0x0effffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffn,
    targetSpacing: 15,
    allowMinDifficultyAfterHeight: 0,
    // fluxd: a block more than 2 spacings after its parent may be min-difficulty (its comment says 6).
    minDifficultyGapSpacings: 2,
    digishield: { averagingWindow: 17, maxAdjustDownPercent: 32, maxAdjustUpPercent: 16, medianTimeSpan: 11 },
    // FTL stays fluxd's fixed 360 s, not N·T/20 of testnet's spacing.
    lwma: {
      window: 60,
      futureTimeLimit: 360,
      maxSolvetimeSpacings: 6,
      lwma3StepPercent: { min: 67, max: 150 },
    },
    // Equihash 144,5 at 140 with a fade of 10: eh_epoch_1_end = 149, reset for 150..210.
    resetAfterEquihashSwitch: { firstHeight: 150, blocks: 61 },
    // Kamiooka at 280 with a fade of 10: eh_epoch_2_end = 289, ramp for 290..353.
    zelhashRamp: { firstHeight: 290, blocks: 64, startSteps: 61 },
    futureBlockTime: { beforeLwma: 2 * 60 * 60, fromLwma: 360 },
  },
  // fluxd keeps the upgrade heights but uses 48,5 for all three epochs on testnet.
  equihashEpochs: [
    { fromHeight: 0, spec: EH48_5 },
    { fromHeight: 140, spec: EH48_5 },
    { fromHeight: 280, spec: EH48_5 },
  ],
  equihashFadeBlocks: 10,

  upgrades: {
    lwma: { activationHeight: 70, branchId: SAPLING_BRANCH_ID, protocolVersion: 170002 },
    equihash144_5: { activationHeight: 140, branchId: SAPLING_BRANCH_ID, protocolVersion: 170002 },
    acadia: { activationHeight: 210, branchId: SAPLING_BRANCH_ID, protocolVersion: 170007 },
    kamiooka: { activationHeight: 280, branchId: SAPLING_BRANCH_ID, protocolVersion: 170012 },
    kamata: { activationHeight: 350, branchId: SAPLING_BRANCH_ID, protocolVersion: 170016 },
    flux: { activationHeight: 420, branchId: SAPLING_BRANCH_ID, protocolVersion: 170017 },
    halving: { activationHeight: 520, branchId: SAPLING_BRANCH_ID, protocolVersion: 170018 },
  },
  baseBranchId: 0,

  subsidy: {
    baseAmount: 150n * COIN,
    slowStartInterval: 1,
    halvingInterval: 655_350,
    maxHalvings: 2,
    premine: { height: 1, amount: 13_020_000n * COIN },
  },

  fluxnodes: {
    ...mainnet.fluxnodes,
    // fluxd chainparams.cpp (testnet).
    benchmarkKeys: [
      {
        pubKey:
          '04d422e01f5acff68504b92df96a9004cf61be432a20efe83fe8a94c1aa730fe7dece5d2e8298f2d5672d4e569c55d9f0a73268ef7b92990d8c014e828a7cc48dd',
        fromTime: 0,
      },
      {
        pubKey:
          '042023568fbcc4715c34d8596feaabf0683b3dfa7280b2f4df0436311a31086a73fdf507d63c3ec89455037ba738375d17b309c2cd226f173a5ef7841400cd09ec',
        fromTime: 1_617_508_800, // 2021-04-04 04:00 UTC
      },
    ],
    paymentsStartHeight: 350,
    tierShares: [
      { fromHeight: 350, basisPoints: { cumulus: 375, nimbus: 625, stratus: 1500 } },
      { fromHeight: 420, basisPoints: { cumulus: 750, nimbus: 1250, stratus: 3000 } },
    ],
    collateral: {
      cumulus: { ...mainnet.fluxnodes.collateral.cumulus, transitionStart: 420, transitionEnd: 520 },
      nimbus: { ...mainnet.fluxnodes.collateral.nimbus, transitionStart: 420, transitionEnd: 520 },
      stratus: { ...mainnet.fluxnodes.collateral.stratus, transitionStart: 420, transitionEnd: 520 },
    },
    confirmation: [
      { fromHeight: 0, minConfirmInterval: 40, expireAfter: 60, ipChangeMinInterval: null },
      { fromHeight: 420, minConfirmInterval: 40, expireAfter: 80, ipChangeMinInterval: 5 },
      { fromHeight: 520, minConfirmInterval: 120, expireAfter: 160, ipChangeMinInterval: 5 },
    ],
  },

  oneOffs: [
    {
      kind: 'exchange-fund',
      address: TESTNET_FUND_ADDRESS,
      amount: 7_500_000n * COIN,
      firstHeight: 4_100,
      interval: 0,
      count: 1,
    },
    {
      kind: 'foundation-fund',
      address: TESTNET_FUND_ADDRESS,
      amount: 2_500_000n * COIN,
      firstHeight: 4_200,
      interval: 0,
      count: 1,
    },
    {
      kind: 'swap-pool',
      address: TESTNET_FUND_ADDRESS,
      amount: 2_200_000n * COIN,
      firstHeight: 4_300,
      interval: 100,
      count: 10,
    },
  ],

  maxMoney: mainnet.maxMoney,
  coinbaseMaturity: 100,
  maxBlockSize: 2_000_000,
  minimumChainWork: 0n,

  genesis: {
    hash: '0042202a64a929fc25cc10e68615ddbe38007b1b40da08acd3f530f83c79b9d1',
    merkleRoot: '94c7aed6b2c67f1718006684bfc3b92081a2f19d59075691b189160d6f3aa13a',
    time: 1_582_228_940,
    bits: 0x2007ffff,
    version: 4,
    nonce: '000000000000000000000000000000000000000000000000000000000000021c',
    coinbaseTx: GENESIS_COINBASE_TX,
  },
  // fluxd main.h MAX_REORG_LENGTH, the same on every network.
  maxReorgDepth: 29,
  checkpoints: [{ height: 0, hash: '0042202a64a929fc25cc10e68615ddbe38007b1b40da08acd3f530f83c79b9d1' }],
};
