/**
 * `fluxnode block verify` on Flux's mainnet genesis block (the reference vector is the oracle for
 * the hash and merkle root): valid as a block and as a bare header; one flipped bit in the nonce,
 * the solution, the header's time or a transaction makes it invalid with a reason; input that is
 * not a block or header exits 2.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { checkPow, decodeBlockOrHeader, register } from '../../../src/cli/commands/block.ts';
import { CliError } from '../../../src/cli/output.ts';
import { paramsFor } from '../../../src/consensus/params/index.ts';
import { mainnetGenesisVector } from '../../support/reference.ts';
import { parseInProcess, runCli } from '../../support/cli-harness.ts';

const genesis = mainnetGenesisVector();
const mainnet = paramsFor('mainnet');
const dir = mkdtempSync(join(tmpdir(), 'fluxnode-block-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// Header layout: version 4, prev 32, merkle 32, sapling root 32, time 4, bits 4, nonce 32, then
// the solution's compact size (3 bytes for 1344) and the solution.
const TIME_OFFSET = 100;
const NONCE_OFFSET = 108;
const SOLUTION_OFFSET = 143;
const HEADER_BYTES = SOLUTION_OFFSET + 1344;

function flipBit(hex: string, byte: number): string {
  const b = Number.parseInt(hex.slice(byte * 2, byte * 2 + 2), 16) ^ 0x01;
  return hex.slice(0, byte * 2) + b.toString(16).padStart(2, '0') + hex.slice(byte * 2 + 2);
}

function verify(args: string[], input?: string) {
  return runCli(['block', 'verify', ...args], { input });
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

test('the vector is laid out as the offsets here assume', () => {
  assert.equal(genesis.headerHex.length / 2, HEADER_BYTES);
  assert.equal(genesis.blockHex.slice(0, HEADER_BYTES * 2), genesis.headerHex);
  assert.equal(
    genesis.headerHex.slice(NONCE_OFFSET * 2, NONCE_OFFSET * 2 + 64),
    genesis.nonce.match(/../g)!.reverse().join(''),
  );
});

test('the CLI: genesis block exits 0, bare header from stdin exits 0, flipped nonce exits 1, garbage exits 2', async () => {
  const [block, header, flipped, garbage] = await Promise.all([
    verify(['--network', 'mainnet', file('genesis-block.hex', `${genesis.blockHex}\n`)]),
    verify(['--network', 'mainnet', '-'], genesis.headerHex),
    verify(['--network', 'mainnet', file('flip-nonce.hex', flipBit(genesis.blockHex, NONCE_OFFSET + 5))]),
    verify(['--network', 'mainnet', file('garbage.hex', 'zz-not-a-block')]),
  ]);
  assert.equal(block.status, 0, block.stderr);
  const b = JSON.parse(block.stdout);
  assert.equal(b.hash, genesis.hash);
  assert.equal(b.merkleRoot, genesis.merkleRoot);
  assert.equal(b.pow, 'valid');
  assert.equal(b.reason, null);
  assert.equal(b.kind, 'block');
  assert.equal(b.equihash, `${genesis.equihash.n},${genesis.equihash.k}`);

  assert.equal(header.status, 0, header.stderr);
  const h = JSON.parse(header.stdout);
  assert.deepEqual(
    [h.kind, h.hash, h.merkleRoot, h.pow],
    ['header', genesis.hash, genesis.merkleRoot, 'valid'],
  );

  assert.equal(flipped.status, 1, flipped.stderr);
  const f = JSON.parse(flipped.stdout);
  assert.equal(f.pow, 'invalid');
  assert.match(f.reason, /bad-solution/);
  assert.notEqual(f.hash, genesis.hash);

  assert.equal(garbage.status, 2);
  assert.match(garbage.stderr, /not hex/);
  assert.equal(garbage.stdout, '');
});

test('one flipped bit in the nonce, the solution or the time breaks the proof of work', () => {
  for (const [what, byte] of [
    ['nonce', NONCE_OFFSET + 5],
    ['solution', SOLUTION_OFFSET + 700],
    ['time', TIME_OFFSET],
  ] as const) {
    const report = checkPow(decodeBlockOrHeader(flipBit(genesis.blockHex, byte)), mainnet);
    assert.equal(report.pow, 'invalid', what);
    assert.match(report.reason!, /bad-solution/, what);
    assert.notEqual(report.hash, genesis.hash, what);
    assert.equal(report.merkleRoot, genesis.merkleRoot, what);
  }
});

test('a flipped bit in a transaction leaves the header valid but breaks the merkle root', () => {
  const report = checkPow(decodeBlockOrHeader(flipBit(genesis.blockHex, HEADER_BYTES + 60)), mainnet);
  assert.equal(report.hash, genesis.hash);
  assert.equal(report.pow, 'invalid');
  assert.match(report.reason!, /^bad-txnmrklroot: /);
  assert.doesNotMatch(report.reason!, /bad-solution|high-hash/);
  // The header's merkle root flipped instead: the solution no longer fits the header either.
  const merkleFlip = checkPow(decodeBlockOrHeader(flipBit(genesis.blockHex, 36)), mainnet);
  assert.equal(merkleFlip.pow, 'invalid');
  assert.match(merkleFlip.reason!, /bad-solution/);
  assert.match(merkleFlip.reason!, /bad-txnmrklroot/);
});

test('--height picks the Equihash parameters: the 200,9 solution does not fit ZelHash heights', () => {
  const report = checkPow(decodeBlockOrHeader(genesis.headerHex), mainnet, 400_000);
  assert.equal(report.pow, 'invalid');
  assert.equal(report.equihash, null);
  assert.match(report.reason!, /1344 bytes/);
  // Heights of the 200,9 epoch accept it.
  assert.equal(checkPow(decodeBlockOrHeader(genesis.headerHex), mainnet, 1000).pow, 'valid');
});

test('--height honours the checkpoint there: genesis matches 0 and is checkpoint-mismatch at 5,500', async () => {
  const at0 = checkPow(decodeBlockOrHeader(genesis.blockHex), mainnet, 0);
  assert.equal(at0.checkpoint, 'match');
  assert.equal(at0.pow, 'valid');
  // 5,500 is a 200,9 height, so only the checkpoint can fail the block there.
  const r = await verify(['--network', 'mainnet', '--height', '5500', file('cp.hex', genesis.blockHex)]);
  assert.equal(r.status, 1);
  const report = JSON.parse(r.stdout) as { checkpoint: string; reason: string };
  assert.equal(report.checkpoint, 'mismatch');
  assert.match(
    report.reason,
    /^checkpoint-mismatch: .*0000000e7724f8bace09dd762657169c10622af4a6a8e959152cd00b9119848e/,
  );
  // No checkpoint at 1,000 and none when the height is only inferred.
  assert.equal(checkPow(decodeBlockOrHeader(genesis.blockHex), mainnet, 1000).checkpoint, null);
  assert.equal(checkPow(decodeBlockOrHeader(genesis.blockHex), mainnet).checkpoint, null);
});

test('input that is not a block or header, or bad flags, exit 2 and say why', async () => {
  const cases: [string, RegExp][] = [
    ['not hex at all', /not hex/],
    ['', /empty/],
    [genesis.headerHex.slice(0, 200), /neither a block .* nor a header/],
    [`${genesis.headerHex}00ff`, /neither a block .* nor a header/],
  ];
  for (const [text, why] of cases) {
    assert.throws(
      () => decodeBlockOrHeader(text),
      (err) => err instanceof CliError && err.exitCode === 2 && why.test(err.message),
    );
  }
  const flagCases: [string[], RegExp][] = [
    [[join(dir, 'no-such-file.hex')], /cannot read/],
    [['--network', 'moonnet', file('g.hex', genesis.blockHex)], /unknown network "moonnet"/],
    [['--height', 'abc', file('g2.hex', genesis.blockHex)], /--height must be a whole number/],
  ];
  for (const [args, why] of flagCases)
    await assert.rejects(
      parseInProcess(register, ['block', 'verify', ...args]),
      (err) => err instanceof CliError && err.exitCode === 2 && why.test(err.message),
    );
});
