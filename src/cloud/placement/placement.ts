import { geoAllows } from '../spec/geolocation.ts';
import type { Resources } from '../spec/limits.ts';
import { appKey, nodeKey, rendezvousScore } from './hash32.ts';

import {
  type PlacementApp,
  type PlacementInput,
  PlacementInputError,
  type PlacementNode,
  type PlacementResult,
} from './placement-types.ts';

export {
  type PlacementApp,
  type PlacementInput,
  PlacementInputError,
  type PlacementNode,
  type PlacementResult,
  type RankedCandidates,
} from './placement-types.ts';

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function checkResources(r: Resources, field: string): void {
  for (const k of ['cpu', 'ram', 'hdd'] as const) {
    if (typeof r?.[k] !== 'number' || !Number.isFinite(r[k]) || r[k] < 0) {
      throw new PlacementInputError(`${field}.${k}`, r?.[k], 'must be a finite number >= 0');
    }
  }
}

/** Places every app's instances; see the contract at the top of this file. */
export function placeApps(input: PlacementInput): PlacementResult {
  const { live, previous } = input;
  if (!Number.isInteger(input.epoch) || input.epoch < 0 || input.epoch > 0xffffffff) {
    throw new PlacementInputError('epoch', input.epoch, 'must be an unsigned 32-bit integer');
  }

  // Eligible nodes, in id order, as parallel typed arrays.
  const seenIds = new Set<string>();
  const eligiblePos: number[] = []; // positions in input.nodes
  for (let p = 0; p < input.nodes.length; p++) {
    const node = input.nodes[p]!;
    if (seenIds.has(node.id)) throw new PlacementInputError('nodes', node.id, 'node id appears twice');
    seenIds.add(node.id);
    checkResources(node.capacity, `nodes[${node.id}].capacity`);
    if (node.benchmarkOk && live.has(node.id)) eligiblePos.push(p);
  }
  eligiblePos.sort((p, q) => cmp(input.nodes[p]!.id, input.nodes[q]!.id));
  const eligible = eligiblePos.map((p) => input.nodes[p]);
  const n = eligible.length;
  const keyOf = new Uint32Array(n);
  const room = { cpu: new Int32Array(n), ram: new Int32Array(n), hdd: new Int32Array(n) };
  const ipOf = new Int32Array(n);
  const indexOf = new Map<string, number>();
  const ipIndex = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const node = eligible[i]!;
    keyOf[i] = nodeKey(node.id);
    room.cpu[i] = Math.floor(Math.round(node.capacity.cpu * 100) / 10);
    room.ram[i] = Math.floor(node.capacity.ram);
    room.hdd[i] = Math.floor(node.capacity.hdd);
    let ip = ipIndex.get(node.ip);
    if (ip === undefined) ipIndex.set(node.ip, (ip = ipIndex.size));
    ipOf[i] = ip;
    indexOf.set(node.id, i);
  }

  // Apps in their fixed order.
  const seenApps = new Set<string>();
  for (const app of input.apps) {
    if (seenApps.has(app.name)) throw new PlacementInputError('apps', app.name, 'app name appears twice');
    seenApps.add(app.name);
    if (!Number.isFinite(app.height) || typeof app.hash !== 'string') {
      throw new PlacementInputError(
        `apps[${app.name}]`,
        app,
        'height must be a finite number and hash a string',
      );
    }
    if (!Number.isInteger(app.instances) || app.instances < 0) {
      throw new PlacementInputError(
        `apps[${app.name}].instances`,
        app.instances,
        'must be a whole number >= 0',
      );
    }
    checkResources(app.demand, `apps[${app.name}].demand`);
  }
  const apps = [...input.apps].sort(
    (a, b) => a.height - b.height || cmp(a.hash, b.hash) || cmp(a.name, b.name),
  );

  const nodeMark = new Int32Array(n);
  const ipMark = new Int32Array(ipIndex.size);
  // Highest score first; equal scores: smaller node id (index) first.
  const byScore = (key: number) => (a: number, b: number) =>
    rendezvousScore(key, keyOf[b]!) - rendezvousScore(key, keyOf[a]!) || a - b;

  const demands = apps.map((a) => ({
    cpu: Math.ceil(Math.round(a.demand.cpu * 100) / 10),
    ram: Math.ceil(a.demand.ram),
    hdd: Math.ceil(a.demand.hdd),
  }));
  const keys = apps.map((a) => appKey(a.name, input.epoch));
  const chosen: number[][] = apps.map(() => []);
  const stats = { kept: 0, placed: 0, dropped: 0 };

  const ports = new NodePorts();
  const appPorts = apps.map((a) => portList(a.ports));
  const geo = apps.map((a) => allowedMask(a, eligible));
  const fits = (i: number, d: { cpu: number; ram: number; hdd: number }, a: number) =>
    room.cpu[i]! >= d.cpu &&
    room.ram[i]! >= d.ram &&
    room.hdd[i]! >= d.hdd &&
    ports.free(i, appPorts[a]!) &&
    geo[a]?.[i] !== 0;
  const take = (i: number, d: { cpu: number; ram: number; hdd: number }, a: number) => {
    room.cpu[i]! -= d.cpu;
    room.ram[i]! -= d.ram;
    room.hdd[i]! -= d.hdd;
    ports.claim(i, appPorts[a]!);
  };

  // Step 3: keep what is still valid from the previous placement.
  if (previous) {
    for (let a = 0; a < apps.length; a++) {
      const before = previous.get(apps[a]!.name);
      if (!before || before.length === 0) continue;
      const stamp = 2 * a + 1;
      const candidates: number[] = [];
      for (const id of before) {
        const i = indexOf.get(id);
        if (i === undefined || nodeMark[i] === stamp) continue;
        nodeMark[i] = stamp;
        candidates.push(i);
      }
      candidates.sort(byScore(keys[a]!));
      const d = demands[a]!;
      for (const i of candidates) {
        if (chosen[a]!.length === apps[a]!.instances) break;
        if (ipMark[ipOf[i]!] === stamp || !fits(i, d, a)) continue;
        ipMark[ipOf[i]!] = stamp;
        take(i, d, a);
        chosen[a]!.push(i);
      }
      stats.kept += chosen[a]!.length;
      stats.dropped += distinctCount(before) - chosen[a]!.length;
    }
  }

  // Step 4: fill the missing instances by rendezvous score.
  const hint =
    input.ranked && input.ranked.nodes === input.nodes && input.ranked.epoch === input.epoch
      ? input.ranked.lists
      : undefined;
  const eligibleAt = new Int32Array(hint ? input.nodes.length : 0).fill(-1);
  if (hint) for (let i = 0; i < n; i++) eligibleAt[eligiblePos[i]!] = i;
  for (let a = 0; a < apps.length; a++) {
    let need = apps[a]!.instances - chosen[a]!.length;
    if (need <= 0) continue;
    const stamp = 2 * a + 2;
    for (const i of chosen[a]!) {
      nodeMark[i] = stamp;
      ipMark[ipOf[i]!] = stamp;
    }
    const d = demands[a]!;
    // The hint lists the best nodes of the whole node list in score order, so walking it and taking
    // each usable node picks exactly what the full scan would; only when it runs out does the scan
    // look for the rest (skipping what the walk took, by the same marks).
    const list = hint?.get(apps[a]!.name);
    if (list) {
      for (let k = 0; k < list.length && need > 0; k++) {
        const i = eligibleAt[list[k]!] ?? -1;
        if (i < 0 || nodeMark[i] === stamp || ipMark[ipOf[i]!] === stamp || !fits(i, d, a)) continue;
        nodeMark[i] = stamp;
        ipMark[ipOf[i]!] = stamp;
        take(i, d, a);
        chosen[a]!.push(i);
        stats.placed++;
        need--;
      }
      if (need === 0) continue;
    }
    const mine = appPorts[a]!;
    const mask = geo[a];
    const blocked =
      mine.length > 0 || mask ? (i: number) => !ports.free(i, mine) || mask?.[i] === 0 : undefined;
    const picked = topByScore(
      keys[a]!,
      need,
      d.cpu,
      d.ram,
      d.hdd,
      stamp,
      keyOf,
      room,
      ipOf,
      nodeMark,
      ipMark,
      blocked,
    );
    for (const i of picked) take(i, demands[a]!, a);
    stats.placed += picked.length;
    for (const i of picked) chosen[a]!.push(i);
  }

  const assignment = new Map<string, string[]>();
  const unplaced = new Map<string, number>();
  for (let a = 0; a < apps.length; a++) {
    const nodes = chosen[a]!.sort(byScore(keys[a]!));
    assignment.set(
      apps[a]!.name,
      nodes.map((i) => eligible[i]!.id),
    );
    const missing = apps[a]!.instances - nodes.length;
    if (missing > 0) unplaced.set(apps[a]!.name, missing);
  }
  return { assignment, unplaced, stats };
}

