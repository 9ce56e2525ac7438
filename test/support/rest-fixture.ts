/**
 * A small real network in one process, for the REST, WebSocket and dashboard tests: a devnet chain
 * (real consensus rules; blocks meet their target by nonce grinding, without an Equihash solution)
 * on which five fluxnodes are funded, STARTed and CONFIRMed by signed transactions, and an app is
 * paid for; the registry, tx index, address index and app payments are the chain's own extensions.
 * Apps are placed with the real placement code over the registry's nodes; benchmarks are what each
 * node "reported" (fixed numbers per node, the oracle for the compute totals).
 *
 * Point the browser test at a running devnet instead with FLUXNODE_DASHBOARD_URL.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiServer } from '../../src/api/http-server.ts';
import { RpcDispatcher } from '../../src/api/jsonrpc.ts';
import type { AppRecord, AppsProvider, RestContext } from '../../src/api/rest/providers.ts';
import { registerRestRoutes, type RestRoutes } from '../../src/api/rest/routes.ts';
import type { NodeBenchmark } from '../../src/api/rest/types.ts';
import type { OwnerLogLine, OwnerOpResult } from '../../src/cloud/agent/owner-ops.ts';
import type { MessageVerifyError } from '../../src/cloud/messages/errors.ts';
import { type OwnerRequest, verifyOwnerRequest } from '../../src/cloud/messages/owner-request.ts';
import type { NodeOutcome } from '../../src/cloud/owner/relay.ts';
import { attachWebSocket, type EventHub } from '../../src/api/ws/event-hub.ts';
import { AddressIndex } from '../../src/chain/address-index/address-index.ts';
import { Chain } from '../../src/chain/chain.ts';
import { Mempool } from '../../src/chain/mempool/mempool.ts';
import { TxIndexExtension } from '../../src/chain/tx-index.ts';
import type { ChainEntry } from '../../src/chain/types.ts';
import { placementApp } from '../../src/cloud/placement/from-spec.ts';
import { placeApps } from '../../src/cloud/placement/placement.ts';
import { DEVNET_BENCHMARK_SECRET } from '../../src/cloud/benchmark/attest.ts';
import { appPaymentScriptFor } from '../../src/cloud/registry/app-address.ts';
import { activeApps, type PaidSpec } from '../../src/cloud/registry/app-registry.ts';
import { AppPaymentsExtension } from '../../src/cloud/registry/app-payments.ts';
import { appPaymentScript } from '../../src/cloud/registry/payment-tx.ts';
import { specHash } from '../../src/cloud/spec/hash.ts';
import { DEVNET_APP_LIMITS } from '../../src/cloud/spec/limits.ts';
import { appPrice, MAINNET_PRICE_SCHEDULE, priceParamsAt } from '../../src/cloud/spec/price.ts';
import type { AppSpec, ValidSpec } from '../../src/cloud/spec/schema.ts';
import { validateAppSpec } from '../../src/cloud/spec/validate.ts';
import { reverseHex } from '../../src/consensus/bytes.ts';
import { hash160 } from '../../src/consensus/hash.ts';
import { encodeAddress } from '../../src/consensus/keys/address.ts';
import { publicKeyOf } from '../../src/consensus/keys/keys.ts';
import { paramsFor, registryRulesAt, type Tier } from '../../src/consensus/params/index.ts';
import { merkleRoot } from '../../src/consensus/primitives/merkle.ts';
import { txid } from '../../src/consensus/primitives/transaction.ts';
import type { Block, OutPoint, Transaction, TxOut } from '../../src/consensus/primitives/types.ts';
import { p2pkhScript } from '../../src/consensus/script/templates.ts';
import { meetsTarget } from '../../src/mining/pow.ts';
import { buildBlockTemplate } from '../../src/mining/template.ts';
import {
  BENCHMARK_TIER_NUMBER,
  buildFluxnodeConfirm,
  buildFluxnodeStart,
} from '../../src/wallet/fluxnode-txs.ts';
import { frameFor, signAllInputs, unsignedTransaction } from '../../src/wallet/tx-builder.ts';
import { dashboardHandler } from '../../src/web/serve.ts';
import { at } from './at.ts';
import { tuple } from './at.ts';

export const params = paramsFor('devnet');
const PFX = { pubkeyHash: params.base58.pubkeyHash, scriptHash: params.base58.scriptHash };

function key(fill: number): Uint8Array {
  return new Uint8Array(32).fill(fill);
}

export interface FixtureNode {
  tier: Tier;
  ip: string;
  collateralKey: Uint8Array;
  operatorKey: Uint8Array;
  benchmark: NodeBenchmark;
  collateral?: OutPoint;
  /** "txid:n" once funded. */
  id?: string;
}

