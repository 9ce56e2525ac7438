/**
 * Connection caps on real sockets (127.0.0.1, free ports): the guard itself, the HTTP server, and
 * stratum's idle timeout.
 */
import assert from 'node:assert/strict';
import { connect, createServer, type Socket } from 'node:net';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiServer } from '../../../src/api/http-server.ts';
import { StratumServer } from '../../../src/mining/stratum.ts';
import { ConnectionGuard } from '../../../src/p2p/connection-guard.ts';
import { at } from '../../support/at.ts';

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
}

/** Resolves true if the server hangs up on `s` within `ms`. */
function closedWithin(s: Socket, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    if (s.destroyed) return resolve(true);
    const t = setTimeout(() => resolve(false), ms);
    s.once('close', () => {
      clearTimeout(t);
      resolve(true);
    });
    s.on('error', () => {});
  });
}

test('the guard closes connections over the per-address and total caps, and frees slots on close', async () => {
  const guard = new ConnectionGuard({ maxTotal: 5, maxPerAddress: 3, idleMs: 0 });
  const server = createServer(() => {});
  guard.attach(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  try {
    const sockets = await Promise.all([1, 2, 3, 4].map(() => open(port)));
    const closed = await Promise.all(sockets.map((s) => closedWithin(s, 300)));
    assert.deepEqual(closed, [false, false, false, true], 'the fourth from one address is refused');
    assert.equal(guard.counts.refusedPerAddress, 1);
    at(sockets, 0).destroy();
    await sleep(50);
    const again = await open(port);
    assert.equal(await closedWithin(again, 300), false, 'a freed slot is usable again');
    for (const s of [...sockets, again]) s.destroy();
  } finally {
    await new Promise((r) => server.close(r));
  }
});

test('a client that sends nothing for idleMs is hung up on; one that talks stays', async () => {
  const guard = new ConnectionGuard({ maxTotal: 10, maxPerAddress: 10, idleMs: 200 });
  const server = createServer((s) => s.on('data', () => {}));
  guard.attach(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  try {
    const silent = await open(port);
    const chatty = await open(port);
    const ticker = setInterval(() => chatty.write('x'), 50);
    assert.equal(await closedWithin(silent, 1000), true, 'silent client dropped');
    assert.equal(await closedWithin(chatty, 300), false, 'talking client kept');
    clearInterval(ticker);
    chatty.destroy();
    assert.equal(guard.counts.idleClosed, 1);
  } finally {
    await new Promise((r) => server.close(r));
  }
});

test('the HTTP server caps connections per address and still answers the ones it took', async () => {
  const api = new ApiServer({ host: '127.0.0.1', port: 0, limits: { maxPerAddress: 2 } });
  api.get('/ping', () => ({ ok: true }));
  const { port } = await api.listen();
  try {
    const held = await Promise.all([1, 2].map(() => open(port)));
    const extra = await open(port);
    assert.equal(await closedWithin(extra, 300), true, 'third connection refused');
    at(held, 0).destroy();
    await sleep(50);
    const res = await fetch(`http://127.0.0.1:${port}/ping`);
    assert.deepEqual(await res.json(), { ok: true });
    for (const s of held) s.destroy();
  } finally {
    await api.close();
  }
});

test('stratum hangs up on a miner that sends no line for its idle time', async () => {
  const stratum = new StratumServer({
    host: '127.0.0.1',
    port: 0,
    shareTarget: 1n,
    limits: { idleMs: 200 },
    backend: {
      verifySolution: () => {},
      headerHash: () => new Uint8Array(32),
      submitBlock: async () => ({ accepted: false }),
    },
  });
  const port = await stratum.listen();
  try {
    const miner = await open(port);
    assert.equal(await closedWithin(miner, 1000), true);
    assert.equal(stratum.guard.counts.idleClosed, 1);
  } finally {
    await stratum.close();
  }
});
