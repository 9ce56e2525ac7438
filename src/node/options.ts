import { isLoopback } from '../api/index.ts';
import { parseNodeLocation } from '../cloud/index.ts';
import type { NetworkName } from '../consensus/index.ts';
import { type HolderSnapshot, PARALLEL_ASSETS } from '../economy/index.ts';

/** Everything one node process needs to know; `fluxnode start` fills it from flags and config. */
export interface NodeOptions {
  network: NetworkName;
  dataDir: string;
  /** Address the node binds and announces (devnets give each node its own 127.0.0.x). */
  host: string;
  p2pPort: number;
  apiPort: number;
  /** Peers to keep connected to: multiaddrs with /p2p/<id>, or host:port. */
  bootstrap: string[];
  /** JSON-RPC credentials; when absent a random password is written to <dataDir>/.cookie. */
  rpcUser?: string;
  rpcPassword?: string;
  /** JSON-RPC's own port (`fluxnode start` defaults to fluxd's 16124); absent = any free port. */
  rpcPort?: number;
  /** Address the JSON-RPC server binds; default 127.0.0.1 (RPC is private, as in fluxd). */
  rpcBind?: string;
  /** Clients allowed besides loopback (addresses or CIDR ranges); needed to bind RPC beyond loopback. */
  rpcAllowIp?: string[];
  /** Mine with the CPU solver, paying the miner's share to this address. */
  mineTo?: string;
  /** Devnet pacing: at most one block per this many milliseconds from this miner. */
  mineIntervalMs?: number;
  stratumPort?: number;
  /** Wallet encryption passphrase (else FLUXNODE_WALLET_PASSPHRASE; devnet and regtest default to the network name). */
  walletPassphrase?: string;
  logLevel?: string;
  /** Host apps: run the cloud agent once this node is a registered fluxnode. */
  fluxnode?: boolean;
  /** The node's own Docker engine (unix socket), for the cloud agent. */
  dockerSocket?: string;
  /** Syncthing's sync port on the node's address (replicated app data; default apiPort + 2; 0: any free). */
  syncthingPort?: number;
  /** Syncthing's REST port (default apiPort + 3); on loopback unless the node's address is. */
  syncthingRestPort?: number;
  /** The syncthing binary (default `syncthing` on PATH); a node without one keeps app data local. */
  syncthingBinary?: string;
  /** A fluxnode answers on every app's public ports through HAProxy (default true; `--no-mesh`). */
  mesh?: boolean;
  /** Run a staking pool (docs/economy.md): its address (default: a wallet key), fee and notice. */
  pool?: PoolRole;
  /** Where this fluxnode is, in FluxOS's form `<continent>[_<country>[_<region>]]` (e.g. "EU_DE"). */
  geolocation?: string;
  /** Heights at which every holder is given an asset (`--holder-snapshot ASSET:HEIGHT`, docs/economy.md). */
  holderSnapshots?: HolderSnapshot[];
}

export { DEFAULT_API_PORT, DEFAULT_RPC_PORT } from '../consensus/index.ts';

/** The roles these options switch on, each with the typed options its module takes. */
export interface NodeRoles {
  /** The CPU miner is always there (RPC may switch it on); `mineTo` starts it at once. */
  miner: { mineTo?: string; mineIntervalMs?: number };
  stratum?: { host: string; port: number };
  cloudAgent?: {
    dockerSocket: string;
    dataDir: string;
    host: string;
    syncthing: SyncthingRole;
    geolocation?: string;
  };
  /** The routing mesh, on fluxnodes unless switched off. */
  mesh?: { host: string; dataDir: string };
  pool?: PoolRole;
}

/** A staking pool run by this node (docs/economy.md); pool-role.ts builds it. */
export interface PoolRole {
  /** The pool's address; absent: the wallet's key labelled "staking pool" (made on first start). */
  address?: string;
  /** The operator's cut of each node payment, basis points. */
  feeBps: number;
  /** Blocks between a withdrawal request and its payment. */
  noticeBlocks: number;
}

