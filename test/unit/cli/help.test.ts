import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { Command } from 'commander';
import { commandOf, registerCommands } from '../../../src/cli/commands/index.ts';
import { COMMAND_LIST, type CommandName, describe } from '../../../src/cli/commands/list.ts';

const BIN = new URL('../../../bin/fluxnode.js', import.meta.url).pathname;

test('fluxnode --help lists the program and exits 0', () => {
  const r = spawnSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Usage: fluxnode/);
});

test('an unknown command is a usage error (exit 2) that names it', () => {
  const r = spawnSync(process.execPath, [BIN, 'no-such-command'], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /no-such-command/);
});

test('a command names its own help: fluxnode help wallet lists the wallet’s subcommands', () => {
  const r = spawnSync(process.execPath, [BIN, 'help', 'wallet'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Usage: fluxnode wallet/);
  assert.match(r.stdout, /balance/);
});

test('the root help lists every command with the line its module describes itself with', async () => {
  const root = new Command('fluxnode');
  await registerCommands(root, []);
  assert.deepEqual(
    root.commands.map((c) => [c.name(), c.description()]),
    Object.entries(COMMAND_LIST),
  );
  for (const name of Object.keys(COMMAND_LIST) as CommandName[]) {
    const full = new Command('fluxnode');
    await registerCommands(full, [name, '--help']);
    const cmd = full.commands.find((c) => c.name() === name);
    assert.equal(cmd?.description(), describe(name), name);
  }
});

test('only the command that runs is loaded: the others are a name and a help line', async () => {
  const root = new Command('fluxnode');
  await registerCommands(root, ['params', 'show', '--network', 'mainnet']);
  const params = root.commands.find((c) => c.name() === 'params');
  assert.ok(params && params.commands.length > 0, 'params has its subcommands');
  for (const c of root.commands.filter((c) => c.name() !== 'params')) {
    assert.equal(c.commands.length + c.options.length, 0, `${c.name()} is only listed`);
  }
  assert.equal(commandOf(['help', 'wallet']), 'wallet');
  assert.equal(commandOf(['--help']), undefined);
  assert.equal(commandOf(['no-such-command']), undefined);
});
