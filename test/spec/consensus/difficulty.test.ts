import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { fromReverseHex } from '../../../src/consensus/bytes.ts';
import { digishieldNextTarget, medianTime } from '../../../src/consensus/difficulty/digishield.ts';
import { lwmaNextTarget } from '../../../src/consensus/difficulty/lwma.ts';
import {
  headersNeededForNextWork,
  nextWorkRequired,
  type WorkHeader,
} from '../../../src/consensus/difficulty/next-work.ts';
import {
  bitsToTarget,
  checkProofOfWorkTarget,
  decodeBits,
  hashToBigInt,
  targetToBits,
  workFromBits,
} from '../../../src/consensus/difficulty/target.ts';
import { ConsensusError } from '../../../src/consensus/errors.ts';
import { type ConsensusParams, paramsFor } from '../../../src/consensus/params/index.ts';
import { at } from '../../support/at.ts';

const mainnet = paramsFor('mainnet');
const testnet = paramsFor('testnet');
const devnet = paramsFor('devnet');

function withDifficulty(p: ConsensusParams, d: Partial<ConsensusParams['difficulty']>): ConsensusParams {
  return { ...p, difficulty: { ...p.difficulty, ...d } };
}

/** A run of headers ending at `tipHeight`, `spacing(i)` seconds apart, all at `bits`. */
function chain(
  tipHeight: number,
  count: number,
  bits: number,
  spacing: (i: number) => number,
  t0 = 1_600_000_000,
) {
  const out: WorkHeader[] = [];
  let time = t0;
  for (let i = 0; i < count; i++) {
    if (i > 0) time += spacing(i);
    out.push({ height: tipHeight - count + 1 + i, time, bits });
  }
  return out;
}

describe('compact bits (Bitcoin arith_uint256 SetCompact/GetCompact vectors)', () => {
  test('zero, sign and overflow cases', () => {
    for (const bits of [
      0, 0x00123456, 0x01003456, 0x02000056, 0x03000000, 0x04000000, 0x00923456, 0x01803456, 0x02800056,
      0x03800000, 0x04800000,
    ]) {
      const d = decodeBits(bits);
      assert.equal(d.target, 0n, bits.toString(16));
      assert.equal(d.negative, false);
      assert.equal(d.overflow, false);
      assert.equal(targetToBits(d.target), 0);
    }
    assert.deepEqual(decodeBits(0x01fedcba), { target: 0x7en, negative: true, overflow: false });
    assert.deepEqual(decodeBits(0x04923456), { target: 0x12345600n, negative: true, overflow: false });
    assert.equal(decodeBits(0xff123456).overflow, true);
  });

  test('round trips', () => {
    const cases: [number, bigint, number][] = [
      [0x01123456, 0x12n, 0x01120000],
      [0x02123456, 0x1234n, 0x02123400],
      [0x03123456, 0x123456n, 0x03123456],
      [0x04123456, 0x12345600n, 0x04123456],
      [0x05009234, 0x92340000n, 0x05009234],
      [0x20123456, 0x1234560000000000000000000000000000000000000000000000000000000000n, 0x20123456],
    ];
    for (const [bits, target, back] of cases) {
      assert.equal(bitsToTarget(bits), target);
      assert.equal(targetToBits(target), back);
    }
    assert.equal(targetToBits(0x80n), 0x02008000);
  });

  test('encoding keeps the top 23 bits and never sets the sign bit', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: (1n << 256n) - 1n }), (target) => {
        const bits = targetToBits(target);
        assert.equal(bits & 0x00800000, 0);
        const back = bitsToTarget(bits);
        assert.ok(back <= target);
        assert.equal(targetToBits(back), bits);
      }),
    );
  });

  test('bad input is refused', () => {
    assert.throws(() => decodeBits(-1), RangeError);
    assert.throws(() => decodeBits(2 ** 32), RangeError);
    assert.throws(() => targetToBits(1n << 256n), RangeError);
  });
});

