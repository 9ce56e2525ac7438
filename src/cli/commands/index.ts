import type { Command } from 'commander';

/** Each command file registers itself here; one line per file keeps merges trivial. */
export function registerCommands(_program: Command): void {}
