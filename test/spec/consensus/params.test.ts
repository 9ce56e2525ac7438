import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { sha256 } from '@noble/hashes/sha2.js';
import { ByteWriter, fromHex, fromReverseHex, reverseHex, toHex } from '../../../src/consensus/bytes.ts';
import {
  bitsToTarget,
  checkProofOfWorkTarget,
  targetToBits,
} from '../../../src/consensus/difficulty/target.ts';
import {
  branchIdAt,
  type ConsensusParams,
  equihashSpecsAt,
  isNetworkName,
  NETWORKS,
  paramsFor,
  registryRulesAt,
  upgradeActive,
} from '../../../src/consensus/params/index.ts';
import { bytes, flux, grab, num, REFERENCE_DIR, readme } from './params-reference.ts';
import { at, tuple } from '../../support/at.ts';

const mainnet = paramsFor('mainnet');
const testnet = paramsFor('testnet');
const regtest = paramsFor('regtest');
const devnet = paramsFor('devnet');
const vector = JSON.parse(readFileSync(`${REFERENCE_DIR}/vectors/mainnet-genesis.json`, 'utf8')) as Record<
  'headerHex' | 'hash' | 'bits' | 'time' | 'blockHex',
  string
>;

const sha256d = (b: Uint8Array) => sha256(sha256(b));

/** The genesis header serialized from the params alone. */
function genesisHeader(p: ConsensusParams): Uint8Array {
  const g = p.genesis;
  assert.ok(g.solution, `${p.network} genesis has a solution`);
  const w = new ByteWriter();
  w.i32(g.version);
  w.bytes(new Uint8Array(32));
  w.bytes(fromReverseHex(g.merkleRoot));
  w.bytes(new Uint8Array(32));
  w.u32(g.time);
  w.u32(g.bits);
  w.bytes(fromReverseHex(g.nonce));
  w.varBytes(fromHex(g.solution));
  return w.finish();
}

describe('paramsFor', () => {
  test('knows the four networks and refuses others', () => {
    for (const n of NETWORKS) assert.equal(paramsFor(n).network, n);
    assert.equal(isNetworkName('mainnet'), true);
    assert.equal(isNetworkName('main'), false);
    assert.throws(() => paramsFor('main' as never), /unknown network "main"/);
  });
});