describe('proof-of-work check', () => {
  const genesisHash = fromReverseHex(mainnet.genesis.hash);

  test('the mainnet genesis hash meets its bits 1f07ffff, which equal powLimit', () => {
    assert.equal(
      bitsToTarget(0x1f07ffff),
      0x0007ffff00000000000000000000000000000000000000000000000000000000n,
    );
    assert.ok(bitsToTarget(0x1f07ffff) <= mainnet.difficulty.powLimit);
    checkProofOfWorkTarget(genesisHash, mainnet.genesis.bits, mainnet.difficulty.powLimit);
    assert.equal(hashToBigInt(genesisHash), BigInt(`0x${mainnet.genesis.hash}`));
  });

  test('high-hash when the hash exceeds the target', () => {
    assert.throws(
      () => checkProofOfWorkTarget(genesisHash, 0x1e00ffff, mainnet.difficulty.powLimit),
      (e: unknown) => e instanceof ConsensusError && e.rule === 'high-hash' && e.field === 'hash',
    );
  });

  test('bad-diffbits for targets that are negative, zero, overflowing or easier than powLimit', () => {
    for (const bits of [0x04923456, 0x00000000, 0x03000000, 0xff123456, 0x2007ffff, 0x1f080000]) {
      assert.throws(
        () => checkProofOfWorkTarget(genesisHash, bits, mainnet.difficulty.powLimit),
        (e: unknown) => e instanceof ConsensusError && e.rule === 'bad-diffbits' && e.value === bits,
        bits.toString(16),
      );
    }
  });

  test('chain work: 2^256 / (target + 1); Bitcoin’s 1d00ffff block is 0x100010001', () => {
    assert.equal(workFromBits(0x1d00ffff), 0x100010001n);
    assert.equal(workFromBits(0), 0n);
    assert.equal(workFromBits(0x04923456), 0n);
    assert.ok(workFromBits(0x1f07ffff) < workFromBits(0x1e07ffff));
  });
});

describe('Digishield (Zcash pow_tests vectors: spacing 150, window 17, 32 % down / 16 % up)', () => {
  const zcash = withDifficulty(mainnet, { targetSpacing: 150 });
  const next = (avgBits: number, first: number, last: number, p = zcash) =>
    targetToBits(digishieldNextTarget(bitsToTarget(avgBits), last, first, p));

  test('no constraint applies', () =>
    assert.equal(next(0x1d00ffff, 1_000_000_000, 1_000_003_570), 0x1d011998));
  test('capped at powLimit', () => assert.equal(next(0x1f07ffff, 1_231_006_505, 1_233_061_996), 0x1f07ffff));
  test('lower bound on the actual timespan', () => {
    assert.equal(next(0x1c05a3f4, 1_000_000_000, 100_000_917), 0x1c04bceb);
    assert.equal(next(0x1c05a3f4, 1_279_296_753, 1_279_297_671), 0x1c04bceb);
  });
  test('upper bound on the actual timespan', () =>
    assert.equal(next(0x1c387f6f, 1_000_000_000, 1_000_005_815), 0x1c4a93bb));

  test('logged retargets of a Zcash-family testnet (damping truncates toward zero)', () => {
    const fork = withDifficulty(zcash, {
      powLimit: 0x0080808080808080808080808080808080808080808080808080808080808080n,
    });
    const run = (avg: string, last: number, first: number) =>
      targetToBits(digishieldNextTarget(BigInt(`0x${avg}`), last, first, fork));
    assert.equal(
      run('0030245099191919191919191919191919191919191919191919191919191919', 1547848604, 1547846198),
      523204179,
    );
    assert.equal(
      run('0080800000000000000000000000000000000000000000000000000000000000', 1547748480, 1541009401),
      536903808,
    );
    assert.equal(
      run('003fd04d68686868686868686868686868686868686868686868686868686868', 1547795937, 1547793171),
      524364351,
    );
    assert.equal(
      run('0080800000000000000000000000000000000000000000000000000000000000', 1547748481, 1547747148),
      527511111,
    );
  });

  test('median time past picks the middle of the sorted times', () => {
    assert.equal(medianTime([5, 1, 3]), 3);
    assert.equal(medianTime([4, 1, 3, 2]), 3);
    assert.equal(medianTime([7]), 7);
    assert.throws(() => medianTime([]), RangeError);
  });
});

