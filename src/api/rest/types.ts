import type { AppComponent } from '../../cloud/index.ts';
import type { Tier } from '../../consensus/index.ts';
/**
 * The JSON shapes of the REST API and the WebSocket events, shared by the server and the dashboard
 * (the dashboard imports these as types only). Amounts are satoshis: bigint on the server, decimal
 * strings on the wire, so nothing is rounded. Times are UTC seconds; heights are block heights.
 */

export type Sats = bigint | string;

export interface TierCounts {
  cumulus: number;
  nimbus: number;
  stratus: number;
}

/** One coinbase output paid to a fluxnode operator. */
export interface NodePayout {
  tier: Tier;
  address: string | null;
  amountSat: Sats;
  /** The paid node's collateral ("txid:n"), when the registry still knows it. */
  collateral: string | null;
}

/** A block as the block lists and the `block` event show it. */
export interface BlockSummary {
  height: number;
  hash: string;
  time: number;
  txCount: number;
  size: number;
  miner: { address: string | null; amountSat: Sats };
  nodePayouts: NodePayout[];
  /** Fixed fund outputs (foundation, exchange, swap pool) due at this height. */
  funds: { kind: string; address: string | null; amountSat: Sats }[];
  /** Sum of every coinbase output. */
  coinbaseSat: Sats;
}

/** A node's self-measured hardware, as its benchmark reported it. */
export interface NodeBenchmark {
  cores: number;
  ramGB: number;
  ssdGB: number;
  /** CPU events per second. */
  eps: number;
  diskWriteMBps: number;
  /** When it was measured. */
  time: number;
  /** Where the node's operator says it is ("EU_DE", `--geolocation`); null when not declared. */
  location: string | null;
}

export interface BenchmarkView extends NodeBenchmark {
  /** True when every figure meets the tier's minimum on this network. */
  meetsTier: boolean;
}

/** One registered fluxnode. */
export interface NodeView {
  collateral: string;
  tier: Tier;
  status: 'started' | 'confirmed';
  ip: string;
  /** The operator public key (hex) the node signs with; owners seal app secrets to it. fluxd's `pubkey`. */
  pubkey: string;
  paymentAddress: string | null;
  collateralSat: Sats;
  startHeight: number;
  confirmedHeight: number | null;
  lastConfirmHeight: number | null;
  lastPaidHeight: number | null;
  lastPaidTime: number | null;
  /** Place in its tier's payment queue (0 = paid next); null while not confirmed. */
  rank: number | null;
  benchmark: BenchmarkView | null;
}

export interface ComputeTotals {
  nodes: number;
  /** Nodes whose benchmark is known (only those add to cores, RAM and SSD). */
  benchmarked: number;
  cores: number;
  ramGB: number;
  ssdGB: number;
}

/** GET /network/totals */
export interface NetworkTotals {
  network: string;
  height: number;
  time: number;
  nodes: {
    total: number;
    confirmed: number;
    started: number;
    byTier: TierCounts;
  };
  /** Confirmed nodes only. */
  compute: ComputeTotals & { byTier: Record<Tier, ComputeTotals> };
  apps: { count: number; instances: number; placed: number };
}

/** One point of GET /network/history: confirmed nodes per tier after the block at `height`. */
export interface NodeCountPoint extends TierCounts {
  height: number;
  time: number;
  /** Set on points from before the node started, estimated from the nodes registered now. */
  estimated?: boolean;
}

/** Where one instance of an app runs, and how it is doing there. */
export interface AppLocation {
  /** The hosting node's collateral ("txid:n"). */
  node: string;
  ip: string;
  tier?: Tier;
  /** The app's public ports on that node. */
  ports?: number[];
  /** running | starting | stopped | unhealthy | unknown, as the hosting node last reported. */
  state?: string;
  /** When the state was last reported. */
  updated?: number;
  /** Present and false when a component's data there is a plain folder, its `hdd` not enforced. */
  hddEnforced?: boolean;
  /** Its replicated data (components whose containerData has an s:, r: or g: prefix). */
  data?: InstanceData[];
}

/** One replicated component of an instance: its mode, its role, and how far its copy is behind. */
export interface InstanceData {
  component: string;
  /** s (all sync), r (receive first), g (primary/standby). */
  mode: 's' | 'r' | 'g';
  /** primary (g: runs the container), standby (g: full copy, not running), syncing (no full copy yet), replica (s:/r: running). */
  role: 'primary' | 'standby' | 'syncing' | 'replica';
  /** Bytes the folder still lacks; 0 is in sync. */
  needBytes: number;
  inSync: boolean;
}

/** A component as the API shows it: the spec's own shape. */
export type AppComponentView = AppComponent;

/** One app as the list shows it. */
export interface AppSummary {
  name: string;
  description: string;
  owner: string;
  specHash: string;
  height: number;
  expiresAt: number;
  instances: number;
  /** Instances placed on nodes right now. */
  placed: number;
  priceSat: Sats | null;
  locations: AppLocation[];
  /** `host:port` where this node's routing mesh answers for the app (any node's does; [] without one). */
  mesh: string[];
}

/** GET /apps/:name */
export interface AppDetail extends AppSummary {
  spec: {
    version: number;
    name: string;
    description: string;
    owner: string;
    instances: number;
    expire: number;
    geolocation: string[];
    /** The only nodes (collaterals) that may run the app; absent: any node. */
    nodes?: string[];
    components: AppComponentView[];
  };
  registeredHeight: number | null;
  txid: string | null;
  /** Instances not placed for want of eligible nodes. */
  unplaced: number;
  /** Why nodes do not host it; null where this node does not place apps. */
  placement: PlacementWhy | null;
}

/** Nodes placement looked at, those hosting, and the rest by the first filter they failed. */
export interface PlacementWhy {
  nodes: number;
  hosting: number;
  filtered: Partial<Record<string, number>>;
  /** One line: "40 nodes: 3 hosting, 31 tier-too-small, 6 port-taken". */
  summary: string;
}

/** GET /node/status: the node answering. */
export interface NodeStatus {
  version: string;
  network: string;
  height: number;
  bestHash: string;
  tipTime: number;
  peers: number;
  uptimeSec: number;
  mempool: { count: number; bytes: number };
  fluxnode: null | {
    collateral: string;
    /** Null when the registry does not know the collateral (not started yet, or expired). */
    registered: NodeView | null;
    benchmark: BenchmarkView | null;
    rewards: {
      /** What the next payment of this tier is worth. */
      nextPaymentSat: Sats;
      lastPaidHeight: number | null;
      lastPaidTime: number | null;
      /** Payments found in the last `window` blocks. */
      window: number;
      count: number;
      totalSat: Sats;
      recent: { height: number; time: number; amountSat: Sats }[];
    };
  };
}

/** Events on GET /ws, one JSON object per message. */
export type ApiEvent =
  | { type: 'hello'; data: { height: number; hash: string; network: string } }
  | { type: 'block'; data: BlockSummary & { nodes: TierCounts } }
  | {
      type: 'nodes';
      data: {
        height: number;
        byTier: TierCounts;
        changes: {
          collateral: string;
          change: 'added' | 'removed' | 'updated';
          tier: Tier;
          status: string;
        }[];
      };
    }
  | {
      type: 'placements';
      data: {
        height: number;
        changes: { app: string; added: string[]; removed: string[]; locations: AppLocation[] }[];
      };
    };
