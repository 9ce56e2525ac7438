/**
 * `fluxnode pow next-work`: JSON in on stdin, JSON out, exit 0; bad input exits 2 with a message
 * naming the field. The values themselves are checked against fluxd's rules in
 * test/spec/consensus/difficulty-fluxd.test.ts; here the command must give the same answer.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { nextWork } from '../../../src/consensus/difficulty/next-work.ts';
import { paramsFor } from '../../../src/consensus/params/index.ts';
import { at } from '../../support/at.ts';

const BIN = new URL('../../../bin/fluxnode.js', import.meta.url).pathname;

function nextWorkCli(network: string, input: string) {
  const r = spawnSync(process.execPath, [BIN, 'pow', 'next-work', '--network', network], {
    input,
    encoding: 'utf8',
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `count` headers ending at `last`, 120 s apart but for a slow block every 9th. */
function headers(last: number, count: number, bits = '1c0a5f2e') {
  return Array.from({ length: count }, (_, i) => ({
    height: last - count + 1 + i,
    time: 1_600_000_000 + i * 120 + (i % 9 === 0 ? 400 : 0),
    bits,
  }));
}

test('answers the bits of the next mainnet block as nextWork computes them, with the rule and target', () => {
  for (const height of [100_000, 125_111, 200_000, 372_511, 372_573, 900_000]) {
    const hs = headers(height - 1, 61);
    const r = nextWorkCli('mainnet', JSON.stringify({ height, headers: hs }));
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { bits: string; target: string; rule: string; height: number };
    const want = nextWork(
      hs.map((h) => ({ ...h, bits: Number.parseInt(h.bits, 16) })),
      undefined,
      paramsFor('mainnet'),
    );
    assert.equal(out.bits, want.bits.toString(16).padStart(8, '0'), `height ${height}`);
    assert.equal(out.rule, want.rule);
    assert.equal(out.height, height);
    assert.match(out.target, /^[0-9a-f]{64}$/);
  }
});

test('testnet reads the optional new block time: more than 30 s after the parent gives powLimit', () => {
  const hs = headers(499, 61, '1e0ffff0');
  const tip = at(hs, hs.length - 1).time;
  const late = JSON.parse(
    nextWorkCli('testnet', JSON.stringify({ height: 500, headers: hs, time: tip + 31 })).stdout,
  );
  assert.deepEqual([late.bits, late.rule], ['200effff', 'min-difficulty']);
  const none = JSON.parse(nextWorkCli('testnet', JSON.stringify({ height: 500, headers: hs })).stdout);
  assert.notEqual(none.rule, 'min-difficulty');
});

test('the genesis block needs no headers', () => {
  const r = nextWorkCli('mainnet', '{"height": 0, "headers": []}');
  assert.equal(r.status, 0);
  assert.equal(JSON.parse(r.stdout).bits, '1f07ffff');
});

test('bad input exits 2 and says what is wrong', () => {
  const cases: [string, string, RegExp][] = [
    ['mainnet', 'not json', /not JSON/],
    ['mainnet', '[]', /JSON object/],
    ['mainnet', '{"height": -1, "headers": []}', /height must be a whole number/],
    ['mainnet', '{"height": 5}', /headers must be an array/],
    ['mainnet', '{"height": 5, "headers": []}', /needs the headers before it/],
    ['mainnet', JSON.stringify({ height: 100, headers: headers(98, 61) }), /ending at height 99/],
    [
      'mainnet',
      JSON.stringify({ height: 100, headers: [{ height: 99, time: 1, bits: '1d4228c' }] }),
      /bits must be 8 hex/,
    ],
    [
      'mainnet',
      JSON.stringify({ height: 100, headers: [{ height: 99, time: 'x', bits: '1d4228ce' }] }),
      /time must/,
    ],
    [
      'mainnet',
      JSON.stringify({ height: 100_000, headers: headers(99_999, 10) }),
      /give at least the last 61 headers/,
    ],
    ['mainnet', JSON.stringify({ height: 100, headers: headers(99, 61), time: 1.5 }), /time must/],
    ['nosuchnet', '{"height": 0, "headers": []}', /unknown network/],
  ];
  for (const [network, input, message] of cases) {
    const r = nextWorkCli(network, input);
    assert.equal(r.status, 2, `${input}: ${r.stdout}`);
    assert.match(r.stderr, message, input);
    assert.equal(r.stdout, '');
  }
});