function distinctCount(ids: readonly string[]): number {
  if (ids.length > 16) return new Set(ids).size;
  let count = 0;
  for (let i = 0; i < ids.length; i++) if (ids.indexOf(ids[i]!) === i) count++;
  return count;
}

/**
 * The `need` best nodes for one app: one pass over the nodes keeping a sorted candidate list.
 * Kept apart from `placeApps`, with everything passed in, so the engine optimizes the hot loop.
 * Exported for anchored.ts, whose incremental re-placement must pick exactly as this does.
 */
export function topByScore(
  key: number,
  need: number,
  dCpu: number,
  dRam: number,
  dHdd: number,
  stamp: number,
  keyOf: Uint32Array,
  room: { cpu: Int32Array; ram: Int32Array; hdd: Int32Array },
  ipOf: Int32Array,
  nodeMark: Int32Array,
  ipMark: Int32Array,
  blocked?: (i: number) => boolean,
): number[] {
  const candIdx = new Int32Array(need);
  // Scores are compared as signed 32-bit integers with the top bit flipped, which orders them exactly
  // as the unsigned scores but keeps the engine on small-integer arithmetic.
  const candScore = new Int32Array(need);
  const { cpu, ram, hdd } = room;
  const n = keyOf.length;
  let len = 0;
  let full = false;
  let bar = 0; // once the list is full: the score a node must beat
  let next = 0;
  while (next < n) {
    let s = 0;
    let i = next;
    if (full) {
      // The hot path: most nodes score below the bar, so this tight loop only hashes and compares.
      // Equal scores lose to the earlier (smaller-id) node already held, hence the strict test.
      for (; i < n; i++) {
        let h = key ^ keyOf[i]!;
        h ^= h >>> 16;
        h = Math.imul(h, 0x85ebca6b);
        h ^= h >>> 13;
        h = Math.imul(h, 0xc2b2ae35);
        h ^= h >>> 16;
        s = h ^ 0x80000000;
        if (s > bar) break;
      }
      if (i === n) break;
    } else {
      let h = key ^ keyOf[i]!;
      h ^= h >>> 16;
      h = Math.imul(h, 0x85ebca6b);
      h ^= h >>> 13;
      h = Math.imul(h, 0xc2b2ae35);
      h ^= h >>> 16;
      s = h ^ 0x80000000;
    }
    next = i + 1;
    if (cpu[i]! < dCpu || ram[i]! < dRam || hdd[i]! < dHdd) continue;
    if (nodeMark[i] === stamp) continue;
    if (blocked?.(i)) continue;
    const ip = ipOf[i]!;
    if (ipMark[ip] === stamp) continue;
    let same = -1;
    for (let k = 0; k < len; k++) {
      if (ipOf[candIdx[k]!] === ip) {
        same = k;
        break;
      }
    }
    if (same >= 0) {
      if (s <= candScore[same]!) continue; // this IP is already held by a better node
      for (let k = same; k < len - 1; k++) {
        candIdx[k] = candIdx[k + 1]!;
        candScore[k] = candScore[k + 1]!;
      }
      len--;
    } else if (len === need) {
      len--; // the weakest candidate falls out
    }
    let pos = len;
    while (pos > 0 && candScore[pos - 1]! < s) {
      candIdx[pos] = candIdx[pos - 1]!;
      candScore[pos] = candScore[pos - 1]!;
      pos--;
    }
    candIdx[pos] = i;
    candScore[pos] = s;
    len++;
    full = len === need;
    bar = candScore[len - 1]!;
  }
  return Array.from(candIdx.subarray(0, len));
}

