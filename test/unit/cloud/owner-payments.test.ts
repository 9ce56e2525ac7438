/**
 * App payments on a real chain (real blocks mined with Equihash, the chain's app-payments extension
 * and address index, a real mempool and wallets): an owner wallet pays through a node's REST
 * handlers without the node holding its key, renewals extend the expiry, updates pay what is due,
 * a payment that would change nothing is refused before broadcast, and one that matched nothing on
 * chain is listed with its reason. Plus fluxd's signmessage/verifymessage and address-index RPC.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { join } from 'node:path';
import type { ApiServer, RestHandler } from '../../../src/api/http-server.ts';
import { jsonReplacer } from '../../../src/api/json.ts';
import { RpcDispatcher } from '../../../src/api/jsonrpc.ts';
import type { RestContext } from '../../../src/api/rest/providers.ts';
import { registerOwnerRoutes } from '../../../src/api/rest/owner-routes.ts';
import { registerAddressMethods } from '../../../src/api/rpc/address-methods.ts';
import { registerWalletMethods } from '../../../src/api/rpc/wallet-methods.ts';
import type { NodeContext } from '../../../src/api/context.ts';
import { coinsOf, payForSpec, quoteSpec, type OwnerNodeApi } from '../../../src/cli/owner/pay.ts';
import { appPaymentAddress } from '../../../src/cloud/registry/app-address.ts';
import { AppDirectory, appPriceAt } from '../../../src/cloud/registry/app-directory.ts';
import { appPaymentData } from '../../../src/cloud/registry/payment-tx.ts';
import {
  AppRegistration,
  REGISTRATION_ERRORS,
  RegistrationError,
} from '../../../src/cloud/registry/registration.ts';
import { SpecStore } from '../../../src/cloud/registry/spec-store.ts';
import { specHash } from '../../../src/cloud/spec/hash.ts';
import { validateAppSpec } from '../../../src/cloud/spec/validate.ts';
import { DEVNET_APP_LIMITS } from '../../../src/cloud/spec/limits.ts';
import { decodeWif, signMessageBase64 } from '../../../src/consensus/index.ts';
import { Wallet } from '../../../src/wallet/wallet.ts';
import { devnet, EconomyTestNode, tempDir } from '../economy/chain-support.ts';

const COIN = 100_000_000n;
const blockTime = (h: number) => 1_700_000_000 + 30 * h;
const { dir, cleanup } = tempDir('fluxnode-owner-payments-');
let node: EconomyTestNode;
let specs: SpecStore;
let directory: AppDirectory;
let registration: AppRegistration;
let miner: string;
let owner: Wallet;
let ownerAddress: string;
let api: OwnerNodeApi;
let ctx: RestContext;

function rawSpec(ownerOf: string, cpu = 0.2, name = 'ownerapp') {
  return {
    version: 1,
    name,
    description: 'paid by an owner wallet',
    owner: ownerOf,
    components: [
      {
        name: 'web',
        description: '',
        repotag: '127.0.0.1:5000/flux/hello:1',
        ports: [31000],
        containerPorts: [80],
        environmentParameters: [],
        commands: [],
        containerData: '/data',
        cpu,
        ram: 100,
        hdd: 1,
      },
    ],
    instances: 3,
    expire: 100,
    geolocation: [],
  };
}

/** A larger version of a spec: its price (12.27 FLUX) exceeds the unused value of the small one. */
function bigger(raw: ReturnType<typeof rawSpec>) {
  return { ...raw, instances: 100, components: raw.components.map((c) => ({ ...c, ram: 2000 })) };
}

/** The node's REST handlers, called in-process with JSON on the way in and out as on the wire. */
function restOf(c: RestContext): OwnerNodeApi {
  const routes: { method: string; parts: string[]; handler: RestHandler }[] = [];
  const add = (method: string) => (path: string, handler: RestHandler) =>
    routes.push({ method, parts: path.split('/'), handler });
  registerOwnerRoutes({ get: add('GET'), post: add('POST') } as unknown as ApiServer, c);
  const call = async (method: string, path: string, body?: unknown) => {
    const parts = path.split('/');
    for (const r of routes) {
      if (r.method !== method || r.parts.length !== parts.length) continue;
      const params: Record<string, string> = {};
      if (
        !r.parts.every((p, i) =>
          p.startsWith(':') ? (params[p.slice(1)] = decodeURIComponent(parts[i]!)) : p === parts[i],
        )
      )
        continue;
      const wire = body === undefined ? undefined : JSON.parse(JSON.stringify(body));
      const out = await r.handler({ params, query: new URLSearchParams(), body: wire });
      return JSON.parse(JSON.stringify(out, jsonReplacer));
    }
    throw new Error(`no route ${method} ${path}`);
  };
  return { get: (path) => call('GET', path), post: (path, body) => call('POST', path, body) };
}