/** Two Cumulus, two Nimbus, one Stratus, each with its own address and benchmark. */
function defaultNodes(now: number): FixtureNode[] {
  const spec: [Tier, number, number, number, string | null][] = [
    ['cumulus', 2, 4, 60, 'EU_DE'],
    ['cumulus', 4, 7.5, 120, 'EU_FR'],
    ['nimbus', 6, 16, 240, 'NA_US'],
    ['nimbus', 8, 24, 320, 'AS_SG'],
    ['stratus', 12, 48, 900, null],
  ];
  return spec.map(([tier, cores, ramGB, ssdGB, location], i) => ({
    tier,
    ip: `127.0.0.${11 + i}:16127`,
    collateralKey: key(0x21 + i),
    operatorKey: key(0x41 + i),
    benchmark: { cores, ramGB, ssdGB, eps: 100 * cores, diskWriteMBps: 150, time: now - 60, location },
  }));
}

export const SAMPLE_APP = {
  version: 1,
  name: 'hello',
  description: 'Hello world from busybox httpd',
  instances: 3,
  expire: 22000,
  components: [
    {
      name: 'web',
      description: 'A page naming the node',
      repotag: '127.0.0.1:5000/flux/hello:1',
      ports: [31000],
      containerPorts: [8080],
      environmentParameters: ['PORT=8080'],
      containerData: '/www',
      cpu: 0.1,
      ram: 100,
      hdd: 1,
    },
  ],
};

const OWNER_KEY = key(0x61);
export const OWNER_ADDRESS = encodeAddress('p2pkh', hash160(publicKeyOf(OWNER_KEY)), PFX);
export { OWNER_KEY };

/** App payments on the chain + specs we "received" → the active apps, placed on the live nodes. */
class FixtureApps implements AppsProvider {
  readonly specs = new Map<string, ValidSpec>();
  private readonly listeners = new Set<() => void>();
  private readonly net: DashboardFixture;
  /** Collaterals of nodes whose heartbeats stopped (to move instances in tests). */
  readonly silent = new Set<string>();
  /** Nonces each node carried out, and every request carried out (for tests to inspect). */
  readonly nonces = new Map<string, Set<string>>();
  readonly requests: OwnerRequest[] = [];
  /**
   * When the hosting nodes last reported (s): fixed between changes, as a real node's report time
   * is, so two reads of the same state agree (a read used to stamp its own second).
   */
  #reportedAt = Math.floor(Date.now() / 1000);

  constructor(net: DashboardFixture) {
    this.net = net;
  }

  list(): AppRecord[] {
    const tip = this.net.chain.height();
    const paid: PaidSpec[] = [];
    for (const [hash, spec] of this.specs)
      for (const payment of this.net.appPayments.paymentsFor(hash))
        paid.push({ spec, specHash: hash, payment });
    const priceAt = (s: AppSpec, h: number) => appPrice(s, priceParamsAt(MAINNET_PRICE_SCHEDULE, h)).total;
    const apps = activeApps(paid, tip, { priceAt });
    const nodes = this.net.chain.fluxnodes.confirmed().map((r) => ({
      id: r.collateral,
      ip: r.ip.split(':')[0] ?? r.ip,
      tier: r.tier,
      capacity: DEVNET_APP_LIMITS.tiers[r.tier],
      benchmarkOk: true,
    }));
    const live = new Set(nodes.map((n) => n.id).filter((id) => !this.silent.has(id)));
    const placed = placeApps({
      apps: apps.map((a) => placementApp(a.spec, a.height, a.specHash)),
      nodes,
      live,
      epoch: 0,
    });
    const byId = new Map(this.net.chain.fluxnodes.list().map((r) => [r.collateral, r]));
    return apps.map((a) => ({
      name: a.name,
      owner: a.owner,
      spec: a.spec,
      specHash: a.specHash,
      height: a.height,
      registeredHeight: a.registeredHeight,
      expiresAt: a.expiresAt,
      txid: a.txid,
      priceSat: priceAt(a.spec, a.height),
      unplaced: placed.unplaced.get(a.name) ?? 0,
      locations: (placed.assignment.get(a.name) ?? []).map((id) => ({
        node: id,
        ip: byId.get(id)?.ip.split(':')[0] ?? '',
        ports: a.spec.components.flatMap((c) => c.ports),
        state: 'running',
        updated: this.#reportedAt,
      })),
    }));
  }

