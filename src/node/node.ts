/**
 * The composition root: one node is built here and nowhere else. The chain and its extensions
 * come first (services.ts); then each service and role is made as `new X(opts, modules)` in
 * dependency order and added to a module stack, which opens them in that order and closes them in
 * the reverse one, so a stop never leaves a half-written block. Which roles exist follows from the
 * typed options alone (`rolesOf`).
 */
import { AppRegistration, benchmarkAttesterFor, type OwnerRelay } from '../cloud/index.ts';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { NodeContext, RpcDispatcher } from '../api/index.ts';
import type { AcceptResult, Chain } from '../chain/index.ts';
import type { Block, Transaction } from '../consensus/index.ts';
import { chainPeerAddresses, type ChainSync, type P2PHost } from '../p2p/index.ts';
import { buildRpc } from './api/rpc.ts';
import type { ApiSources } from './api/sources.ts';
import { NodeCloud } from './cloud.ts';
import { ownerRelay } from './owner-relay.ts';
import { ModuleStack, type NodeModule } from './module.ts';
import { CloudAgentModule } from './modules/cloud-agent.ts';
import { HttpApiModule } from './modules/http-api.ts';
import { MeshModule } from './modules/mesh.ts';
import { RpcServerModule } from './modules/rpc-server.ts';
import { MinerModule } from './modules/miner.ts';
import { FluxnodeOperator } from './modules/operator.ts';
import { PoolModule } from './modules/pool.ts';
import { outputScriptOf, poolDefinition } from './pool-role.ts';
import { StratumModule } from './modules/stratum.ts';
import { SyncthingModule } from './modules/syncthing.ts';
import { type NetworkOptions, NetworkService } from './network.ts';
import { type NodeOptions, type NodeRoles, type PoolRole, rolesOf } from './options.ts';
import { writeRpcCookie } from './rpc-cookie.ts';
import { type ChainServices, openChainServices, operatorKeyOf, saveWallet } from './services.ts';
import { TxAcceptance } from './tx-acceptance.ts';
import { claimPolicy } from './claim-policy.ts';

export const NODE_VERSION = '0.1.0';

export class FluxNode implements ApiSources {
  readonly opts: NodeOptions;
  readonly services: ChainServices;
  readonly txs: TxAcceptance;
  readonly network: NetworkService;
  readonly cloud: NodeCloud;
  readonly registration: AppRegistration;
  readonly operator: FluxnodeOperator;
  /** Present on a node started with `--pool`. */
  readonly pool: PoolModule | undefined;
  readonly mining: MinerModule;
  readonly agent: CloudAgentModule | undefined;
  /** The node's Syncthing (replicated app data), with the cloud agent. */
  readonly syncthing: SyncthingModule | undefined;
  /** Carries owners' signed requests to the nodes they name. */
  readonly owner: OwnerRelay;
  readonly mesh: MeshModule | undefined;
  readonly stratum: StratumModule | undefined;
  readonly rpc: RpcDispatcher;
  readonly http: HttpApiModule;
  readonly rpcServer: RpcServerModule;
  readonly rpcAuth: { user: string; password: string };
  readonly startedAt = Date.now();
  readonly #modules = new ModuleStack();

