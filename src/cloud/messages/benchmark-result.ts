/**
 * Benchmark result: what a node measured about itself (see cloud/benchmark), signed by its operator
 * key. Other nodes compare it with the minimums of the tier the registry gives that node; a node
 * whose result is unknown or below them gets no apps. Figures are whole numbers (rounded down).
 *
 * It also carries where the node says it is (its operator's `--geolocation`), so that every node
 * places apps with location rules from the same, signed facts.
 *
 * Body: node (string ≤ 128) | time (u64, ms) | cores (u32) | ramMB (u32) | diskGB (u32) |
 *       eps (u32, CPU events per second) | diskWriteMBps (u32) |
 *       location (string ≤ 40: "" when not declared, else "EU", "EU_DE" or "EU_DE_Hesse")
 */
import type { ByteReader, ByteWriter } from '../../consensus/index.ts';
import {
  checkU32,
  decodeSigned,
  encodeSigned,
  type OperatorKeyLookup,
  readSafe,
  readToken,
  type SignedMessage,
  verifyNodeSignature,
  writeSafe,
  writeToken,
} from './envelope.ts';
import { MessageFieldError } from './errors.ts';
import { NODE_ID_MAX } from './heartbeat.ts';
import { parseNodeLocation } from '../spec/geolocation.ts';

const LOCATION_MAX = 40;

export interface BenchmarkResult {
  node: string;
  time: number;
  cores: number;
  ramMB: number;
  diskGB: number;
  eps: number;
  diskWriteMBps: number;
  /** Where the node says it is (see spec/geolocation.ts); absent when it did not say. */
  location?: string;
}

const FIGURES = ['cores', 'ramMB', 'diskGB', 'eps', 'diskWriteMBps'] as const;

function writeBody(w: ByteWriter, b: BenchmarkResult): void {
  writeToken(w, 'node', b.node, NODE_ID_MAX);
  writeSafe(w, 'time', b.time);
  for (const f of FIGURES) w.u32(checkU32(f, b[f]));
  w.varString(checkLocation(b.location ?? ''));
}

/** '' (not declared) or a well-formed location. */
function checkLocation(text: string): string {
  if (text === '') return text;
  const parsed = parseNodeLocation(text);
  if (!parsed.ok || text.length > LOCATION_MAX) {
    throw new MessageFieldError(
      'location',
      text,
      parsed.ok ? `at most ${LOCATION_MAX} characters` : parsed.message,
    );
  }
  return text;
}

function readBody(r: ByteReader): BenchmarkResult {
  const node = readToken(r, 'node', NODE_ID_MAX);
  const time = readSafe(r, 'time');
  const out = { node, time } as BenchmarkResult;
  for (const f of FIGURES) out[f] = r.u32(f);
  const location = checkLocation(r.varString('location', LOCATION_MAX));
  if (location) out.location = location;
  return out;
}

export function encodeBenchmarkResult(b: BenchmarkResult, operatorPrivateKey: Uint8Array): Uint8Array {
  return encodeSigned('benchmark', (w) => writeBody(w, b), operatorPrivateKey);
}

export function decodeBenchmarkResult(bytes: Uint8Array): SignedMessage<BenchmarkResult> {
  return decodeSigned('benchmark', bytes, readBody);
}

export function verifyBenchmarkResult(bytes: Uint8Array, lookup: OperatorKeyLookup): BenchmarkResult {
  const msg = decodeBenchmarkResult(bytes);
  verifyNodeSignature('benchmark', msg, msg.body.node, lookup);
  return msg.body;
}
