import { Command, CommanderError } from 'commander';
import { registerCommands } from './commands/index.ts';
import { isBug } from '../consensus/index.ts';
import { CliError } from './output.ts';

const program = new Command('fluxnode')
  .description('fluxnode: a Flux decentralized-cloud node (chain, miner, fluxnode and cloud agent)')
  .version('0.1.0')
  .showHelpAfterError()
  .exitOverride();

await registerCommands(program, process.argv.slice(2));

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    process.exitCode = err.exitCode === 0 ? 0 : 2;
  } else if (err instanceof CliError) {
    process.stderr.write(`fluxnode: ${err.message}\n`);
    process.exitCode = err.exitCode;
  } else if (isBug(err)) {
    // A bug (or a limit of the engine), not a verdict on the user's input: told apart by exit 3.
    process.stderr.write(`fluxnode: internal error: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 3;
  } else {
    process.stderr.write(`fluxnode: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  }
}
