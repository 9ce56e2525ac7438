/**
 * The node's public HTTP port: REST, the WebSocket event stream and the dashboard (JSON-RPC has a
 * port of its own: rpc-server.ts). Opened after every module it reports on, closed before them.
 */
import type { Logger } from 'pino';
import {
  type ApiMetrics,
  ApiServer,
  attachWebSocket,
  type EventHub,
  registerRestRoutes,
  type RestRoutes,
} from '../../api/index.ts';
import { dashboardHandler } from '../../web/index.ts';
import { restContext } from '../api/rest.ts';
import type { ApiSources } from '../api/sources.ts';
import type { NodeModule } from '../module.ts';

export interface HttpApiOptions {
  host: string;
  port: number;
}

export interface HttpApiModules {
  sources: ApiSources;
  metrics: ApiMetrics | null;
  log: Logger;
}

export class HttpApiModule implements NodeModule {
  readonly name = 'http-api';
  readonly server: ApiServer;
  readonly #sources: ApiSources;
  #rest: RestRoutes | undefined;
  #events: EventHub | undefined;

  constructor(opts: HttpApiOptions, modules: HttpApiModules) {
    this.#sources = modules.sources;
    this.server = new ApiServer({
      host: opts.host,
      port: opts.port,
      staticHandler: dashboardHandler(),
      metrics: modules.metrics,
      onError: (err, c) => modules.log.error({ err, ...c }, 'API request failed unexpectedly'),
    });
  }

  async open(): Promise<void> {
    const rest = restContext(this.#sources);
    this.#rest = registerRestRoutes(this.server, rest);
    await this.server.listen();
    this.#events = attachWebSocket(this.server.server!, rest, { blocks: this.#rest.blocks });
  }

  async close(): Promise<void> {
    await this.#events?.close();
    this.#rest?.close();
    await this.server.close();
  }
}
