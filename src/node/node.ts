import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { ApiServer } from '../api/http-server.ts';
import type { NodeContext } from '../api/context.ts';
import { RpcDispatcher } from '../api/jsonrpc.ts';
import { registerChainMethods } from '../api/rpc/chain-methods.ts';
import { registerFluxnodeMethods } from '../api/rpc/fluxnode-methods.ts';
import { registerMiningMethods } from '../api/rpc/mining-methods.ts';
import { registerWalletMethods } from '../api/rpc/wallet-methods.ts';
import { registerAppMethods } from '../api/rpc/app-methods.ts';
import { agentProviders } from '../api/rest/agent-providers.ts';
import { registerRestRoutes, type RestRoutes } from '../api/rest/routes.ts';
import type { RestContext } from '../api/rest/providers.ts';
import { attachWebSocket, type EventHub } from '../api/ws/event-hub.ts';
import { appPriceAt } from '../cloud/registry/app-directory.ts';
import { dashboardHandler } from '../web/serve.ts';
import { NodeCloud } from './cloud.ts';
import { EconomyExtension } from '../economy/chain/extension.ts';
import { registerEconomyMethods } from '../api/rpc/economy-methods.ts';
import { AddressIndex } from '../chain/address-index/address-index.ts';
import { Chain } from '../chain/chain.ts';
import { defaultValidator } from '../chain/default-validator.ts';
import { FluxnodeExtension } from '../chain/fluxnodes/extension.ts';
import { mempoolValidator } from '../chain/mempool/accept.ts';
import { type EvictedTx, Mempool } from '../chain/mempool/mempool.ts';
import { TxIndexExtension } from '../chain/tx-index.ts';
import type { AcceptResult } from '../chain/types.ts';
import { AppPaymentsExtension } from '../cloud/registry/app-payments.ts';
import { reverseHex } from '../consensus/bytes.ts';
import { ConsensusError } from '../consensus/errors.ts';
import { scriptForAddress } from '../consensus/keys/address.ts';
import { type ConsensusParams, paramsFor, registryRulesAt } from '../consensus/params/index.ts';
import { decodeTransaction, encodeTransaction, txid } from '../consensus/primitives/transaction.ts';
import type { Block, Transaction } from '../consensus/primitives/types.ts';
import { tierOfCollateral } from '../consensus/tiers.ts';
import { Miner } from '../mining/miner.ts';
import { StratumServer } from '../mining/stratum.ts';
import { feedStratum, type StratumFeed, stratumBackendFor } from '../mining/stratum-wiring.ts';
import { buildBlockTemplate } from '../mining/template.ts';
import { fluxnodePayeeOutputs } from '../mining/payouts.ts';
import { P2PHost } from '../p2p/host.ts';
import { chainPeerAddresses } from '../p2p/chain-peers.ts';
import { ChainSync } from '../p2p/sync.ts';
import { scriptPaysToPubKey, verifyFluxnodeSignature } from '../wallet/fluxnode-txs.ts';
import { Wallet } from '../wallet/wallet.ts';
import { MempoolSync } from '../p2p/mempool-sync.ts';
import { FluxnodeOperator } from './operator.ts';
import { appPaymentScriptFor } from '../cloud/registry/app-address.ts';
import type { NodeOptions } from './options.ts';
import { cpuSolver, verifyHeaderSolution } from '../mining/pow.ts';
import { writeRpcCookie } from './rpc-cookie.ts';
import { createNodeMetrics, type NodeMetrics } from './metrics.ts';

export const NODE_VERSION = '0.1.0';

function walletFile(opts: NodeOptions): string {
  return join(opts.dataDir, 'wallet.json');
}

/** The wallet passphrase: given, from the environment, or on devnet/regtest a well-known default. */
function walletPassphrase(opts: NodeOptions): string {
  const given = opts.walletPassphrase ?? process.env.FLUXNODE_WALLET_PASSPHRASE;
  if (given) return given;
  if (opts.network === 'devnet' || opts.network === 'regtest') return opts.network;
  throw new Error(
    `a wallet passphrase is needed on ${opts.network}: pass --wallet-passphrase or set FLUXNODE_WALLET_PASSPHRASE`,
  );
}

