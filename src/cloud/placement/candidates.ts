/**
 * Ranked candidates: for each app, the few nodes with the highest rendezvous score among ALL nodes
 * (live or not, with room or not). Placement walks this short list instead of scoring every node
 * again, which turns a re-placement after churn from O(apps × nodes) into O(apps × depth).
 *
 * A list is always a prefix of the app's full ranking (score descending, then node id ascending),
 * so placing with it gives exactly what the full scan gives (see `ranked` in placement.ts). The
 * ranking depends only on the app's name, the node ids and the epoch, so a `CandidateIndex` keeps
 * the lists up to date as nodes and apps come and go, and rebuilds only what it must:
 * - a new node enters the lists it beats (one score per app);
 * - a removed node leaves the lists it was in; a list that shrinks too far is rebuilt (one scan);
 * - a new app, or one that now wants more instances than its list can serve, is ranked (one scan);
 * - a new epoch re-ranks everything.
 */
import { appKey, nodeKey, rendezvousScore } from './hash32.ts';
import type { PlacementApp, PlacementNode, RankedCandidates } from './placement.ts';

/** How many candidates an app keeps: enough for its instances plus nodes that turn out full or dead. */
export function defaultDepth(instances: number): number {
  return Math.max(24, 3 * instances);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Node keys and ids in id order, so ties in score go to the smaller id as placement wants. */
interface NodeTable {
  ids: string[];
  keys: Uint32Array;
}

function nodeTable(nodes: readonly PlacementNode[], keyCache?: Map<string, number>): NodeTable {
  const ids = [...new Set(nodes.map((n) => n.id))].sort(cmp);
  const keys = new Uint32Array(ids.length);
  for (let i = 0; i < ids.length; i++) {
    let k = keyCache?.get(ids[i]!);
    if (k === undefined) {
      k = nodeKey(ids[i]!);
      keyCache?.set(ids[i]!, k);
    }
    keys[i] = k;
  }
  return { ids, keys };
}

/** The `depth` best nodes for one app key: one pass keeping a sorted buffer, as topByScore does. */
function rankOne(key: number, depth: number, table: NodeTable): string[] {
  const { ids, keys } = table;
  const n = keys.length;
  const take = Math.min(depth, n);
  if (take <= 0) return [];
  const idx = new Int32Array(take);
  // Scores with the top bit flipped compare as signed integers in unsigned order.
  const score = new Int32Array(take);
  let len = 0;
  let bar = 0;
  let i = 0;
  while (i < n) {
    let s = 0;
    if (len === take) {
      // The hot path: most nodes score below the bar. Nodes come in id order, so an equal score
      // never displaces an earlier node: hence the strict test.
      for (; i < n; i++) {
        let h = key ^ keys[i]!;
        h ^= h >>> 16;
        h = Math.imul(h, 0x85ebca6b);
        h ^= h >>> 13;
        h = Math.imul(h, 0xc2b2ae35);
        h ^= h >>> 16;
        s = h ^ 0x80000000;
        if (s > bar) break;
      }
      if (i === n) break;
      len--; // the weakest falls out
    } else {
      let h = key ^ keys[i]!;
      h ^= h >>> 16;
      h = Math.imul(h, 0x85ebca6b);
      h ^= h >>> 13;
      h = Math.imul(h, 0xc2b2ae35);
      h ^= h >>> 16;
      s = h ^ 0x80000000;
    }
    let pos = len;
    while (pos > 0 && score[pos - 1]! < s) {
      idx[pos] = idx[pos - 1]!;
      score[pos] = score[pos - 1]!;
      pos--;
    }
    idx[pos] = i;
    score[pos] = s;
    len++;
    bar = score[len - 1]!;
    i++;
  }
  const out: string[] = new Array(len);
  for (let k = 0; k < len; k++) out[k] = ids[idx[k]!]!;
  return out;
}

/** From scratch: every app's list for this node list and epoch (one pass over the nodes per app). */
export function rankCandidates(
  apps: readonly PlacementApp[],
  nodes: readonly PlacementNode[],
  epoch: number,
  depth: (instances: number) => number = defaultDepth,
): RankedCandidates {
  const table = nodeTable(nodes);
  const at = positions(nodes);
  const lists = new Map<string, Int32Array>();
  for (const app of apps) {
    lists.set(app.name, toPositions(rankOne(appKey(app.name, epoch), depth(app.instances), table), at));
  }
  return { nodes, epoch, lists };
}

function positions(nodes: readonly PlacementNode[]): Map<string, number> {
  const at = new Map<string, number>();
  for (let p = 0; p < nodes.length; p++) if (!at.has(nodes[p]!.id)) at.set(nodes[p]!.id, p);
  return at;
}

function toPositions(list: readonly string[], at: ReadonlyMap<string, number>): Int32Array {
  const out = new Int32Array(list.length);
  for (let k = 0; k < list.length; k++) out[k] = at.get(list[k]!) ?? -1;
  return out;
}

interface Entry {
  key: number;
  depth: number;
  list: readonly string[];
  /** The list holds every node there is (fewer nodes than its depth): any new node may enter it. */
  complete: boolean;
}

/**
 * Keeps every app's list current across chain changes. `update` returns a snapshot for the given
 * node array (positions in that array), so a snapshot taken for an older tip stays valid.
 */
export class CandidateIndex {
  private readonly depth: (instances: number) => number;
  private readonly keyCache = new Map<string, number>();
  private readonly entries = new Map<string, Entry>();
  private nodeIds = new Set<string>();
  private table: NodeTable | undefined;
  private epoch: number | undefined;
  /** Work done so far, to show what the incremental path saves. */
  readonly counters = { fullScans: 0, nodeInserts: 0, nodeRemovals: 0, epochRebuilds: 0 };

  constructor(depth: (instances: number) => number = defaultDepth) {
    this.depth = depth;
  }

  update(apps: readonly PlacementApp[], nodes: readonly PlacementNode[], epoch: number): RankedCandidates {
    const ids = new Set(nodes.map((n) => n.id));
    const rebuildAll = this.epoch !== epoch;
    if (rebuildAll) {
      this.entries.clear();
      this.epoch = epoch;
      if (this.nodeIds.size > 0) this.counters.epochRebuilds++;
    }
    const added: string[] = [];
    const removed = new Set<string>();
    if (!rebuildAll) {
      for (const id of ids) if (!this.nodeIds.has(id)) added.push(id);
      for (const id of this.nodeIds) if (!ids.has(id)) removed.add(id);
    }
    if (rebuildAll || added.length > 0 || removed.size > 0 || !this.table) {
      this.table = nodeTable(nodes, this.keyCache);
      for (const id of removed) this.keyCache.delete(id);
    }
    this.nodeIds = ids;
    const table = this.table;
    const addedKeys = added.map((id) => this.keyCache.get(id) ?? nodeKey(id));
    const n = table.ids.length;

    const wanted = new Set<string>();
    for (const app of apps) {
      wanted.add(app.name);
      const depth = this.depth(app.instances);
      const old = this.entries.get(app.name);
      if (!old || old.depth < depth) {
        this.scan(app.name, appKey(app.name, epoch), depth, table);
        continue;
      }
      let list = old.list;
      if (removed.size > 0 && list.some((id) => removed.has(id))) {
        list = list.filter((id) => !removed.has(id));
        this.counters.nodeRemovals++;
      }
      let complete = old.complete;
      if (added.length > 0) ({ list, complete } = this.insert(old, list, complete, added, addedKeys));
      // A list cut down by removals is rebuilt before it is too short to serve the app.
      if (!complete && list.length < Math.min(n, Math.ceil(old.depth / 2))) {
        this.scan(app.name, old.key, old.depth, table);
      } else if (list !== old.list || complete !== old.complete) {
        this.entries.set(app.name, { ...old, list, complete });
      }
    }
    for (const name of [...this.entries.keys()]) if (!wanted.has(name)) this.entries.delete(name);
    const at = positions(nodes);
    const lists = new Map<string, Int32Array>();
    for (const [name, e] of this.entries) lists.set(name, toPositions(e.list, at));
    return { nodes, epoch, lists };
  }

  private scan(name: string, key: number, depth: number, table: NodeTable): void {
    this.counters.fullScans++;
    const list = rankOne(key, depth, table);
    this.entries.set(name, { key, depth, list, complete: list.length === table.ids.length });
  }

  /**
   * New nodes enter the list where they rank. A node ranked below the end of a list that does not
   * hold every node falls on unknown ground (a better, unlisted node may exist) and stays out.
   */
  private insert(
    entry: Entry,
    list: readonly string[],
    complete: boolean,
    added: string[],
    addedKeys: number[],
  ): { list: readonly string[]; complete: boolean } {
    const key = entry.key;
    // Most new nodes rank below the end of the list: compare with its last node's score first,
    // a number kept up to date, and look for a position only for the few that beat it.
    let out: string[] | undefined;
    let lastId = list.at(-1) ?? '';
    let lastScore = list.length > 0 ? rendezvousScore(key, this.keyOf(lastId)) : -1;
    for (let j = 0; j < added.length; j++) {
      const id = added[j]!;
      const s = rendezvousScore(key, addedKeys[j]!);
      const cur = out ?? list;
      if (cur.length === 0 || s < lastScore || (s === lastScore && id > lastId)) {
        // Below the end: only a list that holds every node, and has room, may take it.
        if (!complete || cur.length >= entry.depth) {
          complete = false;
          continue;
        }
        if (!out) out = [...list];
        out.push(id);
      } else {
        let pos = 0;
        for (; pos < cur.length; pos++) {
          const t = rendezvousScore(key, this.keyOf(cur[pos]!));
          if (s > t || (s === t && id < cur[pos]!)) break;
        }
        if (!out) out = [...list];
        out.splice(pos, 0, id);
        if (out.length > entry.depth) {
          out.pop();
          complete = false;
        }
      }
      lastId = out.at(-1) ?? lastId;
      lastScore = rendezvousScore(key, this.keyOf(lastId));
      this.counters.nodeInserts++;
    }
    return { list: out ?? list, complete };
  }

  private keyOf(id: string): number {
    let k = this.keyCache.get(id);
    if (k === undefined) {
      k = nodeKey(id);
      this.keyCache.set(id, k);
    }
    return k;
  }
}