describe('mainnet network constants match the reference', () => {
  test('message start bytes and ports', () => {
    assert.deepEqual(mainnet.magic, bytes(grab(readme, /Message start bytes `([0-9a-f ]+)`/)));
    assert.equal(mainnet.defaultPort, num(grab(readme, /default p2p port ([\d,]+)/)));
    assert.deepEqual(testnet.magic, bytes(grab(readme, /\(testnet: `([0-9a-f ]+)`/)));
    assert.equal(testnet.defaultPort, num(grab(readme, /\(testnet: `[0-9a-f ]+`, ([\d,]+)\)/)));
  });

  test('base58 prefixes and BIP44 coin type', () => {
    assert.deepEqual(mainnet.base58.pubkeyHash, bytes(grab(readme, /Base58 prefixes: P2PKH `([0-9A-F ]+)`/)));
    assert.deepEqual(mainnet.base58.scriptHash, bytes(grab(readme, /\("t1…"\), P2SH `([0-9A-F ]+)`/)));
    assert.deepEqual(mainnet.base58.secretKey, bytes(grab(readme, /WIF secret `([0-9A-F ]+)`/)));
    assert.deepEqual(testnet.base58.pubkeyHash, bytes(grab(readme, /testnet P2PKH `([0-9A-F ]+)`/)));
    assert.deepEqual(testnet.base58.scriptHash, bytes(grab(readme, /\("tm…"\), P2SH `([0-9A-F ]+)`/)));
    assert.deepEqual(testnet.base58.secretKey, bytes(grab(readme, /P2SH `1C BA`, WIF `([0-9A-F]+)`/)));
    assert.equal(mainnet.bip44CoinType, num(grab(readme, /BIP44 coin type ([\d,]+)/)));
  });

  test('target spacing and powLimit prefixes', () => {
    assert.equal(mainnet.difficulty.targetSpacing, num(grab(readme, /Target spacing (\d+) s/)));
    assert.equal(testnet.difficulty.targetSpacing, num(grab(readme, /\(testnet (\d+) s;/)));
    assert.equal(regtest.difficulty.targetSpacing, num(grab(readme, /regtest (\d+) s with min-difficulty/)));
    assert.notEqual(regtest.difficulty.allowMinDifficultyAfterHeight, null);
    const hex = (p: ConsensusParams) => p.difficulty.powLimit.toString(16).padStart(64, '0');
    const limits =
      /powLimit mainnet `([0-9a-f]+)…ff`; testnet `([0-9a-f]+)…ff`; regtest `([0-9a-f]+)…0f`/.exec(readme);
    assert.ok(limits);
    assert.ok(hex(mainnet).startsWith(at(limits, 1)) && /^0007f+$/.test(hex(mainnet)));
    assert.ok(hex(testnet).startsWith(at(limits, 2)) && /^0ef+$/.test(hex(testnet)));
    assert.ok(hex(regtest).startsWith(at(limits, 3)) && /^(0f)+$/.test(hex(regtest)));
  });

  test('upgrade activation heights', () => {
    const line = grab(readme, /## Upgrades \(mainnet activation heights\) (.+?) ## /);
    const expect: Record<string, RegExp> = {
      lwma: /LWMA ([\d,]+)/,
      equihash144_5: /Equihash 144,5 ([\d,]+)/,
      acadia: /Acadia \(Overwinter\+Sapling\) ([\d,]+)/,
      kamiooka: /Kamiooka ([\d,]+)/,
      kamata: /Kamata ([\d,]+)/,
      flux: /Flux ([\d,]+)/,
      halving: /Halving ([\d,]+)/,
    };
    for (const [name, re] of Object.entries(expect)) {
      assert.equal(
        mainnet.upgrades[name as keyof typeof mainnet.upgrades].activationHeight,
        num(grab(line, re)),
        name,
      );
    }
  });

  test('difficulty algorithms', () => {
    const d = mainnet.difficulty;
    assert.equal(d.digishield.averagingWindow, num(grab(readme, /averaging window (\d+)/)));
    assert.equal(d.digishield.maxAdjustDownPercent, num(grab(readme, /max adjust (\d+)% down/)));
    assert.equal(d.digishield.maxAdjustUpPercent, num(grab(readme, /down \/ (\d+)% up/)));
    assert.equal(mainnet.upgrades.lwma.activationHeight, num(grab(readme, /until height ([\d,]+); LWMA v1/)));
    assert.equal(
      mainnet.upgrades.acadia.activationHeight,
      num(grab(readme, /LWMA3 \([^)]*\) from ([\d,]+)/)),
    );
    assert.equal(d.lwma.window, num(grab(readme, /LWMA3 \(window (\d+)/)));
    const [min, max] = tuple(
      grab(readme, /clamped to ([\d.]+–[\d.]+)×/)
        .split('–')
        .map(Number),
      2,
    );
    assert.deepEqual(d.lwma.lwma3StepPercent, { min: Math.round(min * 100), max: Math.round(max * 100) });
    const [resetFirst, resetLast] = tuple(
      grab(readme, /powLimit for new blocks at ([\d,]+–[\d,]+)/)
        .split('–')
        .map(num),
      2,
    );
    assert.deepEqual(d.resetAfterEquihashSwitch, {
      firstHeight: resetFirst,
      blocks: resetLast - resetFirst + 1,
    });
    const [rampFirst, rampLast] = tuple(
      grab(readme, /a ramp at ([\d,]+–[\d,]+)/)
        .split('–')
        .map(num),
      2,
    );
    assert.equal(d.zelhashRamp?.firstHeight, rampFirst);
    assert.equal(d.zelhashRamp?.blocks, rampLast - rampFirst + 1);
  });

  test('every checkpoint listed in the reference is in the params', () => {
    const section = grab(readme, /## Checkpoints \(height → block hash\) (.+?) ## /);
    const pairs = [...section.matchAll(/([\d,]+) → ([0-9a-f]{64})/g)];
    assert.ok(pairs.length >= 6);
    for (const [, h = '', hash] of pairs) {
      assert.equal(mainnet.checkpoints.find((c) => c.height === num(h))?.hash, hash, `checkpoint ${h}`);
    }
    const heights = mainnet.checkpoints.map((c) => c.height);
    assert.deepEqual(
      heights,
      [...heights].sort((a, b) => a - b),
    );
  });

  test('one-off fund outputs', () => {
    const [ex, fo, sw] = tuple(mainnet.oneOffs, 3);
    const exchange = /exchange funding ([\d,]+) FLUX at height ([\d,]+) to (t3\w+)/.exec(readme);
    const foundation = /foundation ([\d,]+) at ([\d,]+) to (t3\w+)/.exec(readme);
    const swap = /swap pool ([\d,]+) every ([\d,]+) blocks from ([\d,]+), (\d+) times, to (t3\w+)/.exec(
      readme,
    );
    assert.ok(exchange && foundation && swap);
    assert.deepEqual(
      [ex.kind, ex.amount, ex.firstHeight, ex.address, ex.count],
      ['exchange-fund', flux(at(exchange, 1)), num(at(exchange, 2)), exchange[3], 1],
    );
    assert.deepEqual(
      [fo.kind, fo.amount, fo.firstHeight, fo.address, fo.count],
      ['foundation-fund', flux(at(foundation, 1)), num(at(foundation, 2)), foundation[3], 1],
    );
    assert.deepEqual(
      [sw.kind, sw.amount, sw.interval, sw.firstHeight, sw.count, sw.address],
      ['swap-pool', flux(at(swap, 1)), num(at(swap, 2)), num(at(swap, 3)), num(at(swap, 4)), swap[5]],
    );
  });

  test('subsidy schedule constants and node payment start', () => {
    assert.equal(
      mainnet.subsidy.slowStartInterval,
      num(grab(readme, /slow start over the first ([\d,]+) blocks/)),
    );
    assert.equal(mainnet.subsidy.halvingInterval, num(grab(readme, /halving interval ([\d,]+) \(regtest/)));
    assert.equal(
      regtest.subsidy.halvingInterval,
      num(grab(readme, /halving interval [\d,]+ \(regtest (\d+)\)/)),
    );
    assert.equal(
      mainnet.fluxnodes.paymentsStartHeight,
      num(grab(readme, /payments start at height ([\d,]+)/)),
    );
  });
});

describe('genesis blocks', () => {
  test('mainnet genesis header rebuilt from params is the reference vector and hashes to the params hash', () => {
    const header = genesisHeader(mainnet);
    assert.equal(toHex(header), vector.headerHex);
    assert.equal(reverseHex(sha256d(header)), mainnet.genesis.hash);
    assert.equal(mainnet.genesis.hash, vector.hash);
    assert.equal(mainnet.genesis.bits, Number.parseInt(vector.bits, 16));
    assert.equal(mainnet.genesis.time, Number(vector.time));
  });

  test('the shared genesis coinbase gives every network its merkle root', () => {
    assert.equal(vector.blockHex, `${vector.headerHex}01${mainnet.genesis.coinbaseTx}`);
    for (const p of [mainnet, testnet, regtest, devnet]) {
      assert.equal(reverseHex(sha256d(fromHex(p.genesis.coinbaseTx))), p.genesis.merkleRoot, p.network);
    }
  });

  test('regtest genesis (shared by devnet) hashes to fluxd’s regtest genesis hash', () => {
    assert.equal(reverseHex(sha256d(genesisHeader(regtest))), regtest.genesis.hash);
    assert.equal(devnet.genesis.hash, regtest.genesis.hash);
  });

  test('genesis bits equal each powLimit in compact form (mainnet 1f07ffff) and each hash meets them', () => {
    assert.equal(targetToBits(mainnet.difficulty.powLimit), Number.parseInt(vector.bits, 16));
    for (const p of [mainnet, regtest, devnet]) {
      assert.equal(p.genesis.bits, targetToBits(p.difficulty.powLimit), p.network);
      checkProofOfWorkTarget(fromReverseHex(p.genesis.hash), p.genesis.bits, p.difficulty.powLimit);
    }
    // testnet's genesis is harder than its limit and still valid under it
    assert.ok(bitsToTarget(testnet.genesis.bits) <= testnet.difficulty.powLimit);
    checkProofOfWorkTarget(
      fromReverseHex(testnet.genesis.hash),
      testnet.genesis.bits,
      testnet.difficulty.powLimit,
    );
  });

  test('each network’s first checkpoint is its genesis hash', () => {
    for (const n of NETWORKS) {
      const p = paramsFor(n);
      assert.deepEqual(p.checkpoints[0], { height: 0, hash: p.genesis.hash }, n);
    }
  });
});

describe('upgrades and branch ids', () => {
  test('activation is inclusive of the activation height', () => {
    assert.equal(upgradeActive('flux', 835_553, mainnet), false);
    assert.equal(upgradeActive('flux', 835_554, mainnet), true);
    assert.equal(upgradeActive('lwma', 10 ** 7, regtest), false);
  });

  test('ZIP-243 branch id: 0 before any upgrade, fluxd’s Sapling id 0x76b809bb after Acadia', () => {
    assert.equal(branchIdAt(0, mainnet), 0);
    assert.equal(branchIdAt(124_999, mainnet), 0);
    assert.equal(branchIdAt(250_000, mainnet), 0x76b809bb);
    assert.equal(branchIdAt(1_100_000, mainnet), 0x76b809bb);
    assert.equal(branchIdAt(0, regtest), 0x76b809bb);
  });
});

describe('Equihash epochs', () => {
  const label = (h: number, p = mainnet) =>
    equihashSpecsAt(h, p).map((s) => `${s.n},${s.k}${s.zelhash ? 'z' : ''}`);
  const fade = num(grab(readme, /fade window of (\d+) blocks/));

  test('the reference schedule with its fade windows (both sets accepted for 11 blocks)', () => {
    assert.equal(mainnet.equihashFadeBlocks, fade);
    const second = num(grab(readme, /epoch 2 Equihash 144,5 from height ([\d,]+)/));
    const third = num(grab(readme, /from the Kamiooka upgrade \(height ([\d,]+)\)/));
    assert.deepEqual(label(0), ['200,9']);
    assert.deepEqual(label(second - 1), ['200,9']);
    assert.deepEqual(label(second), ['144,5', '200,9']);
    assert.deepEqual(label(second + fade - 1), ['144,5', '200,9']);
    assert.deepEqual(label(second + fade), ['144,5']);
    assert.deepEqual(label(third), ['125,4z', '144,5']);
    assert.deepEqual(label(third + fade - 1), ['125,4z', '144,5']);
    assert.deepEqual(label(third + fade), ['125,4z']);
    assert.equal(at(equihashSpecsAt(third, mainnet), 0).personalization, 'ZelProof');
  });

  test('testnet, regtest and devnet solve 48,5 at every height', () => {
    for (const p of [testnet, regtest, devnet]) {
      for (const h of [0, 1, 140, 145, 300, 100_000])
        for (const s of equihashSpecsAt(h, p)) assert.equal(`${s.n},${s.k}`, '48,5');
    }
  });
});

describe('fluxnode registry windows', () => {
  test('mainnet eras follow fluxd (60 → 80 at Flux → 160 at Halving; min interval 40 → 120)', () => {
    assert.deepEqual(
      [registryRulesAt(600_000, mainnet).confirmExpiry, registryRulesAt(600_000, mainnet).minConfirmInterval],
      [60, 40],
    );
    assert.equal(registryRulesAt(835_554, mainnet).confirmExpiry, 80);
    assert.equal(registryRulesAt(835_554, mainnet).ipChangeMinInterval, 5);
    const halving = registryRulesAt(1_076_532, mainnet);
    assert.deepEqual([halving.confirmExpiry, halving.minConfirmInterval], [160, 120]);
    assert.equal(registryRulesAt(1, mainnet).collateralMinConfirmations, 100);
  });

  test('devnet confirms every 10 blocks and expires after 30', () => {
    const r = registryRulesAt(50, devnet);
    assert.deepEqual([r.minConfirmInterval, r.confirmExpiry], [10, 30]);
    assert.ok(r.startExpiry < mainnet.fluxnodes.startExpiration);
  });
});

describe('every network’s data is self-consistent', () => {
  for (const n of NETWORKS) {
    const p = paramsFor(n);
    test(n, () => {
      const sorted = (xs: number[]) => xs.every((x, i) => i === 0 || at(xs, i - 1) < x);
      assert.equal(at(p.equihashEpochs, 0).fromHeight, 0);
      assert.ok(sorted(p.equihashEpochs.map((e) => e.fromHeight)));
      assert.ok(sorted(p.fluxnodes.tierShares.map((e) => e.fromHeight)));
      assert.ok(sorted(p.fluxnodes.confirmation.map((e) => e.fromHeight)));
      assert.equal(at(p.fluxnodes.confirmation, 0).fromHeight, 0);
      assert.ok(at(p.fluxnodes.tierShares, 0).fromHeight <= p.fluxnodes.paymentsStartHeight);
      for (const era of p.fluxnodes.tierShares) {
        const { cumulus, nimbus, stratus } = era.basisPoints;
        assert.ok(cumulus + nimbus + stratus < 10_000, 'the miner keeps a share');
      }
      for (const c of Object.values(p.fluxnodes.collateral)) assert.ok(c.transitionStart <= c.transitionEnd);
      assert.ok(p.difficulty.powLimit < 1n << 256n);
      assert.equal(p.magic.length, 4);
      // fluxd derives the post-switch reset from the 144,5 activation and the fade length
      const eh = p.upgrades.equihash144_5.activationHeight;
      if (p.difficulty.resetAfterEquihashSwitch && eh !== null) {
        assert.equal(p.difficulty.resetAfterEquihashSwitch.firstHeight, eh + p.equihashFadeBlocks);
      }
    });
  }

  test('devnet is a fast private profile', () => {
    assert.ok(devnet.difficulty.targetSpacing >= 2 && devnet.difficulty.targetSpacing <= 3);
    for (const u of Object.values(devnet.upgrades))
      assert.ok(u.activationHeight !== null && u.activationHeight <= 1);
    assert.deepEqual(devnet.subsidy.premine, mainnet.subsidy.premine);
    assert.equal(devnet.subsidy.slowStartInterval, 0);
    assert.equal(devnet.fluxnodes.paymentsStartHeight, 10);
    assert.notDeepEqual(devnet.magic, mainnet.magic);
    assert.equal(devnet.oneOffs.length, 0);
  });
});
