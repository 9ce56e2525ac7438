/**
 * `fluxnode bench`: measures this machine the way a fluxnode is judged. Figures are rounded down to
 * whole numbers, the form benchmark results carry on the wire.
 */
import { availableParallelism, totalmem } from 'node:os';
import type { BenchmarkFigures } from './check.ts';
import { DEFAULT_MAX_PRIME, measureCpu } from './cpu.ts';
import { diskSizeGB, measureDiskWrite } from './disk.ts';

export interface BenchmarkOptions {
  /** The node's data folder: its filesystem is sized and written to. */
  dataDir: string;
  /** How long each CPU thread runs events (default 1,000 ms; devnet uses less). */
  cpuMs?: number;
  /** Size of the disk write test in MB (default 256; devnet uses less). */
  diskMB?: number;
  /** The disk test runs this many times and the best run counts (default 3): one stall is not the disk. */
  diskRounds?: number;
  /** Prime limit of one CPU event (default 10,000, as sysbench). */
  maxPrime?: number;
  /** CPU threads (default: every core). */
  threads?: number;
}

/** Quick settings for a devnet: the whole benchmark takes well under two seconds. */
export const DEVNET_BENCHMARK: Omit<BenchmarkOptions, 'dataDir'> = { cpuMs: 300, diskMB: 16 };

export interface BenchmarkMeasurement extends BenchmarkFigures {
  /** How long the benchmark took, ms. */
  tookMs: number;
}

export async function runBenchmark(opts: BenchmarkOptions): Promise<BenchmarkMeasurement> {
  const started = performance.now();
  const cores = availableParallelism();
  // Sized first: a missing or unreadable data folder fails here, before the long measurements.
  const diskGB = await diskSizeGB(opts.dataDir);
  // CPU before the disk test and alone: the disk test would otherwise steal from it.
  const cpu = await measureCpu(opts.threads ?? cores, opts.cpuMs ?? 1000, opts.maxPrime ?? DEFAULT_MAX_PRIME);
  let diskWrite = 0;
  for (let i = 0; i < Math.max(1, opts.diskRounds ?? 3); i++) {
    diskWrite = Math.max(diskWrite, await measureDiskWrite(opts.dataDir, opts.diskMB ?? 256));
  }
  return {
    cores,
    ramMB: Math.floor(totalmem() / (1024 * 1024)),
    diskGB: Math.floor(diskGB),
    eps: Math.floor(cpu.eps),
    diskWriteMBps: Math.floor(diskWrite),
    tookMs: Math.round(performance.now() - started),
  };
}
