import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Chain } from '../chain/chain.ts';
import type { FluxnodeRegistry } from '../chain/fluxnodes/registry.ts';
import { CloudAgent } from '../cloud/agent/agent.ts';
import { DEVNET_BENCHMARK, runBenchmark } from '../cloud/benchmark/run.ts';
import { GOSSIP_TOPICS } from '../cloud/agent/types.ts';
import { StateSync } from '../cloud/agent/state-sync.ts';
import {
  decodeSpecAnnouncement,
  encodeSpecAnnouncement,
  type VerifiedSpec,
  verifySpecAnnouncement,
} from '../cloud/messages/spec-announcement.ts';
import { AppDirectory, appLimitsFor } from '../cloud/registry/app-directory.ts';
import type { AppPaymentsExtension } from '../cloud/registry/app-payments.ts';
import type { RegisteredApp } from '../cloud/registry/app-registry.ts';
import { SpecStore } from '../cloud/registry/spec-store.ts';
import { DockerRuntime } from '../cloud/runtime/docker-runtime.ts';
import type { AppSpec } from '../cloud/spec/schema.ts';
import type { ConsensusParams } from '../consensus/params/index.ts';
import type { P2PHost } from '../p2p/host.ts';
import type { CloudMetrics } from '../cloud/metrics.ts';
import { SpecSync } from '../cloud/registry/spec-sync.ts';

export interface CloudDeps {
  params: ConsensusParams;
  chain: Chain;
  registry: () => FluxnodeRegistry;
  payments: AppPaymentsExtension;
  p2p: P2PHost;
  dataDir: string;
  host: string;
  log: Logger;
  metrics: CloudMetrics | null;
}

/**
 * The node's side of the cloud: every node keeps the specs it hears (so its app list is the
 * network's), and a fluxnode with a Docker engine also runs the cloud agent, from the moment the
 * chain knows it as a registered node.
 */
export class NodeCloud {
  readonly specs: SpecStore;
  readonly directory: AppDirectory;
  readonly specSync: SpecSync;
  /** The agent's gossip, with the newest signed node state served and fetched on request. */
  readonly stateSync: StateSync;
  agent: CloudAgent | undefined;
  private runtime: DockerRuntime | undefined;
  private readonly d: CloudDeps;
  private pending:
    | { dockerSocket: string; collateral: () => string | undefined; operatorKey: Uint8Array }
    | undefined;
  private readonly onTip = () => this.maybeStartAgent();
  private readonly onTipSync = () => this.specSync.poke();

  constructor(deps: CloudDeps) {
    this.d = deps;
    this.specs = new SpecStore(join(deps.dataDir, 'cloud.sqlite'));
    this.directory = new AppDirectory(this.specs, deps.payments, deps.params);
    const limits = appLimitsFor(deps.params);
    this.specSync = new SpecSync({
      net: deps.p2p,
      get: (hash) => this.specs.get(hash),
      // Any payment within the longest lifetime may still be an active app.
      paidHashes: () =>
        deps.payments
          .paymentsSince(Math.max(0, deps.chain.height() - limits.expire.max))
          .map((p) => p.specHash),
      keep: (v) => this.keep(v),
      limits,
      log: (obj, msg) => deps.log.debug(obj, msg),
    });
    this.specSync.install();
    this.stateSync = new StateSync(deps.p2p, { log: (obj, msg) => deps.log.debug(obj, msg) });
    this.stateSync.install();
    this.specSync.start();
    deps.chain.on('tip', this.onTipSync);
    deps.p2p.onPeerConnect(() => this.specSync.poke());
    deps.p2p.subscribe(
      GOSSIP_TOPICS.spec,
      (data) => {
        try {
          verifySpecAnnouncement(decodeSpecAnnouncement(data), limits);
          return 'accept';
        } catch {
          return 'reject';
        }
      },
      (data) => {
        try {
          this.keep(verifySpecAnnouncement(decodeSpecAnnouncement(data), limits));
        } catch {
          // Validated above; a spec that no longer parses is simply not kept.
        }
      },
    );
  }

  activeApps(): RegisteredApp[] {
    return this.directory.active(this.d.chain.height(), this.d.chain.tip().id);
  }

  keep(v: VerifiedSpec): void {
    if (this.specs.put({ specHash: v.specHash, spec: v.text, signature: v.signature, received: Date.now() }))
      this.directory.invalidate();
  }

  /** Spreads a spec with its owner's signature. */
  async announce(spec: AppSpec, signature: Uint8Array | string): Promise<void> {
    await this.d.p2p.publish(GOSSIP_TOPICS.spec, encodeSpecAnnouncement(spec, signature));
  }

  /** Runs the cloud agent on this node's dockerd once `collateral()` names a node the chain knows. */
  enableAgent(dockerSocket: string, collateral: () => string | undefined, operatorKey: Uint8Array): void {
    this.pending = { dockerSocket, collateral, operatorKey };
    this.d.chain.on('tip', this.onTip);
    this.maybeStartAgent();
  }

  private maybeStartAgent(): void {
    if (this.agent || !this.pending) return;
    const nodeId = this.pending.collateral();
    const record = nodeId ? this.d.registry().get(nodeId) : undefined;
    if (!nodeId || !record) return;
    const { params, chain, dataDir, host, log } = this.d;
    const runtime = (this.runtime = new DockerRuntime({
      socketPath: this.pending.dockerSocket,
      node: { nodeId, hostIp: host, nodeDir: dataDir },
    }));
    this.agent = new CloudAgent(
      {
        chain: {
          tipHeight: () => chain.height(),
          tipHash: () => chain.tip().id,
          confirmedNodes: () => this.d.registry().list(),
          activeApps: () => this.activeApps(),
          on: (event, listener) => chain.on(event, listener),
          off: (event, listener) => chain.off(event, listener),
        },
        gossip: this.stateSync,
        runtime,
        identity: { nodeId, operatorPrivateKey: this.pending.operatorKey, ip: host, tier: record.tier },
        benchmark: () => runBenchmark({ dataDir, ...(params.network === 'mainnet' ? {} : DEVNET_BENCHMARK) }),
        log,
        metrics: this.d.metrics,
        onSpec: (v) => this.keep(v),
      },
      { appLimits: appLimitsFor(params), hardwareMinimums: params.fluxnodes.hardwareMinimums },
    );
    this.agent.start();
    this.d.chain.off('tip', this.onTip);
    log.info({ nodeId, tier: record.tier }, 'cloud agent started');
  }

  /** The last `tail` lines of each of this node's containers of `app` (the API checks the owner first). */
  async logs(
    app: string,
    tail: number,
  ): Promise<{ node: string; component: string; stream: 'stdout'; time: null; text: string }[]> {
    const runtime = this.runtime;
    if (!runtime) return [];
    const node = this.agent?.status().node ?? '';
    const out: { node: string; component: string; stream: 'stdout'; time: null; text: string }[] = [];
    for (const c of (await runtime.listManagedContainers()).filter((x) => x.app === app)) {
      const text = await runtime.logs(c.id, tail);
      for (const line of text.split('\n'))
        if (line) out.push({ node, component: c.component, stream: 'stdout', time: null, text: line });
    }
    return out;
  }

  async stop(): Promise<void> {
    this.d.chain.off('tip', this.onTip);
    this.d.chain.off('tip', this.onTipSync);
    this.specSync.stop();
    await this.agent?.stop();
    this.specs.close();
  }
}
