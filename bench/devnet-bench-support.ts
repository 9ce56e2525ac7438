/**
 * A real local devnet shared by the cloud benchmarks in devnet.bench.ts: five nodes (tiers 2,2,1)
 * on 127.0.0.150–154 (registry on .149, bridges fluxbr150–154), each with its own Docker engine,
 * started once on first use and removed by `shutdownBenchDevnet`, or — if the bench crashes, is
 * filtered down to one benchmark, or is interrupted — by the process guards installed with it.
 *
 * The address range stays clear of the test suites' (11–16, 41–45, 51–52, 170–193, 221–235).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { DEFAULT_APP_SPEC, prepareSpec } from '../src/devnet/app-steps.ts';
import { inspectHost } from '../src/devnet/host-check.ts';
import { CLI_MAIN, rpcOf } from '../src/devnet/host-process.ts';
import { streamProgress } from '../src/devnet/progress.ts';
import type { NodeRpc } from '../src/devnet/rpc-client.ts';
import { publishSampleImage } from '../src/devnet/sample-image.ts';
import { type DevnetState, type NodeState, readState } from '../src/devnet/state.ts';
import { teardownDevnet } from '../src/devnet/teardown.ts';
import { devnetUp } from '../src/devnet/up.ts';
import { at } from '../test/support/at.ts';

export const BENCH_BASE_ADDRESS = '127.0.0.150';
export const BENCH_REGISTRY_PORT = 5150;
export const BENCH_TIERS = { cumulus: 2, nimbus: 2, stratus: 1 };
export const BENCH_BLOCK_INTERVAL_MS = 1_000;

export interface BenchDevnet {
  /** The temporary folder holding the devnet's folder. */
  base: string;
  dir: string;
  state: DevnetState;
  /** `<registry>/flux/hello:1`, pushed once. */
  image: string;
  /** Node 1: the miner and the wallet every benchmark app is paid from. */
  rpc: NodeRpc;
}

/** One app location as GET /apps reports it. */
export interface RestLocation {
  node: string;
  ip: string;
  ports?: number[];
  state?: string;
}

interface RestApp {
  name: string;
  instances: number;
  locations: RestLocation[];
}

