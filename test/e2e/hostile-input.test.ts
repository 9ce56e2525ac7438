/**
 * Issue 13, point 1 on one real node (SQLite, libp2p, its HTTP, WebSocket and stratum servers on
 * 127.0.0.1, free ports): each payload that once ended the process, then a seeded stream of
 * generated hostile input, goes to every server, and after each round the node still answers on
 * all of them. No unhandled-rejection handler is installed here: a rejection escaping any server
 * ends this test process, which fails the test.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { WebSocket } from 'ws';
import { FluxNode } from '../../src/node/node.ts';
import { HostilePeer, lengthPrefixed } from './p2p/hostile-peer.ts';
import { at } from '../support/at.ts';

const HOST = '127.0.0.1';
const AUTH = `Basic ${Buffer.from('u:p').toString('base64')}`;
const dir = mkdtempSync(join(tmpdir(), 'fluxnode-hostile-'));
let node: FluxNode;
let apiUrl: string;
let apiPort: number;
let rpcUrl: string;
let stratumPort: number;

before(async () => {
  node = await FluxNode.start({
    network: 'devnet',
    dataDir: dir,
    host: HOST,
    p2pPort: 0,
    apiPort: 0,
    stratumPort: 0,
    bootstrap: [],
    rpcUser: 'u',
    rpcPassword: 'p',
    logLevel: 'fatal',
  });
  const addr = node.api.server?.address();
  assert.ok(addr && typeof addr === 'object');
  apiPort = addr.port;
  apiUrl = `http://${HOST}:${apiPort}`;
  rpcUrl = node.rpcUrl;
  assert.ok(node.stratumPort);
  stratumPort = node.stratumPort;
});

after(async () => {
  await node.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Writes raw bytes to a TCP port and collects what comes back until the peer closes or `ms` pass. */
function raw(port: number, data: string | Uint8Array, ms = 1500): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, HOST);
    let out = '';
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(out);
    };
    const timer = setTimeout(done, ms);
    socket.on('data', (c) => {
      out += c.toString('utf8');
    });
    socket.on('close', done);
    socket.on('error', done);
    socket.write(data);
  });
}

/** One stratum session: each line sent, then a subscribe whose answer proves the session lived or not. */
async function stratumLines(lines: string[]): Promise<string> {
  return raw(stratumPort, `${lines.join('\n')}\n`, 800);
}

async function rpc(body: string): Promise<Response> {
  return fetch(rpcUrl, { method: 'POST', body, headers: { authorization: AUTH } });
}

/** Every server answers an honest request. */
async function stillAnswers(): Promise<void> {
  const rest = await fetch(`${apiUrl}/chain/info`);
  assert.equal(rest.status, 200, 'REST answers');
  const count = (await (await rpc('{"id":1,"method":"getblockcount"}')).json()) as { result: number };
  assert.equal(typeof count.result, 'number', 'JSON-RPC answers');
  const sub = await raw(stratumPort, '{"id":9,"method":"mining.subscribe","params":[]}\n', 500);
  assert.match(sub, /"id":9,"result":\[null,"[0-9a-f]{8}"\]/, 'stratum answers');
  const ws = new WebSocket(`ws://${HOST}:${apiPort}/ws`);
  const hello = await new Promise<string>((resolve, reject) => {
    ws.once('message', (m) => resolve(String(m)));
    ws.once('error', reject);
  });
  ws.close();
  assert.match(hello, /"type":"hello"/, 'WebSocket answers');
}

const deep = (n: number, inner = '1') => `${'['.repeat(n)}${inner}${']'.repeat(n)}`;