export interface SyncthingRole {
  syncPort: number;
  restPort: number;
  binary: string;
}

export class NodeOptionsError extends Error {
  readonly field: string;

  constructor(field: string, message: string) {
    super(message);
    this.name = 'NodeOptionsError';
    this.field = field;
  }
}

function checkedPool(p: PoolRole): PoolRole {
  if (!Number.isInteger(p.feeBps) || p.feeBps < 0 || p.feeBps > 10_000)
    throw new NodeOptionsError('pool.feeBps', `--pool-fee-bps must be 0 … 10000, got ${p.feeBps}`);
  if (!Number.isSafeInteger(p.noticeBlocks) || p.noticeBlocks < 0)
    throw new NodeOptionsError(
      'pool.noticeBlocks',
      `--pool-notice must be a whole number of blocks, got ${p.noticeBlocks}`,
    );
  return p;
}

export function rolesOf(opts: NodeOptions): NodeRoles {
  // RPC moves the wallet and registers apps: beyond loopback only when its clients are named too.
  const bind = opts.rpcBind ?? '127.0.0.1';
  if (!isLoopback(bind) && (opts.rpcAllowIp ?? []).length === 0)
    throw new NodeOptionsError(
      'rpcBind',
      `--rpc-bind ${bind} would serve JSON-RPC beyond this machine to anyone: also name its clients with --rpc-allow-ip`,
    );
  if (opts.fluxnode && !opts.dockerSocket)
    throw new NodeOptionsError(
      'dockerSocket',
      '--fluxnode needs --docker-socket (the node’s own Docker engine)',
    );
  if (opts.geolocation !== undefined) {
    const parsed = parseNodeLocation(opts.geolocation);
    if (!parsed.ok)
      throw new NodeOptionsError('geolocation', `--geolocation ${opts.geolocation}: ${parsed.message}`);
  }
  const geo = opts.geolocation ? { geolocation: opts.geolocation } : {};
  return {
    miner: { mineTo: opts.mineTo, mineIntervalMs: opts.mineIntervalMs },
    ...(opts.pool ? { pool: checkedPool(opts.pool) } : {}),
    ...(opts.stratumPort !== undefined ? { stratum: { host: opts.host, port: opts.stratumPort } } : {}),
    ...(opts.fluxnode && opts.dockerSocket
      ? {
          cloudAgent: {
            dockerSocket: opts.dockerSocket,
            dataDir: opts.dataDir,
            host: opts.host,
            ...geo,
            syncthing: {
              // Beside the API port; any free ones when the API port is (0).
              syncPort: opts.syncthingPort ?? (opts.apiPort ? opts.apiPort + 2 : 0),
              restPort: opts.syncthingRestPort ?? (opts.apiPort ? opts.apiPort + 3 : 0),
              binary: opts.syncthingBinary ?? 'syncthing',
            },
          },
        }
      : {}),
    ...(opts.fluxnode && opts.dockerSocket && opts.mesh !== false
      ? { mesh: { host: opts.host, dataDir: opts.dataDir } }
      : {}),
  };
}

/** One `--holder-snapshot ASSET:HEIGHT`: a known parallel asset id and a whole block height. */
export function parseHolderSnapshot(text: string): HolderSnapshot {
  const m = /^([^:]+):(\d{1,10})$/.exec(text);
  if (!m)
    throw new NodeOptionsError(
      'holderSnapshots',
      `--holder-snapshot must be ASSET:HEIGHT (e.g. FLUX-KDA:1000), got "${text}"`,
    );
  const [, assetId, height] = m as unknown as [string, string, string];
  if (!PARALLEL_ASSETS.some((a) => a.id === assetId))
    throw new NodeOptionsError(
      'holderSnapshots',
      `--holder-snapshot ${text}: unknown asset "${assetId}" (one of: ${PARALLEL_ASSETS.map((a) => a.id).join(', ')})`,
    );
  if (!Number.isSafeInteger(Number(height)))
    throw new NodeOptionsError('holderSnapshots', `--holder-snapshot ${text}: bad height "${height}"`);
  return { assetId, height: Number(height) };
}
