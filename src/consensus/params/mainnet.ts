import { MAINNET_EQUIHASH_EPOCHS } from '../pow/schedule.ts';
import { COIN } from '../primitives/types.ts';
import { GENESIS_COINBASE_TX, MAINNET_GENESIS_SOLUTION } from './genesis-data.ts';
import type { ConsensusParams } from './types.ts';

/**
 * Flux mainnet as of 2022 (Proof of Work era). Sources: /work/shared/reference/README.md and
 * rewards.md; where they are silent, fluxd's chainparams.cpp, upgrades.cpp, pow.cpp, main.cpp and
 * fluxnode/fluxnode.h. "(provisional)" marks figures rewards.md has not confirmed yet.
 */

// Every upgrade after the base shares the Sapling branch id in fluxd's upgrades.cpp.
const SAPLING_BRANCH_ID = 0x76b809bb;

export const mainnet: ConsensusParams = {
  network: 'mainnet',
  magic: Uint8Array.of(0x24, 0xe9, 0x27, 0x64),
  defaultPort: 16125,
  base58: {
    pubkeyHash: Uint8Array.of(0x1c, 0xb8), // "t1…"
    scriptHash: Uint8Array.of(0x1c, 0xbd), // "t3…"
    secretKey: Uint8Array.of(0x80),
  },
  bip44CoinType: 19167,

  difficulty: {
    powLimit: 0x0007ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffn,
    targetSpacing: 120,
    allowMinDifficultyAfterHeight: null,
    minDifficultyGapSpacings: 2,
    digishield: { averagingWindow: 17, maxAdjustDownPercent: 32, maxAdjustUpPercent: 16, medianTimeSpan: 11 },
    // fluxd pow.cpp: FTL = 360 (N·T/20); v1 clamps solve times to [-FTL, 6·T], LWMA3 to [1, 6·T]
    // and each step to 0.67–1.5× the parent's target.
    lwma: {
      window: 60,
      futureTimeLimit: 360,
      maxSolvetimeSpacings: 6,
      lwma3StepPercent: { min: 67, max: 150 },
    },
    // fluxd: powLimit while the parent is eh_epoch_1_end (144,5 activation + fade − 1 = 125,110)
    // … eh_epoch_1_end + 60, i.e. for the 61 blocks 125,111–125,171.
    resetAfterEquihashSwitch: { firstHeight: 125_111, blocks: 61 },
    // Parent eh_epoch_2_end (Kamiooka + fade − 1 = 372,510) … +63: blocks 372,511–372,574.
    zelhashRamp: { firstHeight: 372_511, blocks: 64, startSteps: 61 },
    futureBlockTime: { beforeLwma: 2 * 60 * 60, fromLwma: 360 },
  },
  // One source for the schedule: fluxd gives 144,5 and ZelHash the personalization "ZelProof".
  equihashEpochs: [...MAINNET_EQUIHASH_EPOCHS],
  equihashFadeBlocks: 11,

  upgrades: {
    lwma: { activationHeight: 125_000, branchId: SAPLING_BRANCH_ID, protocolVersion: 170002 },
    equihash144_5: { activationHeight: 125_100, branchId: SAPLING_BRANCH_ID, protocolVersion: 170002 },
    acadia: {
      activationHeight: 250_000,
      branchId: SAPLING_BRANCH_ID,
      protocolVersion: 170007,
      activationBlockHash: '0000001d65fa78f2f6c172a51b5aca59ee1927e51f728647fca21b180becfe59',
    },
    kamiooka: {
      activationHeight: 372_500,
      branchId: SAPLING_BRANCH_ID,
      protocolVersion: 170012,
      activationBlockHash: '00000052e2ac144c2872ff641c646e41dac166ac577bc9b0837f501aba19de4a',
    },
    kamata: {
      activationHeight: 558_000,
      branchId: SAPLING_BRANCH_ID,
      protocolVersion: 170016,
      activationBlockHash: '000000a33d38f37f586b843a9c8cf6d1ff1269e6114b34604cabcd14c44268d4',
    },
    flux: {
      activationHeight: 835_554,
      branchId: SAPLING_BRANCH_ID,
      protocolVersion: 170017,
      activationBlockHash: '000000ce99aa6765bdaae673cdf41f661ff20a116eb6f2fe0843488d8061f193',
    },
    halving: {
      activationHeight: 1_076_532,
      branchId: SAPLING_BRANCH_ID,
      protocolVersion: 170018,
      activationBlockHash: '000000111f8643ce24d9753dbc324220877299075a8a6102da61ef4460296325',
    },
  },
  baseBranchId: 0,

  subsidy: {
    baseAmount: 150n * COIN, // (provisional in rewards.md; fluxd GetBlockSubsidy: 150 * COIN)
    slowStartInterval: 5_000,
    // Halvings at 2,500 + k·655,350: 75 FLUX from 657,850 and 37.5 FLUX from 1,313,200 (fluxd's
    // GetBlockSubsidy; Flux announced that second halving for 8 Feb 2023 at 1,313,200).
    // rewards.md (provisional) puts 37.5 at the Halving upgrade (1,076,532): fluxd ties no subsidy
    // rule to that upgrade, which changed collaterals and confirm intervals instead.
    halvingInterval: 655_350,
    maxHalvings: 2,
    // fluxd GetBlockSubsidy returns 13,020,000 FLUX for block 1 on every network.
    premine: { height: 1, amount: 13_020_000n * COIN },
  },

  fluxnodes: {
    paymentsStartHeight: 560_000,
    // fluxd: V1 percentages 3.75/6.25/15 of the subsidy, doubled from the Flux upgrade (provisional).
    tierShares: [
      { fromHeight: 560_000, basisPoints: { cumulus: 375, nimbus: 625, stratus: 1500 } },
      { fromHeight: 835_554, basisPoints: { cumulus: 750, nimbus: 1250, stratus: 3000 } },
    ],
    collateral: {
      cumulus: {
        before: 10_000n * COIN,
        after: 1_000n * COIN,
        transitionStart: 1_076_532,
        transitionEnd: 1_086_612,
      },
      nimbus: {
        before: 25_000n * COIN,
        after: 12_500n * COIN,
        transitionStart: 1_081_572,
        transitionEnd: 1_092_372,
      },
      stratus: {
        before: 100_000n * COIN,
        after: 40_000n * COIN,
        transitionStart: 1_087_332,
        transitionEnd: 1_097_412,
      },
    },
    collateralMinConfirmations: 100,
    startExpiration: 60,
    dosRemoval: 180,
    // fluxd fluxnode.h: expire after 60 (V1), 80 from Flux, 160 from Halving; confirm no sooner than
    // 40 blocks (120 from Halving); an IP change may be confirmed after 5 blocks from Flux.
    confirmation: [
      { fromHeight: 0, minConfirmInterval: 40, expireAfter: 60, ipChangeMinInterval: null },
      { fromHeight: 835_554, minConfirmInterval: 40, expireAfter: 80, ipChangeMinInterval: 5 },
      { fromHeight: 1_076_532, minConfirmInterval: 120, expireAfter: 160, ipChangeMinInterval: 5 },
    ],
    // rewards.md, 2022 benchmark minimums (provisional).
    // fluxd chainparams.cpp (mainnet).
    benchmarkKeys: [
      {
        pubKey:
          '042e79d7dd1483996157df6b16c831be2b14b31c69944ea2a585c63b5101af1f9517ba392cee5b1f45a62e9d936488429374535a2f76870bfa8eea6667b13eb39e',
        fromTime: 0,
      },
      {
        pubKey:
          '04517413e51fa9b2e94f200b254cca69beb86f2d74bf66ca53854ba66bc376dde9b52e9b4403731d9a4f3e8edd9687f1e1824b688fe26454bd9fb823a3307b4682',
        fromTime: 1_618_113_600, // 2021-04-11 04:00 UTC
      },
      {
        pubKey:
          '0480dff65aa9d4b4c4234e4723a5e7c5bf527ca683b53aa26a7225cc5eb16e6e79f9629eb5f96c12b173de7a20e9823b2d36575759f3490864922f7ed04e171fad',
        fromTime: 1_647_262_800, // 2022-03-14 13:00 UTC
      },
    ],
    hardwareMinimums: {
      cumulus: { cores: 2, ramGB: 8, ssdGB: 220, eps: 240, diskWriteMBps: 180 },
      nimbus: { cores: 4, ramGB: 32, ssdGB: 440, eps: 640, diskWriteMBps: 180 },
      stratus: { cores: 8, ramGB: 64, ssdGB: 880, eps: 1520, diskWriteMBps: 400 },
    },
  },

  oneOffs: [
    {
      kind: 'exchange-fund',
      address: 't3PMbbA5YBMrjSD3dD16SSdXKuKovwmj6tS',
      amount: 7_500_000n * COIN,
      firstHeight: 836_274,
      interval: 0,
      count: 1,
    },
    {
      kind: 'foundation-fund',
      address: 't3XjYMBvwxnXVv9jqg4CgokZ3f7kAoXPQL8',
      amount: 2_500_000n * COIN,
      firstHeight: 836_994,
      interval: 0,
      count: 1,
    },
    {
      kind: 'swap-pool',
      address: 't3ThbWogDoAjGuS6DEnmN1GWJBRbVjSUK4T',
      amount: 22_000_000n * COIN,
      firstHeight: 837_714,
      interval: 21_600,
      count: 10,
    },
  ],

  maxMoney: 210_000_000n * COIN,
  coinbaseMaturity: 100,
  maxBlockSize: 2_000_000,
  minimumChainWork: 0x21f5d5da5d73n,

  genesis: {
    hash: '00052461a5006c2e3b74ce48992a08695607912d5604c3eb8da25749b0900444',
    merkleRoot: '94c7aed6b2c67f1718006684bfc3b92081a2f19d59075691b189160d6f3aa13a',
    time: 1_516_980_000,
    bits: 0x1f07ffff,
    version: 4,
    nonce: '0000000000000000000000000000000000000000000000000000000000001a8c',
    solution: MAINNET_GENESIS_SOLUTION,
    coinbaseTx: GENESIS_COINBASE_TX,
  },
  // fluxd main.h MAX_REORG_LENGTH, the same on every network.
  maxReorgDepth: 29,
  // fluxd checkpoints up to 2022 (the reference lists six of them).
  checkpoints: [
    { height: 0, hash: '00052461a5006c2e3b74ce48992a08695607912d5604c3eb8da25749b0900444' },
    { height: 5_500, hash: '0000000e7724f8bace09dd762657169c10622af4a6a8e959152cd00b9119848e' },
    { height: 35_000, hash: '000000004646dd797644b9c67aff320961e95c311b4f26985424b720d09fcaa5' },
    { height: 70_000, hash: '00000001edcf7768ed39fac55414e53a78d077b1b41fccdaf9307d7bc219626a' },
    { height: 94_071, hash: '00000005ec83876bc5288badf0971ae83ac7c6a286851f7b22a75a03e73b401a' },
    { height: 277_649, hash: '00000004a53f9271d05071a052b3738b46663f3335d14b6aea965a3cb70c0cc8' },
    { height: 400_000, hash: '000000390342f0e52443ad79b43e5d85b78bf519667aeb3aa980d76caeda0369' },
    { height: 530_000, hash: '0000004b4459ec6904e8116d178c357b0f25a7d45c5c5836ce3714791f1ed124' },
    { height: 600_000, hash: '000000dea4478401e6ab95f6d05ade810115411e95e75fab9fd94a44df4b1e1d' },
    { height: 700_000, hash: '0000000845ef03939225cc592773fd7aef54b5232fc42790c46ef6f11ee3e8d4' },
    { height: 800_000, hash: '000000451b73f495b2f6ad38bd89d15495551fc15c2078ad7af3d54d06422cc6' },
    { height: 900_000, hash: '000001e1ad2bb5e3cabb09559b6e65b871bf1d2a51bcc141ce45fc4cbd1d9cd8' },
    { height: 1_000_000, hash: '0000001a80e7f30d21fb14116cd01d51e1fad8ac84cc960896f4691a57368a47' },
    { height: 1_040_000, hash: '00000007f3b465bd4b0e161e43c05a3d946144330e33ea3a91cb952e6ef86b7d' },
    { height: 1_040_577, hash: '000000071fe89682ac260bc0a49621344eb28ae01659c9e7ce86e3762e45f52d' },
    { height: 1_042_126, hash: '0000000295e4663178fd9e533787e74206645910a2bfb61938db5f67796eaad0' },
    { height: 1_060_000, hash: '0000000fd721d8d381c4b24a4f78fc036955d7a0f98d2765b8c7badad8b66c1b' },
  ],
};