const tip = () => [node.chain.height(), node.chain.tip().id] as const;
const live = (name = 'ownerapp') => directory.active(...tip()).find((a) => a.name === name);

before(async () => {
  node = await EconomyTestNode.open(join(dir, 'chain'), { blockTime, withoutEconomy: true });
  miner = node.wallet.newAddress('miner');
  await node.mine(11, miner); // the block-1 premine is spendable from height 11
  specs = new SpecStore(join(dir, 'specs.sqlite'));
  directory = new AppDirectory(specs, node.appPayments, devnet);
  registration = new AppRegistration({
    params: devnet,
    tipHeight: () => node.chain.height(),
    tipId: () => node.chain.tip().id,
    wallet: node.wallet,
    specs,
    directory,
    submit: async (tx) => node.submit(tx),
    announce: async () => {},
  });
  const context = {
    params: devnet,
    chain: node.chain,
    mempool: node.mempool,
    acceptTransaction: async (tx) => {
      node.submit(tx);
      return node.mempool.all().at(-1)!;
    },
  } as Partial<NodeContext> as NodeContext;
  ctx = {
    ...context,
    addressIndex: node.addressIndex,
    owners: {
      registration,
      payTo: appPaymentAddress(devnet),
      unmatched: () => directory.unmatched(...tip()),
    },
  };
  api = restOf(ctx);
  // The owner's wallet is not the node's: the node funds it, then never sees its key.
  owner = new Wallet(devnet, { autoLockCollaterals: false });
  ownerAddress = owner.newAddress('owner');
  node.submit(node.wallet.createPayment({ to: [{ address: ownerAddress, amount: 50n * COIN }] }).tx);
  await node.mineBlock(miner);
});

after(() => {
  specs?.close();
  node?.close();
  cleanup();
});

test('an owner wallet registers an app through a node that does not hold its key', async () => {
  assert.equal(node.wallet.isMine(ownerAddress), false);
  const raw = rawSpec(ownerAddress);
  const r = await payForSpec(api, owner, raw, devnet, 'register');
  assert.equal(r.kind, 'register');
  assert.equal(node.mempool.has(r.txid), true, 'the signed payment reached the node’s pool');
  assert.ok(specs.get(r.specHash), 'the node keeps the spec the owner signed');
  const block = await node.mineBlock(miner);
  const app = live();
  assert.equal(app?.specHash, r.specHash);
  assert.equal(app?.txid, r.txid);
  const height = node.chain.height();
  assert.equal(app?.expiresAt, height + 100);
  assert.equal(BigInt(r.amount), appPriceAt(validateAppSpec(raw, DEVNET_APP_LIMITS), height));
  assert.ok(block.txs.length >= 2);
});

test('a spec signed by anyone but its owner is refused by the node', async () => {
  const raw = rawSpec(ownerAddress, 0.3);
  const stranger = new Wallet(devnet).keys.generate();
  const { signSpec } = await import('../../../src/cloud/messages/spec-announcement.ts');
  const { base64 } = await import('@scure/base');
  const forged = base64.encode(signSpec(validateAppSpec(raw, DEVNET_APP_LIMITS), stranger.privateKey));
  await assert.rejects(api.post('/apps/submit', { spec: raw, signature: forged }), /not the owner/);
  assert.equal(specs.get(specHash(validateAppSpec(raw, DEVNET_APP_LIMITS))), undefined);
});

test('a renewal (paying again for the unchanged spec) extends the expiry by what was paid', async () => {
  const before = live()!;
  const quote = await quoteSpec(api, rawSpec(ownerAddress));
  assert.equal(quote.kind, 'renew');
  const r = await payForSpec(api, owner, rawSpec(ownerAddress), devnet, 'renew');
  await node.mineBlock(miner);
  const after = live()!;
  assert.equal(after.specHash, before.specHash);
  const price = appPriceAt(before.spec, node.chain.height());
  assert.equal(after.expiresAt, before.expiresAt + Number((BigInt(r.amount) * 100n) / price));
  assert.equal(after.expiresAt, before.expiresAt + 100, 'a full price buys a full lifetime more');
  assert.equal(after.paid, before.paid + BigInt(r.amount));
});

