/**
 * `fluxnode bench [--datadir DIR] [--tier T] [--network N] [--json]`: measures this machine as a
 * fluxnode is judged (cores, RAM, disk size, CPU events per second, disk write speed) and checks
 * the figures against each tier's minimums (or only --tier's). Exit 0 when the machine qualifies
 * (for --tier, or else for at least the smallest tier), 1 when it falls short, 2 on bad input.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { describe } from './list.ts';
import {
  type BenchmarkFigures,
  type BenchmarkMeasurement,
  checkBenchmark,
  DEVNET_BENCHMARK,
  runBenchmark,
} from '../../cloud/index.ts';
import {
  type ConsensusParams,
  type HardwareMinimums,
  isNetworkName,
  isTier,
  NETWORKS,
  paramsFor,
  type Tier,
  tierHardwareMinimums,
  TIERS,
} from '../../consensus/index.ts';
import { CliError, formatTable, printJson } from '../output.ts';

export interface MinimumCheck {
  field: keyof BenchmarkFigures;
  value: number;
  minimum: number;
  ok: boolean;
}

export interface TierResult {
  tier: Tier;
  ok: boolean;
  checks: MinimumCheck[];
}

/** Each figure's minimum in the figure's own unit (RAM in MB, disk in GB). */
function minimumOf(field: keyof BenchmarkFigures, min: HardwareMinimums): number {
  switch (field) {
    case 'cores':
      return min.cores;
    case 'ramMB':
      return min.ramGB * 1024;
    case 'diskGB':
      return min.ssdGB;
    case 'eps':
      return min.eps;
    case 'diskWriteMBps':
      return min.diskWriteMBps;
  }
}

const FIELDS: (keyof BenchmarkFigures)[] = ['cores', 'ramMB', 'diskGB', 'eps', 'diskWriteMBps'];

/** Pass or fail per minimum; the verdict is checkBenchmark's (which allows RAM some slack). */
export function judge(figures: BenchmarkFigures, tier: Tier, params: ConsensusParams): TierResult {
  const min = tierHardwareMinimums(tier, params);
  const verdict = checkBenchmark(figures, min);
  const short = new Set(verdict.shortfalls.map((s) => s.field));
  return {
    tier,
    ok: verdict.ok,
    checks: FIELDS.map((field) => ({
      field,
      value: figures[field],
      minimum: minimumOf(field, min),
      ok: !short.has(field),
    })),
  };
}

const LABELS: Record<keyof BenchmarkFigures, string> = {
  cores: 'CPU cores',
  ramMB: 'RAM (MB)',
  diskGB: 'disk size (GB)',
  eps: 'CPU events/s',
  diskWriteMBps: 'disk write (MB/s)',
};

function human(m: BenchmarkMeasurement, results: TierResult[], network: string, dir: string): string {
  const headers = ['figure', 'measured', ...results.map((r) => `${r.tier} min`)];
  const rows = FIELDS.map((field) => [
    LABELS[field],
    m[field],
    ...results.map((r) => {
      const c = r.checks.find((x) => x.field === field)!;
      return `${c.minimum} ${c.ok ? 'pass' : 'FAIL'}`;
    }),
  ]);
  const verdicts = results.map(
    (r) =>
      `${r.tier}: ${
        r.ok
          ? 'qualifies'
          : `below the minimum for ${r.checks
              .filter((c) => !c.ok)
              .map((c) => LABELS[c.field])
              .join(', ')}`
      }`,
  );
  return [
    `benchmark of ${dir} against ${network} minimums (took ${(m.tookMs / 1000).toFixed(1)} s)`,
    formatTable(headers, rows),
    ...verdicts,
  ].join('\n');
}

export function register(program: Command): void {
  program
    .command('bench')
    .description(describe('bench'))
    .option('--datadir <dir>', 'folder on the disk the node keeps its data on (sized and written to)', '.')
    .option('--tier <tier>', `check only this tier: ${TIERS.join(', ')} (default: all)`)
    .option(
      '--network <name>',
      `whose minimums apply (${NETWORKS.join(', ')}); devnet runs a quick benchmark`,
      'mainnet',
    )
    .option('--json', 'machine-readable output')
    .action(async (o: { datadir: string; tier?: string; network: string; json?: boolean }) => {
      if (!isNetworkName(o.network))
        throw new CliError(`unknown network "${o.network}" (one of: ${NETWORKS.join(', ')})`);
      const tier = o.tier?.toLowerCase();
      if (tier !== undefined && !isTier(tier))
        throw new CliError(`--tier must be one of ${TIERS.join(', ')}, got "${o.tier}"`);
      const dataDir = resolve(o.datadir);
      let isDir = false;
      try {
        isDir = statSync(dataDir).isDirectory();
      } catch {}
      if (!isDir) throw new CliError(`--datadir ${o.datadir} is not a folder`);
      const params = paramsFor(o.network);
      const measured = await runBenchmark({
        ...(o.network === 'devnet' ? DEVNET_BENCHMARK : {}),
        dataDir,
      });
      const results = (tier ? [tier] : TIERS).map((t) => judge(measured, t, params));
      // Without --tier the machine qualifies when it meets the smallest tier.
      const ok = results[0]?.ok ?? false;
      if (o.json) printJson({ network: o.network, dataDir, figures: measured, tiers: results, ok });
      else process.stdout.write(`${human(measured, results, o.network, dataDir)}\n`);
      if (!ok) process.exitCode = 1;
    });
}
