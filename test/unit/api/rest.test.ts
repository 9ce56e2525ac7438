import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { WebSocket } from 'ws';
import type { OwnerOpAnswer } from '../../../src/api/rest/owner-op-routes.ts';
import { signOwnerRequest } from '../../../src/cloud/messages/owner-request.ts';
import type {
  ApiEvent,
  AppDetail,
  AppSummary,
  BlockSummary,
  NetworkTotals,
  NodeCountPoint,
  NodeStatus,
  NodeView,
} from '../../../src/api/rest/types.ts';
import { benchmarkView } from '../../../src/api/rest/node-view.ts';
import {
  DashboardFixture,
  OWNER_ADDRESS,
  OWNER_KEY,
  params,
  SAMPLE_APP,
} from '../../support/rest-fixture.ts';
import { at, tuple } from '../../support/at.ts';

let net: DashboardFixture;

before(async () => {
  net = await DashboardFixture.start();
});
after(async () => {
  await net?.close();
});

async function get<T>(path: string, status = 200): Promise<T> {
  const res = await fetch(net.url + path);
  const body = await res.json();
  assert.equal(res.status, status, `${path}: ${JSON.stringify(body)}`);
  assert.match(res.headers.get('content-type') ?? '', /application\/json/);
  return body as T;
}

async function getError(path: string, status: number, message: RegExp): Promise<void> {
  const body = await get<{ error: string }>(path, status);
  assert.equal(typeof body.error, 'string', path);
  assert.match(body.error, message, path);
}

/** A tier's payment from the network parameters alone: subsidy × basis points / 10,000. */
function tierShare(tier: 'cumulus' | 'nimbus' | 'stratus'): bigint {
  const bps = at(params.fluxnodes.tierShares, 0).basisPoints[tier];
  return (params.subsidy.baseAmount * BigInt(bps)) / 10_000n;
}

test('chain info and block summaries follow the chain, with miner and node payouts', async () => {
  const info = await get<{ height: number; bestHash: string; network: string }>('/chain/info');
  assert.equal(info.height, net.chain.height());
  assert.equal(info.bestHash, net.chain.tip().id);
  assert.equal(info.network, 'devnet');

  const blocks = await get<BlockSummary[]>('/chain/blocks?limit=5');
  assert.deepEqual(
    blocks.map((b) => b.height),
    [0, 1, 2, 3, 4].map((i) => info.height - i),
  );
  const nodes = await get<NodeView[]>('/nodes');
  for (const b of blocks) {
    assert.equal(b.hash, net.chain.getEntry(b.height)!.id);
    // The coinbase as the chain stores it is the oracle for the split.
    const raw = await get<{ tx: { vout: { valueSat: string }[] }[] }>(
      `/chain/block/${b.height}?verbose=true`,
    );
    const outputs = at(raw.tx, 0).vout.map((o) => BigInt(o.valueSat));
    assert.equal(
      BigInt(b.coinbaseSat),
      outputs.reduce((s, v) => s + v, 0n),
    );
    assert.equal(outputs[0], BigInt(b.miner.amountSat));
    assert.equal(b.miner.address, net.minerAddress);
    assert.deepEqual(
      b.nodePayouts.map((p) => [p.tier, BigInt(p.amountSat)]),
      (['cumulus', 'nimbus', 'stratus'] as const).map((t) => [t, tierShare(t)]),
    );
    assert.equal(
      BigInt(b.miner.amountSat),
      params.subsidy.baseAmount - tierShare('cumulus') - tierShare('nimbus') - tierShare('stratus'),
    );
    for (const p of b.nodePayouts) {
      const node = nodes.find((n) => n.collateral === p.collateral);
      assert.ok(node, `payout ${p.tier} at ${b.height} names a registered node`);
      assert.equal(node.paymentAddress, p.address);
      assert.equal(node.tier, p.tier);
    }
  }
  // The tip paid one node of each tier, and those nodes now show it as their last payment.
  for (const p of at(blocks, 0).nodePayouts)
    assert.equal(nodes.find((n) => n.collateral === p.collateral)!.lastPaidHeight, at(blocks, 0).height);

  const older = await get<BlockSummary[]>(`/chain/blocks?limit=3&before=${at(blocks, 4).height}`);
  assert.deepEqual(
    older.map((b) => b.height),
    [1, 2, 3].map((i) => at(blocks, 4).height - i),
  );
});

