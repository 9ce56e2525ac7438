/**
 * Difficulty and time rules against fluxd v6.0.0, era by era. The oracle below is fluxd's
 * GetNextWorkRequired written down again from its rules (pow.cpp, chainparams.cpp), on plain
 * 256-bit wrapping arithmetic, independent of src/consensus/difficulty: it walks "pindexLast" and
 * its ancestors exactly as fluxd does. Each boundary of each era is checked on several block-time
 * series (steady, fast, slow, out of order), and the fixed windows also against values worked
 * out by hand here.
 *
 * fluxd's rules, as the oracle applies them (L = the parent's height, H = L + 1):
 *  1. no parent → powLimit.
 *  2. e1 = 144,5 activation + fade − 1; e1 ≤ L ≤ e1 + 60 → powLimit (61 blocks).
 *  3. e2 = Kamiooka + fade − 1; e2 ≤ L ≤ e2 + 63 → t = LWMA3 (via compact), t += (t >> 5) ·
 *     uint32(e2 + 61 − L), mod 2²⁵⁶; capped at powLimit.
 *  4. testnet (min-difficulty after 0): the new block's time > parent's + 2·T → powLimit.
 *  5. fewer than 17 blocks before the parent (L < 17) → powLimit.
 *  6. H < LWMA → Digishield; H < Acadia → LWMA v1 (capped at powLimit); else LWMA3.
 * Future-time limit: 2 h while the tip (the parent) is below the LWMA height, then 360 s.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { maxFutureBlockTime } from '../../../src/consensus/difficulty/future-time.ts';
import { nextWork, nextWorkRequired, type WorkHeader } from '../../../src/consensus/difficulty/next-work.ts';
import { paramsFor } from '../../../src/consensus/params/index.ts';
import { at } from '../../support/at.ts';

const U256 = 1n << 256n;
const wrap = (x: bigint): bigint => ((x % U256) + U256) % U256;

/** arith_uint256::SetCompact, sign and overflow ignored. */
function setCompact(c: number): bigint {
  const size = c >>> 24;
  const word = c & 0x007fffff;
  if (size <= 3) return BigInt(word >>> (8 * (3 - size)));
  return wrap(BigInt(word) << BigInt(8 * (size - 3)));
}

/** arith_uint256::GetCompact for a non-negative number. */
function getCompact(x: bigint): number {
  let size = 0;
  while (x >> BigInt(8 * size) > 0n) size++;
  let compact = size <= 3 ? x << BigInt(8 * (3 - size)) : x >> BigInt(8 * (size - 3));
  if (compact & 0x00800000n) {
    compact >>= 8n;
    size++;
  }
  return (Number(compact) | (size << 24)) >>> 0;
}

interface Net {
  powLimit: bigint;
  T: number;
  lwma: number;
  acadia: number;
  e1: number;
  e2: number;
  minDiff: boolean;
}

// chainparams.cpp (v6.0.0): mainnet fade 11, testnet fade 10.
const MAIN: Net = {
  powLimit: 0x0007ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffn,
  T: 120,
  lwma: 125_000,
  acadia: 250_000,
  e1: 125_100 + 11 - 1,
  e2: 372_500 + 11 - 1,
  minDiff: false,
};
const TEST: Net = {
  powLimit: 0x0effffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffn,
  T: 15,
  lwma: 70,
  acadia: 210,
  e1: 140 + 10 - 1,
  e2: 280 + 10 - 1,
  minDiff: true,
};

type Chain = Map<number, WorkHeader>;
const get = (c: Chain, h: number): WorkHeader => {
  const x = c.get(h);
  if (!x) throw new Error(`oracle chain lacks height ${h}`);
  return x;
};

function medianTimePast(c: Chain, h: number): number {
  const times: number[] = [];
  for (let i = h; i > h - 11 && c.has(i); i--) times.push(get(c, i).time);
  times.sort((a, b) => a - b);
  return at(times, Math.floor(times.length / 2));
}

function digishield(net: Net, c: Chain, last: number): number {
  let total = 0n;
  for (let i = 0; i < 17; i++) total += setCompact(get(c, last - i).bits);
  const avg = total / 17n;
  const span = 17n * BigInt(net.T);
  let actual = BigInt(medianTimePast(c, last) - medianTimePast(c, last - 17));
  actual = span + (actual - span) / 4n; // C++ division truncates toward zero, as BigInt's does
  const lo = (span * 84n) / 100n;
  const hi = (span * 132n) / 100n;
  if (actual < lo) actual = lo;
  if (actual > hi) actual = hi;
  let next = (avg / span) * actual;
  if (next > net.powLimit) next = net.powLimit;
  return getCompact(next);
}