describe('LWMA properties (window 60, solve times clamped to [−FTL, 6T], weighted sum ≥ k/10)', () => {
  const n = mainnet.difficulty.lwma.window;
  const t = mainnet.difficulty.targetSpacing;
  const k = BigInt((n * (n + 1) * t) / 2);
  const bits = 0x1c0fffff;
  const target = bitsToTarget(bits);
  const run = (spacing: (i: number) => number, p = mainnet) =>
    lwmaNextTarget(
      chain(1000, n + 1, bits, spacing).map(({ time, bits }) => ({ time, bits })),
      p,
    );

  test('blocks at the target spacing keep the target (up to integer rounding)', () => {
    const next = run(() => t);
    assert.ok(next <= target && target - next < k * BigInt(n));
  });

  test('faster blocks lower the target, never below a tenth', () => {
    const half = run(() => t / 2);
    assert.ok(half < target && half > target / 2n - k * BigInt(n) && half <= target / 2n);
    const instant = run(() => 0);
    const tenth = run(() => -10_000);
    assert.equal(instant, tenth);
    assert.ok(instant <= target / 10n + 1n && instant > target / 10n - k * BigInt(n));
  });

  test('slower blocks raise the target, at most six-fold', () => {
    const slow = run(() => 10 * t);
    assert.ok(slow > 5n * target && slow <= 6n * target);
    assert.equal(
      run(() => 1_000_000),
      slow,
    );
  });

  test('any solve times keep the target within [T/10, 6T] of the constant one', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -2000, max: 5000 }), { minLength: n, maxLength: n }),
        (times) => {
          const next = run((i) => at(times, i - 1));
          assert.ok(next >= target / 10n - k * BigInt(n) && next <= 6n * target);
        },
      ),
      { numRuns: 200 },
    );
  });

  test('the result never exceeds powLimit (fluxd caps LWMA v1 too)', () => {
    const easy = targetToBits(mainnet.difficulty.powLimit);
    const slow = lwmaNextTarget(
      chain(200_000, n + 1, easy, () => 1000).map(({ time, bits }) => ({ time, bits })),
      mainnet,
    );
    assert.equal(slow, mainnet.difficulty.powLimit);
  });

  test('needs exactly N+1 headers', () => {
    assert.throws(() => lwmaNextTarget([], mainnet), RangeError);
  });
});

