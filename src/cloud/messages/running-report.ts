/**
 * Running report: what a node's Docker engine runs right now, signed by its operator key. Every
 * node keeps the newest report of every other node (highest `seq`), which is how anyone can answer
 * "where does app X run" without asking the hosts.
 *
 * Body: node (string ≤ 128) | seq (u64) | time (u64, ms) | count (compact size ≤ 1000) |
 *       count × [ app (string ≤ 64) | specHash (32 bytes) | component (string ≤ 64) | state (u8) |
 *                 port count (compact size ≤ 16) | ports (u16 each) | needBytes (u64) | flags (u8) ] |
 *       has sync (u8 0/1) | [ sync device id (string ≤ 64) | sync address (string ≤ 128) ]
 * States are numbered in the order of RUNNING_STATES. The sync part is the node's Syncthing (the
 * replicated app data of cloud/appdata): its device id and where it listens, so the other
 * instances' nodes can share a folder with it; needBytes is how far that folder is behind.
 * Flags: bit 0 set when the component's data folder is a plain folder, its `hdd` not enforced
 * (the host cannot mount volumes); other bits 0.
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
  // No container: a `g:` standby (or an `r:` instance) holding a full synced copy of the data.
  'standby',
  // No container yet: a replicated instance still receiving its first full copy.
  'syncing',
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
  /** Bytes its replicated data folder still lacks (absent when in sync, or not replicated). */
  needBytes?: number;
  /** True when its data folder is not size-limited to its `hdd` (absent: enforced, or no data). */
  hddUnenforced?: boolean;
}

/** Where a node's Syncthing is reached (cloud/appdata). */
export interface SyncEndpoint {
  /** Syncthing device id (`XXXXXXX-…`, 63 characters). */
  device: string;
  /** Its sync listen address, e.g. `tcp://127.0.0.11:16129`. */
  address: string;
}

const FLAG_HDD_UNENFORCED = 1;

export interface RunningReport {
  node: string;
  seq: number;
  time: number;
  apps: RunningApp[];
  sync?: SyncEndpoint;
}

export const REPORT_MAX_ENTRIES = 1000;
const NAME_MAX = 64;
const PORTS_MAX = 16;
const SYNC_DEVICE_MAX = 64;
const SYNC_ADDRESS_MAX = 128;

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
    writeSafe(w, `apps[${i}].needBytes`, a.needBytes ?? 0);
    w.u8(a.hddUnenforced ? FLAG_HDD_UNENFORCED : 0);
  });
  w.u8(rep.sync ? 1 : 0);
  if (rep.sync) {
    writeToken(w, 'sync.device', rep.sync.device, SYNC_DEVICE_MAX);
    writeToken(w, 'sync.address', rep.sync.address, SYNC_ADDRESS_MAX);
  }
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
    const needBytes = readSafe(r, `apps[${i}].needBytes`);
    const flags = r.u8(`apps[${i}].flags`);
    if ((flags & ~FLAG_HDD_UNENFORCED) !== 0)
      throw new MessageFieldError(`apps[${i}].flags`, flags, 'unknown flag bits');
    apps.push({
      name,
      specHash,
      component,
      state,
      ports,
      ...(needBytes > 0 ? { needBytes } : {}),
      ...(flags ? { hddUnenforced: true } : {}),
    });
  }
  const hasSync = r.u8('sync');
  if (hasSync > 1) throw new MessageFieldError('sync', hasSync, 'must be 0 or 1');
  if (hasSync === 0) return { node, seq, time, apps };
  const device = readToken(r, 'sync.device', SYNC_DEVICE_MAX);
  const address = readToken(r, 'sync.address', SYNC_ADDRESS_MAX);
  return { node, seq, time, apps, sync: { device, address } };
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