/**
 * One node: the chain and its derived state (fluxnode list, app payments, tx index) in one SQLite
 * database, the mempool, libp2p sync and relay, an optional CPU miner, and the HTTP API. Start
 * order follows dependencies; stop order is the reverse, so a stop never leaves a half-written block.
 */
export class FluxNode {
  readonly opts: NodeOptions;
  readonly params: ConsensusParams;
  readonly log: Logger;
  /** Every layer's metrics, served at GET /metrics. */
  readonly metrics: NodeMetrics;
  readonly chain: Chain;
  readonly mempool: Mempool;
  readonly p2p: P2PHost;
  readonly sync: ChainSync;
  readonly api: ApiServer;
  readonly rpc: RpcDispatcher;
  readonly fluxnodes: FluxnodeExtension;
  readonly appPayments: AppPaymentsExtension;
  readonly txIndex: TxIndexExtension;
  readonly addressIndex: AddressIndex;
  readonly economy: EconomyExtension;
  readonly wallet: Wallet;
  readonly operator: FluxnodeOperator;
  readonly cloud: NodeCloud;
  private rest: RestRoutes | undefined;
  private events: EventHub | undefined;
  readonly rpcAuth: { user: string; password: string };
  miner: Miner | undefined;
  private minerAddress: string | undefined;
  private stratum: { server: StratumServer; feed: StratumFeed; port: number } | undefined;
  readonly startedAt = Date.now();
  private readonly validateTx: ReturnType<typeof mempoolValidator>;

  private constructor(init: {
    opts: NodeOptions;
    params: ConsensusParams;
    log: Logger;
    metrics: NodeMetrics;
    chain: Chain;
    fluxnodes: FluxnodeExtension;
    appPayments: AppPaymentsExtension;
    txIndex: TxIndexExtension;
    addressIndex: AddressIndex;
    economy: EconomyExtension;
    wallet: Wallet;
  }) {
    this.opts = init.opts;
    this.params = init.params;
    this.log = init.log;
    this.metrics = init.metrics;
    const m = init.metrics;
    this.chain = init.chain;
    this.fluxnodes = init.fluxnodes;
    this.appPayments = init.appPayments;
    this.txIndex = init.txIndex;
    this.addressIndex = init.addressIndex;
    this.economy = init.economy;
    this.wallet = init.wallet;
    this.mempool = new Mempool({ maxBytes: 50_000_000, minFeePerKb: 100n, metrics: m.chain });
    this.validateTx = mempoolValidator({
      params: this.params,
      tipHeight: () => this.chain.height(),
      getUtxo: (o) => this.chain.getUtxo(o),
      registry: () => this.fluxnodes.registry,
      registryContext: () => ({ verifyFluxnodeSignature, scriptPaysToPubKey }),
    });
    this.p2p = new P2PHost({
      network: this.params.network,
      host: this.opts.host,
      port: this.opts.p2pPort,
      bootstrap: this.opts.bootstrap,
      keyFile: join(this.opts.dataDir, 'peer-key'),
      metrics: m.p2p,
      log: this.log.child({ module: 'p2p' }),
      peerBookFile: join(this.opts.dataDir, 'peers.json'),
      chainPeers: () => chainPeerAddresses(this.fluxnodes.registry.list(), this.params.defaultPort),
    });
    const syncLog = this.log.child({ module: 'sync' });
    // Sync's lines quote peers' errors: debug only.
    this.sync = new ChainSync(this.p2p, this.chain, { log: (detail) => syncLog.debug({ detail }, 'sync') });
    new MempoolSync({
      net: this.p2p,
      txids: () => this.mempool.all().map((e) => e.txid),
      has: (id) => this.mempool.has(id),
      get: (id) => {
        const e = this.mempool.get(id);
        return e ? encodeTransaction(e.tx) : undefined;
      },
      accept: (bytes) => this.onGossipTx(bytes),
    }).install();
    this.rpcAuth =
      this.opts.rpcUser && this.opts.rpcPassword
        ? { user: this.opts.rpcUser, password: this.opts.rpcPassword }
        : writeRpcCookie(this.opts.dataDir);
    this.rpc = new RpcDispatcher({ metrics: m.api });
    this.api = new ApiServer({
      host: this.opts.host,
      port: this.opts.apiPort,
      rpc: this.rpc,
      rpcAuth: this.rpcAuth,
      staticHandler: dashboardHandler(),
      metrics: m.api,
      onError: (err, c) => this.log.error({ err, ...c }, 'API request failed unexpectedly'),
    });
    this.cloud = new NodeCloud({
      params: this.params,
      chain: this.chain,
      registry: () => this.fluxnodes.registry,
      payments: this.appPayments,
      p2p: this.p2p,
      dataDir: this.opts.dataDir,
      host: this.opts.host,
      log: this.log.child({ module: 'cloud' }),
      metrics: m.cloud,
    });
    this.operator = new FluxnodeOperator({
      chain: this.chain,
      params: this.params,
      registry: () => this.fluxnodes.registry,
      mempool: this.mempool,
      wallet: this.wallet,
      operatorKey: this.operatorKey(),
      ip: `${this.opts.host}:${this.opts.apiPort}`,
      stateFile: join(this.opts.dataDir, 'fluxnode.json'),
      submit: (tx) => this.acceptTransaction(tx),
      log: this.log.child({ module: 'operator' }),
    });
  }

