// `devnet up`: from nothing to a running network with the sample app answering, one recorded step
// at a time. Any failure or interrupt tears down everything made so far (the state file says what).

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { formatFromPath, parseAppSpec } from '../cloud/index.ts';
import { DEFAULT_APP_SPEC, publishImage, registerSampleApp, waitForApp } from './app-steps.ts';
import { fundNodes, startFluxnodes, startMining, waitForPeers } from './chain-steps.ts';
import { startDevnetRegistry, startEngines, startNodes } from './engines.ts';
import { assertHostReady } from './host-check.ts';
import { createDevnetNamespaces } from './netns.ts';
import { rpcPortOf } from './host-process.ts';
import { type DevnetLayoutOptions, planDevnet, type TierCounts } from './layout.ts';
import { DevnetAbortedError, throwIfAborted } from './poll.ts';
import { type Progress, silentProgress } from './progress.ts';
import { monitorUrl, startMonitor } from './monitor.ts';
import { type DevnetState, initialState, readState, writeState } from './state.ts';
import type { StepContext } from './step-context.ts';
import { type TeardownReport, teardownDevnet } from './teardown.ts';

export interface UpOptions extends DevnetLayoutOptions {
  tiers: TierCounts;
  /** The app registered at the end (default examples/hello-app.yaml). */
  appSpecFile?: string;
  /** Node 1's pace: at most one block per this many ms (default 1000). */
  mineIntervalMs?: number;
  /** On failure, leave everything running for inspection (`devnet down` removes it later). */
  keepOnFailure?: boolean;
  /** Stop after the fluxnodes are confirmed (no image, no app). */
  skipApp?: boolean;
  /** Run prometheus scraping every node (see monitor.ts). */
  monitor?: boolean;
  signal?: AbortSignal;
  progress?: Progress;
  /** Multiplies every wait (slow machines). */
  patience?: number;
}

export interface DevnetSummary {
  dir: string;
  dashboard: string;
  registry: string;
  /** The prometheus of `--monitor` (its web UI and HTTP API). */
  monitor?: string;
  nodes: {
    name: string;
    host: string;
    tier: string;
    geolocation?: string;
    api: string;
    rpc: string;
    pid?: number;
    collateral?: string;
  }[];
  app?: { name: string; image: string; urls: string[]; specHash: string; txid: string };
  steps: { name: string; ms: number; detail?: string }[];
  totalMs: number;
}

/** A devnet already lives in the folder (running or crashed): `down` it first. */
export class DevnetExistsError extends Error {
  readonly dir: string;
  constructor(dir: string, detail: string) {
    super(
      `${detail} in ${dir}: see it with \`npm run devnet -- status\`, remove it with \`npm run devnet -- down\``,
    );
    this.name = 'DevnetExistsError';
    this.dir = dir;
  }
}

/** `devnet up` failed or was interrupted; says what was torn down. */
export class DevnetUpError extends Error {
  readonly step: string;
  readonly reason: unknown;
  readonly teardown: TeardownReport | undefined;
  constructor(step: string, cause: unknown, teardown: TeardownReport | undefined) {
    const why = cause instanceof Error ? cause.message : String(cause);
    const after =
      teardown === undefined
        ? ' (left running for inspection: `fluxnode devnet down` removes it)'
        : teardown.problems.length > 0
          ? `; cleanup left: ${teardown.problems.join('; ')}`
          : '; everything it had started was removed';
    // The first line says what failed and what was cleaned up; details (a log tail) follow.
    const [first, ...rest] = why.split('\n');
    super(`${step}: ${first}${after}${rest.length > 0 ? `\n${rest.join('\n')}` : ''}`);
    this.name = 'DevnetUpError';
    this.step = step;
    this.reason = cause;
    this.teardown = teardown;
  }
}

export function summarize(state: DevnetState, totalMs: number): DevnetSummary {
  return {
    dir: state.dir,
    dashboard: state.dashboard,
    registry: state.registry.address ?? `${state.registry.host}:${state.registry.port}`,
    monitor: state.monitor && monitorUrl(state.monitor),
    nodes: state.nodes.map((n) => ({
      name: n.name,
      host: n.host,
      tier: n.tier,
      geolocation: n.geolocation,
      api: `http://${n.host}:${n.apiPort}/`,
      rpc: `http://${n.host}:${rpcPortOf(n)}/`,
      pid: n.pid,
      collateral: n.collateral,
    })),
    app: state.app && {
      name: state.app.name,
      image: state.app.image,
      urls: state.app.urls,
      specHash: state.app.specHash,
      txid: state.app.txid,
    },
    steps: state.steps,
    totalMs,
  };
}