function lwmaV1(net: Net, c: Chain, last: number): number {
  const N = 60;
  const k = (N * (N + 1) * net.T) / 2;
  let t = 0;
  let sum = 0n;
  for (let i = last - N + 1, j = 1; i <= last; i++, j++) {
    const st = Math.max(-360, Math.min(get(c, i).time - get(c, i - 1).time, 6 * net.T));
    t += st * j;
    sum += setCompact(get(c, i).bits) / BigInt(k * N);
  }
  if (t < Math.trunc(k / 10)) t = Math.trunc(k / 10);
  let next = wrap(BigInt(t) * sum);
  if (next > net.powLimit) next = net.powLimit;
  return getCompact(next);
}

function lwma3(net: Net, c: Chain, last: number): number {
  const N = 60;
  const k = (N * (N + 1) * net.T) / 2;
  if (last < N) return getCompact(net.powLimit);
  let prevTs = get(c, last - N).time;
  let t = 0;
  let sum = 0n;
  let prevTarget = 0n;
  for (let i = last - N + 1, j = 1; i <= last; i++, j++) {
    const own = get(c, i).time;
    const ts = own > prevTs ? own : prevTs + 1;
    t += Math.min(6 * net.T, ts - prevTs) * j;
    prevTs = ts;
    sum += setCompact(get(c, i).bits) / BigInt(k * N);
    if (i === last) prevTarget = setCompact(get(c, i).bits);
  }
  let next = wrap(BigInt(t) * sum);
  if (next > wrap(prevTarget * 150n) / 100n) next = wrap(prevTarget * 150n) / 100n;
  if (wrap(prevTarget * 67n) / 100n > next) next = wrap(prevTarget * 67n) / 100n;
  if (next > net.powLimit) next = net.powLimit;
  return getCompact(next);
}

function oracle(net: Net, c: Chain, last: number | null, blockTime?: number): number {
  const limit = getCompact(net.powLimit);
  if (last === null) return limit;
  if (last > net.e1 - 1 && last < net.e1 + 61) return limit;
  if (last > net.e2 - 1 && last < net.e2 + 64) {
    let full = setCompact(lwma3(net, c, last));
    const multiplier = (net.e2 + 61 - last) >>> 0; // unsigned long truncated to uint32_t by operator*=
    full = wrap(full + wrap((full >> 5n) * BigInt(multiplier)));
    if (full > net.powLimit) full = net.powLimit;
    return getCompact(full);
  }
  if (net.minDiff && blockTime !== undefined && blockTime > get(c, last).time + net.T * 2) return limit;
  if (last - 17 < 0) return limit;
  const h = last + 1;
  if (h < net.lwma) return digishield(net, c, last);
  if (h < net.acadia) return lwmaV1(net, c, last);
  return lwma3(net, c, last);
}

/** Block-time series: each returns the seconds between block i−1 and block i. */
const SERIES = {
  steady: (_i, T) => T,
  fast: (i, T) => (i % 3 === 0 ? 1 : Math.floor(T / 3)),
  slow: (i, T) => T * (4 + (i % 5)),
  // times running backwards now and then (fluxd's v1 clamps to −360, LWMA3 forces +1)
  unordered: (i, T) => (i % 7 === 0 ? -500 : i % 4 === 0 ? 9 * T : T),
} satisfies Record<string, (i: number, T: number) => number>;

/** `count` headers ending at `last`, bits wandering so averages are not trivial. */
function makeChain(
  last: number,
  count: number,
  series: (i: number, T: number) => number,
  net: Net,
  bits: number,
) {
  const headers: WorkHeader[] = [];
  let time = 1_600_000_000;
  const first = Math.max(0, last - count + 1);
  for (let h = first; h <= last; h++) {
    if (h > first) time += series(h, net.T);
    const b = getCompact(setCompact(bits) + (setCompact(bits) / 1000n) * BigInt(h % 13));
    headers.push({ height: h, time, bits: b });
  }
  return headers;
}

const mainnet = paramsFor('mainnet');
const testnet = paramsFor('testnet');