  /** The key this node signs CONFIRMs and cloud messages with: kept in its wallet under a fixed label. */
  private operatorKey(): Uint8Array {
    const label = 'fluxnode operator';
    const existing = this.wallet.keys.entries().find((k) => k.label === label);
    if (existing) return existing.privateKey;
    const entry = this.wallet.keys.generate(label);
    this.saveWallet();
    return entry.privateKey;
  }

  saveWallet(): void {
    this.wallet.save(walletFile(this.opts), walletPassphrase(this.opts));
  }

  static async start(opts: NodeOptions): Promise<FluxNode> {
    const params = paramsFor(opts.network);
    const log = pino({ level: opts.logLevel ?? 'info', base: { node: opts.host } }, pino.destination(2));
    const metrics = createNodeMetrics();
    const fluxnodes = new FluxnodeExtension({
      params: {
        rulesAt: (h) => registryRulesAt(h, params),
        tierOfCollateral: (a, h) => tierOfCollateral(a, h, params),
      },
      verifyFluxnodeSignature,
      scriptPaysToPubKey,
    });
    const appPayments = new AppPaymentsExtension(appPaymentScriptFor(params), txid);
    const txIndex = new TxIndexExtension();
    const addressIndex = new AddressIndex({ coinbaseMaturity: params.coinbaseMaturity });
    const economy = new EconomyExtension({ params });
    const validator = defaultValidator(params, {
      verifySolution: verifyHeaderSolution,
      requiredCoinbaseOutputs: (ctx) =>
        fluxnodePayeeOutputs(ctx.height, params, fluxnodes.registry.payees(ctx.height)),
    });
    const chain = await Chain.open(join(opts.dataDir, 'chain'), params, {
      validator,
      extensions: [fluxnodes, appPayments, txIndex, addressIndex, economy],
      metrics: metrics.chain,
      log: log.child({ module: 'chain' }),
    });
    const wallet = existsSync(walletFile(opts))
      ? Wallet.load(walletFile(opts), walletPassphrase(opts), params)
      : new Wallet(params);
    wallet.setSource(addressIndex);
    const node = new FluxNode({
      opts,
      params,
      log,
      metrics,
      chain,
      fluxnodes,
      appPayments,
      txIndex,
      addressIndex,
      economy,
      wallet,
    });
    await node.startServices();
    return node;
  }

  /** What the API handlers see. */
  context(): NodeContext {
    return {
      params: this.params,
      chain: this.chain,
      mempool: this.mempool,
      txIndex: this.txIndex,
      registry: () => this.fluxnodes.registry,
      acceptTransaction: (tx) => this.acceptTransaction(tx),
      submitBlock: (block) => this.submitBlock(block),
      peers: () => this.p2p.peers(),
      startedAt: this.startedAt,
      version: NODE_VERSION,
    };
  }

