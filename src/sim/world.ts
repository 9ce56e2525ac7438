/**
 * The simulated network as it stands: its nodes (up or down, with the chain version and live-set
 * view each one acts on), its containers, the shared event queue and clock, and what each node
 * does when its inputs change: place the apps for its own view and tip, and reconcile its
 * containers against its share. Also the per-node placement CPU charged to the open window.
 */
import type { DesiredComponent, PlacementNode } from '../cloud/index.ts';
import { type BlockChanges, type ChainVersion, SimChain } from './chain.ts';
import { Cluster } from './cluster.ts';
import { Network } from './network.ts';
import type { ResolvedOptions } from './options.ts';
import { Planner } from './planner.ts';
import { EventQueue } from './queue.ts';
import type { Rng } from './rng.ts';
import { TargetCounter } from './targets.ts';
import { type GossipParams, LiveViews } from './views.ts';
import type { Workload } from './workload.ts';

export class SimWorld {
  readonly o: ResolvedOptions;
  /** Simulated time, ms: the time of the event or tick being handled. */
  now = 0;
  readonly chain: SimChain;
  readonly net = new Network();
  readonly views: LiveViews;
  readonly queue = new EventQueue();
  readonly planner: Planner;
  readonly targets: TargetCounter;
  readonly cluster: Cluster;
  readonly eventRng: Rng;
  readonly delayRng: Rng;
  /** Per node: the chain version it acts on, its live-set view key, and what placement was charged. */
  readonly chainVer: number[] = [];
  readonly viewKeyOf: string[] = [];
  readonly chargedVersion: number[] = [];
  readonly chargedKey: string[] = [];
  /** Placement CPU per node since the current window opened. */
  nodeCpu: number[] = [];

  /** `rng` forks in a fixed order (gossip, events, delays): a seed replays the same run. */
  constructor(
    o: ResolvedOptions,
    work: Workload,
    rng: Rng,
    opts: { verify?: boolean; onTargets: () => void },
  ) {
    this.o = o;
    this.chain = new SimChain(work.paid, work.nodes, o.tip);
    this.views = new LiveViews(this.net, gossipParams(o), rng.fork('gossip'));
    this.planner = new Planner({ placer: o.placer, epoch: o.epoch, verify: opts.verify });
    this.eventRng = rng.fork('events');
    this.delayRng = rng.fork('delays');
    this.targets = new TargetCounter(opts.onTargets);
    this.cluster = new Cluster({
      net: this.net,
      queue: this.queue,
      rng: this.delayRng,
      delays: { startMs: o.startMs, stopMs: o.stopMs },
      onInstance: (app, delta) => this.targets.change(app, delta),
      onContainerEvent: (i) => this.reconcileNode(i),
    });
  }

  addNode(node: PlacementNode, at: number): number {
    const i = this.net.add(node.id, at, this.eventRng.range(0, this.o.heartbeatMs));
    this.views.addNode(i, Number.isFinite(at) ? at : 0);
    this.cluster.addNode(i);
    this.chainVer[i] = this.chain.tip.version;
    this.viewKeyOf[i] = '';
    this.chargedVersion[i] = -1;
    this.chargedKey[i] = '';
    return i;
  }

  setParts(v: ChainVersion): void {
    for (const [app, parts] of v.components) this.cluster.setParts(app, parts.length);
  }

  /** Node `i`'s share of the placement for chain version `v` and view `key`, charging its CPU once. */
  desiredFor(i: number, v: ChainVersion, key: string): DesiredComponent[] {
    const { planner, chargedKey, chargedVersion, nodeCpu } = this;
    const plan = planner.planFor(v, key, () => this.views.liveSetOf(key), this.now);
    const planKey = `${v.version}|${key}`;
    if (chargedKey[i] !== planKey) {
      if (chargedVersion[i] !== v.version) {
        const a = planner.anchorFor(v, this.now);
        // A node's first placement (at start or when it joins) builds its candidate index from
        // nothing: a one-off start-up cost, reported with the setup, not with the events.
        if (chargedVersion[i]! >= 0) nodeCpu[i] = (nodeCpu[i] ?? 0) + a.indexCpu + a.anchorCpu;
        chargedVersion[i] = v.version;
      }
      if (chargedKey[i] !== '') nodeCpu[i] = (nodeCpu[i] ?? 0) + plan.cpu;
      chargedKey[i] = planKey;
    }
    const desired: DesiredComponent[] = [];
    for (const app of plan.share.get(this.net.ids[i]!) ?? []) {
      for (const d of v.components.get(app) ?? []) desired.push(d);
    }
    return desired;
  }

  reconcileNode(i: number): void {
    if (!this.net.up[i]) return;
    const v = this.chain.versions[this.chainVer[i]!]!;
    this.cluster.reconcile(i, this.desiredFor(i, v, this.viewKeyOf[i]!), this.now);
  }

  upNodes(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.net.size; i++) if (this.net.up[i]) out.push(i);
    return out;
  }

  allAtVersion(v: number): boolean {
    return this.upNodes().every((i) => this.chainVer[i]! >= v);
  }

  /** Connects a block at `at`; each up node hears of it after its own delay, then reconciles. */
  mineBlock(at: number, height: number, changes: BlockChanges): ChainVersion {
    const v = this.chain.connect(height, changes);
    this.setParts(v);
    this.targets.setTargets(v.targets);
    for (let i = 0; i < this.net.size; i++) {
      if (!this.net.up[i]) continue;
      this.queue.schedule(at + this.delayRng.range(...this.o.blockDelayMs), () => {
        if (!this.net.up[i] || this.chainVer[i]! >= v.version) return;
        this.chainVer[i] = v.version;
        this.reconcileNode(i);
      });
    }
    return v;
  }
}

function gossipParams(o: ResolvedOptions): GossipParams {
  return {
    heartbeatMs: o.heartbeatMs,
    missedIntervals: o.missedIntervals,
    holdBackMs: o.holdBackMs,
    tickMs: o.tickMs,
    meshDegree: o.meshDegree,
    lazyDegree: o.lazyDegree,
    gossipRoundMs: o.gossipRoundMs,
    messageLoss: o.messageLoss,
  };
}