test('the payloads that once killed the node get an error each, and the node answers after them', async () => {
  const replies = await stratumLines([
    'null',
    '{"id":1,"method":{"toString":1}}',
    `{"id":${deep(30_000)},"method":"mining.subscribe"}`,
    '[]',
    '"x"',
    '{"id":{"a":1},"method":"mining.subscribe","params":null}',
    '{"id":2,"method":"mining.submit","params":[1,2,3,4,5]}',
    '{"id":3,"method":"mining.authorize","params":[{"toString":1}]}',
  ]);
  assert.match(replies, /a request is a JSON object/);
  assert.match(replies, /method must be a string/);
  assert.match(replies, /nested deeper than/);
  await stillAnswers();

  const deepId = await rpc(`{"id":${deep(100_000)},"method":"getblockcount"}`);
  assert.equal(deepId.status, 400, 'an invalid request is a 400, as in fluxd');
  assert.match(((await deepId.json()) as { error: { message: string } }).error.message, /nested deeper/);
  const nul = (await (await rpc('null')).json()) as { error: { code: number } };
  assert.equal(nul.error.code, -32600);
  const batch = await rpc(
    JSON.stringify(Array.from({ length: 5000 }, (_, i) => ({ id: i, method: 'help' }))),
  );
  assert.match(((await batch.json()) as { error: { message: string } }).error.message, /at most 1000/);
  assert.equal((await fetch(`${apiUrl}/chain/block/%`)).status, 400);
  assert.equal((await fetch(`${apiUrl}/chain/block/%E0%A4%A`)).status, 400);
  const big = await fetch(`${apiUrl}/apps/x/ops`, { method: 'POST', body: 'x'.repeat(5_000_000) });
  assert.equal(big.status, 413);
  const bigRpc = await rpc(' '.repeat(5_000_000));
  assert.equal(bigRpc.status, 413);
  const longHeader = await raw(apiPort, `GET / HTTP/1.1\r\nHost: x\r\nX-A: ${'a'.repeat(40_000)}\r\n\r\n`);
  assert.match(longHeader, /^HTTP\/1\.1 431/);
  // An upgrade whose target is no URL, and one that is reset at once.
  await raw(
    apiPort,
    'GET http://[ HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n',
    300,
  );
  await raw(
    apiPort,
    'GET /nope HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n',
    10,
  );
  await stillAnswers();
});

/** Lines a careless or hostile miner might send: JSON of every shape, wrong types in the right places, junk. */
const hostileLine = fc.oneof(
  fc.json({ depthSize: 'medium' }),
  fc.string({ unit: 'binary', maxLength: 300 }).map((s) => s.replaceAll('\n', ' ')),
  fc
    .record({
      id: fc.oneof(fc.jsonValue(), fc.constant(undefined)),
      method: fc.oneof(
        fc.constantFrom(
          'mining.subscribe',
          'mining.authorize',
          'mining.submit',
          'mining.extranonce.subscribe',
        ),
        fc.jsonValue(),
      ),
      params: fc.oneof(
        fc.array(fc.oneof(fc.jsonValue(), fc.string({ unit: fc.constantFrom(...'0123456789abcdef') }))),
        fc.jsonValue(),
      ),
    })
    .map((r) => JSON.stringify(r)),
  fc.integer({ min: 17, max: 50_000 }).map((n) => deep(n)),
);

test('a seeded stream of generated hostile lines leaves every server answering', async () => {
  const rounds = fc.sample(fc.array(hostileLine, { minLength: 20, maxLength: 60 }), {
    numRuns: 12,
    seed: 13,
  });
  for (const lines of rounds) {
    await stratumLines(lines);
    // The same junk as JSON-RPC bodies, REST path parameters and WebSocket messages.
    await Promise.all(lines.slice(0, 10).map((l) => rpc(l).then((r) => r.arrayBuffer())));
    await Promise.all(
      lines
        .slice(0, 10)
        .map((l) => fetch(`${apiUrl}/chain/block/${l.slice(0, 200)}`).then((r) => r.arrayBuffer())),
    );
    const ws = new WebSocket(`ws://${HOST}:${apiPort}/ws`);
    await new Promise((resolve) => ws.once('open', resolve));
    for (const l of lines) ws.send(l);
    ws.close();
  }
  await stillAnswers();
});

test('generated junk on every p2p topic and request protocol leaves the node answering', async () => {
  const junk = fc.sample(fc.uint8Array({ maxLength: 2000 }), { numRuns: 40, seed: 13 });
  // The node bans a junk sender after a few messages: a fresh peer takes over each time.
  for (let from = 0; from < junk.length; from += 10) {
    const peer = await HostilePeer.start('devnet', HOST);
    try {
      await peer.dial(at(node.p2p.multiaddrs, 0));
      for (const topic of ['blocks', 'txs']) peer.join(topic);
      for (const [i, bytes] of junk.slice(from, from + 10).entries()) {
        await peer.publish(i % 2 ? 'blocks' : 'txs', bytes);
        const protocol = i % 2 ? 'headers' : 'blocks';
        // Refused or hung up on are both fine answers; only the node's survival is asserted.
        await peer.rawRequest(node.p2p.peerId, protocol, lengthPrefixed(bytes), 1000).catch(() => {});
      }
    } finally {
      await peer.stop();
    }
  }
  await stillAnswers();
});