test('one block by height or hash, one transaction, one address', async () => {
  const h = net.appPayment.height;
  const byHeight = await get<{ hash: string; tx: string[]; summary: BlockSummary }>(`/chain/block/${h}`);
  const byHash = await get<{ height: number; hash: string }>(`/chain/block/${byHeight.hash.toUpperCase()}`);
  assert.equal(byHash.height, h);
  assert.equal(byHash.hash, net.chain.getEntry(h)!.id);
  assert.ok(byHeight.tx.includes(net.appPayment.txid));
  assert.equal(byHeight.summary.txCount, byHeight.tx.length);

  const tx = await get<{
    txid: string;
    height: number;
    vout: { valueSat: string; scriptPubKey: { type: string } }[];
  }>(`/chain/tx/${net.appPayment.txid}`);
  assert.equal(tx.txid, net.appPayment.txid);
  assert.equal(tx.height, h);
  assert.equal(BigInt(at(tx.vout, 0).valueSat), net.appPayment.paid);
  assert.equal(at(tx.vout, 1).scriptPubKey.type, 'nulldata');

  const addr = await get<{
    balanceSat: string;
    history: { txid: string; height: number; deltaSat: string }[];
  }>(`/chain/address/${net.minerAddress}?limit=3`);
  assert.equal(addr.history.length, 3);
  assert.equal(at(addr.history, 0).height, net.chain.height());
  assert.equal(
    BigInt(at(addr.history, 0).deltaSat),
    BigInt(at(await get<BlockSummary[]>('/chain/blocks?limit=1'), 0).miner.amountSat),
  );
  assert.ok(BigInt(addr.balanceSat) > 0n);
});

test('bad chain parameters get a 400 naming the value; missing things a 404', async () => {
  await getError('/chain/block/12abc', 400, /block "12abc" is not valid/);
  await getError(`/chain/block/${'0'.repeat(63)}`, 400, /64-hex-digit/);
  await getError(`/chain/block/${net.chain.height() + 5}`, 404, /no block at height/);
  await getError(`/chain/block/${'ab'.repeat(32)}`, 404, /not found/);
  await getError('/chain/block/1?verbose=yes', 400, /verbose "yes"/);
  await getError('/chain/blocks?limit=0', 400, /limit "0".*1 to 100/);
  await getError('/chain/blocks?limit=ten', 400, /limit "ten"/);
  await getError('/chain/tx/xyz', 400, /txid "xyz"/);
  await getError(`/chain/tx/${'cd'.repeat(32)}`, 404, /neither in the chain nor in the mempool/);
  // A mainnet address is not a devnet one.
  await getError('/chain/address/t1VBXwVpDLZN6HArzpCjSGEDWochejE8AC1', 400, /not valid on devnet/);
  await getError('/nope', 404, /no such endpoint: GET \/nope/);
  await getError('/economy/supply', 501, /no supply statistics/);
});

test('nodes carry tier, status, address, last payment and benchmark; filters are checked', async () => {
  const nodes = await get<NodeView[]>('/nodes');
  assert.equal(nodes.length, 5);
  for (const fixture of net.nodes) {
    const n = nodes.find((x) => x.collateral === fixture.id)!;
    assert.equal(n.tier, fixture.tier);
    assert.equal(n.status, 'confirmed');
    assert.equal(n.ip, fixture.ip);
    assert.equal(BigInt(n.collateralSat), params.fluxnodes.collateral[fixture.tier].after);
    assert.deepEqual(
      { ...n.benchmark, meetsTier: undefined },
      { ...fixture.benchmark, meetsTier: undefined },
    );
    assert.equal(n.benchmark!.meetsTier, true);
    assert.equal(
      n.lastPaidTime,
      n.lastPaidHeight === null ? null : net.chain.getEntry(n.lastPaidHeight)!.time,
    );
  }
  // Ranks are each tier's payment queue: 0..count-1.
  for (const tier of ['cumulus', 'nimbus', 'stratus'] as const) {
    const ranks = nodes
      .filter((n) => n.tier === tier)
      .map((n) => n.rank)
      .sort();
    assert.deepEqual(ranks, [...ranks.keys()]);
  }
  assert.equal((await get<NodeView[]>('/nodes?tier=nimbus')).length, 2);
  assert.equal((await get<NodeView[]>('/nodes?tier=STRATUS&status=confirmed')).length, 1);
  assert.equal((await get<NodeView[]>('/nodes?status=started')).length, 0);
  await getError('/nodes?tier=cirrus', 400, /tier "cirrus".*cumulus, nimbus or stratus/);
  await getError('/nodes?status=gone', 400, /status "gone"/);

  const one = await get<NodeView>(`/nodes/${encodeURIComponent(at(net.nodes, 4).id!.toUpperCase())}`);
  assert.equal(one.tier, 'stratus');
  await getError('/nodes/abc:1', 400, /collateral "abc:1"/);
  await getError(`/nodes/${'ef'.repeat(32)}:0`, 404, /no registered fluxnode/);
});

