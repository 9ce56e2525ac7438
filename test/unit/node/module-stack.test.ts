import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ModuleOpenError, ModuleStack, type NodeModule } from '../../../src/node/module.ts';

/** A module that records its opens and closes in a shared log, and fails where told. */
function fake(name: string, log: string[], fail: { open?: boolean; close?: boolean } = {}): NodeModule {
  return {
    name,
    async open() {
      if (fail.open) throw new Error(`${name} cannot open`);
      log.push(`open ${name}`);
    },
    async close() {
      log.push(`close ${name}`);
      if (fail.close) throw new Error(`${name} cannot close`);
    },
  };
}

test('the stack opens modules in the order they were added and closes them in reverse', async () => {
  const log: string[] = [];
  const stack = new ModuleStack();
  for (const name of ['chain', 'network', 'miner']) stack.add(fake(name, log));
  assert.deepEqual(stack.names(), ['chain', 'network', 'miner']);
  await stack.open();
  await stack.close();
  assert.deepEqual(log, [
    'open chain',
    'open network',
    'open miner',
    'close miner',
    'close network',
    'close chain',
  ]);
});

test('a module that fails to open gets the modules opened before it closed in reverse, and nothing after it opened', async () => {
  const log: string[] = [];
  const stack = new ModuleStack();
  stack.add(fake('a', log));
  stack.add(fake('b', log));
  stack.add(fake('c', log, { open: true }));
  stack.add(fake('d', log));
  const err = await stack.open().then(
    () => assert.fail('open should fail'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof ModuleOpenError);
  assert.equal(err.module, 'c');
  assert.deepEqual(log, ['open a', 'open b', 'close b', 'close a']);
  log.length = 0;
  await stack.close();
  assert.deepEqual(log, [], 'a second close finds nothing open');
});

test('closing goes on past a module that fails to close and then throws its error', async () => {
  const log: string[] = [];
  const stack = new ModuleStack();
  stack.add(fake('chain', log));
  stack.add(fake('api', log, { close: true }));
  stack.add(fake('miner', log));
  await stack.open();
  await assert.rejects(stack.close(), /api cannot close/);
  assert.deepEqual(log.slice(3), ['close miner', 'close api', 'close chain']);
});

test('no module can be added once the stack is open', async () => {
  const stack = new ModuleStack();
  stack.add(fake('a', []));
  await stack.open();
  assert.throws(() => stack.add(fake('b', [])), /already open/);
});
