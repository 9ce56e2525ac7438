/**
 * Judging a benchmark against a tier's minimums. Memory is compared with 5% of slack because the
 * kernel keeps part of the RAM for itself (a machine sold with 8 GB reports about 7.8 GiB).
 */
import type { HardwareMinimums } from '../../consensus/index.ts';

export const RAM_TOLERANCE = 0.95;

/** Whole-number figures, as benchmark results carry them. */
export interface BenchmarkFigures {
  cores: number;
  ramMB: number;
  diskGB: number;
  eps: number;
  diskWriteMBps: number;
}

export interface BenchmarkShortfall {
  field: keyof BenchmarkFigures;
  value: number;
  minimum: number;
}

export interface BenchmarkVerdict {
  ok: boolean;
  /** Every figure below its minimum (empty when ok). */
  shortfalls: BenchmarkShortfall[];
}

export function checkBenchmark(f: BenchmarkFigures, min: HardwareMinimums): BenchmarkVerdict {
  const shortfalls: BenchmarkShortfall[] = [];
  const need = (field: keyof BenchmarkFigures, minimum: number, ok: boolean) => {
    if (!ok) shortfalls.push({ field, value: f[field], minimum });
  };
  need('cores', min.cores, f.cores >= min.cores);
  const ramMinMB = min.ramGB * 1024;
  need('ramMB', ramMinMB, f.ramMB >= Math.floor(ramMinMB * RAM_TOLERANCE));
  need('diskGB', min.ssdGB, f.diskGB >= min.ssdGB);
  need('eps', min.eps, f.eps >= min.eps);
  need('diskWriteMBps', min.diskWriteMBps, f.diskWriteMBps >= min.diskWriteMBps);
  return { ok: shortfalls.length === 0, shortfalls };
}
