import { Command, CommanderError } from 'commander';
import { registerCommands } from './commands/index.ts';
import { CliError } from './output.ts';

const program = new Command('fluxnode')
  .description('fluxnode: a Flux decentralized-cloud node (chain, miner, fluxnode and cloud agent)')
  .version('0.1.0')
  .showHelpAfterError()
  .exitOverride();

registerCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    process.exitCode = err.exitCode === 0 ? 0 : 2;
  } else if (err instanceof CliError) {
    process.stderr.write(`fluxnode: ${err.message}\n`);
    process.exitCode = err.exitCode;
  } else {
    process.stderr.write(`fluxnode: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  }
}
