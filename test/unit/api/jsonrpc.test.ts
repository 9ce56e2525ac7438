import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiServer } from '../../../src/api/http-server.ts';
import { param, RpcDispatcher } from '../../../src/api/jsonrpc.ts';
import { RPC } from '../../../src/api/rpc-errors.ts';

function dispatcher(): RpcDispatcher {
  const rpc = new RpcDispatcher();
  rpc.register('add', 'add a b', (p) => (param.int(p, 0, 'a') ?? 0) + (param.int(p, 1, 'b') ?? 0));
  return rpc;
}

test('dispatches positional params and answers batches in order', async () => {
  const rpc = dispatcher();
  const out = (await rpc.handleBody(
    JSON.stringify([
      { id: 1, method: 'add', params: [2, 3] },
      { id: 2, method: 'add', params: [10, -4] },
    ]),
  )) as { result: number; id: number }[];
  assert.deepEqual(
    out.map((r) => [r.id, r.result]),
    [
      [1, 5],
      [2, 6],
    ],
  );
});

test('bad requests get the Bitcoin-style code and a message naming the problem', async () => {
  const rpc = dispatcher();
  const cases: [string, number, RegExp][] = [
    ['{not json', RPC.PARSE_ERROR, /Parse error/],
    ['"x"', RPC.INVALID_REQUEST, /JSON object/],
    [JSON.stringify({ id: 1, method: 'nope' }), RPC.METHOD_NOT_FOUND, /nope/],
    [JSON.stringify({ id: 1, method: 'add', params: { a: 1 } }), RPC.INVALID_PARAMS, /positional/],
    [JSON.stringify({ id: 1, method: 'add', params: [1] }), RPC.INVALID_PARAMS, /parameter 2 \(b\)/],
    [JSON.stringify({ id: 1, method: 'add', params: [1, 'x'] }), RPC.TYPE_ERROR, /b must be an integer/],
  ];
  for (const [body, code, message] of cases) {
    const r = (await rpc.handleBody(body)) as { error: { code: number; message: string } };
    assert.equal(r.error.code, code, body);
    assert.match(r.error.message, message, body);
  }
});

test('the HTTP server guards JSON-RPC with Basic auth and routes REST paths', async () => {
  const api = new ApiServer({
    host: '127.0.0.1',
    port: 0,
    rpc: dispatcher(),
    rpcAuth: { user: 'u', password: 'p' },
  });
  api.get('/chain/block/:id', ({ params }) => ({ id: params.id }));
  const { port } = await api.listen();
  try {
    const base = `http://127.0.0.1:${port}`;
    const body = JSON.stringify({ id: 7, method: 'add', params: [1, 1] });
    const denied = await fetch(base, { method: 'POST', body });
    assert.equal(denied.status, 401);
    const ok = await fetch(base, {
      method: 'POST',
      body,
      headers: { authorization: `Basic ${Buffer.from('u:p').toString('base64')}` },
    });
    assert.deepEqual(await ok.json(), { result: 2, error: null, id: 7 });
    const rest = await fetch(`${base}/chain/block/abc`);
    assert.deepEqual(await rest.json(), { id: 'abc' });
    const missing = await fetch(`${base}/no/such`);
    assert.equal(missing.status, 404);
    assert.match(((await missing.json()) as { error: string }).error, /no such endpoint/);
  } finally {
    await api.close();
  }
});

test('JSON-RPC over HTTP answers as fluxd: bare application/json, 500, 404 or 400 for a failed call, 200 for a batch, an empty 401', async () => {
  const api = new ApiServer({
    host: '127.0.0.1',
    port: 0,
    rpc: dispatcher(),
    rpcAuth: { user: 'u', password: 'p' },
  });
  const { port } = await api.listen();
  const authorization = `Basic ${Buffer.from('u:p').toString('base64')}`;
  const post = (body: string, auth = true) =>
    fetch(`http://127.0.0.1:${port}`, { method: 'POST', body, headers: auth ? { authorization } : {} });
  try {
    const cases: [string, number, number | null][] = [
      [JSON.stringify({ id: 1, method: 'add', params: [1, 2] }), 200, null],
      [JSON.stringify({ id: 2, method: 'add', params: [1, 'x'] }), 500, RPC.TYPE_ERROR],
      [JSON.stringify({ id: 3, method: 'nope' }), 404, RPC.METHOD_NOT_FOUND],
      ['"x"', 400, RPC.INVALID_REQUEST],
      ['{not json', 500, RPC.PARSE_ERROR],
      [JSON.stringify([{ id: 4, method: 'nope' }]), 200, null],
    ];
    for (const [body, status, code] of cases) {
      const res = await post(body);
      assert.equal(res.status, status, body);
      assert.equal(res.headers.get('content-type'), 'application/json', body);
      const text = await res.text();
      assert.ok(text.endsWith('\n'), 'a reply ends with a newline');
      const reply = JSON.parse(text) as { error: { code: number } | null };
      if (!Array.isArray(reply)) assert.equal(reply.error?.code ?? null, code, body);
    }
    const denied = await post('{}', false);
    assert.equal(denied.status, 401);
    assert.equal(denied.headers.get('www-authenticate'), 'Basic realm="jsonrpc"');
    assert.equal(await denied.text(), '');
  } finally {
    await api.close();
  }
});
