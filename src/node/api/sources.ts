/**
 * What the node's API front ends (JSON-RPC, REST, WebSocket) read and drive: the services and
 * role modules the root built. One interface, so another front end (a second JSON-RPC port, say)
 * is wired from the same parts.
 */
import type { NodeContext } from '../../api/index.ts';
import type { AppRegistration, OwnerRelay } from '../../cloud/index.ts';
import type { P2PHost } from '../../p2p/index.ts';
import type { NodeCloud } from '../cloud.ts';
import type { CloudAgentModule } from '../modules/cloud-agent.ts';
import type { MeshModule } from '../modules/mesh.ts';
import type { MinerModule } from '../modules/miner.ts';
import type { FluxnodeOperator } from '../modules/operator.ts';
import type { PoolModule } from '../modules/pool.ts';
import type { ChainServices } from '../services.ts';

export interface ApiSources {
  services: ChainServices;
  p2p: P2PHost;
  cloud: NodeCloud;
  registration: AppRegistration;
  operator: FluxnodeOperator;
  /** Present on a node started with `--pool`. */
  pool: PoolModule | undefined;
  mining: MinerModule;
  /** Present on a node started as a fluxnode (`--fluxnode`). */
  agent: CloudAgentModule | undefined;
  /** Carries owners' signed requests to the nodes they name. */
  owner: OwnerRelay;
  mesh: MeshModule | undefined;
  context(): NodeContext;
  saveWallet(): void;
}
