import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ApiServer } from '../../../src/api/http-server.ts';
import { RpcDispatcher } from '../../../src/api/jsonrpc.ts';
import { createNodeMetrics } from '../../../src/node/metrics.ts';
import {
  ChainBuilder,
  genesisParent,
  openTestChain,
  SUBSIDY,
  tempDir,
} from '../../support/chain-fixtures.ts';
import { at } from '../../support/at.ts';

/** The value of one sample in a text exposition: `name{labels} value`, labels in any order. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-z_:][a-z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = new Map([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have.get(k) === v)) return Number(m[3]);
  }
  return undefined;
}

const LAYERS = ['chain', 'p2p', 'mining', 'cloud', 'mesh', 'api'];
/** prom-client's standard process figures keep their usual names under our prefix. */
const PROCESS = ['process', 'nodejs'];

describe('node metrics', () => {
  test('every metric is named fluxnode_<area>_<name>_<unit>: counters end in _total, histograms in a unit', async () => {
    const { registry } = createNodeMetrics();
    const all = await registry.getMetricsAsJSON();
    const own = all.filter((m) => LAYERS.some((l) => m.name.startsWith(`fluxnode_${l}_`)));
    assert.ok(own.length >= 25, `only ${own.length} metrics of our own`);
    for (const m of all) {
      const parts = /^fluxnode_([a-z0-9]+)_([a-z0-9_]+)$/.exec(m.name);
      assert.ok(parts, `${m.name} is not fluxnode_<area>_<name>`);
      assert.ok([...LAYERS, ...PROCESS].includes(at(parts, 1)), `${m.name}: unknown area ${parts[1]}`);
      assert.doesNotMatch(m.name, /_(ms|milliseconds|kb|mb|percent)(_|$)/, `${m.name}: use base units`);
      const type = String(m.type);
      if (type === 'counter') assert.match(m.name, /_total$/, `counter ${m.name}`);
      else if (LAYERS.includes(at(parts, 1)))
        assert.doesNotMatch(m.name, /_total$/, `${type} ${m.name} ends in _total`);
      if (type === 'histogram' || type === 'summary')
        assert.match(m.name, /_(seconds|bytes|blocks)$/, `${type} ${m.name} names its unit`);
    }
  });

  test('docs/api.md documents GET /metrics and every metric of our own, with its type', async () => {
    const md = readFileSync(join(import.meta.dirname, '..', '..', '..', 'docs', 'api.md'), 'utf8');
    assert.ok(md.includes('GET /metrics'));
    const { registry } = createNodeMetrics({ processMetrics: false });
    for (const m of await registry.getMetricsAsJSON())
      assert.ok(
        md.includes(`| \`${m.name}\` | ${String(m.type)} |`),
        `${m.name} (${m.type}) is not in docs/api.md`,
      );
  });

  test('connecting blocks and a reorg show up as tip height, connect counts and times, and a reorg', async () => {
    const { registry, chain: metrics } = createNodeMetrics({ processMetrics: false });
    const t = tempDir();
    const chain = await openTestChain(t.dir, { metrics });
    try {
      const a = new ChainBuilder(genesisParent(), SUBSIDY, 1);
      for (const b of a.extend(2)) assert.equal((await chain.acceptBlock(b)).status, 'connected');
      // A longer branch from genesis takes over: two blocks out, three in.
      const b = new ChainBuilder(genesisParent(), SUBSIDY, 2);
      for (const block of b.extend(3)) await chain.acceptBlock(block);
      assert.equal(chain.height(), 3);
      const text = await registry.metrics();
      assert.equal(sample(text, 'fluxnode_chain_tip_height'), 3);
      assert.equal(sample(text, 'fluxnode_chain_tip_time_seconds'), chain.tip().time);
      assert.equal(sample(text, 'fluxnode_chain_blocks_connected_total'), 5);
      assert.equal(sample(text, 'fluxnode_chain_blocks_disconnected_total'), 2);
      assert.equal(sample(text, 'fluxnode_chain_reorgs_total'), 1);
      assert.equal(sample(text, 'fluxnode_chain_reorg_depth_blocks_sum'), 2);
      assert.equal(sample(text, 'fluxnode_chain_block_connect_seconds_count'), 5);
      assert.equal(sample(text, 'fluxnode_chain_block_connect_seconds_bucket', { le: '+Inf' }), 5);
      assert.match(text, /# TYPE fluxnode_chain_block_connect_seconds histogram/);
    } finally {
      chain.close();
      t.cleanup();
    }
  });

  test('RPC calls and REST requests are counted by method, route and status, and GET /metrics serves them', async () => {
    const { api: metrics } = createNodeMetrics({ processMetrics: false });
    const rpc = new RpcDispatcher({ metrics });
    rpc.register('getblockcount', 'height', () => 7);
    const api = new ApiServer({ host: '127.0.0.1', port: 0, rpc, metrics });
    api.get('/chain/block/:ref', ({ params }) => ({ ref: params.ref }));
    const { port } = await api.listen();
    const base = `http://127.0.0.1:${port}`;
    try {
      const call = (method: string) =>
        fetch(base, { method: 'POST', body: JSON.stringify({ id: 1, method, params: [] }) }).then((r) =>
          r.json(),
        );
      assert.equal((await call('getblockcount')).result, 7);
      await call('no-such-method-from-a-client');
      assert.equal((await fetch(`${base}/chain/block/12`)).status, 200);
      assert.equal((await fetch(`${base}/chain/block/13`)).status, 200);
      assert.equal((await fetch(`${base}/nothing/here`)).status, 404);
      const res = await fetch(`${base}/metrics`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
      const text = await res.text();
      assert.equal(
        sample(text, 'fluxnode_api_rpc_requests_total', { method: 'getblockcount', status: 'ok' }),
        1,
      );
      // A method nobody registered is one label value, whatever the client called it.
      assert.equal(
        sample(text, 'fluxnode_api_rpc_requests_total', { method: 'unknown', status: '-32601' }),
        1,
      );
      assert.equal(sample(text, 'fluxnode_api_rpc_request_seconds_count', { method: 'getblockcount' }), 1);
      const route = { method: 'GET', route: '/chain/block/:ref' };
      assert.equal(sample(text, 'fluxnode_api_rest_requests_total', { ...route, status: '200' }), 2);
      assert.equal(sample(text, 'fluxnode_api_rest_request_seconds_count', route), 2);
      assert.equal(sample(text, 'fluxnode_api_rest_requests_total', { route: 'none', status: '404' }), 1);
      assert.doesNotMatch(text, /nothing\/here|no-such-method/);
    } finally {
      await api.close();
    }
  });
});
