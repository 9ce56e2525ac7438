// `devnet up --monitor`: Debian's prometheus scraping every node's GET /metrics. Its config is the
// devnet folder's prometheus.yml and its data lives in the folder too, so `devnet down` (or the
// teardown after a failed `up`) removes all of it. It listens on the registry's loopback address.

import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';
import {
  listProcesses,
  processAlive,
  requireTool,
  spawnDaemon,
  terminateProcess,
  waitUntilReady,
} from './dockerd.ts';
import type { DevnetState, MonitorState } from './state.ts';

/** Scrapes are frequent on a devnet: a test or a person watching wants to see a block within seconds. */
const SCRAPE_INTERVAL = '1s';

export function monitorUrl(m: Pick<MonitorState, 'host' | 'port'>): string {
  return `http://${m.host}:${m.port}`;
}

/** One scrape target per node, labelled with the node's name and tier. */
export function prometheusConfig(state: DevnetState): string {
  return stringify({
    global: { scrape_interval: SCRAPE_INTERVAL, evaluation_interval: SCRAPE_INTERVAL },
    scrape_configs: [
      {
        job_name: 'fluxnode',
        metrics_path: '/metrics',
        static_configs: state.nodes.map((n) => ({
          targets: [`${n.host}:${n.apiPort}`],
          labels: { node: n.name, tier: n.tier },
        })),
      },
    ],
  });
}

/** Writes prometheus.yml, starts prometheus and waits until it is ready; records its pid at once. */
export async function startMonitor(state: DevnetState, save: () => void): Promise<string> {
  const m = state.monitor;
  if (!m) throw new Error('startMonitor: the devnet has no monitor planned');
  const binary = requireTool('prometheus');
  const dataDir = path.join(m.dir, 'data');
  const logFile = path.join(m.dir, 'prometheus.log');
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await writeFile(m.configFile, prometheusConfig(state));
  // Flag and value as separate words, so that the teardown's sweep finds the process by its folder.
  const args = [
    ...['--config.file', m.configFile],
    ...['--storage.tsdb.path', dataDir],
    ...['--web.listen-address', `${m.host}:${m.port}`],
    ...['--storage.tsdb.retention.time', '1d'],
    ...['--log.level', 'warn'],
  ];
  const child = spawnDaemon(binary, args, logFile);
  m.pid = child.pid;
  save();
  const url = monitorUrl(m);
  await waitUntilReady('prometheus', child, logFile, 30_000, () => ready(url));
  return `${url} (pid ${m.pid}), scraping ${state.nodes.length} node${state.nodes.length === 1 ? '' : 's'}`;
}

async function ready(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1_000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

/** The recorded pid is still this devnet's prometheus (not a reused pid). */
export function monitorRunning(state: DevnetState): boolean {
  const m = state.monitor;
  if (m?.pid === undefined || !processAlive(m.pid)) return false;
  const p = listProcesses().find((x) => x.pid === m.pid);
  return (
    p !== undefined &&
    path.basename(p.argv[0] ?? '') === 'prometheus' &&
    p.argv.some((a) => a.startsWith(`${path.resolve(m.dir)}/`))
  );
}

/** Stops the devnet's prometheus if it runs; says what it stopped (for the teardown report). */
export async function stopMonitor(state: DevnetState, log: (l: string) => void): Promise<string | null> {
  const pid = state.monitor?.pid;
  if (pid === undefined || !monitorRunning(state)) return null;
  log(`stopping prometheus (pid ${pid})`);
  await terminateProcess(pid, 5_000);
  return `prometheus (pid ${pid})`;
}
