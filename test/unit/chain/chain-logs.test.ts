import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import pino from 'pino';
import {
  ChainBuilder,
  genesisParent,
  openTestChain,
  SUBSIDY,
  tempDir,
} from '../../support/chain-fixtures.ts';
import { at } from '../../support/at.ts';

interface Line {
  level: number;
  module?: string;
  msg: string;
  [field: string]: unknown;
}

function capture(): { log: pino.Logger; lines: Line[] } {
  const lines: Line[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const l of String(chunk).split('\n')) if (l) lines.push(JSON.parse(l) as Line);
      done();
    },
  });
  return { log: pino({ level: 'debug' }, sink).child({ module: 'chain' }), lines };
}

test('the chain logs its opening, each block connected (debug, with height and hash) and a reorg (info)', async () => {
  const { log, lines } = capture();
  const t = tempDir();
  const chain = await openTestChain(t.dir, { log });
  try {
    const a = new ChainBuilder(genesisParent(), SUBSIDY, 1);
    for (const b of a.extend(2)) await chain.acceptBlock(b);
    const b = new ChainBuilder(genesisParent(), SUBSIDY, 2);
    for (const block of b.extend(3)) await chain.acceptBlock(block);
    await new Promise((r) => setImmediate(r));
    assert.ok(lines.every((l) => l.module === 'chain'));
    const opened = lines.find((l) => l.msg === 'chain opened');
    assert.equal(opened?.level, 30);
    const connected = lines.filter((l) => l.msg === 'block connected');
    assert.equal(connected.length, 5);
    assert.ok(connected.every((l) => l.level === 20 && typeof l.hash === 'string'));
    assert.deepEqual(
      connected.map((l) => l.height),
      [1, 2, 1, 2, 3],
    );
    assert.equal(connected.at(-1)?.hash, chain.tip().id);
    const reorg = lines.filter((l) => l.msg === 'reorg');
    assert.equal(reorg.length, 1);
    assert.equal(at(reorg, 0).level, 30);
    assert.equal(at(reorg, 0).depth, 2);
    assert.equal(at(reorg, 0).forkHeight, 0);
    assert.equal(lines.filter((l) => l.msg === 'block disconnected').length, 2);
  } finally {
    chain.close();
    t.cleanup();
  }
});