test('RPC methods refuse malformed addresses, names, sizes and ranges with the code for each mistake', async () => {
  const cases: [string, unknown[], number, RegExp][] = [
    ['getnewaddress', ['x'.repeat(1_000_000)], -8, /label is 1000000 characters, at most 256/],
    ['sendtoaddress', ['nope', 1], -5, /Invalid address "nope"/],
    ['sendtoaddress', ['x'.repeat(5000), 1], -8, /at most 1000/],
    ['getassetbalance', ['t1notanaddress'], -5, /Invalid address/],
    ['setgenerate', [true, 'bogus'], -5, /Invalid address "bogus"/],
    ['setgenerate', [true, null, 0], -8, /blocks out of range/],
    ['getapp', ['../../etc'], -8, /Invalid app name/],
    ['getapplocations', ['Not A Name'], -8, /Invalid app name/],
    ['getassetsnapshot', ['FLUX-DOGE'], -8, /asset must be one of/],
    ['getblockhash', [-1], -8, /out of range/],
    // Text shorter than a hash is read as a height, as fluxd does.
    ['getblock', ['zz'], -8, /Block height out of range/],
    ['getblock', ['z'.repeat(64)], -8, /64 hex digits/],
    ['getblocktemplate', [{ mineraddress: 5 }], -3, /mineraddress must be a string/],
    ['createfluxnode', ['cirrus'], -8, /tier must be one of/],
    ['help', [{ toString: 1 }], -3, /method must be a string/],
    ['listfluxnodes', ['x'.repeat(101)], -8, /at most 100/],
  ];
  for (const [method, params, code, message] of cases) {
    const r = (await (await rpc(JSON.stringify({ id: 1, method, params }))).json()) as {
      error: { code: number; message: string } | null;
    };
    assert.equal(r.error?.code, code, `${method}: ${r.error?.message}`);
    assert.match(r.error.message, message, method);
  }
  assert.equal(
    node.wallet.keys.entries().filter((k) => k.label.length > 256).length,
    0,
    'no huge label stored',
  );
});

test('JSON-RPC is private: its own loopback port, not the public one, and each wrong password waits', async () => {
  assert.match(rpcUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.notEqual(new URL(rpcUrl).port, String(apiPort));
  const onPublic = await fetch(apiUrl, {
    method: 'POST',
    body: '{"id":1,"method":"getbalance"}',
    headers: { authorization: AUTH },
  });
  assert.equal(onPublic.status, 404);
  assert.match(((await onPublic.json()) as { error: string }).error, /RPC port/);
  const started = performance.now();
  const guesses = await Promise.all(
    ['a', 'b', 'c'].map((pw) =>
      fetch(rpcUrl, {
        method: 'POST',
        body: '{"id":1,"method":"getbalance"}',
        headers: { authorization: `Basic ${Buffer.from(`u:${pw}`).toString('base64')}` },
      }),
    ),
  );
  for (const g of guesses) assert.equal(g.status, 401);
  assert.ok(performance.now() - started >= 240, 'a wrong password is answered after 250 ms');
  const t0 = performance.now();
  assert.equal((await rpc('{"id":1,"method":"getblockcount"}')).status, 200);
  assert.ok(performance.now() - t0 < 240, 'the right one is not delayed');
});

test('WebSocket clients are capped per address: the one over the cap gets 503, the others keep their events', async () => {
  const opened: WebSocket[] = [];
  try {
    for (let i = 0; i < 16; i++) {
      const ws = new WebSocket(`ws://${HOST}:${apiPort}/ws`);
      await new Promise((resolve, reject) => {
        ws.once('open', resolve);
        ws.once('error', reject);
      });
      opened.push(ws);
    }
    const over = new WebSocket(`ws://${HOST}:${apiPort}/ws`);
    const status = await new Promise<number>((resolve) => {
      over.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      over.once('open', () => resolve(101));
      over.on('error', () => {});
    });
    assert.equal(status, 503);
  } finally {
    for (const ws of opened) ws.close();
  }
  await new Promise((r) => setTimeout(r, 100));
  await stillAnswers();
});
