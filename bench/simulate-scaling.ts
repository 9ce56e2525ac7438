/**
 * How the simulator's figures grow with the network: 1,000, 12,270 and 50,000 nodes with the same
 * load per node (20,000 apps per 12,270 nodes). Two steps, because the large runs take minutes:
 *
 *   node bench/simulate-scaling.ts run DIR [nodes…]   simulate, one JSON report per run in DIR
 *   node bench/simulate-scaling.ts render DIR          the markdown table (stdout) and docs/performance.svg
 *
 * Each size runs the full scenario as nodes should place (`incremental`), and the kill scenario
 * twice more for comparison: `scan` (placeApps scanning every node for every app: the code as it
 * was) and `index` (placeApps with ranked candidates, still recomputing every app).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type Panel,
  type SimReport,
  simulate,
  svgChart,
  timelinePanel,
  type WindowReport,
} from '../src/sim/index.ts';

const SIZES = [1000, 12_270, 50_000];
const appsFor = (nodes: number) => Math.round((nodes * 20_000) / 12_270);

const [mode, dir, ...rest] = process.argv.slice(2);
if (!dir || (mode !== 'run' && mode !== 'render')) {
  process.stderr.write('usage: node bench/simulate-scaling.ts run|render DIR [nodes…]\n');
  process.exit(2);
}

const fileOf = (nodes: number, variant: string) => join(dir, `sim-${nodes}-${variant}.json`);

if (mode === 'run') {
  mkdirSync(dir, { recursive: true });
  const sizes = rest.length ? rest.map(Number) : SIZES;
  for (const nodes of sizes) {
    for (const variant of ['full', 'kill-scan', 'kill-index'] as const) {
      const out = fileOf(nodes, variant);
      if (existsSync(out)) continue;
      process.stderr.write(`== ${nodes} nodes, ${variant}\n`);
      const report = simulate({
        nodes,
        apps: appsFor(nodes),
        seed: 1,
        scenario: variant === 'full' ? 'full' : 'kill',
        placer: variant === 'full' ? 'incremental' : variant === 'kill-scan' ? 'scan' : 'index',
        // The same 5 s period at every size, so sizes compare (the node's own period grows with size).
        heartbeatMs: 5000,
        progress: (line) => process.stderr.write(`   ${line}\n`),
      });
      writeFileSync(out, JSON.stringify(report));
    }
  }
} else {
  const load = (nodes: number, variant: string): SimReport | undefined =>
    existsSync(fileOf(nodes, variant)) ? JSON.parse(readFileSync(fileOf(nodes, variant), 'utf8')) : undefined;
  const rows: { nodes: number; full: SimReport; plain?: SimReport; index?: SimReport }[] = [];
  for (const nodes of SIZES) {
    const full = load(nodes, 'full');
    if (full) rows.push({ nodes, full, plain: load(nodes, 'kill-scan'), index: load(nodes, 'kill-index') });
  }
  const win = (r: SimReport, prefix: string): WindowReport =>
    r.windows.find((w) => w.event.startsWith(prefix)) as WindowReport;
  const n0 = (x: number) => Math.round(x).toLocaleString('en-US');
  const s1 = (x: number | null) => (x === null ? '—' : x.toFixed(1));
  const s2 = (x: number) => x.toFixed(2);
  const col = (label: string, f: (r: (typeof rows)[number]) => string) =>
    `| ${label} | ${rows.map(f).join(' | ')} |`;
  const out: string[] = [];
  out.push(`| | ${rows.map((r) => `**${n0(r.nodes)} nodes**`).join(' | ')} |`);
  out.push(`|---|${rows.map(() => '---:').join('|')}|`);
  out.push(col('apps / instances', (r) => `${n0(r.full.setup.apps)} / ${n0(r.full.setup.instances)}`));
  out.push(col('kill 5%: dead out of every view (s)', (r) => s1(win(r.full, 'kill').detectedAfter)));
  out.push(col('kill 5%: exact counts after the kill (s)', (r) => s1(win(r.full, 'kill').convergedAfter)));
  out.push(
    col('kill 5%: … after the dead left the views (s)', (r) => {
      const w = win(r.full, 'kill');
      return s1((w.convergedAfter ?? 0) - (w.detectedAfter ?? 0));
    }),
  );
  out.push(
    col(
      'kill 5%: max under / max over target',
      (r) => `${n0(win(r.full, 'kill').maxUnder)} / ${n0(win(r.full, 'kill').maxOver)}`,
    ),
  );
  out.push(col('kill 5%: distinct placements computed', (r) => String(win(r.full, 'kill').placements.count)));
  const opt = (r: SimReport | undefined, f: (x: SimReport) => number) => (r ? s2(f(r)) : '—');
  const killCpu = (x: SimReport) => win(x, 'kill').placements.max;
  const killNode = (x: SimReport) => win(x, 'kill').nodeCpuMax;
  out.push(col('CPU per re-plan, max (s): scan (before)', (r) => opt(r.plain, killCpu)));
  out.push(col('… with the index', (r) => opt(r.index, killCpu)));
  out.push(col('… incremental (now)', (r) => opt(r.full, killCpu)));
  out.push(col('re-plan CPU per node for the kill (s): scan (before)', (r) => opt(r.plain, killNode)));
  out.push(col('… with the index', (r) => opt(r.index, killNode)));
  out.push(col('… incremental (now)', (r) => opt(r.full, killNode)));
  out.push(col('anchor from scratch with a full scan (s)', (r) => opt(r.plain, (x) => x.setup.anchorCpu)));
  out.push(
    col("a node's first placement: index + anchor (s)", (r) =>
      s2(r.full.setup.indexCpu + r.full.setup.anchorCpu),
    ),
  );
  out.push(col('new tip (join 1%): index update + anchor (s)', (r) => s2(win(r.full, 'join').anchors.max)));
  out.push(col('partition: max over target', (r) => n0(win(r.full, 'partition').maxOver)));
  out.push(col('heal: exact counts after (s)', (r) => s1(win(r.full, 'heal').convergedAfter)));
  out.push(
    col('restart / join / loss / register / expire: exact after (s)', (r) =>
      ['restart', 'join', 'heartbeat', 'register', 'expire']
        .map((p) => s1(win(r.full, p).convergedAfter))
        .join(' / '),
    ),
  );
  out.push(col('two of one app on one node', (r) => String(r.full.totals.duplicates)));
  out.push(col('heartbeat messages per node per minute', (r) => n0(r.full.totals.messagesPerNodeMinute)));
  out.push(col('… batched per gossip round', (r) => n0(r.full.totals.batchedMessagesPerNodeMinute)));
  out.push(
    col('heartbeat bytes per node (MB/s)', (r) => s2(r.full.totals.heartbeatBytesPerNodeSecond / 1e6)),
  );
  out.push(
    col('heartbeat signatures checked per node per s', (r) => n0(r.full.totals.verificationsPerNodeSecond)),
  );
  out.push(col('simulation wall time (s)', (r) => n0(r.full.totals.wallSeconds)));
  process.stdout.write(`${out.join('\n')}\n`);

  const points = (f: (r: (typeof rows)[number]) => number | undefined) =>
    rows.flatMap((r) => {
      const v = f(r);
      return v === undefined ? [] : [[r.nodes, v] as const];
    });
  const cpuPanel: Panel = {
    title: 'Placement CPU for a 5% kill (apps ∝ nodes)',
    xLabel: 'nodes',
    yLabel: 'CPU seconds',
    xScale: 'log',
    yScale: 'log',
    lines: [
      {
        label: 'per node, scan (before)',
        color: '#d62728',
        dashed: true,
        points: points((r) => r.plain && win(r.plain, 'kill').nodeCpuMax),
      },
      {
        label: 'per node, incremental (now)',
        color: '#d62728',
        points: points((r) => win(r.full, 'kill').nodeCpuMax),
      },
      {
        label: 'per re-plan, scan (before)',
        color: '#1f77b4',
        dashed: true,
        points: points((r) => r.plain && win(r.plain, 'kill').placements.max),
      },
      {
        label: 'per re-plan, incremental (now)',
        color: '#1f77b4',
        points: points((r) => win(r.full, 'kill').placements.max),
      },
    ],
    rules: [{ y: 2, label: '2 s' }],
    legend: 'tl',
  };
  const gossipPanel: Panel = {
    title: 'Heartbeat gossip per node',
    xLabel: 'nodes',
    yLabel: 'per second',
    xScale: 'log',
    yScale: 'log',
    legend: 'tl',
    lines: [
      {
        label: 'messages (one per heartbeat copy)',
        color: '#9467bd',
        points: points((r) => r.full.totals.messagesPerNodeMinute / 60),
      },
      {
        label: 'messages, batched per round',
        color: '#9467bd',
        dashed: true,
        points: points((r) => r.full.totals.batchedMessagesPerNodeMinute / 60),
      },
      {
        label: 'signature checks',
        color: '#8c564b',
        points: points((r) => r.full.totals.verificationsPerNodeSecond),
      },
    ],
  };
  const mid = rows.find((r) => r.nodes === 12_270);
  const panels = [cpuPanel, gossipPanel];
  const svg = svgChart(mid ? [timelinePanel(mid.full), ...panels] : panels, {
    panelWidth: 520,
    height: 360,
    title: 'fluxnode simulate: repair after events, and cost as the network grows',
  });
  writeFileSync(new URL('../docs/performance.svg', import.meta.url), svg);
  process.stderr.write('wrote docs/performance.svg\n');
}
