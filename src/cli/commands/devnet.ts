/**
 * `fluxnode devnet up|status|add|kill|restart|down`: a local network on one machine. Every node gets its
 * own loopback address, process and Docker engine; the devnet's folder (default ./.devnet in the
 * repository) holds all of it plus the state file that lets `down` remove everything, always.
 * Exit codes: 0 done, 1 failed (the message says what and what was cleaned up), 2 bad options,
 * 130 interrupted.
 */
import { TIERS, type Tier } from '../../consensus/index.ts';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { describe } from './list.ts';
import {
  addNode,
  chooseNetns,
  DEFAULT_BASE_ADDRESS,
  DEFAULT_MONITOR_PORT,
  DEFAULT_NETNS_BASE_ADDRESS,
  DEFAULT_NODES,
  DEFAULT_REGISTRY_PORT,
  defaultTiers,
  DevnetAbortedError,
  DevnetConfigError,
  type DevnetState,
  DevnetStateError,
  type DevnetStatus,
  devnetStatus,
  type DevnetSummary,
  devnetUp,
  DevnetUpError,
  formatDuration,
  HostNotReadyError,
  killNode,
  netnsSupport,
  parseNodeCount,
  parseTiers,
  readState,
  restartNode,
  streamProgress,
  teardownDevnet,
} from '../../devnet/index.ts';
import { CliError, formatTable, printJson } from '../output.ts';

/** ./.devnet at the repository root, wherever the command is run from. */
export const DEFAULT_DEVNET_DIR = fileURLToPath(new URL('../../../.devnet', import.meta.url));

interface DirOptions {
  dir: string;
  json?: boolean;
}

function number(text: string, option: string): number {
  if (!/^\d+$/.test(text)) throw new CliError(`${option} must be a whole number, got "${text}"`);
  return Number(text);
}

/** The state of the devnet in `dir`; a missing one is an error only when `required`. */
function loadState(dir: string, required: boolean): DevnetState | undefined {
  let state: DevnetState | undefined;
  try {
    state = readState(dir);
  } catch (err) {
    if (err instanceof DevnetStateError) throw new CliError(err.message, 1);
    throw err;
  }
  if (!state && required)
    throw new CliError(`no devnet in ${dir} (start one with \`fluxnode devnet up\`)`, 1);
  return state;
}

function printSummary(s: DevnetSummary): void {
  const out: string[] = [''];
  out.push(`The devnet is up (${formatDuration(s.totalMs)}), in ${s.dir}`);
  out.push(
    formatTable(
      ['node', 'address', 'tier', 'location', 'API', 'JSON-RPC'],
      s.nodes.map((n) => [n.name, n.host, n.tier, n.geolocation ?? '-', n.api, n.rpc]),
    )
      .split('\n')
      .map((l) => `  ${l}`)
      .join('\n'),
  );
  if (s.app) {
    out.push(`The sample app "${s.app.name}" (${s.app.image}) answers at:`);
    for (const url of s.app.urls) out.push(`  ${url}`);
  }
  if (s.monitor) out.push(`Prometheus: ${s.monitor} (try the query fluxnode_chain_tip_height)`);
  out.push('JSON-RPC credentials: "rpc" in devnet.json (each node serves RPC on its own loopback address)');
  out.push('Status: npm run devnet -- status    Stop everything: npm run devnet -- down');
  out.push(`Dashboard: ${s.dashboard}`);
  process.stdout.write(`${out.join('\n')}\n`);
}

function printStatus(s: DevnetStatus): void {
  const out: string[] = [];
  out.push(
    `devnet in ${s.dir} (${s.phase}); registry ${s.registry.address} ${s.registry.running ? 'running' : 'down'}`,
  );
  if (s.monitor) out.push(`prometheus ${s.monitor.url} ${s.monitor.running ? 'running' : 'down'}`);
  out.push(
    formatTable(
      [
        'node',
        'address',
        'tier',
        'location',
        'process',
        'engine',
        'containers',
        'height',
        'peers',
        'fluxnode',
      ],
      s.nodes.map((n) => [
        n.name,
        n.host,
        n.tier,
        n.geolocation ?? '-',
        n.process === 'running' ? `pid ${n.pid}` : 'down',
        n.engine,
        n.containers ?? '-',
        n.height ?? '-',
        n.peers ?? '-',
        n.fluxnode ?? '-',
      ]),
    ),
  );
  if (s.apps.length === 0) out.push('apps: none registered');
  for (const a of s.apps) {
    out.push(`app ${a.name}: ${a.locations.length} of ${a.instances} instances`);
    for (const l of a.locations) out.push(`  ${l.nodeName ?? l.node ?? l.ip}  ${l.url}`);
  }
  out.push(`Dashboard: ${s.dashboard}`);
  process.stdout.write(`${out.join('\n')}\n`);
}