test('an update pays the new price minus the unused value of the old version, as quoted', async () => {
  const old = live()!;
  const raw = bigger(rawSpec(ownerAddress, 2));
  const quote = await quoteSpec(api, raw, 'update');
  const h = node.chain.height() + 1;
  const oldPrice = appPriceAt(old.spec, old.height);
  const unused = (oldPrice * BigInt(old.expiresAt - h)) / 100n;
  const price = appPriceAt(validateAppSpec(raw, DEVNET_APP_LIMITS), h);
  assert.deepEqual(
    [quote.kind, quote.height, BigInt(quote.satoshis.unused), BigInt(quote.satoshis.due)],
    ['update', h, unused, price - unused],
  );
  assert.ok(unused > 0n && BigInt(quote.satoshis.amount) < price, 'the update costs less than a new app');
  const r = await payForSpec(api, owner, raw, devnet, 'update');
  assert.equal(BigInt(r.amount), price - unused);
  await node.mineBlock(miner);
  const now = live()!;
  assert.equal(now.specHash, r.specHash);
  assert.equal(now.height, h);
  assert.equal(now.registeredHeight, old.registeredHeight);
  assert.equal(now.expiresAt, h + 100);
});

test('a payment that would change nothing is refused before anything is broadcast', async () => {
  const pool = node.mempool.size;
  // Another owner's spec for a live name: the payment would match nothing.
  const other = node.wallet.newAddress('someone else');
  const theirs = registration.accept(rawSpec(other, 0.2));
  await assert.rejects(
    registration.register(theirs),
    (e: unknown) => e instanceof RegistrationError && e.code === REGISTRATION_ERRORS.changesNothing,
  );
  await assert.rejects(
    quoteSpec(api, rawSpec(other, 0.2)),
    /would change nothing: the name ownerapp belongs to/,
  );
  // Asking to renew a changed spec, or to register a live name, names the right command.
  await assert.rejects(
    payForSpec(api, owner, rawSpec(ownerAddress, 0.7), devnet, 'renew'),
    /would be a update, not a renew; this spec differs/,
  );
  await assert.rejects(
    payForSpec(api, owner, bigger(rawSpec(ownerAddress, 2)), devnet, 'register'),
    /would be a renew, not a register/,
  );
  assert.equal(node.mempool.size, pool, 'nothing reached the pool');
});

test('a payment on chain that matches nothing is listed with its reason instead of vanishing', async () => {
  const raw = rawSpec(ownerAddress, 0.2, 'shortpaid');
  const spec = validateAppSpec(raw, DEVNET_APP_LIMITS);
  const { signSpec } = await import('../../../src/cloud/messages/spec-announcement.ts');
  const { base64 } = await import('@scure/base');
  await api.post('/apps/submit', {
    spec: raw,
    signature: base64.encode(signSpec(spec, owner.keys.get(ownerAddress)!.privateKey)),
  });
  // Built by hand, as a careless wallet would: far less than the price, and one for no known spec.
  const pay = (hash: string) =>
    owner.createPayment({
      to: [{ address: appPaymentAddress(devnet), amount: 1_000n }],
      opReturn: appPaymentData(hash),
    });
  const coins = await coinsOf(api, ownerAddress, node.chain.height(), devnet);
  owner.setSource(coins);
  const under = pay(specHash(spec));
  node.submit(under.tx);
  await node.mineBlock(miner);
  owner.setSource(await coinsOf(api, ownerAddress, node.chain.height(), devnet));
  const unknown = pay('ab'.repeat(32));
  node.submit(unknown.tx);
  await node.mineBlock(miner);
  assert.equal(live('shortpaid'), undefined);
  const listed = directory.unmatched(...tip());
  const byTx = new Map(listed.map((u) => [u.txid, u]));
  assert.equal(byTx.get(under.txid)?.reason, 'underpaid');
  assert.equal(byTx.get(under.txid)?.name, 'shortpaid');
  assert.equal(byTx.get(unknown.txid)?.reason, 'unknown-spec');
  const rest =
    await api.get<{ txid: string; reason: string; satoshis: number }[]>('/apps/shortpaid/unmatched');
  assert.deepEqual(
    rest.map((u) => [u.txid, u.reason, u.satoshis]),
    [[under.txid, 'underpaid', 1000]],
  );
});

