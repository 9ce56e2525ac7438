/**
 * The stratum role: serves external (GPU) miners jobs built from our templates, checks their
 * shares, and submits and announces the blocks they find. Added when the options name a port.
 */
import type { Logger } from 'pino';
import type { Chain, FluxnodeRegistry, Mempool } from '../../chain/index.ts';
import type { Block, ConsensusParams } from '../../consensus/index.ts';
import {
  buildBlockTemplate,
  feedStratum,
  stratumBackendFor,
  type StratumFeed,
  StratumServer,
} from '../../mining/index.ts';
import type { NodeModule } from '../module.ts';

export interface StratumModuleOptions {
  host: string;
  port: number;
}

export interface StratumModuleDeps {
  params: ConsensusParams;
  chain: Chain;
  mempool: Mempool;
  registry: () => FluxnodeRegistry;
  /** The miner's payout script (throws while no miner address is known). */
  minerScript: () => Uint8Array;
  announce: (block: Block) => Promise<void>;
  log: Logger;
}

export class StratumModule implements NodeModule {
  readonly name = 'stratum';
  readonly #opts: StratumModuleOptions;
  readonly #d: StratumModuleDeps;
  #running: { server: StratumServer; feed: StratumFeed; port: number } | undefined;

  constructor(opts: StratumModuleOptions, deps: StratumModuleDeps) {
    this.#opts = opts;
    this.#d = deps;
  }

  async open(): Promise<void> {
    const { chain, params, mempool, log } = this.#d;
    const server = new StratumServer({
      host: this.#opts.host,
      port: this.#opts.port,
      shareTarget: params.difficulty.powLimit,
      backend: stratumBackendFor(chain, params, {
        onBlock: (block) => void this.#d.announce(block).catch(() => {}),
      }),
      onError: (err, c) =>
        log.error(
          { err, remote: c.remote, line: c.line.slice(0, 200) },
          'stratum line failed; session closed',
        ),
    });
    const port = await server.listen();
    const feed = feedStratum({
      server,
      chain,
      build: () =>
        buildBlockTemplate({
          chain,
          params,
          mempool,
          payees: (h) => this.#d.registry().payees(h),
          minerScript: this.#d.minerScript(),
          time: Math.floor(Date.now() / 1000),
        }),
      onError: (err) => log.warn({ err: err.message }, 'stratum job failed'),
    });
    feed.push(true);
    this.#running = { server, feed, port };
  }

  /** The port actually bound (differs from the option when that was 0), while open. */
  get port(): number | undefined {
    return this.#running?.port;
  }

  async close(): Promise<void> {
    this.#running?.feed.stop();
    await this.#running?.server.close();
    this.#running = undefined;
  }
}
