/**
 * `fluxnode mine`: the running node's CPU miner, over JSON-RPC (setgenerate).
 *   mine [--address A]        start mining (to A, or the node's --mine-to address)
 *   mine --stop               stop mining
 *   mine --blocks N           mine until the chain is N blocks higher, then stop
 */
import type { Command } from 'commander';
import { CliError, printJson } from '../output.ts';
import { type ConnectionFlags, connect, NodeRpcError, waitFor, withConnectionOptions } from '../rpc.ts';

interface MineFlags extends ConnectionFlags {
  address?: string;
  stop?: boolean;
  blocks?: string;
  timeout: string;
  json?: boolean;
}

function wholeNumber(text: string, name: string, min: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < min)
    throw new CliError(`${name} must be a whole number >= ${min}, got "${text}"`);
  return n;
}

async function mine(o: MineFlags): Promise<void> {
  if (o.stop && (o.address !== undefined || o.blocks !== undefined))
    throw new CliError('--stop takes no --address or --blocks');
  const blocks = o.blocks === undefined ? undefined : wholeNumber(o.blocks, '--blocks', 1);
  const timeoutMs = wholeNumber(o.timeout, '--timeout', 0) * 1000;
  const client = connect(o);

  if (o.stop) {
    await client.call('setgenerate', [false]);
    if (o.json) printJson({ generate: false });
    else process.stdout.write('mining stopped\n');
    return;
  }

  const from = await client.call<number>('getblockcount');
  try {
    await client.call('setgenerate', o.address === undefined ? [true] : [true, o.address]);
  } catch (err) {
    if (err instanceof NodeRpcError && /no miner address/.test(err.detail))
      throw new CliError(
        'the node has no miner address: pass --address (e.g. from `fluxnode wallet address`)',
      );
    throw err;
  }
  if (blocks === undefined) {
    if (o.json) printJson({ generate: true, address: o.address ?? null, height: from });
    else process.stdout.write(`mining from height ${from}${o.address ? ` to ${o.address}` : ''}\n`);
    return;
  }

  // Interrupted while waiting: leave the miner off, as the user asked for a bounded run.
  const stopOnSignal = () => {
    void client.call('setgenerate', [false]).finally(() => process.exit(130));
  };
  process.once('SIGINT', stopOnSignal);
  let to: number;
  try {
    to = await waitFor(
      `${blocks} more blocks`,
      async () => {
        const h = await client.call<number>('getblockcount');
        return h >= from + blocks ? h : undefined;
      },
      { intervalMs: 200, timeoutMs },
    );
  } finally {
    process.off('SIGINT', stopOnSignal);
    await client.call('setgenerate', [false]);
  }
  if (o.json) printJson({ generate: false, from, to, blocks: to - from });
  else process.stdout.write(`mined to height ${to} (${to - from} blocks since ${from}); mining stopped\n`);
}

export function register(program: Command): void {
  withConnectionOptions(
    program
      .command('mine')
      .description('start or stop the node’s CPU miner, or mine N blocks and stop')
      .option('--address <address>', 'pay the miner’s share here (default: the node’s --mine-to address)')
      .option('--stop', 'stop mining')
      .option('--blocks <n>', 'mine until the chain is n blocks higher, then stop')
      .option('--timeout <seconds>', 'with --blocks: give up after this long (0 = never)', '0')
      .option('--json', 'machine-readable output'),
  ).action((o: MineFlags) => mine(o));
}