  private constructor(opts: NodeOptions, roles: NodeRoles, services: ChainServices) {
    this.opts = opts;
    this.services = services;
    const { params, chain, log, metrics } = services;
    const registry = () => chain.fluxnodes;
    this.#add(chainModule(chain));
    this.network = new NetworkService(networkOptions(opts, services), {
      chain,
      log,
      metrics: metrics.p2p,
    });
    const p2p = this.p2p;
    this.txs = this.#add(
      new TxAcceptance({
        params,
        chain,
        registry,
        p2p,
        log,
        metrics: metrics.chain,
        policy: claimPolicy(services.economy),
      }),
    );
    this.cloud = this.#add(
      new NodeCloud({
        params,
        chain,
        payments: services.appPayments,
        p2p,
        dataDir: opts.dataDir,
        log: child(log, 'cloud'),
      }),
    );
    this.registration = new AppRegistration({
      params,
      tipHeight: () => chain.height(),
      tipId: () => chain.tip().id,
      wallet: services.wallet,
      specs: this.cloud.specs,
      directory: this.cloud.directory,
      submit: (tx) => this.acceptTransaction(tx),
      announce: (spec, signature) => this.cloud.announce(spec, signature),
    });
    this.#add(this.network);
    const operatorKey = operatorKeyOf(services.wallet, () => this.saveWallet());
    this.operator = this.#add(this.#operator(operatorKey));
    this.pool = roles.pool ? this.#add(this.#pool(roles.pool)) : undefined;
    this.syncthing = roles.cloudAgent
      ? this.#add(
          new SyncthingModule(
            { ...roles.cloudAgent, ...roles.cloudAgent.syncthing },
            child(log, 'syncthing'),
          ),
        )
      : undefined;
    // The mesh opens first: whether it runs decides where the agent's containers publish.
    this.mesh = roles.mesh ? this.#add(this.#mesh(roles.mesh)) : undefined;
    this.agent = roles.cloudAgent ? this.#add(this.#cloudAgent(roles.cloudAgent, operatorKey)) : undefined;
    this.owner = ownerRelay({ p2p, registry, local: () => this.agent?.owner(), p2pPort: opts.p2pPort });
    const announce = (block: Block) => this.sync.announce(block);
    const mining = { params, chain, mempool: this.mempool, registry, announce };
    this.mining = new MinerModule(roles.miner, {
      ...mining,
      log: child(log, 'mining'),
      metrics: metrics.mining,
      recheckPool: () => this.txs.recheckPool(),
      onEvicted: (e) => this.txs.logEvicted(e),
    });
    this.rpcAuth =
      opts.rpcUser && opts.rpcPassword
        ? { user: opts.rpcUser, password: opts.rpcPassword }
        : writeRpcCookie(opts.dataDir);
    this.rpc = buildRpc(this);
    this.rpcServer = this.#add(
      new RpcServerModule(
        {
          bind: opts.rpcBind ?? '127.0.0.1',
          port: opts.rpcPort ?? 0,
          allowIp: opts.rpcAllowIp ?? [],
          auth: this.rpcAuth,
        },
        { rpc: this.rpc, log },
      ),
    );
    this.http = this.#add(
      new HttpApiModule(
        { host: opts.host, port: opts.apiPort },
        { sources: this, metrics: metrics.api, log },
      ),
    );
    this.#add(this.mining);
    const minerScript = () => this.mining.script();
    this.stratum = roles.stratum
      ? this.#add(new StratumModule(roles.stratum, { ...mining, minerScript, log: child(log, 'stratum') }))
      : undefined;
  }

  #operator(operatorKey: Uint8Array): FluxnodeOperator {
    const { opts, services } = this;
    return new FluxnodeOperator({
      chain: services.chain,
      params: services.params,
      registry: () => services.chain.fluxnodes,
      mempool: this.mempool,
      wallet: services.wallet,
      operatorKey,
      ip: `${opts.host}:${opts.apiPort}`,
      stateFile: join(opts.dataDir, 'fluxnode.json'),
      submit: (tx) => this.acceptTransaction(tx),
      attestBenchmark: benchmarkAttesterFor(services.params),
      log: child(services.log, 'operator'),
    });
  }

  #pool(role: PoolRole): PoolModule {
    const { opts, services } = this;
    const def = poolDefinition(role, services, opts.dataDir, () => this.saveWallet());
    return new PoolModule(def, {
      chain: services.chain,
      params: services.params,
      economy: services.economy,
      outputScript: (o) => outputScriptOf(services, o),
      wallet: services.wallet,
      operator: this.operator,
      submit: (tx) => this.acceptTransaction(tx),
      stateFile: join(opts.dataDir, 'pool-actions.json'),
      log: child(services.log, 'pool'),
    });
  }

  #cloudAgent(opts: NonNullable<NodeRoles['cloudAgent']>, operatorKey: Uint8Array): CloudAgentModule {
    const { params, chain, log, metrics } = this.services;
    return new CloudAgentModule(opts, {
      params,
      chain,
      registry: () => chain.fluxnodes,
      cloud: this.cloud,
      gossip: this.cloud.stateSync,
      collateral: () => this.operator.collateral,
      operatorKey,
      log: child(log, 'cloud'),
      metrics: metrics.cloud,
      syncthing: this.syncthing,
      meshed: () => this.mesh?.enabled ?? false,
    });
  }

  #mesh(opts: NonNullable<NodeRoles['mesh']>): MeshModule {
    const { chain, log, metrics } = this.services;
    return new MeshModule(opts, {
      chain,
      agent: () => this.agent?.agent,
      containers: () => this.agent?.containers() ?? Promise.resolve([]),
      activeApps: () => this.cloud.activeApps(),
      log: child(log, 'mesh'),
      metrics: metrics.mesh,
    });
  }

  #add<M extends NodeModule>(module: M): M {
    this.#modules.add(module);
    return module;
  }

  /** Opens a node from its options: the chain first, then every module in order. */
  static async start(opts: NodeOptions): Promise<FluxNode> {
    const roles = rolesOf(opts);
    const services = await openChainServices(opts);
    let node: FluxNode;
    try {
      node = new FluxNode(opts, roles, services);
    } catch (err) {
      services.chain.close();
      throw err;
    }
    await node.#modules.open();
    services.log.info(
      {
        height: services.chain.height(),
        p2p: node.p2p.multiaddrs[0],
        api: `http://${opts.host}:${opts.apiPort}`,
        rpc: node.rpcUrl,
        modules: node.#modules.names(),
      },
      'node started',
    );
    return node;
  }

  /** Closes every module in reverse order (the chain last). */
  async stop(): Promise<void> {
    await this.#modules.close();
    this.log.info('node stopped');
    this.log.flush?.();
  }

  get params() {
    return this.services.params;
  }
  get log(): Logger {
    return this.services.log;
  }
  get chain(): Chain {
    return this.services.chain;
  }
  get appPayments() {
    return this.services.appPayments;
  }
  get txIndex() {
    return this.services.txIndex;
  }
  get addressIndex() {
    return this.services.addressIndex;
  }
  get economy() {
    return this.services.economy;
  }
  get wallet() {
    return this.services.wallet;
  }
  get p2p(): P2PHost {
    return this.network.p2p;
  }
  get sync(): ChainSync {
    return this.network.sync;
  }
  get mempool() {
    return this.txs.mempool;
  }
  get api() {
    return this.http.server;
  }
  get metrics() {
    return this.services.metrics;
  }
  /** Where JSON-RPC answers (the bound port, which differs from the option when that was 0). */
  get rpcUrl(): string {
    return this.rpcServer.url;
  }
  /** The stratum port actually bound (differs from the option when that was 0), if stratum runs. */
  get stratumPort(): number | undefined {
    return this.stratum?.port;
  }
  /** The CPU miner, once it was started. */
  get miner() {
    return this.mining.miner;
  }

  /** Starts the CPU miner (no-op when it runs); `maxBlocks` stops it after that many blocks. */
  startMiner(address: string, opts: { maxBlocks?: number } = {}): void {
    this.mining.start(address, opts);
  }

  saveWallet(): void {
    saveWallet(this.wallet, this.opts);
  }

  acceptTransaction(tx: Transaction, relay = true) {
    return this.txs.accept(tx, relay);
  }

  async submitBlock(block: Block): Promise<AcceptResult> {
    const r = await this.chain.acceptBlock(block);
    if (r.status === 'connected') await this.sync.announce(block).catch(() => {});
    return r;
  }

  /** What the API handlers see. */
  context(): NodeContext {
    return {
      params: this.params,
      chain: this.chain,
      mempool: this.mempool,
      txIndex: this.txIndex,
      registry: () => this.chain.fluxnodes,
      acceptTransaction: (tx) => this.acceptTransaction(tx),
      submitBlock: (block) => this.submitBlock(block),
      peers: () => this.p2p.peers(),
      bans: {
        add: (ip) => this.p2p.banAddress(ip),
        remove: (ip) => this.p2p.unbanAddress(ip),
        list: () => this.p2p.bannedAddresses(),
      },
      startedAt: this.startedAt,
      version: NODE_VERSION,
    };
  }
}

function networkOptions(opts: NodeOptions, services: ChainServices): NetworkOptions {
  const { host, p2pPort: port, bootstrap, dataDir } = opts;
  const { params, chain } = services;
  return {
    network: params.network,
    host,
    port,
    bootstrap,
    keyFile: join(dataDir, 'peer-key'),
    peerBookFile: join(dataDir, 'peers.json'),
    chainPeers: () => chainPeerAddresses(chain.fluxnodes.list(), params.defaultPort),
  };
}

function child(log: Logger, module: string): Logger {
  return log.child({ module });
}

/** The chain is opened before the root is built (everything reads it); the stack closes it last. */
function chainModule(chain: Chain): NodeModule {
  return { name: 'chain', open: async () => {}, close: async () => chain.close() };
}