test('a benchmark below the tier minimum is flagged', () => {
  const min = params.fluxnodes.hardwareMinimums.stratus;
  const ok = { ...min, time: 0, location: null };
  assert.equal(benchmarkView(ok, 'stratus', params)!.meetsTier, true);
  // 5% of RAM slack, as the agents judge it (the kernel keeps some for itself).
  assert.equal(benchmarkView({ ...ok, ramGB: min.ramGB * 0.96 }, 'stratus', params)!.meetsTier, true);
  assert.equal(benchmarkView({ ...ok, ramGB: min.ramGB * 0.9 }, 'stratus', params)!.meetsTier, false);
  assert.equal(benchmarkView({ ...ok, cores: min.cores - 1 }, 'stratus', params)!.meetsTier, false);
  assert.equal(benchmarkView(undefined, 'stratus', params), null);
});

test('network totals add up the confirmed nodes’ benchmarks, by tier', async () => {
  const totals = await get<NetworkTotals>('/network/totals');
  const sum = (pick: (b: (typeof net.nodes)[0]['benchmark']) => number, tier?: string) =>
    net.nodes.filter((n) => !tier || n.tier === tier).reduce((s, n) => s + pick(n.benchmark), 0);
  assert.deepEqual(totals.nodes.byTier, { cumulus: 2, nimbus: 2, stratus: 1 });
  assert.equal(totals.nodes.confirmed, 5);
  assert.equal(
    totals.compute.cores,
    sum((b) => b.cores),
  );
  assert.equal(
    totals.compute.ramGB,
    sum((b) => b.ramGB),
  );
  assert.equal(
    totals.compute.ssdGB,
    sum((b) => b.ssdGB),
  );
  for (const tier of ['cumulus', 'nimbus', 'stratus'] as const) {
    assert.equal(
      totals.compute.byTier[tier].cores,
      sum((b) => b.cores, tier),
    );
    assert.equal(
      totals.compute.byTier[tier].ramGB,
      sum((b) => b.ramGB, tier),
    );
  }
  assert.deepEqual(totals.apps, { count: 1, instances: 3, placed: 3 });

  const history = await get<NodeCountPoint[]>('/network/history?limit=50');
  assert.ok(history.length >= 2 && history.length <= 50);
  const last = at(history, history.length - 1);
  assert.equal(last.height, net.chain.height());
  assert.deepEqual([last.cumulus, last.nimbus, last.stratus], [2, 2, 1]);
  assert.deepEqual([at(history, 0).cumulus, at(history, 0).nimbus, at(history, 0).stratus], [0, 0, 0]);
  await getError('/network/history?limit=1', 400, /limit "1"/);
});

test('apps show spec, price, instances and locations; names are checked', async () => {
  const apps = await get<AppSummary[]>('/apps');
  assert.equal(apps.length, 1);
  const [hello] = tuple(apps, 1);
  assert.equal(hello.name, 'hello');
  assert.equal(hello.owner, OWNER_ADDRESS);
  assert.equal(hello.placed, 3);
  assert.equal(BigInt(hello.priceSat!), net.appPayment.paid);
  const registered = new Map(net.nodes.map((n) => [n.id, n]));
  assert.equal(new Set(hello.locations.map((l) => l.ip)).size, 3);
  for (const l of hello.locations) {
    assert.ok(registered.has(l.node));
    assert.equal(`${l.ip}:16127`, registered.get(l.node)!.ip);
    assert.equal(l.tier, registered.get(l.node)!.tier);
  }

  const detail = await get<AppDetail>('/apps/hello');
  assert.equal(detail.height, net.appPayment.height);
  assert.equal(detail.txid, net.appPayment.txid);
  assert.equal(detail.spec.instances, SAMPLE_APP.instances);
  assert.deepEqual(at(detail.spec.components, 0).ports, at(SAMPLE_APP.components, 0).ports);
  assert.equal(at(detail.spec.components, 0).repotag, at(SAMPLE_APP.components, 0).repotag);
  assert.equal(detail.unplaced, 0);
  assert.deepEqual(await get('/apps/hello/locations'), hello.locations);
  await getError('/apps/no-such!', 400, /app name "no-such!"/);
  await getError('/apps/nosuchapp', 404, /no app named nosuchapp/);
});

