/**
 * Every node's containers and its reconciler, with Docker replaced by timers: the real
 * `planReconcile` decides, and starting or stopping a container takes simulated time. Counts how
 * many instances of each app really run (all of an instance's components up on one node) and
 * whether a node ever runs the same component of an app twice.
 *
 * A container being started is listed as `created` until its start completes, so the plan's
 * `start` action for it is already in progress and is not repeated; `remove` stops it (a container
 * still starting is cancelled). A crash takes every container of the node with it.
 */
import { type ActualContainer, containerName, type DesiredComponent, planReconcile } from '../cloud/index.ts';
import type { Network } from './network.ts';
import type { EventQueue } from './queue.ts';
import type { Rng } from './rng.ts';

interface SimContainer extends ActualContainer {
  life: number;
}

export interface Delays {
  startMs: readonly [number, number];
  stopMs: readonly [number, number];
}

export interface ClusterCounters {
  creates: number;
  removes: number;
  /** Times a node had two running containers of one app component at once. */
  duplicates: number;
}

export class Cluster {
  private readonly net: Network;
  private readonly queue: EventQueue;
  private readonly rng: Rng;
  private readonly delays: Delays;
  private readonly containers: Map<string, SimContainer>[] = [];
  /** node → app → component → running containers */
  private readonly runningParts: Map<string, Map<string, number>>[] = [];
  private readonly partsOf = new Map<string, number>();
  private nextId = 0;
  readonly counters: ClusterCounters = { creates: 0, removes: 0, duplicates: 0 };
  /** Called when an app's number of running instances changes by ±1. */
  private readonly onInstance: (app: string, delta: number) => void;
  /** Called after a container event, so the node's reconciler runs again. */
  private readonly onContainerEvent: (node: number) => void;

  constructor(opts: {
    net: Network;
    queue: EventQueue;
    rng: Rng;
    delays: Delays;
    onInstance: (app: string, delta: number) => void;
    onContainerEvent: (node: number) => void;
  }) {
    this.net = opts.net;
    this.queue = opts.queue;
    this.rng = opts.rng;
    this.delays = opts.delays;
    this.onInstance = opts.onInstance;
    this.onContainerEvent = opts.onContainerEvent;
  }

  addNode(i: number): void {
    this.containers[i] = new Map();
    this.runningParts[i] = new Map();
  }

  /** Components per instance of each app (set once per app). */
  setParts(app: string, parts: number): void {
    this.partsOf.set(app, parts);
  }

  /** Puts containers in place already running (the state of a network that has run for a while). */
  seedRunning(i: number, desired: readonly DesiredComponent[]): void {
    for (const d of desired) {
      const c = this.newContainer(i, d);
      c.state = 'running';
      this.partUp(i, d.app, d.component, +1);
    }
  }

  containersOf(i: number): number {
    return this.containers[i]!.size;
  }

  /** One reconciler pass on node i: plan with the real planner, then act with simulated delays. */
  reconcile(i: number, desired: readonly DesiredComponent[], now: number): number {
    const actual = [...this.containers[i]!.values()];
    const actions = planReconcile(desired, actual);
    let acted = 0;
    for (const action of actions) {
      if (action.kind === 'start') continue; // a `created` container is already being started
      if (action.kind === 'remove') {
        const c = action.container as SimContainer;
        const wasRunning = c.state === 'running';
        c.state = 'removing';
        this.counters.removes++;
        acted++;
        const life = this.net.incarnation[i];
        this.queue.schedule(now + this.rng.range(...this.delays.stopMs), () => {
          if (this.net.incarnation[i] !== life) return;
          this.containers[i]!.delete(c.id);
          if (wasRunning) this.partUp(i, c.app, c.component, -1);
          this.onContainerEvent(i);
        });
      } else {
        const c = this.newContainer(i, action.desired);
        this.counters.creates++;
        acted++;
        const life = this.net.incarnation[i];
        this.queue.schedule(now + this.rng.range(...this.delays.startMs), () => {
          if (this.net.incarnation[i] !== life || c.state !== 'created') return;
          c.state = 'running';
          this.partUp(i, c.app, c.component, +1);
          this.onContainerEvent(i);
        });
      }
    }
    return acted;
  }

  /** The node's process and its containers are gone. */
  crash(i: number): void {
    for (const [app, parts] of this.runningParts[i]!) {
      if (parts.size === (this.partsOf.get(app) ?? 1)) this.onInstance(app, -1);
    }
    this.containers[i]!.clear();
    this.runningParts[i]!.clear();
  }

  private newContainer(i: number, d: DesiredComponent): SimContainer {
    const c: SimContainer = {
      id: `c${this.nextId++}`,
      name: containerName(d.app, d.component),
      app: d.app,
      component: d.component,
      specHash: d.specHash,
      state: 'created',
      life: this.net.incarnation[i]!,
    };
    this.containers[i]!.set(c.id, c);
    return c;
  }

  private partUp(i: number, app: string, component: string, delta: number): void {
    let parts = this.runningParts[i]!.get(app);
    if (!parts) this.runningParts[i]!.set(app, (parts = new Map()));
    const want = this.partsOf.get(app) ?? 1;
    const wasUp = parts.size === want;
    const n = (parts.get(component) ?? 0) + delta;
    if (n > 1) this.counters.duplicates++;
    if (n <= 0) parts.delete(component);
    else parts.set(component, n);
    const isUp = parts.size === want;
    if (parts.size === 0) this.runningParts[i]!.delete(app);
    if (wasUp !== isUp) this.onInstance(app, isUp ? 1 : -1);
  }
}
