import type { PoolControls } from '../pool-json.ts';
import type { HistoryEntry, IndexedCoin, ScriptBalance } from '../../chain/index.ts';
import type {
  AppRegistration,
  AppSpec,
  NodeOutcome,
  OwnerRequest,
  UnmatchedPayment,
} from '../../cloud/index.ts';
import type { AssetSupply, SupplySnapshot } from '../../economy/index.ts';
import type { NodeContext } from '../context.ts';
import type { AppLocation, NodeBenchmark, PlacementWhy } from './types.ts';

/**
 * What the REST API and the WebSocket events read beyond the chain. Every provider is optional: a
 * plain full node has no cloud agent, so its app list is empty and its nodes carry no benchmark.
 * The node wires them to its cloud agent, wallet and indexes.
 */

/** One app the network runs, with where its instances are. */
export interface AppRecord {
  name: string;
  owner: string;
  spec: AppSpec;
  specHash: string;
  /** Height of the payment that made this spec version current. */
  height: number;
  registeredHeight?: number;
  expiresAt: number;
  txid?: string;
  /** Price of the spec at its registration height, as the registry charged it. */
  priceSat?: bigint;
  locations: AppLocation[];
  /** `host:port` where the node asked answers for the app through its routing mesh. */
  mesh?: string[];
  /** Instances the placement could not put anywhere. */
  unplaced?: number;
  /** Why nodes do not host it (cloud/placement/explain.ts), e.g. "40 nodes: 3 hosting, 37 full". */
  placement?: PlacementWhy;
}

export interface AppsProvider {
  list(): readonly AppRecord[] | Promise<readonly AppRecord[]>;
  /** Calls `listener` when placements or instance states may have changed; returns an unsubscribe. */
  onChange?(listener: () => void): () => void;
}

export interface BenchmarkProvider {
  /** The latest benchmark a node reported, by its collateral ("txid:n"). */
  benchmarkOf(collateral: string): NodeBenchmark | undefined;
}

/** This node's own fluxnode identity, when it runs as one. */
export interface SelfProvider {
  collateral(): string | undefined;
}

/** The address index's read side (chain/address-index). */
export interface AddressReader {
  balance(script: Uint8Array): ScriptBalance;
  history(script: Uint8Array, limit?: number, beforeHeight?: number): HistoryEntry[];
  coinsFor(scripts: readonly Uint8Array[]): IndexedCoin[];
}

/** App registration for owners who sign elsewhere (cloud/registry). */
export interface OwnersProvider {
  registration: AppRegistration;
  /** The network's app payment address. */
  payTo: string;
  /** Payments at the tip that made or changed no app. */
  unmatched(): UnmatchedPayment[];
}

/** Owner operations: a signed request carried to the nodes it names (cloud/owner/relay.ts). */
export interface OwnerOpsProvider {
  dispatch(req: OwnerRequest, timeoutMs: number): Promise<NodeOutcome[]>;
}

export interface RestProviders {
  ownerOps?: OwnerOpsProvider;
  apps?: AppsProvider;
  benchmarks?: BenchmarkProvider;
  self?: SelfProvider;
  addressIndex?: AddressReader;
  supply?: () => SupplySnapshot;
  /** The staking pool, on a node started with `--pool`. */
  pool?: PoolControls;
  /** Per parallel asset: accrued, matured, claimed, claimable, pending (asset units). */
  assetSupply?: () => AssetSupply[];
  owners?: OwnersProvider;
}

export type RestContext = NodeContext & RestProviders;
