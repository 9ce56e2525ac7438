/**
 * ECDSA verification on one core against its C reference, measured in interleaved rounds so a
 * busy machine slows every contender alike: a C loop over libsecp256k1 (bench/native/, built here
 * from the sources the `secp256k1` package bundles), the native addon through our backend, the
 * WebAssembly fallback, and consensus's `verifyDigest` (DER parse + low-S + backend) on each.
 * Without a C compiler or the addon, those rows say so instead of a figure.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { installEcdsaBackend } from '../src/chain/ecdsa-native.ts';
import { toHex } from '../src/consensus/bytes.ts';
import { type EcdsaBackend, useEcdsaBackend, WASM_ECDSA } from '../src/consensus/keys/ecdsa-backend.ts';
import { publicKeyOf, signDigest, signCompact, verifyDigest } from '../src/consensus/keys/keys.ts';
import { type Benchmark, figureRow as row, median } from './harness.ts';

const ROUNDS = 7;
const N = 3000;
const key = Uint8Array.from({ length: 32 }, (_, i) => (i * 37 + 11) & 0xff);
const digest = Uint8Array.from({ length: 32 }, (_, i) => (i * 91 + 5) & 0xff);
const pub = publicKeyOf(key);
const der = signDigest(digest, key);
const sig64 = signCompact(digest, key).subarray(1);

/** The defines the package's binding.gyp compiles libsecp256k1 with on x64 Linux/macOS. */
const DEFINES = [
  'ECMULT_GEN_PREC_BITS=4',
  'ECMULT_WINDOW_SIZE=15',
  'ENABLE_MODULE_ECDH=1',
  'ENABLE_MODULE_RECOVERY=1',
  'USE_ENDOMORPHISM=1',
  'USE_NUM_NONE=1',
  'USE_FIELD_INV_BUILTIN=1',
  'USE_SCALAR_INV_BUILTIN=1',
];
const X64 = ['HAVE___INT128=1', 'USE_ASM_X86_64=1', 'USE_FIELD_5X52=1', 'USE_SCALAR_4X64=1'];
const OTHER = ['USE_FIELD_10X26=1', 'USE_SCALAR_8X32=1'];

/** Build the C loop; a reason string when that is impossible here. */
function buildCLoop(dir: string): string | { reason: string } {
  let src: string;
  try {
    src = join(dirname(createRequire(import.meta.url).resolve('secp256k1/package.json')), 'src', 'secp256k1');
  } catch {
    return { reason: 'the secp256k1 package is not installed' };
  }
  const out = join(dir, 'ecdsa-verify');
  const defines = [...DEFINES, ...(process.arch === 'x64' ? X64 : OTHER)].map((d) => `-D${d}`);
  const cSource = new URL('./native/ecdsa-verify.c', import.meta.url).pathname;
  try {
    execFileSync(
      'cc',
      [
        '-O3',
        '-w',
        ...defines,
        `-I${src}`,
        `-I${join(src, 'src')}`,
        `-I${join(src, 'include')}`,
        cSource,
        join(src, 'src', 'secp256k1.c'),
        '-o',
        out,
      ],
      { stdio: 'pipe' },
    );
  } catch (err) {
    return { reason: `no C compiler could build it (${(err as Error).message.split('\n')[0]})` };
  }
  return out;
}

function cRound(binary: string): number {
  const [ok, seconds] = execFileSync(binary, [String(N), toHex(digest), toHex(sig64), toHex(pub)], {
    encoding: 'utf8',
  })
    .trim()
    .split(' ')
    .map(Number);
  if (ok !== N) throw new Error(`the C loop verified ${ok} of ${N}`);
  return N / (seconds as number);
}

function timed(fn: () => boolean): number {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) if (!fn()) throw new Error('a good signature did not verify');
  return N / (Number(process.hrtime.bigint() - t0) / 1e9);
}

type Row = 'c' | 'native' | 'wasm' | 'digestNative' | 'digestWasm';
let figures: Partial<Record<Row, number>> = {};
let missing: { c?: string; native?: string } = {};

function measure(): void {
  const dir = mkdtempSync(join(tmpdir(), 'fluxnode-ecdsa-'));
  try {
    const binary = buildCLoop(dir);
    const native: EcdsaBackend = installEcdsaBackend('');
    useEcdsaBackend(WASM_ECDSA);
    missing = {
      c: typeof binary === 'string' ? undefined : binary.reason,
      native: native.name === 'native' ? undefined : 'the secp256k1 addon did not load',
    };
    const rounds: Record<Row, number[]> = { c: [], native: [], wasm: [], digestNative: [], digestWasm: [] };
    for (let r = 0; r < ROUNDS; r++) {
      if (typeof binary === 'string') rounds.c.push(cRound(binary));
      if (!missing.native) {
        rounds.native.push(timed(() => native.verify(digest, pub, sig64)));
        useEcdsaBackend(native);
        rounds.digestNative.push(timed(() => verifyDigest(der, digest, pub)));
        useEcdsaBackend(WASM_ECDSA);
      }
      rounds.wasm.push(timed(() => WASM_ECDSA.verify(digest, pub, sig64)));
      rounds.digestWasm.push(timed(() => verifyDigest(der, digest, pub)));
    }
    figures = {};
    for (const [row, values] of Object.entries(rounds))
      if (values.length) figures[row as Row] = median(values);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    useEcdsaBackend(WASM_ECDSA);
  }
}

function figure(row: Row, need?: 'c' | 'native' | 'both'): number {
  const why = need === 'both' ? (missing.c ?? missing.native) : need ? missing[need] : undefined;
  if (why) throw new Error(`skipped: ${why}`);
  const value = figures[row];
  if (value === undefined) throw new Error(`no figure for ${row}`);
  return value;
}

export const benchmarks: Benchmark[] = [
  row(
    'ecdsa: C loop over libsecp256k1 (reference, 1 core)',
    'verify/s',
    'reference',
    () => figure('c', 'c'),
    measure,
  ),
  row('ecdsa: native addon verify (1 core)', 'verify/s', '≥ 0.8× C loop', () => figure('native', 'native')),
  row(
    'ecdsa: native addon ÷ C loop (same run)',
    '×',
    '≥ 0.8',
    () => figure('native', 'both') / figure('c', 'both'),
  ),
  row('ecdsa: WASM fallback verify (1 core)', 'verify/s', 'fallback', () => figure('wasm')),
  row('ecdsa: verifyDigest (DER) on native', 'verify/s', '', () => figure('digestNative', 'native')),
  row('ecdsa: verifyDigest (DER) on WASM', 'verify/s', '', () => figure('digestWasm')),
];
