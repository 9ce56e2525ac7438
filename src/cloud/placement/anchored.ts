/**
 * Anchored placement: the way every node turns (chain state, live set) into the same assignment
 * while moving as few instances as possible.
 *
 * `placeApps` keeps instances where `previous` put them, but two nodes agree on the result only if
 * they pass the same `previous`. A node's own last result depends on the order in which it saw
 * heartbeats come and go, so nodes that lived through a partition or a lossy minute would keep
 * different histories and never agree again. The anchor removes history from the inputs:
 *
 *   anchor  = placeApps(apps, nodes, live = every listed node, epoch)        chain state only
 *   result  = placeApps(apps, nodes, live, epoch, previous = anchor)         + the live set
 *
 * The anchor is what the chain alone says (every confirmed node counted as up), so every node on
 * the same tip computes the same anchor; the result is then a pure function of (apps, nodes, live
 * set, epoch), exactly like plain rendezvous placement. And it moves less: placeApps keeps every
 * app's anchored instances on live nodes before it places anything new, so when nodes go silent
 * only their own instances move (no knock-on moves through full nodes, which plain rendezvous
 * placement causes when capacity is tight), and when they come back the anchor is restored.
 * Chain changes (nodes confirmed or expired, apps registered or expired) change the anchor itself;
 * an app registered at the tip sorts last, so it never displaces an older one.
 */
import { appKey, nodeKey, rendezvousScore } from './hash32.ts';
import type { PlacementApp, PlacementNode, PlacementResult, RankedCandidates } from './placement.ts';
import { allowedMask, NodePorts, placeApps, portList, topByScore } from './placement.ts';

export interface AnchorInput {
  apps: readonly PlacementApp[];
  nodes: readonly PlacementNode[];
  epoch: number;
  ranked?: RankedCandidates;
}

/** The placement of the chain state alone: every listed node counted as live. Cache it per tip. */
export function anchorPlacement(input: AnchorInput): PlacementResult {
  return placeApps({ ...input, live: new Set(input.nodes.map((n) => n.id)) });
}

/** The placement for a live set, anchored on `anchor` (from `anchorPlacement` of the same input). */
export function placeAnchored(
  input: AnchorInput & { live: ReadonlySet<string> },
  anchor: PlacementResult = anchorPlacement(input),
): PlacementResult {
  return placeApps({ ...input, previous: anchor.assignment });
}

/**
 * The same anchored placement, computed incrementally: `new AnchoredPlacer(input)` places the anchor
 * once per chain state; `place(live)` then returns exactly `placeAnchored({ ...input, live }, anchor)`
 * while touching only the apps that lost a node (or never had room), instead of every app.
 *
 * Why that is exact: with the anchor as `previous`, placeApps keeps every anchored instance on a
 * live node (the anchor fitted them on the same nodes with no more load in front of them, on
 * distinct IPs, within the instance count). So after the keep step each live node has exactly the
 * room the anchor left on it, whatever else died; only apps short of instances then fill, in app
 * order, by the same rules and the same scan (`topByScore`, or the `ranked` list walk first).
 */
export class AnchoredPlacer {
  readonly anchor: PlacementResult;
  private readonly ids: string[];
  private readonly keyOf: Uint32Array;
  private readonly ipOf: Int32Array;
  private readonly left: { cpu: Int32Array; ram: Int32Array; hdd: Int32Array };
  private readonly indexOf = new Map<string, number>();
  private readonly apps: {
    name: string;
    instances: number;
    key: number;
    d: Demand;
    ports: number[];
    /** 0 for nodes its location rules exclude (undefined: no rules). */
    geo: Uint8Array | undefined;
    anchored: Int32Array;
  }[];
  /** Host ports the anchored apps claim on each node. */
  private readonly ports = new NodePorts();
  /** node index → apps (indices into `apps`) anchored on it */
  private readonly onNode: number[][];
  /** apps the anchor could not fully place: they try again whatever the live set */
  private readonly short: number[];
  private readonly lists: ReadonlyMap<string, Int32Array> | undefined;
  private readonly atPos: Int32Array;
  private readonly total: number;

