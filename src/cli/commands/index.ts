import type { Command } from 'commander';
import { register as registerApp } from './app.ts';
import { register as registerDevnet } from './devnet.ts';
import { register as registerParams } from './params.ts';
import { register as registerSimulate } from './simulate.ts';
import { register as registerStart } from './start.ts';

/** Each command file registers itself here; one line per file keeps merges trivial. */
export function registerCommands(program: Command): void {
  registerApp(program);
  registerDevnet(program);
  registerParams(program);
  registerSimulate(program);
  registerStart(program);
}
