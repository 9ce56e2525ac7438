/**
 * The program's commands, registered lazily: each is listed by name and help line, and its module
 * (with every layer it imports: the chain, libp2p, Docker …) is imported only when that command
 * runs or shows its help. `fluxnode params show` then loads the consensus layer, not the node.
 */
import type { Command } from 'commander';
import { COMMAND_LIST, type CommandName } from './list.ts';

interface CommandModule {
  register(program: Command): void;
}

/** One line per command file keeps merges trivial. */
const LOADERS: Record<CommandName, () => Promise<CommandModule>> = {
  app: () => import('./app.ts'),
  assets: () => import('./assets.ts'),
  bench: () => import('./bench.ts'),
  block: () => import('./block.ts'),
  devnet: () => import('./devnet.ts'),
  mine: () => import('./mine.ts'),
  node: () => import('./node.ts'),
  owner: () => import('./owner.ts'),
  params: () => import('./params.ts'),
  pool: () => import('./pool.ts'),
  pow: () => import('./pow.ts'),
  simulate: () => import('./simulate.ts'),
  start: () => import('./start.ts'),
  wallet: () => import('./wallet.ts'),
};

function isCommandName(name: string | undefined): name is CommandName {
  return name !== undefined && Object.hasOwn(COMMAND_LIST, name);
}

/**
 * The command `args` (the arguments after the program name) will run: the first operand, or the
 * one after `help`. The program itself takes no option with a value, so the first word not
 * starting with `-` is the command.
 */
export function commandOf(args: readonly string[]): CommandName | undefined {
  const operands = args.filter((a) => !a.startsWith('-'));
  const name = operands[0] === 'help' ? operands[1] : operands[0];
  return isCommandName(name) ? name : undefined;
}

/**
 * Registers every command on `program`: the one `args` runs in full, the others by name and help
 * line only (enough for the root help and for commander to name an unknown command).
 */
export async function registerCommands(program: Command, args: readonly string[]): Promise<void> {
  const wanted = commandOf(args);
  const loaded = wanted === undefined ? undefined : await LOADERS[wanted]();
  for (const name of Object.keys(COMMAND_LIST) as CommandName[]) {
    if (name === wanted && loaded) loaded.register(program);
    else program.command(name).description(COMMAND_LIST[name]);
  }
}