  /**
   * Owner requests as hosting nodes would answer them: each location named checks the request in
   * full (signature by the owner, names it, fresh, nonce unused there) and answers with one log
   * line per component; a named node that hosts nothing is unreachable.
   */
  async dispatch(req: OwnerRequest, _timeoutMs: number): Promise<NodeOutcome[]> {
    const app = this.list().find((a) => a.name === req.app);
    return req.nodes.map((node): NodeOutcome => {
      const at = app?.locations.find((l) => l.node === node);
      if (!app || !at) return { node, status: 'unreachable', reason: 'no connection to this node' };
      try {
        verifyOwnerRequest(req, { owner: app.owner, node, now: Date.now(), windowMs: 120_000 });
      } catch (err) {
        const e = err as MessageVerifyError;
        return { node, status: 'refused', rule: e.rule, reason: e.message };
      }
      const seen = this.nonces.get(node) ?? new Set<string>();
      this.nonces.set(node, seen);
      if (seen.has(req.nonce))
        return { node, status: 'refused', rule: 'replayed', reason: 'already carried out' };
      seen.add(req.nonce);
      this.requests.push(req);
      const containers = app.spec.components.map((c) => ({
        component: c.name,
        container: `flux${c.name}_${app.name}`,
        state: req.op === 'stop' ? 'exited' : 'running',
        status: 'Up',
        image: c.repotag,
        created: 0,
      }));
      const result: OwnerOpResult = {
        node,
        app: app.name,
        op: req.op,
        placedHere: true,
        stopped: req.op === 'stop',
        containers,
        done: req.op === 'logs' || req.op === 'inspect' ? [] : containers.map((c) => c.container),
      };
      if (req.op === 'logs')
        result.lines = containers
          .map(
            (c, i): OwnerLogLine => ({
              node,
              component: c.component,
              container: c.container,
              time: Date.now() - 1000 + i,
              stream: 'stdout',
              text: `httpd started on ${at.ip}`,
            }),
          )
          .filter((l) => l.time >= (req.since ?? 0));
      return { node, status: 'ok', result };
    });
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  changed(): void {
    this.#reportedAt = Math.floor(Date.now() / 1000);
    for (const l of this.listeners) l();
  }
}

export class DashboardFixture {
  readonly dir: string;
  readonly chain: Chain;
  readonly appPayments: AppPaymentsExtension;
  readonly addressIndex: AddressIndex;
  readonly txIndex: TxIndexExtension;
  readonly nodes: FixtureNode[];
  readonly apps: FixtureApps;
  readonly minerKey = key(0x11);
  readonly minerScript: Uint8Array;
  readonly minerAddress: string;
  readonly ctx: RestContext;
  readonly api: ApiServer;
  routes!: RestRoutes;
  hub!: EventHub;
  url = '';
  /** Mature coinbase outputs the miner has not spent yet. */
  private readonly coins: { outpoint: OutPoint; out: TxOut; height: number }[] = [];

  private constructor(
    dir: string,
    chain: Chain,
    ext: {
      appPayments: AppPaymentsExtension;
      addressIndex: AddressIndex;
      txIndex: TxIndexExtension;
    },
  ) {
    this.dir = dir;
    this.chain = chain;
    this.appPayments = ext.appPayments;
    this.addressIndex = ext.addressIndex;
    this.txIndex = ext.txIndex;
    this.nodes = defaultNodes(Math.floor(Date.now() / 1000));
    this.minerScript = p2pkhScript(hash160(publicKeyOf(this.minerKey)));
    this.minerAddress = encodeAddress('p2pkh', hash160(publicKeyOf(this.minerKey)), PFX);
    this.apps = new FixtureApps(this);
    const benchmarks = new Map<string, NodeBenchmark>();
    this.ctx = {
      params,
      chain,
      mempool: new Mempool({ maxBytes: 1_000_000, minFeePerKb: 100n }),
      txIndex: this.txIndex,
      registry: () => chain.fluxnodes,
      acceptTransaction: () => Promise.reject(new Error('read-only fixture')),
      submitBlock: (b) => chain.acceptBlock(b),
      peers: () => [],
      startedAt: Date.now(),
      version: 'test',
      apps: this.apps,
      ownerOps: this.apps,
      benchmarks: {
        benchmarkOf: (c) => benchmarks.get(c) ?? this.nodes.find((n) => n.id === c)?.benchmark,
      },
      self: { collateral: () => at(this.nodes, 0).id },
      addressIndex: this.addressIndex,
    };
    this.api = new ApiServer({
      host: '127.0.0.1',
      port: 0,
      rpc: new RpcDispatcher(),
      staticHandler: dashboardHandler(),
    });
  }

