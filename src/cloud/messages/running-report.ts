/**
 * Running report: what a node's Docker engine runs right now, signed by its operator key. Every
 * node keeps the newest report of every other node (highest `seq`), which is how anyone can answer
 * "where does app X run" without asking the hosts.
 *
 * Body: node (string ≤ 128) | seq (u64) | time (u64, ms) | count (compact size ≤ 1000) |
 *       count × [ app (string ≤ 64) | specHash (32 bytes) | component (string ≤ 64) | state (u8) |
 *                 port count (compact size ≤ 16) | ports (u16 each) ]
 * States are numbered in the order of RUNNING_STATES.
 */
import type { ByteReader, ByteWriter } from '../../consensus/index.ts';
import { MessageFieldError } from './errors.ts';
import {
  decodeSigned,
  encodeSigned,
  type OperatorKeyLookup,
  readHash32,
  readSafe,
  readToken,
  readU16,
  type SignedMessage,
  verifyNodeSignature,
  writeHash32,
  writeSafe,
  writeToken,
  writeU16,
} from './envelope.ts';
import { NODE_ID_MAX } from './heartbeat.ts';

/** Docker's container states, in the order their numbers are assigned (never reorder: it is the wire format). */
export const RUNNING_STATES = [
  'created',
  'running',
  'paused',
  'restarting',
  'removing',
  'exited',
  'dead',
] as const;
export type RunningState = (typeof RUNNING_STATES)[number];

export interface RunningApp {
  /** App name. */
  name: string;
  specHash: string;
  component: string;
  state: RunningState;
  /** Public ports the component is published on. */
  ports: number[];
}

export interface RunningReport {
  node: string;
  seq: number;
  time: number;
  apps: RunningApp[];
}

export const REPORT_MAX_ENTRIES = 1000;
const NAME_MAX = 64;
const PORTS_MAX = 16;

function writeBody(w: ByteWriter, rep: RunningReport): void {
  writeToken(w, 'node', rep.node, NODE_ID_MAX);
  writeSafe(w, 'seq', rep.seq);
  writeSafe(w, 'time', rep.time);
  if (!Array.isArray(rep.apps) || rep.apps.length > REPORT_MAX_ENTRIES)
    throw new MessageFieldError('apps', rep.apps?.length, `at most ${REPORT_MAX_ENTRIES} entries`);
  w.compactSize(rep.apps.length);
  rep.apps.forEach((a, i) => {
    writeToken(w, `apps[${i}].name`, a.name, NAME_MAX);
    writeHash32(w, `apps[${i}].specHash`, a.specHash);
    writeToken(w, `apps[${i}].component`, a.component, NAME_MAX);
    const state = RUNNING_STATES.indexOf(a.state);
    if (state < 0)
      throw new MessageFieldError(`apps[${i}].state`, a.state, `must be one of ${RUNNING_STATES}`);
    w.u8(state);
    if (!Array.isArray(a.ports) || a.ports.length > PORTS_MAX)
      throw new MessageFieldError(`apps[${i}].ports`, a.ports, `at most ${PORTS_MAX} ports`);
    w.compactSize(a.ports.length);
    a.ports.forEach((p, j) => {
      writeU16(w, `apps[${i}].ports[${j}]`, p);
    });
  });
}

function readBody(r: ByteReader): RunningReport {
  const node = readToken(r, 'node', NODE_ID_MAX);
  const seq = readSafe(r, 'seq');
  const time = readSafe(r, 'time');
  const count = r.compactSize('apps', REPORT_MAX_ENTRIES);
  const apps: RunningApp[] = [];
  for (let i = 0; i < count; i++) {
    const name = readToken(r, `apps[${i}].name`, NAME_MAX);
    const specHash = readHash32(r, `apps[${i}].specHash`);
    const component = readToken(r, `apps[${i}].component`, NAME_MAX);
    const stateNo = r.u8(`apps[${i}].state`);
    const state = RUNNING_STATES[stateNo];
    if (state === undefined) throw new MessageFieldError(`apps[${i}].state`, stateNo, 'unknown state number');
    const portCount = r.compactSize(`apps[${i}].ports`, PORTS_MAX);
    const ports: number[] = [];
    for (let j = 0; j < portCount; j++) ports.push(readU16(r, `apps[${i}].ports[${j}]`));
    apps.push({ name, specHash, component, state, ports });
  }
  return { node, seq, time, apps };
}

export function encodeRunningReport(rep: RunningReport, operatorPrivateKey: Uint8Array): Uint8Array {
  return encodeSigned('running-report', (w) => writeBody(w, rep), operatorPrivateKey);
}

export function decodeRunningReport(bytes: Uint8Array): SignedMessage<RunningReport> {
  return decodeSigned('running-report', bytes, readBody);
}

export function verifyRunningReport(bytes: Uint8Array, lookup: OperatorKeyLookup): RunningReport {
  const msg = decodeRunningReport(bytes);
  verifyNodeSignature('running-report', msg, msg.body.node, lookup);
  return msg.body;
}
