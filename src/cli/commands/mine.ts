/**
 * `fluxnode mine`: the running node's CPU miner, over JSON-RPC (setgenerate).
 *   mine [--address A]        start mining (to A, or the node's --mine-to address)
 *   mine --stop               stop mining
 *   mine --blocks N           mine exactly N blocks (the node's miner stops itself), then report
 */
import type { Command } from 'commander';
import { describe } from './list.ts';
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
  const address = o.address === undefined ? [] : [o.address];
  try {
    // With --blocks the node's miner stops by itself after exactly that many: no race with our polling.
    await client.call(
      'setgenerate',
      blocks === undefined ? [true, ...address] : [true, o.address ?? null, blocks],
    );
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
  let mined: number;
  try {
    mined = await waitFor(
      `${blocks} blocks`,
      async () => {
        const info = await client.call<{ generate: boolean; blocksfound: number }>('getmininginfo');
        return info.generate ? undefined : info.blocksfound;
      },
      { intervalMs: 200, timeoutMs },
    );
  } catch (err) {
    await client.call('setgenerate', [false]).catch(() => {});
    throw err;
  } finally {
    process.off('SIGINT', stopOnSignal);
  }
  const to = await client.call<number>('getblockcount');
  if (mined !== blocks)
    throw new CliError(`the miner stopped after ${mined} of ${blocks} blocks (see the node's log)`, 3);
  if (o.json) printJson({ generate: false, from, to, blocks: mined });
  else process.stdout.write(`mined ${mined} blocks (height ${from} → ${to}); mining stopped\n`);
}

export function register(program: Command): void {
  withConnectionOptions(
    program
      .command('mine')
      .description(describe('mine'))
      .option('--address <address>', 'pay the miner’s share here (default: the node’s --mine-to address)')
      .option('--stop', 'stop mining')
      .option('--blocks <n>', 'mine exactly n blocks, then stop')
      .option('--timeout <seconds>', 'with --blocks: give up after this long (0 = never)', '0')
      .option('--json', 'machine-readable output'),
  ).action((o: MineFlags) => mine(o));
}