  /** Builds the network (about 480 blocks) and serves the API and the dashboard on 127.0.0.1. */
  static async start(): Promise<DashboardFixture> {
    const dir = mkdtempSync(join(tmpdir(), 'fluxnode-api-'));
    const appPayments = new AppPaymentsExtension(appPaymentScriptFor(params), txid);
    const txIndex = new TxIndexExtension();
    const addressIndex = new AddressIndex({ coinbaseMaturity: params.coinbaseMaturity });
    const chain = await Chain.open(join(dir, 'chain'), params, {
      // Solving 48,5 takes ~0.2 s a block on this CPU, too slow for ~480 blocks: no proof of work.
      validation: { scriptThreads: 0, checkPow: false },
      extensions: [appPayments, txIndex, addressIndex],
    });
    const net = new DashboardFixture(dir, chain, { appPayments, addressIndex, txIndex });
    await net.build();
    net.routes = registerRestRoutes(net.api, net.ctx);
    const { port } = await net.api.listen();
    net.hub = attachWebSocket(net.api.server!, net.ctx, { blocks: net.routes.blocks, pollMs: 0 });
    net.url = `http://127.0.0.1:${port}`;
    return net;
  }

  private clock = 0;

  private nextTime(): number {
    const now = Math.floor(Date.now() / 1000);
    this.clock = Math.min(this.clock + 3, now);
    return this.clock;
  }

  /** Mines one block with `txs` after the coinbase; adds due CONFIRMs so nodes stay confirmed. */
  async mineBlock(txs: Transaction[] = []): Promise<ChainEntry> {
    const height = this.chain.height() + 1;
    const confirms = this.dueConfirms(height, txs);
    const t = buildBlockTemplate({
      chain: this.chain,
      params,
      minerScript: this.minerScript,
      time: this.nextTime(),
    });
    const all = [t.coinbase, ...confirms, ...txs];
    const header = { ...t.header, merkleRoot: merkleRoot(all.map((x) => txid(x))).root };
    for (let n = 0; ; n++) {
      new DataView(header.nonce.buffer).setUint32(0, n, true);
      if (meetsTarget(header, t.target)) break;
    }
    const block: Block = { header, txs: all };
    const r = await this.chain.acceptBlock(block);
    if (r.status !== 'connected')
      throw new Error(`fixture block ${height}: ${r.status} ${r.rule ?? ''} ${r.reason ?? ''}`);
    this.coins.push({
      outpoint: { txid: txid(t.coinbase), index: 0 },
      out: at(t.coinbase.outputs, 0),
      height,
    });
    return this.chain.tip();
  }

  async mine(n: number): Promise<void> {
    for (let i = 0; i < n; i++) await this.mineBlock();
  }

  /** CONFIRMs for nodes near their expiry (past the minimum interval), so a growing chain keeps them. */
  private dueConfirms(height: number, txs: Transaction[]): Transaction[] {
    const rules = registryRulesAt(height, params);
    const out: Transaction[] = [];
    for (const r of this.chain.fluxnodes.list()) {
      if (r.status !== 'confirmed' || r.lastConfirmHeight === null) continue;
      if (height - r.lastConfirmHeight < rules.confirmExpiry - 5) continue;
      if (
        txs.some(
          (t) =>
            t.fluxnode &&
            `${reverseHex(t.fluxnode.collateral.txid)}:${t.fluxnode.collateral.index}` === r.collateral,
        )
      )
        continue;
      const node = this.nodes.find((n) => n.id === r.collateral);
      if (node) out.push(this.confirmTx(node, this.clock));
    }
    return out;
  }

  private confirmTx(node: FixtureNode, time: number): Transaction {
    return buildFluxnodeConfirm({
      collateral: node.collateral!,
      operatorKey: node.operatorKey,
      ip: node.ip,
      sigTime: time,
      benchmarkTier: BENCHMARK_TIER_NUMBER[node.tier],
      benchmarkSigTime: time,
      // Standing in for the bench process, which signs with the devnet's benchmark key.
      benchmarkKey: DEVNET_BENCHMARK_SECRET,
      // fluxd: the first CONFIRM is an initial one, the later ones updates.
      updateType: this.chain.fluxnodes.get(node.id ?? '')?.status === 'confirmed' ? 1 : 0,
    });
  }

