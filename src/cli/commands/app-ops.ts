/**
 * `fluxnode app logs|inspect|restart|stop|start|redeploy NAME`: an owner's operations on every
 * instance of an app, through any node (--node URL), signed with the owner's key (--wallet-file F,
 * or --owner-key WIF). Each node that hosts the app answers for itself; an answer that is missing
 * or a refusal is shown beside the others and makes the exit code 1.
 *   logs [--tail N] [--since ISO|ms] [--follow]   every instance's lines, merged in time order,
 *                                                 each labelled with its node and container
 *   inspect                                       containers, state, memory and CPU per node
 *   restart | stop | start                        stopped instances stay stopped (reconcile and
 *                                                 node restarts included) until start or redeploy
 *   redeploy [--hard]                             new containers; --hard wipes the app's data too
 */
import type { Command } from 'commander';
import type { OwnerOpAnswer, OwnerOpNode } from '../../api/index.ts';
import { MAX_LOG_TAIL, type OwnerOp } from '../../cloud/index.ts';
import { CliError, formatTable, printJson } from '../output.ts';
import { type AppOwnerView, type OpArgs, type OwnerKeyFlags, ownerKeyFor, runOwnerOp } from '../owner/ops.ts';
import { DEFAULT_API_URL, NodeClient } from '../rpc.ts';

interface OpFlags extends OwnerKeyFlags {
  node: string;
  json?: boolean;
  timeout: string;
  tail?: string;
  since?: string;
  follow?: boolean;
  hard?: boolean;
}

const WHAT: Record<OwnerOp, string> = {
  logs: 'log lines of every instance, merged in time order and labelled with node and container',
  inspect: 'every instance’s containers: state, status, image, memory and CPU',
  restart: 'restart every instance (a stopped one starts again)',
  stop: 'stop every instance; it stays stopped until start or redeploy',
  start: 'start every instance the owner stopped',
  redeploy: 'replace every instance’s containers (data kept; --hard wipes it)',
};
const FOLLOW_MS = 2000;

function whole(flag: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max)
    throw new CliError(`${flag} must be a whole number from ${min} to ${max}, got "${text}"`);
  return n;
}

function sinceOf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const t = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isSafeInteger(t) || t < 0)
    throw new CliError(`--since must be a time (ISO 8601 or ms), got "${text}"`);
  return t;
}

function nodeLine(n: OwnerOpNode): string[] {
  const id = `${n.node.slice(0, 16)}… ${n.ip}`;
  if (n.status !== 'ok') return [id, n.status, 'rule' in n ? `${n.rule}: ${n.reason}` : n.reason];
  const states = n.containers.map((c) => `${c.component} ${c.state}`).join(', ') || 'no containers';
  return [
    id,
    n.stopped ? 'ok (stopped by owner)' : 'ok',
    n.done.length ? `${states}; did ${n.done.join(', ')}` : states,
  ];
}

function printLines(a: OwnerOpAnswer): void {
  for (const l of a.lines ?? []) {
    const time = l.time > 0 ? new Date(l.time).toISOString() : '-';
    process.stdout.write(`${time} ${l.node.slice(0, 12)} ${l.ip} ${l.container} ${l.stream}: ${l.text}\n`);
  }
}

function printAnswer(a: OwnerOpAnswer, withLines: boolean): void {
  if (withLines) printLines(a);
  const rows = a.nodes.filter((n) => !withLines || n.status !== 'ok').map(nodeLine);
  if (rows.length === 0) return;
  const table = formatTable(['node', 'outcome', 'detail'], rows);
  (withLines ? process.stderr : process.stdout).write(`${table}\n`);
  if (a.op === 'inspect')
    for (const n of a.nodes)
      if (n.status === 'ok')
        for (const c of n.containers)
          if (c.usage)
            process.stdout.write(
              `${n.ip} ${c.container}: ${(c.usage.memoryBytes / 2 ** 20).toFixed(1)} MB of ${(c.usage.memoryLimitBytes / 2 ** 20).toFixed(0)} MB, ${c.usage.cpuSeconds.toFixed(2)} s CPU\n`,
            );
}

async function follow(client: NodeClient, app: AppOwnerView, key: Uint8Array, o: OpFlags, timeoutMs: number) {
  let since = sinceOf(o.since) ?? 0;
  for (;;) {
    const fresh = await client.get<AppOwnerView>(`/apps/${encodeURIComponent(app.name)}`);
    const a = await runOwnerOp(client, fresh, key, 'logs', { since, tail: MAX_LOG_TAIL }, timeoutMs);
    if (o.json) for (const l of a.lines ?? []) process.stdout.write(`${JSON.stringify(l)}\n`);
    else printAnswer(a, true);
    const last = a.lines?.at(-1)?.time;
    if (last !== undefined) since = last + 1;
    await new Promise((r) => setTimeout(r, FOLLOW_MS));
  }
}

async function appOp(op: OwnerOp, name: string, o: OpFlags): Promise<void> {
  const timeoutMs = whole('--timeout', o.timeout, 1, 60) * 1000;
  const client = new NodeClient({ url: o.node, timeoutMs: timeoutMs + 10_000 });
  const app = await client.get<AppOwnerView>(`/apps/${encodeURIComponent(name)}`);
  const key = await ownerKeyFor(client, app.owner, o);
  if (op === 'logs' && o.follow) return follow(client, app, key, o, timeoutMs);
  const args: OpArgs = {};
  if (op === 'logs') {
    args.tail = whole('--tail', o.tail ?? '100', 1, MAX_LOG_TAIL);
    const since = sinceOf(o.since);
    if (since !== undefined) args.since = since;
  }
  if (op === 'redeploy' && o.hard) args.hard = true;
  const answer = await runOwnerOp(client, app, key, op, args, timeoutMs);
  if (o.json) printJson(answer);
  else printAnswer(answer, op === 'logs');
  if (answer.nodes.some((n) => n.status !== 'ok')) process.exitCode = 1;
}

export function registerOpCommands(app: Command): void {
  for (const op of Object.keys(WHAT) as OwnerOp[]) {
    const cmd = app
      .command(op)
      .description(`${WHAT[op]}; signed by the owner’s key, sent through any node`)
      .argument('<name>', 'app name')
      .option('--wallet-file <file>', 'the owner wallet file holding the app owner’s key')
      .option('--passphrase-file <file>', 'its passphrase, first line (or FLUXNODE_OWNER_PASSPHRASE)')
      .option('--owner-key <wif>', 'instead of a wallet file: the owner’s key, WIF (or FLUXNODE_OWNER_KEY)')
      .option('--node <url>', 'any node’s public API (REST)', DEFAULT_API_URL)
      .option('--timeout <s>', 'how long to wait for the hosting nodes', '15')
      .option('--json', 'machine-readable output');
    if (op === 'logs')
      cmd
        .option('--tail <n>', 'last lines per container', '100')
        .option('--since <time>', 'only lines from this time on (ISO 8601, or ms since the epoch)')
        .option('--follow', 'keep printing new lines (a fresh signed request every 2 s)');
    if (op === 'redeploy') cmd.option('--hard', 'wipe the app’s data on every instance too');
    cmd.action((name: string, o: OpFlags) => appOp(op, name, o));
  }
}