/** The first published port of the spec file (where the app answers when the API gives no port). */
function specPort(file: string): number | undefined {
  try {
    const spec = parseAppSpec(readFileSync(file, 'utf8'), formatFromPath(file)) as {
      components?: { ports?: number[] }[];
    };
    return spec.components?.[0]?.ports?.[0];
  } catch {
    return undefined;
  }
}

export async function devnetUp(opts: UpOptions): Promise<DevnetSummary> {
  const progress = opts.progress ?? silentProgress;
  const started = Date.now();
  const appSpecFile = path.resolve(opts.appSpecFile ?? DEFAULT_APP_SPEC);
  const layout = planDevnet(opts);

  // Nothing is created before the host is known to be able to run it all.
  const hostStart = Date.now();
  progress.begin('Host tools');
  let hostDetail: string;
  try {
    const host = assertHostReady();
    hostDetail = host.tools.map((t) => t.tool).join(', ');
    if (!opts.skipApp && !existsSync(appSpecFile)) throw new Error(`app spec ${appSpecFile} does not exist`);
    const previous = readState(layout.dir);
    if (previous) throw new DevnetExistsError(layout.dir, `a devnet (${previous.phase}) already exists`);
    if (existsSync(layout.dir) && readdirSync(layout.dir).length > 0) {
      throw new DevnetExistsError(layout.dir, 'files that are not a devnet’s are');
    }
  } catch (err) {
    progress.fail('Host tools', Date.now() - hostStart, err);
    throw err;
  }
  progress.done('Host tools', Date.now() - hostStart, hostDetail);

  const state = initialState(layout, opts.tiers, opts.mineIntervalMs ?? 1_000);
  if (opts.monitor) state.monitor = { ...layout.monitor };
  state.steps.push({ name: 'Host tools', ms: Date.now() - hostStart, detail: hostDetail });
  writeState(state);

  const save = () => writeState(state);
  const ctx: StepContext = {
    state,
    signal: opts.signal,
    update: (note) => progress.update(note),
    save,
    patience: opts.patience ?? 1,
  };
  const patience = ctx.patience;

  let current = 'Host tools';
  const step = async (title: string, run: () => Promise<string>) => {
    throwIfAborted(opts.signal);
    current = title;
    const t0 = Date.now();
    progress.begin(title);
    try {
      const detail = await run();
      // A step that cannot be interrupted half-way (a daemon start) finishes; we stop right after.
      throwIfAborted(opts.signal);
      const ms = Date.now() - t0;
      state.steps.push({ name: title, ms, detail });
      save();
      progress.done(title, ms, detail);
    } catch (err) {
      progress.fail(title, Date.now() - t0, err);
      throw err;
    }
  };

  try {
    const netns = state.netns;
    if (netns) {
      await step('Network namespaces', () =>
        createDevnetNamespaces(
          netns,
          state.nodes.map((n) => n.host),
        ),
      );
    }
    await step('Registry', () => startDevnetRegistry(state, save));
    await step('Docker engines', () => startEngines(state, save));
    await step('Node processes', () =>
      startNodes(state, { save, signal: opts.signal, timeoutMs: 60_000 * patience }),
    );
    if (opts.monitor) await step('Prometheus', () => startMonitor(state, save));
    await step('Peers', () => waitForPeers(ctx));
    await step('Mining to coinbase maturity', () => startMining(ctx));
    await step('Funding the fluxnodes', () => fundNodes(ctx));
    await step('Starting the fluxnodes', () => startFluxnodes(ctx));
    if (!opts.skipApp) {
      await step('Sample image', () => publishImage(ctx));
      await step('Registering the sample app', () => registerSampleApp(ctx, appSpecFile));
      await step('Sample app answering', () => waitForApp(ctx, specPort(appSpecFile)));
    }
  } catch (err) {
    const interrupted = err instanceof DevnetAbortedError || opts.signal?.aborted === true;
    state.phase = 'failed';
    save();
    if (opts.keepOnFailure && !interrupted) throw new DevnetUpError(current, err, undefined);
    progress.note(
      interrupted
        ? 'Interrupted: removing everything started so far…'
        : 'Removing everything started so far…',
    );
    const report = await teardownDevnet(state, { log: (line) => progress.note(`  ${line}`) });
    throw new DevnetUpError(current, interrupted ? new DevnetAbortedError() : err, report);
  }
  state.phase = 'up';
  save();
  return summarize(state, Date.now() - started);
}