describe('nextWorkRequired', () => {
  const powLimitBits = targetToBits(mainnet.difficulty.powLimit);
  const need = headersNeededForNextWork(mainnet);

  test('genesis and a chain shorter than the averaging window get powLimit', () => {
    assert.equal(nextWorkRequired([], undefined, mainnet), 0x1f07ffff);
    assert.equal(
      nextWorkRequired(
        chain(16, 17, 0x1d00ffff, () => 1),
        undefined,
        mainnet,
      ),
      powLimitBits,
    );
    assert.notEqual(
      nextWorkRequired(
        chain(17, 18, 0x1d00ffff, () => 120),
        undefined,
        mainnet,
      ),
      powLimitBits,
    );
  });

  test('Digishield before LWMA: steady blocks keep the target', () => {
    const headers = chain(100_000, need, 0x1c0fffff, () => 120);
    const next = bitsToTarget(nextWorkRequired(headers, undefined, mainnet));
    const target = bitsToTarget(0x1c0fffff);
    assert.ok(next <= target && next > (target * 999n) / 1000n);
  });

  test('Digishield: faster blocks raise difficulty by at most the 16 % bound', () => {
    const target = bitsToTarget(0x1c0fffff);
    const fast = bitsToTarget(
      nextWorkRequired(
        chain(100_000, need, 0x1c0fffff, () => 1),
        undefined,
        mainnet,
      ),
    );
    assert.ok(fast < target);
    // 84 % of the window's 2,040 s is 1,713.6 s, which fluxd's integer math floors to 1,713 s
    // (compact bits keep 23 bits of mantissa: allow that much rounding)
    assert.ok(fast >= (target * 1713n) / 2040n - (target >> 15n) && fast * 100n < target * 84n);
    const slow = bitsToTarget(
      nextWorkRequired(
        chain(100_000, need, 0x1c0fffff, () => 10_000),
        undefined,
        mainnet,
      ),
    );
    assert.ok(slow > target && slow <= (target * 132n) / 100n);
  });

  test('the algorithm switches to LWMA at the LWMA height', () => {
    const lwmaAt = mainnet.upgrades.lwma.activationHeight!;
    // irregular times, so the two algorithms disagree
    const spacing = (i: number) => (i % 7 === 0 ? 600 : 40);
    const before = chain(lwmaAt - 2, need, 0x1c0fffff, spacing);
    const atSwitch = chain(lwmaAt - 1, need, 0x1c0fffff, spacing);
    const lwma = targetToBits(
      lwmaNextTarget(
        atSwitch.slice(-61).map(({ time, bits }) => ({ time, bits })),
        mainnet,
      ),
    );
    assert.equal(nextWorkRequired(atSwitch, undefined, mainnet), lwma);
    const beforeLwma = targetToBits(
      lwmaNextTarget(
        before.slice(-61).map(({ time, bits }) => ({ time, bits })),
        mainnet,
      ),
    );
    assert.notEqual(nextWorkRequired(before, undefined, mainnet), beforeLwma);
  });

  test('61 blocks at powLimit after the switch to Equihash 144,5', () => {
    const reset = mainnet.difficulty.resetAfterEquihashSwitch!;
    for (const nextHeight of [reset.firstHeight, reset.firstHeight + reset.blocks - 1]) {
      assert.equal(
        nextWorkRequired(
          chain(nextHeight - 1, need, 0x1c0fffff, () => 120),
          undefined,
          mainnet,
        ),
        powLimitBits,
      );
    }
    for (const nextHeight of [reset.firstHeight - 1, reset.firstHeight + reset.blocks]) {
      assert.notEqual(
        nextWorkRequired(
          chain(nextHeight - 1, need, 0x1c0fffff, () => 120),
          undefined,
          mainnet,
        ),
        powLimitBits,
      );
    }
  });

  test('testnet allows a min-difficulty block after 2 spacings without one; mainnet never does', () => {
    const headers = chain(5_000, need, 0x1f00ffff, () => 15);
    const tip = at(headers, headers.length - 1);
    const limit = targetToBits(testnet.difficulty.powLimit);
    assert.equal(nextWorkRequired(headers, tip.time + 2 * 15 + 1, testnet), limit);
    assert.notEqual(nextWorkRequired(headers, tip.time + 2 * 15, testnet), limit);
    assert.notEqual(nextWorkRequired(headers, undefined, testnet), limit);
    const main = chain(500_000, need, 0x1c0fffff, () => 120);
    assert.equal(
      nextWorkRequired(main, at(main, main.length - 1).time + 10 ** 6, mainnet),
      nextWorkRequired(main, undefined, mainnet),
    );
  });

  test('a young devnet mines at powLimit until LWMA has a full window', () => {
    const limit = targetToBits(devnet.difficulty.powLimit);
    assert.equal(
      nextWorkRequired(
        chain(60, 61, limit, () => 3),
        undefined,
        devnet,
      ),
      limit,
    );
    const fast = nextWorkRequired(
      chain(61, 62, limit, () => 0),
      undefined,
      devnet,
    );
    assert.ok(bitsToTarget(fast) < devnet.difficulty.powLimit);
  });

  test('headers must be consecutive and reach back far enough', () => {
    const headers = chain(100_000, need, 0x1c0fffff, () => 120);
    assert.throws(
      () => nextWorkRequired(headers.slice(-10), undefined, mainnet),
      /needs the header at height/,
    );
    const gap = [...headers.slice(0, 5), ...headers.slice(6)];
    assert.throws(() => nextWorkRequired(gap, undefined, mainnet), /consecutive/);
    assert.equal(need, 61);
  });
});

test('a no-retargeting network (devnet) stays at powLimit however fast blocks come', () => {
  const devnet = paramsFor('devnet');
  const fast = Array.from({ length: 61 }, (_, i) => ({
    height: 1000 + i,
    time: 1_700_000_000 + i,
    bits: targetToBits(devnet.difficulty.powLimit),
  }));
  assert.equal(nextWorkRequired(fast, 1_700_000_061, devnet), targetToBits(devnet.difficulty.powLimit));
  // The same series on a retargeting profile would tighten the target.
  const retargeting = { ...devnet, difficulty: { ...devnet.difficulty, noRetargeting: false } };
  assert.notEqual(
    nextWorkRequired(fast, 1_700_000_061, retargeting),
    targetToBits(devnet.difficulty.powLimit),
  );
});
