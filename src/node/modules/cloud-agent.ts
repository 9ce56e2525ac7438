/**
 * The cloud agent role (`--fluxnode`): runs apps on this node's own Docker engine from the moment
 * the chain knows the node as registered, until the node closes.
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import { type Chain, type FluxnodeRegistry, sharedVerifierPool } from '../../chain/index.ts';
import {
  appDataDir,
  appLimitsFor,
  CloudAgent,
  type CloudAgentDeps,
  type CloudMetrics,
  DataSync,
  DEVNET_BENCHMARK,
  DockerRuntime,
  type Gossip,
  type ManagedContainer,
  type OwnerExecutor,
  runBenchmark,
} from '../../cloud/index.ts';
import type { ConsensusParams } from '../../consensus/index.ts';
import type { NodeCloud } from '../cloud.ts';
import type { NodeModule } from '../module.ts';
import type { SyncthingModule } from './syncthing.ts';

export interface CloudAgentModuleOptions {
  /** The node's own Docker engine (unix socket). */
  dockerSocket: string;
  dataDir: string;
  host: string;
  /** Where the node is ("EU_DE"): carried in its signed benchmark, read by placement everywhere. */
  geolocation?: string;
}

export interface CloudAgentModuleDeps {
  params: ConsensusParams;
  chain: Chain;
  registry: () => FluxnodeRegistry;
  cloud: NodeCloud;
  gossip: Gossip;
  /** This node's collateral, once it has one. */
  collateral: () => string | undefined;
  operatorKey: Uint8Array;
  log: Logger;
  metrics: CloudMetrics | null;
  /** The node's Syncthing, for replicated app data (absent or not running: data stays local). */
  syncthing?: SyncthingModule;
  /** True when this node's routing mesh owns the public ports (containers publish at instance ports). */
  meshed?: () => boolean;
}

export class CloudAgentModule implements NodeModule {
  readonly name = 'cloud-agent';
  readonly #opts: CloudAgentModuleOptions;
  readonly #d: CloudAgentModuleDeps;
  agent: CloudAgent | undefined;
  #runtime: DockerRuntime | undefined;
  readonly #onTip = () => this.#maybeStart();

  constructor(opts: CloudAgentModuleOptions, deps: CloudAgentModuleDeps) {
    this.#opts = opts;
    this.#d = deps;
  }

  async open(): Promise<void> {
    this.#d.chain.on('tip', this.#onTip);
    this.#maybeStart();
  }

  /** This node's app containers, as its engine lists them ([] before the agent started). */
  containers(): Promise<ManagedContainer[]> {
    return this.#runtime?.listManagedContainers() ?? Promise.resolve([]);
  }

  async close(): Promise<void> {
    this.#d.chain.off('tip', this.#onTip);
    await this.agent?.stop();
  }

  #maybeStart(): void {
    if (this.agent) return;
    const nodeId = this.#d.collateral();
    const record = nodeId ? this.#d.registry().get(nodeId) : undefined;
    if (!nodeId || !record) return;
    const { params, chain, cloud, log } = this.#d;
    const { dataDir, host, geolocation } = this.#opts;
    const runtime = (this.#runtime = new DockerRuntime({
      socketPath: this.#opts.dockerSocket,
      node: { nodeId, hostIp: host, nodeDir: dataDir, mesh: this.#d.meshed?.() ?? false },
      imageRules: appLimitsFor(params).images,
      log,
    }));
    this.agent = new CloudAgent(
      {
        chain: {
          tipHeight: () => chain.height(),
          tipHash: () => chain.tip().id,
          confirmedNodes: () => this.#d.registry().list(),
          activeApps: () => cloud.activeApps(),
          on: (event, listener) => chain.on(event, listener),
          off: (event, listener) => chain.off(event, listener),
        },
        gossip: this.#d.gossip,
        runtime,
        identity: {
          nodeId,
          operatorPrivateKey: this.#d.operatorKey,
          ip: host,
          tier: record.tier,
          ...(geolocation ? { location: geolocation } : {}),
        },
        benchmark: () => runBenchmark({ dataDir, ...(params.network === 'mainnet' ? {} : DEVNET_BENCHMARK) }),
        log,
        metrics: this.#d.metrics,
        verifier: sharedVerifierPool(),
        onSpec: (v) => cloud.keep(v),
        appData: this.#appData(),
        ownerStateFile: join(dataDir, 'owner-state.json'),
      },
      { appLimits: appLimitsFor(params), hardwareMinimums: params.fluxnodes.hardwareMinimums },
    );
    this.agent.start();
    chain.off('tip', this.#onTip);
    log.info({ nodeId, tier: record.tier, geolocation: geolocation ?? null }, 'cloud agent started');
    void this.#checkIsolation(runtime);
  }

  /** Says once, at start, when the engine would run app containers as the host's root. */
  async #checkIsolation(runtime: DockerRuntime): Promise<void> {
    const log = this.#d.log;
    try {
      const root = await runtime.remappedRoot();
      if (root) log.info({ uid: root.uid, gid: root.gid }, 'app containers run as a remapped user');
      else
        log.warn(
          { socket: this.#opts.dockerSocket },
          'the Docker engine does not remap user namespaces: root in an app container is root on this host (see docs/operator.md)',
        );
    } catch (err) {
      log.warn({ err }, 'could not ask the Docker engine whether it remaps user namespaces');
    }
  }

  #appData(): CloudAgentDeps['appData'] {
    const st = this.#d.syncthing;
    if (!st?.api) return undefined;
    return {
      sync: new DataSync({ api: st.api, address: st.address, log: this.#d.log }),
      hostDir: (app, component) => appDataDir(this.#opts.dataDir, app, component),
    };
  }

  /** This node as the executor of owner requests, once the agent runs. */
  owner(): OwnerExecutor | undefined {
    const agent = this.agent;
    const node = this.#d.collateral();
    if (!agent || !node) return undefined;
    return { node, run: (req) => agent.ownerOp(req) };
  }
}
