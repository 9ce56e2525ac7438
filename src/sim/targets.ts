/**
 * Instances over and under target, network-wide, kept up to date as instances start and stop:
 * over = Σ max(0, running − wanted), under = Σ max(0, wanted − running), where `wanted` is the
 * instance count of the app at the newest block (0 once it expired).
 */
export class TargetCounter {
  private targets = new Map<string, number>();
  private readonly running = new Map<string, number>();
  over = 0;
  under = 0;
  private readonly onChange: () => void;

  constructor(onChange: () => void) {
    this.onChange = onChange;
  }

  setTargets(targets: ReadonlyMap<string, number>): void {
    this.targets = new Map(targets);
    this.over = 0;
    this.under = 0;
    const names = new Set([...this.targets.keys(), ...this.running.keys()]);
    for (const app of names) {
      const want = this.targets.get(app) ?? 0;
      const have = this.running.get(app) ?? 0;
      this.over += Math.max(0, have - want);
      this.under += Math.max(0, want - have);
    }
    this.onChange();
  }

  change(app: string, delta: number): void {
    const want = this.targets.get(app) ?? 0;
    const before = this.running.get(app) ?? 0;
    const after = before + delta;
    if (after < 0) throw new Error(`running instances of ${app} would go below zero`);
    if (after === 0) this.running.delete(app);
    else this.running.set(app, after);
    this.over += Math.max(0, after - want) - Math.max(0, before - want);
    this.under += Math.max(0, want - after) - Math.max(0, want - before);
    this.onChange();
  }

  get instances(): number {
    let n = 0;
    for (const v of this.running.values()) n += v;
    return n;
  }
}