function agree(
  net: Net,
  params: typeof mainnet,
  next: number,
  bits: number,
  when?: (tipTime: number) => number,
) {
  for (const [name, series] of Object.entries(SERIES)) {
    const headers = makeChain(next - 1, 120, series, net, bits);
    const c: Chain = new Map(headers.map((h) => [h.height, h]));
    const tipTime = at(headers, headers.length - 1).time;
    const time = when?.(tipTime);
    assert.equal(
      nextWorkRequired(headers, time, params).toString(16),
      oracle(net, c, next - 1, time).toString(16),
      `block ${next}, ${name} series`,
    );
  }
}

describe('mainnet: each era boundary agrees with fluxd’s rules', () => {
  const bits = 0x1c0a5f2e;
  const boundaries = [
    // Digishield → LWMA v1 at 125,000
    124_999, 125_000, 125_001,
    // the 144,5 reset: 125,111 … 125,171 at powLimit
    125_110, 125_111, 125_140, 125_171, 125_172, 125_173,
    // LWMA v1 → LWMA3 at Acadia 250,000
    249_999, 250_000, 250_001,
    // the ZelHash ramp 372,511 … 372,574, its last two blocks wrapping
    372_510, 372_511, 372_512, 372_540, 372_571, 372_572, 372_573, 372_574, 372_575, 372_576,
    // later LWMA3 eras
    558_000, 1_076_532,
  ];
  for (const next of boundaries) {
    test(`block ${next.toLocaleString('en')}`, () => agree(MAIN, mainnet, next, bits));
  }
  test('a new block time changes nothing on mainnet (no min-difficulty rule)', () => {
    agree(MAIN, mainnet, 300_000, bits, (t) => t + 10_000);
  });
});

describe('testnet: each era boundary and the min-difficulty gap agree with fluxd’s rules', () => {
  const bits = 0x1e0ffff0;
  const boundaries = [
    17, 18, 69, 70, 71, 149, 150, 180, 210, 211, 212, 289, 290, 291, 351, 352, 353, 354, 355, 500,
  ];
  for (const next of boundaries) {
    test(`block ${next}`, () => {
      agree(TEST, testnet, next, bits);
      agree(TEST, testnet, next, bits, (t) => t + 30);
      agree(TEST, testnet, next, bits, (t) => t + 31);
    });
  }
});