async function up(o: Record<string, string | boolean | undefined> & DirOptions): Promise<void> {
  let nodes: number;
  let tiers: ReturnType<typeof defaultTiers>;
  try {
    nodes = parseNodeCount(String(o.nodes));
    tiers = o.tiers === undefined ? defaultTiers(nodes) : parseTiers(String(o.tiers), nodes);
  } catch (err) {
    if (err instanceof DevnetConfigError) throw new CliError(err.message, 2);
    throw err;
  }
  // Progress goes where it does not mix with a JSON result.
  const progress = streamProgress(o.json ? process.stderr : process.stdout);
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    signals++;
    if (signals === 1) controller.abort(sig);
    else progress.note(`(${sig} again: still removing what was started; it takes a few seconds)`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const baseAddress = o.baseAddress === undefined ? undefined : String(o.baseAddress);
  const layout = chooseNetns(o.netns as boolean | undefined, baseAddress, netnsSupport);
  if (layout.warning) progress.note(`warning: ${layout.warning}`);
  progress.note(
    `fluxnode devnet: ${nodes} node${nodes === 1 ? '' : 's'} (${tiers.cumulus} cumulus, ${tiers.nimbus} nimbus, ${tiers.stratus} stratus) in ${o.dir}`,
  );
  try {
    const summary = await devnetUp({
      dir: o.dir,
      nodes,
      tiers,
      baseAddress,
      netns: layout.netns,
      registryPort: number(String(o.registryPort), '--registry-port'),
      apiPort: o.apiPort === undefined ? undefined : number(String(o.apiPort), '--api-port'),
      rpcPort: o.rpcPort === undefined ? undefined : number(String(o.rpcPort), '--rpc-port'),
      p2pPort: o.p2pPort === undefined ? undefined : number(String(o.p2pPort), '--p2p-port'),
      appSpecFile: typeof o.app === 'string' ? o.app : undefined,
      skipApp: o.app === false,
      mineIntervalMs: number(String(o.blockIntervalMs), '--block-interval-ms'),
      keepOnFailure: o.keepOnFailure === true,
      monitor: o.monitor === true,
      monitorPort: number(String(o.monitorPort), '--monitor-port'),
      signal: controller.signal,
      progress,
    });
    if (o.json) printJson(summary);
    else printSummary(summary);
  } catch (err) {
    if (err instanceof DevnetConfigError) throw new CliError(err.message, 2);
    if (err instanceof HostNotReadyError) throw new CliError(err.message, 1);
    if (err instanceof DevnetUpError) {
      throw new CliError(
        err.reason instanceof DevnetAbortedError
          ? err.message.replace(/^(.*?): interrupted/, 'interrupted during “$1”')
          : err.message,
        err.reason instanceof DevnetAbortedError ? 130 : 1,
      );
    }
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

export function register(program: Command): void {
  const devnet = program.command('devnet').description(describe('devnet'));
  const dirOption = (c: Command) =>
    c.option('--dir <dir>', 'the devnet folder', DEFAULT_DEVNET_DIR).option('--json', 'print JSON');

  dirOption(
    devnet
      .command('up')
      .description(
        'start a registry, one Docker engine and one node per address, mine, start the fluxnodes, run the sample app',
      )
      .option('--nodes <n>', 'how many nodes', String(DEFAULT_NODES))
      .option('--tiers <c,n,s>', 'how many cumulus,nimbus,stratus fluxnodes (default: 2,2,1 for 5 nodes)')
      .option(
        '--base-address <ip>',
        `address of node 1; the others follow, the registry is just below (default ${DEFAULT_BASE_ADDRESS}, with --netns ${DEFAULT_NETNS_BASE_ADDRESS})`,
      )
      .option(
        '--netns',
        'each node and its Docker engine in a network namespace of its own, on a host bridge (10.77.0.0/24), engines with iptables on (the default where the host can)',
      )
      .option(
        '--no-netns',
        'nodes on loopback addresses, engines without iptables (the default with a 127.x --base-address)',
      )
      .option('--registry-port <port>', 'registry port', String(DEFAULT_REGISTRY_PORT))
      .option('--api-port <port>', "every node's public API port (default 16127)")
      .option('--rpc-port <port>', "every node's JSON-RPC port, on its own loopback address (default 16124)")
      .option('--p2p-port <port>', "every node's p2p port (default: devnet's 36125)")
      .option('--app <file>', 'app spec to register (default examples/hello-app.yaml)')
      .option('--no-app', 'stop once the fluxnodes are confirmed')
      .option(
        '--block-interval-ms <ms>',
        'the miners (nodes 1 and 2) together mine at most one block per this many ms',
        '1000',
      )
      .option('--keep-on-failure', 'leave everything running when a step fails (for inspection)')
      .option('--monitor', "run prometheus (on the registry's address) scraping every node's /metrics")
      .option('--monitor-port <port>', 'prometheus port', String(DEFAULT_MONITOR_PORT)),
  ).action(up);

  dirOption(
    devnet.command('status').description('nodes, tiers, heights, peers, apps and where they run'),
  ).action(async (o: DirOptions) => {
    const state = loadState(o.dir, true)!;
    const s = await devnetStatus(state);
    if (o.json) printJson(s);
    else printStatus(s);
  });

  dirOption(
    devnet
      .command('add')
      .option('--tier <tier>', 'cumulus, nimbus or stratus', 'cumulus')
      .description('start one more node with its own engine, pay its collateral and start it as a fluxnode'),
  ).action(async (o: DirOptions & { tier: string }) => {
    const state = loadState(o.dir, true)!;
    if (!(TIERS as readonly string[]).includes(o.tier)) {
      throw new CliError(`--tier must be one of ${TIERS.join(', ')}, got "${o.tier}"`, 2);
    }
    const r = await addNode(state, { tier: o.tier as Tier }).catch(rethrowState);
    if (o.json) printJson(r);
    else {
      const took = r.steps.map((s) => `${s.name} ${formatDuration(s.ms)}`).join(', ');
      process.stdout.write(`${r.node} (${r.host}) joined as a ${r.tier} fluxnode: ${took}\n`);
    }
  });

  dirOption(
    devnet
      .command('kill')
      .argument('<node>', 'node1, 1 or 127.0.0.11')
      .description("SIGKILL a node's process and Docker engine (its containers die with it)"),
  ).action(async (which: string, o: DirOptions) => {
    const state = loadState(o.dir, true)!;
    const r = await killNode(state, which).catch(rethrowState);
    if (o.json) printJson(r);
    else
      process.stdout.write(`${r.node} (${r.host}) killed: ${r.actions.join(', ') || 'it was not running'}\n`);
  });

  dirOption(
    devnet
      .command('restart')
      .argument('<node>', 'node1, 1 or 127.0.0.11')
      .description("start a node's Docker engine and process again, with the same data"),
  ).action(async (which: string, o: DirOptions) => {
    const state = loadState(o.dir, true)!;
    const r = await restartNode(state, which).catch(rethrowState);
    if (o.json) printJson(r);
    else process.stdout.write(`${r.node} (${r.host}) restarted: ${r.actions.join(', ')}\n`);
  });

  dirOption(
    devnet
      .command('down')
      .description('stop and remove every process, container, bridge and folder of the devnet'),
  ).action(async (o: DirOptions) => {
    const state = loadState(o.dir, false);
    if (!state) {
      if (o.json) printJson({ dir: o.dir, stopped: [], problems: [], removed: false });
      else process.stdout.write(`no devnet in ${o.dir}: nothing to remove\n`);
      return;
    }
    const log = o.json ? undefined : (line: string) => process.stdout.write(`  ${line}\n`);
    const report = await teardownDevnet(state, { log });
    if (o.json) printJson({ dir: state.dir, ...report });
    else if (report.problems.length === 0) process.stdout.write(`devnet in ${state.dir} removed\n`);
    if (report.problems.length > 0) {
      throw new CliError(`could not remove everything:\n  ${report.problems.join('\n  ')}`, 1);
    }
  });
}

function rethrowState(err: unknown): never {
  if (err instanceof DevnetStateError) throw new CliError(err.message, 2);
  throw err;
}