test('signmessage, verifymessage and the address-index methods answer as fluxd does', async () => {
  const rpc = new RpcDispatcher();
  registerAddressMethods(rpc, ctx, node.addressIndex);
  registerWalletMethods(rpc, ctx, {
    wallet: node.wallet,
    save: () => {},
    operator: { start: async () => '', status: () => ({}) },
  });
  const call = async (method: string, params: unknown[]) => {
    const r = (await rpc.handleBody(JSON.stringify({ id: 1, method, params }))) as {
      result: unknown;
      error: unknown;
    };
    if (r.error) throw Object.assign(new Error('rpc'), r.error);
    return JSON.parse(JSON.stringify(r.result, jsonReplacer));
  };
  const sig = await call('signmessage', [miner, 'hello flux']);
  assert.equal(await call('verifymessage', [miner, sig, 'hello flux']), true);
  assert.equal(await call('verifymessage', [miner, sig, 'hello flux!']), false);
  await assert.rejects(call('verifymessage', ['nope', sig, 'x']), { code: -3, message: 'Invalid address' });
  await assert.rejects(call('signmessage', [ownerAddress, 'x']), { code: -4 });
  // dumpprivkey gives the key that made that signature, as WIF.
  const wif = await call('dumpprivkey', [miner]);
  const dumped = decodeWif(wif, ctx.params.base58.secretKey);
  assert.equal(signMessageBase64('hello flux', dumped.privateKey, { compressed: dumped.compressed }), sig);
  await assert.rejects(call('dumpprivkey', [ownerAddress]), { code: -4 });
  await assert.rejects(call('dumpprivkey', ['nope']), { code: -3 });

  const utxos = await call('getaddressutxos', [{ addresses: [ownerAddress] }]);
  const coins = node.addressIndex.coinsFor([owner.keys.get(ownerAddress)!.p2pkh]);
  assert.equal(utxos.length, coins.length);
  assert.deepEqual(Object.keys(utxos[0]).sort(), [
    'address',
    'height',
    'outputIndex',
    'satoshis',
    'script',
    'txid',
  ]);
  assert.equal(typeof utxos[0].satoshis, 'number');
  assert.deepEqual(await call('getaddressutxos', [ownerAddress]), utxos, 'the string form is the same');
  const balance = await call('getaddressbalance', [{ addresses: [ownerAddress] }]);
  assert.equal(
    balance.balance,
    utxos.reduce((n: number, u: { satoshis: number }) => n + u.satoshis, 0),
  );
  assert.equal(
    balance.received,
    Number(50n * COIN),
    'the owner received the funding payment only (net per tx)',
  );
  const txids = await call('getaddresstxids', [{ addresses: [ownerAddress] }]);
  const deltas = await call('getaddressdeltas', [{ addresses: [ownerAddress] }]);
  assert.deepEqual(
    deltas.map((d: { txid: string }) => d.txid),
    txids,
  );
  assert.equal(
    deltas.reduce((n: number, d: { satoshis: number }) => n + d.satoshis, 0),
    balance.balance,
  );
  const chainInfo = await call('getaddressutxos', [{ addresses: [ownerAddress], chainInfo: true }]);
  assert.equal(chainInfo.height, node.chain.height());

  owner.setSource(await coinsOf(api, ownerAddress, node.chain.height(), devnet));
  const pending = owner.createPayment({ to: [{ address: miner, amount: COIN }] });
  node.submit(pending.tx);
  const mem = await call('getaddressmempool', [{ addresses: [ownerAddress, miner] }]);
  const mine = mem.filter((m: { txid: string }) => m.txid === pending.txid);
  assert.ok(
    mine.some(
      (m: { address: string; satoshis: number }) => m.address === miner && m.satoshis === Number(COIN),
    ),
  );
  assert.ok(
    mine.some(
      (m: { address: string; satoshis: number; prevtxid?: string }) =>
        m.address === ownerAddress && m.satoshis < 0 && m.prevtxid,
    ),
  );
});