test('owner operations: the owner’s signed request reaches the nodes it names; others’ are refused up front', async () => {
  const post = async (body: unknown, path = '/apps/hello/ops') => {
    const res = await fetch(`${net.url}${path}`, { method: 'POST', body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as OwnerOpAnswer & { error?: string } };
  };
  const hello = await get<AppSummary>('/apps/hello');
  const nodes = hello.locations.map((l) => l.node);
  const fields = { op: 'logs' as const, app: 'hello', nodes, issuedAt: Date.now(), tail: 10 };
  const req = signOwnerRequest({ ...fields, nonce: 'aa'.repeat(16) }, OWNER_KEY);
  const ok = await post(req);
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.deepEqual(
    ok.body.nodes.map((n) => [n.node, n.status]),
    [...req.nodes].map((n) => [n, 'ok']),
  );
  // One line per instance, in time order, each labelled with its node, address and container.
  assert.equal(ok.body.lines!.length, 3);
  for (const l of ok.body.lines!) {
    assert.equal(l.container, 'fluxweb_hello');
    assert.equal(l.ip, hello.locations.find((x) => x.node === l.node)?.ip);
  }
  // The same request again: each node refuses it as a replay.
  const again = await post(req);
  assert.deepEqual(
    again.body.nodes.map((n) => (n.status === 'refused' ? n.rule : n.status)),
    ['replayed', 'replayed', 'replayed'],
  );
  const other = await post(signOwnerRequest({ ...fields, nonce: 'bb'.repeat(16) }, net.minerKey));
  assert.equal(other.status, 401);
  assert.match(other.body.error!, /not signed by the app's owner/);
  const elsewhere = await post(req, '/apps/nosuchapp/ops');
  assert.equal(elsewhere.status, 404);
  assert.equal((await post({ ...req, op: 'delete' })).status, 400);
  assert.equal((await post([1, 2])).status, 400);
});

test('this node’s status: its tier, benchmark and rewards from the chain', async () => {
  const s = await get<NodeStatus>('/node/status');
  assert.equal(s.height, net.chain.height());
  assert.equal(s.network, 'devnet');
  const me = at(net.nodes, 0);
  assert.equal(s.fluxnode!.collateral, me.id);
  assert.equal(s.fluxnode!.registered!.tier, 'cumulus');
  assert.equal(s.fluxnode!.benchmark!.cores, me.benchmark.cores);
  const r = s.fluxnode!.rewards;
  assert.equal(BigInt(r.nextPaymentSat), tierShare('cumulus'));
  assert.ok(r.count > 0, 'a confirmed cumulus node was paid in the window');
  assert.equal(BigInt(r.totalSat), tierShare('cumulus') * BigInt(r.count));
  assert.equal(at(r.recent, 0).height, r.lastPaidHeight);
});

function nextEvent(ws: WebSocket, type: ApiEvent['type']): Promise<ApiEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${type} event within 5 s`)), 5000);
    const onMessage = (data: Buffer) => {
      const ev = JSON.parse(data.toString()) as ApiEvent;
      if (ev.type !== type) return;
      clearTimeout(timer);
      ws.off('message', onMessage);
      resolve(ev);
    };
    ws.on('message', onMessage);
  });
}

test('WebSocket: hello, a block with payouts, moved instances, a removed node', async () => {
  const ws = new WebSocket(`${net.url.replace('http', 'ws')}/ws`);
  const hello = await nextEvent(ws, 'hello');
  assert.equal(hello.type === 'hello' && hello.data.height, net.chain.height());

  const blockEv = nextEvent(ws, 'block');
  const mined = await net.mineBlock();
  const ev = await blockEv;
  assert.equal(ev.type, 'block');
  if (ev.type !== 'block') return;
  assert.equal(ev.data.height, mined.height);
  assert.equal(ev.data.hash, mined.id);
  assert.equal(ev.data.nodePayouts.length, 3);
  assert.deepEqual(ev.data.nodes, { cumulus: 2, nimbus: 2, stratus: 1 });

  // A placed node goes silent: its instance moves to another node.
  const before = at(net.apps.list(), 0).locations.map((l) => l.node);
  const moved = nextEvent(ws, 'placements');
  net.apps.silent.add(at(before, 0));
  net.apps.changed();
  const pe = await moved;
  assert.equal(pe.type, 'placements');
  if (pe.type !== 'placements') return;
  assert.equal(at(pe.data.changes, 0).app, 'hello');
  assert.deepEqual(at(pe.data.changes, 0).removed, [before[0]]);
  assert.equal(at(pe.data.changes, 0).added.length, 1);
  assert.ok(!before.includes(at(at(pe.data.changes, 0).added, 0)));
  assert.equal(at(pe.data.changes, 0).locations.length, 3);

  // Spending a collateral removes its node in that block.
  const gone = nextEvent(ws, 'nodes');
  await net.spendCollateral(3);
  const ne = await gone;
  assert.equal(ne.type, 'nodes');
  if (ne.type !== 'nodes') return;
  assert.deepEqual(ne.data.changes, [
    { collateral: at(net.nodes, 3).id, change: 'removed', tier: 'nimbus', status: 'confirmed' },
  ]);
  assert.deepEqual(ne.data.byTier, { cumulus: 2, nimbus: 1, stratus: 1 });
  ws.close();

  // Only /ws upgrades.
  const wrong = new WebSocket(`${net.url.replace('http', 'ws')}/other`);
  const err = await new Promise<Error>((resolve) => wrong.on('error', resolve));
  assert.match(err.message, /404/);
});