  constructor(input: AnchorInput) {
    this.anchor = anchorPlacement(input);
    // Nodes that can ever be eligible (passed the benchmark), in id order as placeApps orders them.
    const usable = input.nodes.map((n, p) => ({ n, p })).filter(({ n }) => n.benchmarkOk);
    usable.sort((a, b) => (a.n.id < b.n.id ? -1 : a.n.id > b.n.id ? 1 : 0));
    const n = usable.length;
    this.ids = usable.map(({ n }) => n.id);
    this.keyOf = new Uint32Array(n);
    this.ipOf = new Int32Array(n);
    this.left = { cpu: new Int32Array(n), ram: new Int32Array(n), hdd: new Int32Array(n) };
    this.atPos = new Int32Array(input.nodes.length).fill(-1);
    const ips = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const { n: node, p } = usable[i]!;
      this.indexOf.set(node.id, i);
      this.atPos[p] = i;
      this.keyOf[i] = nodeKey(node.id);
      let ip = ips.get(node.ip);
      if (ip === undefined) ips.set(node.ip, (ip = ips.size));
      this.ipOf[i] = ip;
      this.left.cpu[i] = Math.floor(Math.round(node.capacity.cpu * 100) / 10);
      this.left.ram[i] = Math.floor(node.capacity.ram);
      this.left.hdd[i] = Math.floor(node.capacity.hdd);
    }
    const ordered = [...input.apps].sort(
      (a, b) => a.height - b.height || cmp(a.hash, b.hash) || cmp(a.name, b.name),
    );
    this.onNode = Array.from({ length: n }, () => []);
    this.short = [];
    let total = 0;
    this.apps = ordered.map((app, a) => {
      const d = demandOf(app);
      const ports = portList(app.ports);
      const geo = allowedMask(
        app,
        usable.map(({ n }) => n),
      );
      const ids = this.anchor.assignment.get(app.name) ?? [];
      const anchored = Int32Array.from(ids, (id) => this.indexOf.get(id) as number);
      for (const i of anchored) {
        this.onNode[i]!.push(a);
        this.ports.claim(i, ports);
        this.left.cpu[i]! -= d.cpu;
        this.left.ram[i]! -= d.ram;
        this.left.hdd[i]! -= d.hdd;
      }
      total += anchored.length;
      if (anchored.length < app.instances) this.short.push(a);
      return {
        name: app.name,
        instances: app.instances,
        key: appKey(app.name, input.epoch),
        d,
        ports,
        geo,
        anchored,
      };
    });
    this.total = total;
    const r = input.ranked;
    this.lists = r && r.nodes === input.nodes && r.epoch === input.epoch ? r.lists : undefined;
  }

  /** Exactly `placeApps({ ...input, live, previous: anchor.assignment })`. */
  place(live: ReadonlySet<string>): PlacementResult {
    const n = this.ids.length;
    const cpu = Int32Array.from(this.left.cpu);
    const ram = this.left.ram;
    const hdd = this.left.hdd;
    const dead = new Uint8Array(n);
    // Apps the anchor left short cannot gain a node unless they also lost one (their room and IPs
    // only shrink), but retrying them keeps the equality with placeApps plain to see, and costs
    // nothing when the anchor placed everything.
    const touched = new Set<number>(this.short);
    let dropped = 0;
    for (let i = 0; i < n; i++) {
      if (live.has(this.ids[i]!)) continue;
      dead[i] = 1;
      cpu[i] = -1; // no demand fits: the scan and the walk skip it
      for (const a of this.onNode[i]!) touched.add(a);
      dropped += this.onNode[i]!.length;
    }
    const nodeMark = new Int32Array(n);
    const ipMark = new Int32Array(n);
    const room = { cpu, ram: Int32Array.from(ram), hdd: Int32Array.from(hdd) };
    const changed = new Map<number, number[]>();
    // Ports claimed in this round, over those of the anchored apps (which the keep step keeps).
    const claimed = new NodePorts();
    let placed = 0;
    for (const a of [...touched].sort((x, y) => x - y)) {
      const app = this.apps[a]!;
      const chosen: number[] = [];
      for (const i of app.anchored) if (!dead[i]) chosen.push(i);
      let need = app.instances - chosen.length;
      if (need > 0) {
        const stamp = a + 1;
        for (const i of chosen) {
          nodeMark[i] = stamp;
          ipMark[this.ipOf[i]!] = stamp;
        }
        const { d } = app;
        const { geo } = app;
        const blocked =
          app.ports.length > 0 || geo
            ? (i: number) => !this.ports.free(i, app.ports) || !claimed.free(i, app.ports) || geo?.[i] === 0
            : undefined;
        const list = this.lists?.get(app.name);
        if (list) {
          for (let k = 0; k < list.length && need > 0; k++) {
            const i = this.atPos[list[k]!] ?? -1;
            if (i < 0 || nodeMark[i] === stamp || ipMark[this.ipOf[i]!] === stamp) continue;
            if (room.cpu[i]! < d.cpu || room.ram[i]! < d.ram || room.hdd[i]! < d.hdd) continue;
            if (blocked?.(i)) continue;
            nodeMark[i] = stamp;
            ipMark[this.ipOf[i]!] = stamp;
            take(room, i, d);
            claimed.claim(i, app.ports);
            chosen.push(i);
            placed++;
            need--;
          }
        }
        if (need > 0) {
          const picked = topByScore(
            app.key,
            need,
            d.cpu,
            d.ram,
            d.hdd,
            stamp,
            this.keyOf,
            room,
            this.ipOf,
            nodeMark,
            ipMark,
            blocked,
          );
          for (const i of picked) {
            take(room, i, d);
            claimed.claim(i, app.ports);
            chosen.push(i);
          }
          placed += picked.length;
        }
      }
      changed.set(a, chosen);
    }
    const assignment = new Map<string, string[]>();
    const unplaced = new Map<string, number>();
    for (let a = 0; a < this.apps.length; a++) {
      const app = this.apps[a]!;
      const mine = changed.get(a);
      let ids: string[];
      if (mine) {
        const key = app.key;
        const score = (i: number) => rendezvousScore(key, this.keyOf[i]!);
        mine.sort((x, y) => score(y) - score(x) || x - y);
        ids = mine.map((i) => this.ids[i]!);
      } else {
        ids = (this.anchor.assignment.get(app.name) ?? []).slice();
      }
      assignment.set(app.name, ids);
      if (ids.length < app.instances) unplaced.set(app.name, app.instances - ids.length);
    }
    return { assignment, unplaced, stats: { kept: this.total - dropped, placed, dropped } };
  }
}

interface Demand {
  cpu: number;
  ram: number;
  hdd: number;
}

/** The integer demand placeApps uses: cpu in tenths rounded up, MB and GB rounded up. */
function demandOf(app: PlacementApp): Demand {
  return {
    cpu: Math.ceil(Math.round(app.demand.cpu * 100) / 10),
    ram: Math.ceil(app.demand.ram),
    hdd: Math.ceil(app.demand.hdd),
  };
}

function take(room: { cpu: Int32Array; ram: Int32Array; hdd: Int32Array }, i: number, d: Demand): void {
  room.cpu[i]! -= d.cpu;
  room.ram[i]! -= d.ram;
  room.hdd[i]! -= d.hdd;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
