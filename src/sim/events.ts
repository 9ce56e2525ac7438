/**
 * What each scenario event does to the simulated network at its time (kill, restart, join,
 * partition, heal, heartbeat loss, register, expire), and how its window tells that every node
 * has seen it.
 */
import type { PaidSpec } from '../cloud/index.ts';
import type { ScenarioEvent } from './scenario.ts';
import type { WindowRecorder } from './windows.ts';
import { makeNodes, makeSpec, maxInstancesFor, paidAt } from './workload.ts';
import type { SimWorld } from './world.ts';

type EventOf<K extends ScenarioEvent['kind']> = Extract<ScenarioEvent, { kind: K }>;

export class ScenarioRunner {
  readonly #w: SimWorld;
  readonly #windows: WindowRecorder;
  readonly #events: readonly ScenarioEvent[];
  readonly #endAt: number;
  readonly #heightOf: ReadonlyMap<ScenarioEvent, number>;
  #lastKilled: number[] = [];
  #appCounter: number;

  constructor(
    world: SimWorld,
    windows: WindowRecorder,
    plan: { events: readonly ScenarioEvent[]; endAt: number; heightOf: ReadonlyMap<ScenarioEvent, number> },
  ) {
    this.#w = world;
    this.#windows = windows;
    this.#events = plan.events;
    this.#endAt = plan.endAt;
    this.#heightOf = plan.heightOf;
    this.#appCounter = world.o.apps;
  }

  handle(e: ScenarioEvent): void {
    switch (e.kind) {
      case 'kill':
        this.#kill(e);
        break;
      case 'restart':
        this.#restart(e);
        break;
      case 'join':
        this.#join(e);
        break;
      case 'partition':
        this.#partition(e);
        break;
      case 'heal':
        this.#windows.open(e, () => this.#w.views.seenByAll(this.#w.upNodes(), true));
        break;
      case 'heartbeat-loss':
        this.#heartbeatLoss(e);
        break;
      case 'register':
        this.#register(e);
        break;
      case 'expire':
        this.#expire(e);
        break;
      case 'end':
        break;
    }
  }

  #kill(e: EventOf<'kill'>): void {
    const { net, views, cluster, eventRng } = this.#w;
    const up = this.#w.upNodes();
    const killed = eventRng.sample(up, Math.round(e.fraction * up.length));
    this.#lastKilled = killed;
    this.#windows.open(e, () => views.seenByAll(killed, false));
    for (const i of killed) {
      net.kill(i, e.at);
      cluster.crash(i);
    }
  }

  #restart(e: EventOf<'restart'>): void {
    const w = this.#w;
    const back = this.#lastKilled;
    this.#windows.open(e, () => w.views.seenByAll(back, true));
    for (const i of back) {
      w.net.restart(i, e.at);
      w.views.restartNode(i, e.at);
      w.chainVer[i] = w.chain.tip.version;
      w.chargedVersion[i] = -1; // a restarted process starts cold
      w.chargedKey[i] = '';
      w.viewKeyOf[i] = w.views.viewKey(i, e.at);
      w.reconcileNode(i);
    }
  }

  #join(e: EventOf<'join'>): void {
    const w = this.#w;
    const base = w.net.size;
    const count = Math.round(e.fraction * w.o.nodes);
    const fresh = makeNodes(count, base, w.eventRng.fork(`join${e.at}`));
    const joined = fresh.map((_, k) => base + k);
    let version = Number.POSITIVE_INFINITY;
    this.#windows.open(e, () => w.views.seenByAll(joined, true) && w.allAtVersion(version));
    for (const n of fresh) {
      const i = w.addNode(n, e.at);
      w.viewKeyOf[i] = w.views.viewKey(i, e.at);
    }
    w.queue.schedule(e.at + e.confirmAfterMs, () => {
      version = w.mineBlock(w.now, this.#heightOf.get(e) as number, { confirm: fresh }).version;
    });
  }

  #partition(e: EventOf<'partition'>): void {
    const { net, views, eventRng } = this.#w;
    const heal = this.#events.find((x) => x.kind === 'heal' && x.at > e.at)?.at ?? this.#endAt;
    const sideOf = Array.from({ length: net.size }, () => (eventRng.next() < 0.5 ? 0 : 1));
    const a = this.#w.upNodes().filter((i) => sideOf[i] === 0);
    const b = this.#w.upNodes().filter((i) => sideOf[i] === 1);
    this.#windows.open(
      e,
      () =>
        a.every((i) => !views.sideLive(1).has(net.ids[i]!)) &&
        b.every((i) => !views.sideLive(0).has(net.ids[i]!)),
    );
    views.startPartition(e.at, heal, sideOf);
  }

  #heartbeatLoss(e: EventOf<'heartbeat-loss'>): void {
    const { net, views, eventRng } = this.#w;
    const up = this.#w.upNodes();
    const mute = eventRng.sample(up, Math.round(e.uplinkFraction * up.length));
    this.#windows.open(e, () => views.seenByAll(mute, false));
    for (const i of mute) net.addOutage(i, e.at, e.at + e.durationMs);
    for (const i of eventRng.sample(up, e.lossyNodes)) net.addLossy(i, e.at, e.at + e.durationMs, e.loss);
  }

  #register(e: EventOf<'register'>): void {
    const w = this.#w;
    const count = Math.round(e.fraction * w.o.apps);
    const height = this.#heightOf.get(e) as number;
    const specRng = w.eventRng.fork(`register${e.at}`);
    const fresh: PaidSpec[] = [];
    for (let k = 0; k < count; k++) {
      const n = this.#appCounter++;
      fresh.push(paidAt(makeSpec(`app${n}`, n, specRng, true, maxInstancesFor(w.o.nodes)), height, n));
    }
    let version = Number.POSITIVE_INFINITY;
    this.#windows.open(e, () => w.allAtVersion(version));
    version = w.mineBlock(e.at, height, { register: fresh }).version;
  }

  #expire(e: EventOf<'expire'>): void {
    const w = this.#w;
    let version = Number.POSITIVE_INFINITY;
    this.#windows.open(e, () => w.allAtVersion(version));
    version = w.mineBlock(e.at, this.#heightOf.get(e) as number, {}).version;
  }
}