export class BenchTimeoutError extends Error {
  constructor(what: string, timeoutMs: number, last: string) {
    super(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what} (last: ${last})`);
    this.name = 'BenchTimeoutError';
  }
}

// ---- the shared devnet ---------------------------------------------------------------------------

let starting: Promise<BenchDevnet> | undefined;
let upController: AbortController | undefined;
let folder: { base: string; dir: string } | undefined;
let stopping: Promise<void> | undefined;
let guardsInstalled = false;
let signals = 0;
// After SIGINT/SIGTERM no new devnet may start (the runner goes on to the next benchmark meanwhile).
let interrupted = false;

/** Says what the host lacks, in words that survive the bench table's 60-character error column. */
function assertHostCanRunDevnet(): void {
  const host = inspectHost();
  if (host.root && host.missing.length === 0) return;
  const needs = [
    ...(host.root ? [] : ['root']),
    ...(host.missing.length > 0 ? [`${host.missing.map((m) => m.tool).join(', ')}`] : []),
  ];
  throw new Error(
    `devnet bench needs ${needs.join(' and ')} (run scripts/setup-host.sh as root; ` +
      `Debian packages: ${[...new Set(host.missing.map((m) => m.pkg))].join(' ') || 'none missing'})`,
  );
}

/** The devnet, started on first call (about a minute); later calls share it. */
export function benchDevnet(): Promise<BenchDevnet> {
  if (interrupted) return Promise.reject(new Error('devnet bench interrupted'));
  starting ??= startDevnet().catch((err: unknown) => {
    starting = undefined;
    throw err;
  });
  return starting;
}

async function startDevnet(): Promise<BenchDevnet> {
  assertHostCanRunDevnet();
  const base = mkdtempSync(path.join(tmpdir(), 'fxbench-'));
  const dir = path.join(base, 'devnet');
  folder = { base, dir };
  installGuards();
  upController = new AbortController();
  const progress = streamProgress(process.stderr);
  progress.note(`devnet bench: 5 nodes on ${BENCH_BASE_ADDRESS}… in ${dir}`);
  try {
    await devnetUp({
      dir,
      nodes: 5,
      tiers: BENCH_TIERS,
      baseAddress: BENCH_BASE_ADDRESS,
      registryPort: BENCH_REGISTRY_PORT,
      mineIntervalMs: BENCH_BLOCK_INTERVAL_MS,
      skipApp: true,
      signal: upController.signal,
      progress,
    });
  } catch (err) {
    // devnetUp removed what it had started; only our temporary folder is left.
    rmSync(base, { recursive: true, force: true });
    folder = undefined;
    removeGuards();
    throw err;
  }
  const state = readState(dir);
  if (!state) throw new Error(`devnet up finished but ${dir} holds no state file`);
  const first = at(state.nodes, 0);
  if (!first.dockerd.socketPath || !state.registry.address) {
    throw new Error('devnet up finished without node 1’s engine or the registry');
  }
  const t0 = performance.now();
  const image = await publishSampleImage(first.dockerd.socketPath, state.registry.address);
  progress.note(`  ✓ sample image ${image.ref} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  return { base, dir, state, image: image.ref, rpc: rpcOf(state, first, 10_000) };
}

/** Removes the devnet and its folder; safe to call when none runs. Never throws: leftovers are printed. */
export function shutdownBenchDevnet(): Promise<void> {
  stopping ??= (async () => {
    upController?.abort('benchmark shutting down');
    // A devnetUp still running stops at its next step and removes what it made itself.
    await starting?.catch(() => {});
    const f = folder;
    if (f) {
      const state = safeReadState(f.dir);
      if (state) {
        const report = await teardownDevnet(state).catch((err: unknown) => ({
          problems: [(err as Error).message],
        }));
        if (report.problems.length > 0) {
          process.stderr.write(`devnet bench: teardown left: ${report.problems.join('; ')}\n`);
        }
      }
      rmSync(f.base, { recursive: true, force: true });
    }
    folder = undefined;
    starting = undefined;
    removeGuards();
  })().finally(() => {
    stopping = undefined;
  });
  return stopping;
}

function safeReadState(dir: string): DevnetState | undefined {
  try {
    return readState(dir);
  } catch {
    return undefined;
  }
}

// ---- guards: nothing may outlive the bench process -----------------------------------------------

function onSignal(sig: NodeJS.Signals): void {
  interrupted = true;
  signals++;
  if (signals > 1) {
    process.stderr.write(`devnet bench: ${sig} again; still removing the devnet (a few seconds)\n`);
    return;
  }
  process.stderr.write(`devnet bench: ${sig}: removing the devnet…\n`);
  void shutdownBenchDevnet().finally(() => process.exit(130));
}

/** The event loop ran dry with the devnet still up (a filtered run, or a setup that threw). */
function onBeforeExit(): void {
  if (folder) void shutdownBenchDevnet();
}

/** Last resort on a hard exit (process.exit, an uncaught error): `devnet down`, synchronously. */
function onExit(): void {
  const f = folder;
  if (!f) return;
  if (safeReadState(f.dir)) {
    spawnSync(process.execPath, [CLI_MAIN, 'devnet', 'down', '--dir', f.dir], {
      stdio: 'inherit',
      timeout: 120_000,
    });
  }
  rmSync(f.base, { recursive: true, force: true });
}

function installGuards(): void {
  if (guardsInstalled) return;
  guardsInstalled = true;
  signals = 0;
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('beforeExit', onBeforeExit);
  process.on('exit', onExit);
}

function removeGuards(): void {
  if (!guardsInstalled) return;
  guardsInstalled = false;
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  process.off('beforeExit', onBeforeExit);
  process.off('exit', onExit);
}

// ---- apps ----------------------------------------------------------------------------------------

export interface BenchApp {
  name: string;
  port: number;
  txid: string;
  instances: number;
}

/**
 * Registers examples/hello-app.yaml under `name`, published on `port`, owned by a fresh node-1
 * address and pointing at the devnet's registry; `expire` in blocks (default: the spec's).
 */
export async function registerBenchApp(
  dn: BenchDevnet,
  opts: { name: string; port: number; expire?: number },
): Promise<BenchApp> {
  const owner = await dn.rpc.call<string>('getnewaddress', ['bench app owner']);
  const spec = prepareSpec(readFileSync(DEFAULT_APP_SPEC, 'utf8'), DEFAULT_APP_SPEC, owner, dn.image);
  const components = spec.components as Record<string, unknown>[];
  spec.name = opts.name;
  if (opts.expire !== undefined) spec.expire = opts.expire;
  spec.components = components.map((c, i) => (i === 0 ? { ...c, ports: [opts.port] } : c));
  const r = await dn.rpc.call<{ name: string; txid: string }>('registerapp', [spec]);
  return { name: r.name, port: opts.port, txid: r.txid, instances: Number(spec.instances) };
}

/** Polls node 1 until the tx has a confirmation; returns performance.now() when it was first seen. */
export async function waitConfirmed(dn: BenchDevnet, txid: string, timeoutMs = 60_000): Promise<number> {
  return poll(
    `tx ${txid.slice(0, 12)}… to confirm`,
    async () => {
      const tx = await dn.rpc.call<{ confirmations?: number }>('getrawtransaction', [txid, 1], 2_000);
      return (tx.confirmations ?? 0) >= 1 ? performance.now() : `confirmations ${tx.confirmations ?? 0}`;
    },
    { timeoutMs, intervalMs: 50 },
  );
}

/** A running node of the devnet to ask (node 1 unless it is down). */
function observer(dn: BenchDevnet, avoid?: NodeState): NodeState {
  const n = dn.state.nodes.find((x) => x !== avoid && !x.killed);
  if (!n) throw new Error('no running node left to observe the network from');
  return n;
}

/** The app's locations as GET /apps on `from` reports them ([] while it is not listed). */
export async function restLocations(from: NodeState, name: string): Promise<RestLocation[] | undefined> {
  const res = await fetch(`http://${from.host}:${from.apiPort}/apps`, { signal: AbortSignal.timeout(3_000) });
  if (!res.ok) throw new Error(`GET /apps on ${from.name}: HTTP ${res.status}`);
  const apps = (await res.json()) as RestApp[];
  return apps.find((a) => a.name === name)?.locations;
}

/** Every app name GET /apps lists. */
export async function listedApps(dn: BenchDevnet): Promise<string[]> {
  const from = observer(dn);
  const res = await fetch(`http://${from.host}:${from.apiPort}/apps`, { signal: AbortSignal.timeout(3_000) });
  return ((await res.json()) as RestApp[]).map((a) => a.name);
}

function hostOf(ip: string): string {
  return ip.includes(':') && !ip.startsWith('[') ? ip.slice(0, ip.lastIndexOf(':')) : ip;
}

/** The devnet node a location is on (by collateral, else by address). */
export function nodeOfLocation(dn: BenchDevnet, l: RestLocation): NodeState | undefined {
  return dn.state.nodes.find((n) => n.collateral === l.node || n.host === hostOf(l.ip));
}

/** True when the app's own page (it names the app) answers 200 at host:port. */
export async function answersAt(host: string, port: number, app: string): Promise<boolean> {
  try {
    const res = await fetch(`http://${host}:${port}/`, { signal: AbortSignal.timeout(1_500) });
    const body = await res.text();
    return res.status === 200 && body.includes(`app ${app}`);
  } catch {
    return false;
  }
}

export interface AppView {
  /** Every listed location's host. */
  listed: string[];
  /** Hosts of locations reported running whose page answers. */
  answering: string[];
}

/** The app seen from one running node: where it is listed, and which of those serve its page. */
export async function viewApp(dn: BenchDevnet, app: BenchApp, avoid?: NodeState): Promise<AppView> {
  const locations = (await restLocations(observer(dn, avoid), app.name)) ?? [];
  const listed = [...new Set(locations.map((l) => hostOf(l.ip)).filter((h) => h !== ''))];
  const running = locations.filter((l) => l.state === 'running' && hostOf(l.ip) !== '');
  const checks = await Promise.all(
    running.map(async (l) => {
      const host = hostOf(l.ip);
      return (await answersAt(host, l.ports?.[0] ?? app.port, app.name)) ? host : undefined;
    }),
  );
  const answering = [...new Set(checks.filter((h): h is string => h !== undefined))];
  return { listed: listed.sort(), answering: answering.sort() };
}

/**
 * Waits until the app is listed at exactly its instance count, every location runs and answers,
 * and that set has not changed for `observations` polls a second apart.
 */
export async function waitSettled(
  dn: BenchDevnet,
  app: BenchApp,
  opts: { timeoutMs?: number; observations?: number } = {},
): Promise<string[]> {
  const need = opts.observations ?? 4;
  let last = '';
  let seen = 0;
  return poll(
    `${app.name} to settle at ${app.instances} answering instances`,
    async () => {
      const v = await viewApp(dn, app);
      const complete = v.listed.length === app.instances && v.answering.length === app.instances;
      const key = v.answering.join(' ');
      seen = complete ? (key === last ? seen + 1 : 1) : 0;
      last = key;
      return seen >= need ? v.answering : `listed ${v.listed.join(',') || '-'}, answering ${key || '-'}`;
    },
    { timeoutMs: opts.timeoutMs ?? 180_000, intervalMs: 1_000 },
  );
}

/** The fluxnode status (confirmed, started, expired, …) node 1 lists for `node`. */
export async function fluxnodeStatus(dn: BenchDevnet, node: NodeState): Promise<string | undefined> {
  const list = await rpcOf(dn.state, observer(dn, node), 5_000).call<
    { txhash: string; outidx: number; status: string }[]
  >('viewdeterministicfluxnodelist');
  return list.find((f) => `${f.txhash}:${f.outidx}` === node.collateral)?.status.toLowerCase();
}

// ---- polling -------------------------------------------------------------------------------------

/**
 * Calls `probe` every `intervalMs` until it returns something that is not a string; a string (or
 * a thrown error) means "not yet" and is kept to say what was last seen if time runs out.
 */
export async function poll<T>(
  what: string,
  probe: () => Promise<T | string>,
  opts: { timeoutMs: number; intervalMs: number },
): Promise<T> {
  const deadline = performance.now() + opts.timeoutMs;
  let last = '';
  for (;;) {
    try {
      const r = await probe();
      if (typeof r !== 'string') return r;
      last = r;
    } catch (err) {
      last = (err as Error).message;
    }
    if (performance.now() > deadline) throw new BenchTimeoutError(what, opts.timeoutMs, last);
    await new Promise((resolve) => setTimeout(resolve, opts.intervalMs));
  }
}