/** An app's host ports, distinct and sorted (empty when it publishes none). */
export function portList(ports: readonly number[] | undefined): number[] {
  return ports && ports.length > 0 ? [...new Set(ports)].sort((a, b) => a - b) : [];
}

/** The host ports claimed on each node (by node index) as apps are placed on it. */
export class NodePorts {
  readonly #used = new Map<number, Set<number>>();

  free(i: number, ports: readonly number[]): boolean {
    if (ports.length === 0) return true;
    const used = this.#used.get(i);
    return !used || ports.every((p) => !used.has(p));
  }

  claim(i: number, ports: readonly number[]): void {
    if (ports.length === 0) return;
    let used = this.#used.get(i);
    if (!used) this.#used.set(i, (used = new Set()));
    for (const p of ports) used.add(p);
  }
}

/**
 * Per node (by index in `nodes`), 1 where the app may run (its location rules allow the node's
 * location, and the node is among those it names, if it names any), 0 where not; undefined when
 * the app sets neither (every node allowed).
 */
export function allowedMask(
  app: PlacementApp,
  nodes: readonly (PlacementNode | undefined)[],
): Uint8Array | undefined {
  const rules = app.geolocation ?? [];
  const named = app.nodes === undefined ? undefined : new Set(app.nodes);
  if (rules.length === 0 && named === undefined) return undefined;
  return Uint8Array.from(nodes, (n) =>
    (named === undefined || (n !== undefined && named.has(n.id))) && geoAllows(rules, n?.location) ? 1 : 0,
  );
}
