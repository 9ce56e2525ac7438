/**
 * State extensions declare what they depend on: the chain connects a dependency first and hands
 * its effect for the block to the dependent, disconnects in the mirror order, and refuses to open
 * with an unknown dependency, a cycle or a name given twice (the fluxnode registry's included).
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Chain } from '../../../src/chain/chain.ts';
import { ChainConfigError } from '../../../src/chain/errors.ts';
import type { ChainStateExtension, ExtensionContext } from '../../../src/chain/extension.ts';
import { orderExtensions } from '../../../src/chain/extension-order.ts';
import { FLUXNODES } from '../../../src/chain/fluxnodes/extension.ts';
import type { FluxnodeBlockEffect } from '../../../src/chain/fluxnodes/types.ts';
import type { Block } from '../../../src/consensus/primitives/types.ts';
import {
  ChainBuilder,
  devnet,
  genesisParent,
  openTestChain,
  SUBSIDY,
  tempDir,
} from '../../support/chain-fixtures.ts';

/** A stateless extension that logs its calls and returns `{ by: name, height }` as its effect. */
class Probe implements ChainStateExtension {
  readonly name: string;
  readonly dependsOn: readonly string[];
  readonly log: string[];
  readonly seen: { height: number; effects: Map<string, unknown> }[] = [];

  constructor(name: string, dependsOn: string[], log: string[]) {
    this.name = name;
    this.dependsOn = dependsOn;
    this.log = log;
  }

  connectBlock(_db: unknown, _block: Block, height: number, _undo: unknown, ctx: ExtensionContext) {
    this.log.push(`+${this.name}@${height}`);
    this.seen.push({ height, effects: new Map(ctx.effects) });
    return { by: this.name, height };
  }

  disconnectBlock(_db: unknown, _block: Block, height: number): void {
    this.log.push(`-${this.name}@${height}`);
  }
}

const names = (exts: ChainStateExtension[]) => exts.map((e) => e.name);
const probe = (name: string, deps: string[] = []) => new Probe(name, deps, []);

function refusedWith(code: ChainConfigError['code'], value: string) {
  return (err: unknown) => err instanceof ChainConfigError && err.code === code && err.value === value;
}

describe('extension order', () => {
  it('puts each extension after what it depends on, and keeps the given order otherwise', () => {
    const order = orderExtensions([probe('c', ['b']), probe('a'), probe('b', ['a']), probe('d')]);
    assert.deepEqual(names(order), ['a', 'b', 'c', 'd']);
    assert.deepEqual(names(orderExtensions([probe('x'), probe('y'), probe('z')])), ['x', 'y', 'z']);
  });

  it('refuses an unknown dependency, a cycle and a duplicate name, naming the culprit', () => {
    assert.throws(() => orderExtensions([probe('a', ['nope'])]), refusedWith('unknown-dependency', 'nope'));
    assert.throws(
      () => orderExtensions([probe('a', ['b']), probe('b', ['c']), probe('c', ['a'])]),
      refusedWith('dependency-cycle', 'a → b → c → a'),
    );
    assert.throws(() => orderExtensions([probe('a', ['a'])]), refusedWith('dependency-cycle', 'a → a'));
    assert.throws(() => orderExtensions([probe('a'), probe('a')]), refusedWith('duplicate-extension', 'a'));
  });

  it('Chain.open refuses such a set before it writes anything', async () => {
    const t = tempDir();
    try {
      const tries: [ChainStateExtension[], ChainConfigError['code'], string][] = [
        [[probe('a', ['b']), probe('b', ['a'])], 'dependency-cycle', 'a → b → a'],
        [[probe('economy', ['registry'])], 'unknown-dependency', 'registry'],
        [[probe(FLUXNODES)], 'duplicate-extension', FLUXNODES],
      ];
      for (const [extensions, code, value] of tries) {
        await assert.rejects(Chain.open(t.dir, devnet, { extensions }), refusedWith(code, value));
      }
      assert.deepEqual(readdirSync(t.dir), []);
    } finally {
      t.cleanup();
    }
  });

  it('hands a dependent the effects of what it depends on for the same block, and only those', async () => {
    const t = tempDir();
    const log: string[] = [];
    const reader = new Probe('reader', ['counter', FLUXNODES], log);
    const counter = new Probe('counter', [], log);
    const chain = await openTestChain(t.dir, { extensions: [reader, counter, new Probe('other', [], log)] });
    try {
      const b = new ChainBuilder(genesisParent(), SUBSIDY);
      for (const block of b.extend(3)) assert.equal((await chain.acceptBlock(block)).status, 'connected');
      assert.deepEqual(log.slice(0, 3), ['+counter@1', '+reader@1', '+other@1']);
      assert.deepEqual(
        reader.seen.map((s) => s.effects.get('counter')),
        [1, 2, 3].map((height) => ({ by: 'counter', height })),
      );
      for (const s of reader.seen) {
        assert.deepEqual([...s.effects.keys()].sort(), ['counter', FLUXNODES]);
        const fx = s.effects.get(FLUXNODES) as FluxnodeBlockEffect;
        assert.deepEqual(fx, { paid: [], changes: [] }, 'no fluxnodes on this chain');
      }
      assert.equal(
        counter.seen.every((s) => s.effects.size === 0),
        true,
      );
    } finally {
      chain.close();
      t.cleanup();
    }
  });

  it('disconnects a dependent before what it depends on (mirror order) in a reorg', async () => {
    const t = tempDir();
    const log: string[] = [];
    const chain = await openTestChain(t.dir, {
      extensions: [new Probe('reader', ['counter'], log), new Probe('counter', [], log)],
    });
    try {
      const main = new ChainBuilder(genesisParent(), SUBSIDY);
      assert.equal((await chain.acceptBlock(main.next())).status, 'connected');
      const fork = new ChainBuilder(genesisParent(), SUBSIDY, 1);
      for (const block of fork.extend(2)) await chain.acceptBlock(block);
      assert.equal(chain.tip().id, chain.getEntry(fork.tip.hash)?.id);
      const undone = log.filter((l) => l.startsWith('-'));
      assert.deepEqual(undone, ['-reader@1', '-counter@1']);
      assert.deepEqual(log.slice(-2), ['+counter@2', '+reader@2']);
    } finally {
      chain.close();
      t.cleanup();
    }
  });
});
