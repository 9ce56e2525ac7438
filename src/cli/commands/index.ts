import type { Command } from 'commander';
import { register as registerApp } from './app.ts';
import { register as registerAssets } from './assets.ts';
import { register as registerBench } from './bench.ts';
import { register as registerBlock } from './block.ts';
import { register as registerDevnet } from './devnet.ts';
import { register as registerMine } from './mine.ts';
import { register as registerNode } from './node.ts';
import { register as registerOwner } from './owner.ts';
import { register as registerParams } from './params.ts';
import { register as registerPow } from './pow.ts';
import { register as registerSimulate } from './simulate.ts';
import { register as registerStart } from './start.ts';
import { register as registerWallet } from './wallet.ts';

/** Each command file registers itself here; one line per file keeps merges trivial. */
export function registerCommands(program: Command): void {
  registerApp(program);
  registerAssets(program);
  registerBench(program);
  registerBlock(program);
  registerDevnet(program);
  registerMine(program);
  registerNode(program);
  registerOwner(program);
  registerParams(program);
  registerPow(program);
  registerSimulate(program);
  registerStart(program);
  registerWallet(program);
}
