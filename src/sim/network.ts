/**
 * Who is up, since when, and what their links do: the facts the rest of the simulator asks about
 * one node at one moment. Nodes are numbered in the order they appear; periods are kept so a
 * heartbeat can be judged by the state at the moment it was sent, not when it is processed.
 */
export type Period = [from: number, to: number];

export class Network {
  readonly ids: string[] = [];
  readonly index = new Map<string, number>();
  /** 1 while the node's process runs. */
  readonly up: number[] = [];
  /** Bumped at every crash so callbacks scheduled by an earlier life of the node are dropped. */
  readonly incarnation: number[] = [];
  /** Offset of the node's heartbeat schedule inside one interval. */
  readonly phase: number[] = [];
  private readonly upPeriods: Period[][] = [];
  private readonly outages: Period[][] = [];
  /** Per-node link loss while a `lossy` period runs (probability a message is lost). */
  private readonly lossy: { from: number; to: number; loss: number }[][] = [];

  get size(): number {
    return this.ids.length;
  }

  add(id: string, at: number, phase: number): number {
    const i = this.ids.length;
    this.ids.push(id);
    this.index.set(id, i);
    this.up.push(1);
    this.incarnation.push(0);
    this.phase.push(phase);
    this.upPeriods.push([[at, Number.POSITIVE_INFINITY]]);
    this.outages.push([]);
    this.lossy.push([]);
    return i;
  }

  kill(i: number, at: number): void {
    if (!this.up[i]) return;
    this.up[i] = 0;
    this.incarnation[i]!++;
    const periods = this.upPeriods[i]!;
    periods[periods.length - 1]![1] = at;
  }

  restart(i: number, at: number): void {
    if (this.up[i]) return;
    this.up[i] = 1;
    this.upPeriods[i]!.push([at, Number.POSITIVE_INFINITY]);
  }

  wasUp(i: number, t: number): boolean {
    const periods = this.upPeriods[i]!;
    for (let k = periods.length - 1; k >= 0; k--) {
      const [from, to] = periods[k]!;
      if (t >= from) return t < to;
    }
    return false;
  }

  /** The node's heartbeats sent in [from, to) reach nobody. */
  addOutage(i: number, from: number, to: number): void {
    this.outages[i]!.push([from, to]);
  }

  uplinkDown(i: number, t: number): boolean {
    for (const [from, to] of this.outages[i]!) if (t >= from && t < to) return true;
    return false;
  }

  addLossy(i: number, from: number, to: number, loss: number): void {
    this.lossy[i]!.push({ from, to, loss });
  }

  /** Message loss on the node's links at `t`: its own lossy period, else the network's base rate. */
  lossAt(i: number, t: number, base: number): number {
    for (const p of this.lossy[i]!) if (t >= p.from && t < p.to) return p.loss;
    return base;
  }

  lossyPeriods(i: number): readonly { from: number; to: number; loss: number }[] {
    return this.lossy[i] ?? [];
  }
}
