/**
 * This machine's benchmark: measured at start, judged against the tier's minimums, and measured
 * again after `retryMs` when it failed or fell short (a busy disk at start-up should not bar a node
 * for good).
 */
import type { HardwareMinimums } from '../../consensus/index.ts';
import { type BenchmarkFigures, type BenchmarkVerdict, checkBenchmark } from '../benchmark/check.ts';
import type { OwnBenchmark } from './agent-options.ts';
import { figuresOf } from './peer-view.ts';
import type { AgentLogger, Clock } from './types.ts';

export interface OwnBenchmarkDeps {
  measure: () => Promise<BenchmarkFigures>;
  minimums: HardwareMinimums | undefined;
  clock: Clock;
  log: AgentLogger;
  retryMs: number;
  active: () => boolean;
  /** A result was measured (passed or not): gossip it and re-plan. */
  measured: (own: OwnBenchmark) => void;
}

export class OwnBenchmarkRunner {
  readonly #d: OwnBenchmarkDeps;
  #retry: ReturnType<typeof setTimeout> | undefined;
  current: OwnBenchmark | null = null;

  constructor(deps: OwnBenchmarkDeps) {
    this.#d = deps;
  }

  /** Measures, records and reports; rejects when the measurement itself fails (a retry is set). */
  async run(): Promise<BenchmarkVerdict> {
    const d = this.#d;
    let figures: BenchmarkFigures;
    try {
      figures = figuresOf(await d.measure());
    } catch (err) {
      d.log.error({ err: (err as Error).message }, 'benchmark failed');
      this.#scheduleRetry();
      throw err;
    }
    const verdict: BenchmarkVerdict = d.minimums
      ? checkBenchmark(figures, d.minimums)
      : { ok: false, shortfalls: [] };
    this.current = { figures, verdict, measuredAt: d.clock.now() };
    if (verdict.ok) d.log.info({ figures }, 'benchmark passed');
    else d.log.warn({ figures, shortfalls: verdict.shortfalls }, 'benchmark below tier minimums');
    d.measured(this.current);
    if (!verdict.ok) this.#scheduleRetry();
    return verdict;
  }

  cancel(): void {
    if (this.#retry) clearTimeout(this.#retry);
    this.#retry = undefined;
  }

  #scheduleRetry(): void {
    if (this.#d.retryMs <= 0 || !this.#d.active()) return;
    this.cancel();
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      if (this.#d.active()) this.run().catch(() => {}); // logged, and retried, by run
    }, this.#d.retryMs);
  }
}