describe('the fixed windows, worked out by hand', () => {
  const limit = 0x1f07ffff;
  test('the 61 blocks 125,111–125,171 get powLimit, the blocks around them do not', () => {
    for (const next of [125_111, 125_171]) {
      const headers = makeChain(next - 1, 61, SERIES.steady, MAIN, 0x1c0a5f2e);
      assert.deepEqual(nextWork(headers, undefined, mainnet), { bits: limit, rule: 'equihash-switch-reset' });
    }
    for (const next of [125_110, 125_172]) {
      const headers = makeChain(next - 1, 61, SERIES.steady, MAIN, 0x1c0a5f2e);
      assert.notEqual(nextWorkRequired(headers, undefined, mainnet), limit);
    }
  });

  /** 61 headers at one target, exactly T apart, ending just before `next`. */
  const steady = (next: number, bits: number) =>
    Array.from({ length: 61 }, (_, i) => ({ height: next - 61 + i, time: 1_600_000_000 + i * 120, bits }));
  // With every solve time T the weighted sum is k, so LWMA3 gives k·N·⌊target/(k·N)⌋ (summing 60
  // truncated shares): the target less its remainder mod k·N = 60·61·120/2·60 = 13,176,000.
  const lwma3Steady = (bits: number) => {
    const target = setCompact(bits);
    return setCompact(getCompact(target - (target % 13_176_000n)));
  };

  test('the ramp adds 61/32 of the LWMA3 target at 372,511 and nothing at 372,572', () => {
    const full = lwma3Steady(0x1c0a5f00);
    const first = nextWork(steady(372_511, 0x1c0a5f00), undefined, mainnet);
    assert.equal(first.rule, 'zelhash-ramp');
    assert.equal(first.bits, getCompact(full + (full >> 5n) * 61n));
    assert.equal(
      nextWorkRequired(steady(372_540, 0x1c0a5f00), undefined, mainnet),
      getCompact(full + (full >> 5n) * 32n),
    );
    assert.equal(nextWorkRequired(steady(372_572, 0x1c0a5f00), undefined, mainnet), getCompact(full));
    // Past the window plain LWMA3 again.
    assert.deepEqual(nextWork(steady(372_575, 0x1c0a5f00), undefined, mainnet), {
      bits: getCompact(full),
      rule: 'lwma3',
    });
  });

  test('at 372,573 and 372,574 the step count wraps to 2³²−1 and 2³²−2 (fluxd’s uint32 multiply)', () => {
    // Steady at bits 0x1f01a221: LWMA3 gives mantissa m = 0x01a220 (truncated), target m·2²²⁴.
    // The step is m·2²¹⁹ (m is a multiple of 32); times 2³²−1 that is m·2²⁵¹ − m·2²¹⁹, and m·2²⁵¹
    // = (m/32)·2²⁵⁶ wraps to 0: the block needs 31/32 of the target (harder, not easier), then 30/32.
    assert.equal(lwma3Steady(0x1f01a221), 0x01a220n << 224n);
    assert.equal(nextWorkRequired(steady(372_573, 0x1f01a221), undefined, mainnet), 0x1f01950f);
    assert.equal(nextWorkRequired(steady(372_574, 0x1f01a221), undefined, mainnet), 0x1f0187fe);
    // A smaller target does not wrap: 2²²⁰ + (2²⁴⁷ − 2²¹⁵) is above powLimit, which caps it.
    assert.equal(nextWorkRequired(steady(372_573, 0x1c100001), undefined, mainnet), limit);
  });

  test('testnet: more than 2 spacings (30 s) after the parent allows powLimit, exactly 30 s does not', () => {
    const headers = makeChain(499, 120, SERIES.steady, TEST, 0x1e0ffff0);
    const tip = at(headers, headers.length - 1).time;
    assert.deepEqual(nextWork(headers, tip + 31, testnet), { bits: 0x200effff, rule: 'min-difficulty' });
    assert.notEqual(nextWorkRequired(headers, tip + 30, testnet), 0x200effff);
    // Without a new block (fluxd called with none) the rule does not apply.
    assert.equal(nextWorkRequired(headers, undefined, testnet), nextWorkRequired(headers, tip + 30, testnet));
  });

  test('the ramp comes before testnet’s min-difficulty rule', () => {
    const headers = makeChain(299, 120, SERIES.steady, TEST, 0x1e0ffff0);
    const tip = at(headers, headers.length - 1).time;
    assert.equal(nextWork(headers, tip + 10_000, testnet).rule, 'zelhash-ramp');
  });
});

describe('LWMA v1 is capped at powLimit and LWMA3 holds each step to 0.67–1.5×', () => {
  test('very slow blocks at powLimit stay at powLimit under LWMA v1 (block 200,000)', () => {
    const headers = makeChain(199_999, 61, (_i, T) => 6 * T, MAIN, 0x1f07ffff);
    assert.deepEqual(nextWork(headers, undefined, mainnet), { bits: 0x1f07ffff, rule: 'lwma' });
  });
  test('LWMA3: instant blocks lower the target to 67 %, very slow ones raise it to 150 %', () => {
    const bits = 0x1c0a0000;
    const target = setCompact(bits);
    const run = (gap: number) =>
      nextWork(
        Array.from({ length: 61 }, (_, i) => ({ height: 299_939 + i, time: 1_600_000_000 + i * gap, bits })),
        undefined,
        mainnet,
      );
    assert.deepEqual(run(0), { bits: getCompact((target * 67n) / 100n), rule: 'lwma3' });
    assert.deepEqual(run(10_000), { bits: getCompact((target * 150n) / 100n), rule: 'lwma3' });
  });
});

describe('future-time limit', () => {
  test('mainnet: 2 h while the parent is below 125,000, 360 s from then on', () => {
    assert.equal(maxFutureBlockTime(124_000, mainnet), 7200);
    assert.equal(maxFutureBlockTime(125_000, mainnet), 7200);
    assert.equal(maxFutureBlockTime(125_001, mainnet), 360);
    assert.equal(maxFutureBlockTime(1_500_000, mainnet), 360);
  });
  test('testnet: 2 h up to block 70, 360 s from 71', () => {
    assert.equal(maxFutureBlockTime(70, testnet), 7200);
    assert.equal(maxFutureBlockTime(71, testnet), 360);
  });
});