  /** The REST API's view: the node context plus cloud providers (read lazily: the agent starts later). */
  private restContext(): RestContext {
    const agentProviderOf = () =>
      this.cloud.agent
        ? agentProviders(this.cloud.agent, {
            activeApps: () => this.cloud.activeApps(),
            priceAt: appPriceAt,
            ipOf: (id) => this.fluxnodes.registry.get(id)?.ip ?? '',
            logs: (app, tail) => this.cloud.logs(app, tail),
          })
        : undefined;
    return {
      ...this.context(),
      addressIndex: this.addressIndex,
      supply: () => this.economy.supply(),
      self: { collateral: () => this.operator.collateral },
      apps: {
        list: () => agentProviderOf()?.apps.list() ?? [],
        logs: (name, o) => this.cloud.logs(name, o.tail),
        onChange: (listener) => {
          const on = () => listener();
          this.chain.on('tip', on);
          return () => this.chain.off('tip', on);
        },
      },
      benchmarks: { benchmarkOf: (c) => agentProviderOf()?.benchmarks.benchmarkOf(c) },
    };
  }

  private async startServices(): Promise<void> {
    this.chain.on('connect', (block) => this.mempool.removeForBlock(block.txs, (tx) => reverseHex(txid(tx))));
    this.chain.on('tip', () => {
      const dropped = this.mempool.revalidate(this.validateTx, (e) => e.tx.fluxnode !== undefined);
      for (const d of dropped) this.logEvicted(d);
    });
    this.chain.on('disconnect', (block) => {
      // Transactions of a disconnected block go back to the pool when they are still valid.
      for (const tx of block.txs.slice(1)) void this.acceptTransaction(tx, false).catch(() => {});
    });
    this.sync.install();
    this.p2p.subscribe('txs', (data) => this.onGossipTx(data));
    await this.p2p.start();
    registerChainMethods(this.rpc, this.context());
    registerFluxnodeMethods(this.rpc, this.context());
    registerMiningMethods(this.rpc, this.context(), {
      defaultMinerAddress: () => this.minerAddress,
      setGenerate: async (on, address, maxBlocks) => {
        if (!on) return this.miner?.stop();
        const to = address ?? this.minerAddress ?? this.requireMinerAddress();
        // A bounded run counts from zero: a miner already running is replaced.
        if (maxBlocks !== undefined) await this.miner?.stop();
        this.startMiner(to, { maxBlocks });
      },
      minerStats: () => this.miner?.stats(),
    });
    registerWalletMethods(this.rpc, this.context(), {
      wallet: this.wallet,
      save: () => this.saveWallet(),
      operator: { start: (c) => this.operator.start(c), status: () => this.operator.status() },
    });
    registerEconomyMethods(this.rpc, this.economy);
    registerAppMethods(this.rpc, this.context(), {
      wallet: this.wallet,
      directory: this.cloud.directory,
      specs: this.cloud.specs,
      announce: (spec, signature) => this.cloud.announce(spec, signature),
      locations: (name) =>
        (this.cloud.agent?.allLocations().get(name) ?? []).map((l) => ({
          node: l.node,
          ip: l.ip,
          ports: l.ports,
          state: l.running ? 'running' : 'starting',
        })),
    });
    if (this.opts.fluxnode) {
      if (!this.opts.dockerSocket)
        throw new Error('--fluxnode needs --docker-socket (the node’s own Docker engine)');
      this.cloud.enableAgent(this.opts.dockerSocket, () => this.operator.collateral, this.operatorKey());
    }
    const rest = this.restContext();
    this.rest = registerRestRoutes(this.api, rest);
    await this.api.listen();
    this.events = attachWebSocket(this.api.server!, rest, { blocks: this.rest.blocks });
    if (this.opts.mineTo) this.startMiner(this.opts.mineTo);
    if (this.opts.stratumPort !== undefined) await this.startStratum(this.opts.stratumPort);
    this.log.info(
      {
        height: this.chain.height(),
        p2p: this.p2p.multiaddrs[0],
        api: `http://${this.opts.host}:${this.opts.apiPort}`,
      },
      'node started',
    );
  }

  private requireMinerAddress(): string {
    throw new Error('no miner address: give one (setgenerate true "address") or start with --mine-to');
  }

  private minerScript(address: string): Uint8Array {
    return scriptForAddress(address, {
      pubkeyHash: this.params.base58.pubkeyHash,
      scriptHash: this.params.base58.scriptHash,
    });
  }

  /** A pool transaction no block can carry any more was evicted: say which and by what rule. */
  private logEvicted(e: EvictedTx): void {
    this.log.info({ txid: e.txid, rule: e.rule, reason: e.reason }, 'evicted transaction from the mempool');
  }