  /** A signed payment from the miner's mature coinbases: `outputs` plus change back to the miner. */
  private pay(outputs: TxOut[]): Transaction {
    const height = this.chain.height() + 1;
    const want = outputs.reduce((s, o) => s + o.value, 0n);
    const used: typeof this.coins = [];
    let have = 0n;
    while (have < want) {
      const i = this.coins.findIndex((c) => height - c.height >= params.coinbaseMaturity);
      if (i < 0) throw new Error(`fixture: miner has ${have} mature satoshis, needs ${want}`);
      const [c] = tuple(this.coins.splice(i, 1), 1);
      used.push(c);
      have += c.out.value;
    }
    const all = have > want ? [...outputs, { value: have - want, scriptPubKey: this.minerScript }] : outputs;
    const frame = frameFor(height, params);
    const tx = unsignedTransaction(
      frame,
      used.map((c) => c.outpoint),
      all,
    );
    return signAllInputs(
      tx,
      used.map((c) => c.out),
      () => ({ privateKey: this.minerKey, compressed: true }),
      frame.branchId,
    );
  }

  private async build(): Promise<void> {
    const total = this.nodes.reduce((s, n) => s + params.fluxnodes.collateral[n.tier].after, 0n);
    const blocks = Number(total / params.subsidy.baseAmount) + params.coinbaseMaturity + 5;
    // Block times end near the real clock, one target spacing apart.
    this.clock = Math.floor(Date.now() / 1000) - 3 * (blocks + 60);
    await this.mine(blocks);

    // Fund the collaterals, let them age, then START and CONFIRM every node.
    const funding = this.nodes.map((n) =>
      this.pay([
        {
          value: params.fluxnodes.collateral[n.tier].after,
          scriptPubKey: p2pkhScript(hash160(publicKeyOf(n.collateralKey))),
        },
      ]),
    );
    await this.mineBlock(funding);
    funding.forEach((tx, i) => {
      at(this.nodes, i).collateral = { txid: txid(tx), index: 0 };
      at(this.nodes, i).id = `${reverseHex(txid(tx))}:0`;
    });
    await this.mine(params.fluxnodes.collateralMinConfirmations);
    await this.mineBlock(
      this.nodes.map((n) =>
        buildFluxnodeStart({
          collateral: n.collateral!,
          collateralKey: n.collateralKey,
          operatorPubKey: publicKeyOf(n.operatorKey),
          sigTime: this.clock,
        }),
      ),
    );
    await this.mineBlock(this.nodes.map((n) => this.confirmTx(n, this.clock)));
    await this.mine(3);

    // Register the sample app: the spec travels off-chain, its payment is on the chain.
    const spec = validateAppSpec({ ...SAMPLE_APP, owner: OWNER_ADDRESS }, DEVNET_APP_LIMITS);
    const hash = specHash(spec);
    this.apps.specs.set(hash, spec);
    const price = appPrice(spec, priceParamsAt(MAINNET_PRICE_SCHEDULE, this.chain.height() + 1)).total;
    const payment = this.pay([
      { value: price, scriptPubKey: appPaymentScriptFor(params) },
      { value: 0n, scriptPubKey: appPaymentScript(hash) },
    ]);
    await this.mineBlock([payment]);
    this.appPayment = { txid: reverseHex(txid(payment)), paid: price, height: this.chain.height() };
    await this.mine(4);
  }

  appPayment = { txid: '', paid: 0n, height: 0 };

  /** Spends node `i`'s collateral back to the miner: the registry drops the node in that block. */
  async spendCollateral(i: number): Promise<ChainEntry> {
    const node = at(this.nodes, i);
    const value = params.fluxnodes.collateral[node.tier].after;
    const out: TxOut = { value, scriptPubKey: p2pkhScript(hash160(publicKeyOf(node.collateralKey))) };
    const frame = frameFor(this.chain.height() + 1, params);
    const tx = unsignedTransaction(frame, [node.collateral!], [{ value, scriptPubKey: this.minerScript }]);
    const signed = signAllInputs(
      tx,
      [out],
      () => ({ privateKey: node.collateralKey, compressed: true }),
      frame.branchId,
    );
    return this.mineBlock([signed]);
  }

  async close(): Promise<void> {
    await this.hub?.close();
    this.routes?.close();
    await this.api.close();
    this.chain.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
