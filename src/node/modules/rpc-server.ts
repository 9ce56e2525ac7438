/**
 * The node's JSON-RPC port, apart from the public one as in fluxd: bound to loopback unless the
 * operator names an address and the clients allowed to reach it. The wallet, `createfluxnode` and
 * `registerapp` live here, so nothing on the public port can spend or register.
 */
import type { Logger } from 'pino';
import { allowList, ApiServer, type RpcDispatcher } from '../../api/index.ts';
import type { NodeModule } from '../module.ts';

export interface RpcServerOptions {
  /** Where it binds (default 127.0.0.1) and its port (0 = any free one). */
  bind: string;
  port: number;
  /** Clients allowed besides loopback: addresses or CIDR ranges. */
  allowIp: readonly string[];
  auth: { user: string; password: string };
}

export class RpcServerModule implements NodeModule {
  readonly name = 'rpc-server';
  readonly server: ApiServer;
  readonly #bind: string;

  constructor(opts: RpcServerOptions, modules: { rpc: RpcDispatcher; log: Logger }) {
    this.#bind = opts.bind;
    this.server = new ApiServer({
      host: opts.bind,
      port: opts.port,
      rpc: modules.rpc,
      rpcAuth: opts.auth,
      allowClients: allowList(opts.allowIp),
      onError: (err, c) => modules.log.error({ err, ...c }, 'RPC request failed unexpectedly'),
    });
  }

  /** Where JSON-RPC answers (the bound port once open). */
  get url(): string {
    const addr = this.server.server?.address();
    return `http://${this.#bind}:${typeof addr === 'object' && addr ? addr.port : 0}`;
  }

  async open(): Promise<void> {
    await this.server.listen();
  }

  async close(): Promise<void> {
    await this.server.close();
  }
}
