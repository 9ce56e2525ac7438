/**
 * `fluxnode node …`: making the running node a fluxnode, over JSON-RPC.
 *   node start --tier T [--wait]   lock the tier's collateral (createfluxnode), wait until it has the
 *                                  network's confirmations, send the START (startfluxnode), and with
 *                                  --wait stay until the node is confirmed; progress goes to stderr
 *   node status                    this node's fluxnode status (getfluxnodestatus)
 */
import type { Command } from 'commander';
import { describe } from './list.ts';
import { isNetworkName, isTier, paramsFor, TIERS } from '../../consensus/index.ts';
import { CliError, printJson } from '../output.ts';
import {
  type ConnectionFlags,
  connect,
  type NodeClient,
  NodeRpcError,
  showFlux,
  waitFor,
  withConnectionOptions,
} from '../rpc.ts';

interface FluxnodeStatus {
  status: string;
  collateral: string | null;
  tier: string | null;
  ip: string;
  operatorPubKey: string;
  confirmedHeight: number | null;
  lastConfirmHeight: number | null;
  lastPaidHeight: number | null;
}

interface StartFlags extends ConnectionFlags {
  tier: string;
  collateral?: string;
  wait?: boolean;
  timeout: string;
  intervalMs: string;
  json?: boolean;
}

function positiveInt(text: string, name: string, min: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < min)
    throw new CliError(`${name} must be a whole number >= ${min}, got "${text}"`);
  return n;
}

/** Progress for people, on stderr so stdout stays the result; repeats are not printed twice. */
function progress(): (line: string) => void {
  let last = '';
  return (line) => {
    if (line === last) return;
    last = line;
    process.stderr.write(`${line}\n`);
  };
}

/** The collateral's confirmations (0 while it waits in the mempool). */
async function confirmations(client: NodeClient, txid: string): Promise<number> {
  const tx = await client.call<{ confirmations?: number }>('getrawtransaction', [txid, 1]);
  return tx.confirmations ?? 0;
}

async function startFluxnode(o: StartFlags): Promise<void> {
  const tier = o.tier.toLowerCase();
  if (!isTier(tier)) throw new CliError(`--tier must be one of ${TIERS.join(', ')}, got "${o.tier}"`);
  if (o.collateral !== undefined && !/^[0-9a-fA-F]{64}:\d+$/.test(o.collateral))
    throw new CliError(`--collateral must be "txid:n", got "${o.collateral}"`);
  const timeoutMs = positiveInt(o.timeout, '--timeout', 0) * 1000;
  const intervalMs = positiveInt(o.intervalMs, '--interval-ms', 10);
  const say = progress();
  const client = connect(o);

  const { network } = await client.call<{ network: string }>('getnetworkinfo');
  if (!isNetworkName(network)) throw new CliError(`the node runs an unknown network "${network}"`, 1);
  const needed = paramsFor(network).fluxnodes.collateralMinConfirmations;

  const before = await client.call<FluxnodeStatus>('getfluxnodestatus');
  if (before.status === 'started' || before.status === 'confirmed')
    throw new CliError(
      `this node is already a fluxnode (${before.status}, collateral ${before.collateral}): see fluxnode node status`,
      1,
    );

  let collateral = o.collateral?.toLowerCase();
  let address: string | null = null;
  let amount: number | null = null;
  if (collateral === undefined) {
    const made = await client.call<{ collateral: string; address: string; amount: number }>(
      'createfluxnode',
      [tier],
    );
    ({ collateral, address, amount } = made);
    say(`collateral of ${showFlux(made.amount)} FLUX for ${tier} sent to ${address}: ${collateral}`);
  }
  const [txid = ''] = collateral.split(':');
  await waitFor(
    `${needed} confirmations of the collateral`,
    async () => {
      let n: number;
      try {
        n = await confirmations(client, txid);
      } catch (err) {
        if (err instanceof NodeRpcError && err.code === -5)
          throw new CliError(
            `the collateral transaction ${txid} is neither in the mempool nor in the chain`,
            1,
          );
        throw err;
      }
      say(`collateral confirmations: ${Math.min(n, needed)}/${needed}`);
      return n >= needed ? n : undefined;
    },
    { intervalMs, timeoutMs },
  );
  const started = await client.call<{ txid: string }>('startfluxnode', [collateral]);
  say(`START sent for ${collateral}`);

  let status = (await client.call<FluxnodeStatus>('getfluxnodestatus')).status;
  if (o.wait) {
    status = await waitFor(
      'the node to be confirmed',
      async () => {
        const s = await client.call<FluxnodeStatus>('getfluxnodestatus');
        say(`fluxnode status: ${s.status}`);
        return s.status === 'confirmed' ? s.status : undefined;
      },
      { intervalMs, timeoutMs },
    );
  }
  const result = { tier, collateral, address, amount, startTxid: started.txid, status };
  if (o.json) printJson(result);
  else
    process.stdout.write(
      `${tier} fluxnode ${status === 'confirmed' ? 'confirmed' : 'started'}: collateral ${collateral}\n` +
        (o.wait ? '' : 'the node confirms by itself; `fluxnode node status` shows when it is confirmed\n'),
    );
}

function showStatus(s: FluxnodeStatus & { geolocation: string | null }): string {
  const dash = (v: unknown) => (v === null || v === undefined || v === '' ? '-' : String(v));
  return [
    `status              ${s.status}`,
    `tier                ${dash(s.tier)}`,
    `collateral          ${dash(s.collateral)}`,
    `ip                  ${dash(s.ip)}`,
    `location            ${dash(s.geolocation)}`,
    `operator key        ${dash(s.operatorPubKey)}`,
    `confirmed at        ${dash(s.confirmedHeight)}`,
    `last confirm        ${dash(s.lastConfirmHeight)}`,
    `last paid           ${dash(s.lastPaidHeight)}`,
  ].join('\n');
}

export function register(program: Command): void {
  const node = program.command('node').description(describe('node'));

  withConnectionOptions(
    node
      .command('start')
      .description(
        'lock a tier’s collateral, wait for its confirmations, send the START; --wait until confirmed',
      )
      .requiredOption('--tier <tier>', `fluxnode tier: ${TIERS.join(', ')}`)
      .option('--collateral <txid:n>', 'use this collateral (already of the wallet) instead of making one')
      .option('--wait', 'wait until the network has confirmed the node')
      .option('--timeout <seconds>', 'give up waiting after this long (0 = never)', '0')
      .option('--interval-ms <ms>', 'how often to ask the node while waiting', '500')
      .option('--json', 'machine-readable output'),
  ).action((o: StartFlags) => startFluxnode(o));

  withConnectionOptions(
    node
      .command('status')
      .description('this node’s fluxnode status: tier, collateral, confirmations, payments')
      .option('--json', 'machine-readable output'),
  ).action(async (o: ConnectionFlags & { json?: boolean }) => {
    const client = connect(o);
    const s = await client.call<FluxnodeStatus>('getfluxnodestatus');
    // The location travels with the benchmark; a node that has not measured yet has none to show.
    const bench = await client.call<{ geolocation?: string | null }>('getbenchmarks');
    const located = { ...s, geolocation: bench.geolocation ?? null };
    if (o.json) printJson(located);
    else process.stdout.write(`${showStatus(located)}\n`);
  });
}
