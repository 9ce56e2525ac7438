import { at } from '../test/support/at.ts';
/**
 * One benchmark: `run` does some work and returns how many operations it did; the harness times
 * several trials and reports the median rate. `target` is the goal, shown beside the figure.
 */
export interface Benchmark {
  name: string;
  unit: string;
  target?: string;
  trials?: number;
  setup?: () => Promise<void> | void;
  run: () => Promise<number> | number;
  /** For figures that are durations, not rates: return seconds instead of ops and set this. */
  reportSeconds?: boolean;
  /** `run` returns the figure itself (e.g. a median of interleaved rounds measured in setup). */
  reportsFigure?: boolean;
  teardown?: () => Promise<void> | void;
  /**
   * 'cpu' divides by this process's CPU time instead of the wall clock: for synchronous work on one
   * thread it is the rate on one core, and other programs sharing the machine barely move it.
   * The unit then says so. Default 'wall'.
   */
  clock?: 'wall' | 'cpu';
}

/**
 * A row whose figure `fn` reads from measurements made once in `setup` (e.g. interleaved rounds of
 * two things compared), so one trial reports it as it is.
 */
export function figureRow(
  name: string,
  unit: string,
  target: string,
  fn: () => number,
  setup?: () => Promise<void> | void,
): Benchmark {
  return { name, unit, target, trials: 1, reportsFigure: true, ...(setup ? { setup } : {}), run: fn };
}

export interface BenchResult {
  name: string;
  median: number;
  unit: string;
  target: string;
  trials: number;
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? at(s, mid) : (at(s, mid - 1) + at(s, mid)) / 2;
}

export async function runBenchmark(b: Benchmark): Promise<BenchResult> {
  await b.setup?.();
  const trials = b.trials ?? 5;
  const figures: number[] = [];
  try {
    for (let i = 0; i < trials; i++) {
      const t0 = process.hrtime.bigint();
      const cpu0 = process.cpuUsage();
      const ops = await b.run();
      const cpu = process.cpuUsage(cpu0);
      const seconds =
        b.clock === 'cpu' ? (cpu.user + cpu.system) / 1e6 : Number(process.hrtime.bigint() - t0) / 1e9;
      figures.push(b.reportSeconds || b.reportsFigure ? ops : ops / seconds);
    }
  } finally {
    await b.teardown?.();
  }
  const unit = b.clock === 'cpu' ? `${b.unit} (CPU time)` : b.unit;
  return { name: b.name, median: median(figures), unit, target: b.target ?? '', trials };
}
