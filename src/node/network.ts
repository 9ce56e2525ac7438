/**
 * The node's network service: the libp2p host and chain sync on it. Topic handlers and request
 * handlers are registered before it opens, so the first peer already finds them.
 */
import type { Logger } from 'pino';
import type { Chain } from '../chain/index.ts';
import { ChainSync, P2PHost, type P2PMetrics } from '../p2p/index.ts';
import type { NodeModule } from './module.ts';

export interface NetworkOptions {
  network: string;
  host: string;
  port: number;
  bootstrap: string[];
  /** Where the node's libp2p key lives (made on first start). */
  keyFile: string;
  /** The peer book on disk (addresses heard from bootstrap, the chain and peer exchange). */
  peerBookFile: string;
  /** Addresses of the chain's registered nodes: the chain is the directory. */
  chainPeers: () => string[];
}

export class NetworkService implements NodeModule {
  readonly name = 'network';
  readonly p2p: P2PHost;
  readonly sync: ChainSync;

  constructor(opts: NetworkOptions, modules: { chain: Chain; log: Logger; metrics: P2PMetrics | null }) {
    this.p2p = new P2PHost({ ...opts, metrics: modules.metrics, log: modules.log.child({ module: 'p2p' }) });
    const syncLog = modules.log.child({ module: 'sync' });
    // Sync's lines quote peers' errors: debug only.
    this.sync = new ChainSync(this.p2p, modules.chain, {
      log: (detail) => syncLog.debug({ detail }, 'sync'),
    });
  }

  async open(): Promise<void> {
    this.sync.install();
    await this.p2p.start();
  }

  async close(): Promise<void> {
    this.sync.stop();
    await this.p2p.stop();
  }
}