  /** Starts the CPU miner (no-op when it runs); `maxBlocks` stops it after that many blocks. */
  startMiner(address: string, opts: { maxBlocks?: number } = {}): void {
    const minerScript = this.minerScript(address);
    this.minerAddress = address;
    if (this.miner?.isRunning) return;
    const miningLog = this.log.child({ module: 'mining' });
    this.miner = new Miner({
      maxBlocks: opts.maxBlocks,
      chain: this.chain,
      params: this.params,
      mempool: this.mempool,
      payees: (h) => this.fluxnodes.registry.payees(h),
      minerScript,
      solver: cpuSolver,
      blockIntervalMs: this.opts.mineIntervalMs ?? 0,
      metrics: this.metrics.mining,
      recheckPool: () => this.mempool.revalidate(this.validateTx, () => true),
      onEvicted: (e) => this.logEvicted(e),
      onBlock: (found) => {
        miningLog.info({ height: found.height, hash: found.id }, 'mined block');
        void this.sync
          .announce(found.block)
          .catch((err) => miningLog.warn({ err: String(err) }, 'announce failed'));
      },
    });
    this.miner.start();
  }

  /** Serves external (GPU) miners: jobs from our templates, shares checked, blocks submitted and announced. */
  private async startStratum(port: number): Promise<void> {
    const server = new StratumServer({
      host: this.opts.host,
      port,
      shareTarget: this.params.difficulty.powLimit,
      backend: stratumBackendFor(this.chain, this.params, {
        verifySolution: verifyHeaderSolution,
        onBlock: (block) => void this.sync.announce(block).catch(() => {}),
      }),
      onError: (err, c) =>
        this.log.error(
          { err, remote: c.remote, line: c.line.slice(0, 200) },
          'stratum line failed; session closed',
        ),
    });
    const bound = await server.listen();
    const feed = feedStratum({
      server,
      chain: this.chain,
      build: () =>
        buildBlockTemplate({
          chain: this.chain,
          params: this.params,
          mempool: this.mempool,
          payees: (h) => this.fluxnodes.registry.payees(h),
          minerScript: this.minerScript(this.minerAddress ?? this.requireMinerAddress()),
          time: Math.floor(Date.now() / 1000),
        }),
      onError: (err) => this.log.child({ module: 'mining' }).warn({ err: err.message }, 'stratum job failed'),
    });
    feed.push(true);
    this.stratum = { server, feed, port: bound };
  }

  /** The stratum port actually bound (differs from the option when that was 0), if stratum runs. */
  get stratumPort(): number | undefined {
    return this.stratum?.port;
  }

  async acceptTransaction(tx: Transaction, relay = true) {
    const entry = this.mempool.add(tx, this.validateTx, Date.now());
    if (relay) await this.p2p.publish('txs', encodeTransaction(tx));
    return entry;
  }

  async submitBlock(block: Block): Promise<AcceptResult> {
    const r = await this.chain.acceptBlock(block);
    if (r.status === 'connected') await this.sync.announce(block).catch(() => {});
    return r;
  }

  private onGossipTx(data: Uint8Array): 'accept' | 'ignore' | 'reject' {
    let tx: Transaction;
    try {
      tx = decodeTransaction(data);
    } catch {
      return 'reject';
    }
    try {
      this.mempool.add(tx, this.validateTx, Date.now());
      return 'accept';
    } catch (err) {
      this.log.debug(
        { rule: err instanceof ConsensusError ? err.rule : String(err) },
        'gossip tx not pooled',
      );
      if (!(err instanceof ConsensusError)) return 'ignore';
      // Honest peers send these too (we lack a parent yet, or they saw a different double spend first).
      const benign = [
        'txn-already-in-mempool',
        'txn-mempool-conflict',
        'bad-txns-inputs-missingorspent',
        'min-relay-fee-not-met',
        'mempool-full',
      ];
      return benign.includes(err.rule) || err.rule.startsWith('bad-fluxnode') ? 'ignore' : 'reject';
    }
  }

  async stop(): Promise<void> {
    await this.miner?.stop();
    this.stratum?.feed.stop();
    await this.stratum?.server.close();
    this.sync.stop();
    await this.events?.close();
    this.rest?.close();
    await this.cloud.stop();
    await this.api.close();
    await this.p2p.stop();
    this.chain.close();
    this.log.info('node stopped');
    this.log.flush?.();
  }
}
