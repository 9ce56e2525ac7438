/**
 * A synthetic but valid network for the simulator: fluxnodes with collateral-outpoint ids, tier
 * capacities from the mainnet limits and a few shared IPs; app specs that pass `validateAppSpec`,
 * each paid at its price by a payment that `activeApps` accepts. The mix follows the placement
 * benchmark (most apps 3 instances, a few large ones) so both measure the same kind of load.
 */
import type { Tier } from '../consensus/index.ts';
import {
  type AppComponent,
  appPrice,
  type AppSpec,
  MAINNET_APP_LIMITS,
  MAINNET_PRICE_SCHEDULE,
  type PaidSpec,
  type PlacementNode,
  priceParamsAt,
  specHash,
  validateAppSpec,
  type ValidSpec,
} from '../cloud/index.ts';
import type { Rng } from './rng.ts';

/** A mainnet P2PKH address (any valid one will do: placement ignores owners). */
const OWNER = 't1LUs6quf7TB2zVZmexqPQdnqmrFMGZGjV6';
export const APP_LIFETIME = MAINNET_APP_LIMITS.expire.default;

function hex32(rng: Rng): string {
  return rng.u32().toString(16).padStart(8, '0');
}

/** `count` nodes numbered from `first`: ids look like collateral outpoints (`txid:vout`). */
export function makeNodes(count: number, first: number, rng: Rng): PlacementNode[] {
  const nodes: PlacementNode[] = [];
  for (let k = 0; k < count; k++) {
    const i = first + k;
    const x = rng.next();
    const tier: Tier = x < 0.5 ? 'cumulus' : x < 0.7 ? 'nimbus' : 'stratus';
    let txid = (i >>> 0).toString(16).padStart(8, '0');
    while (txid.length < 64) txid += hex32(rng);
    // About 5% of nodes share an address with the node before them (several nodes behind one IP).
    const ip =
      k > 0 && rng.next() < 0.05 ? nodes[k - 1]!.ip : `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
    nodes.push({
      id: `${txid}:${i % 3}`,
      ip,
      tier,
      capacity: MAINNET_APP_LIMITS.tiers[tier],
      benchmarkOk: rng.next() < 0.98,
    });
  }
  return nodes;
}

function component(name: string, port: number, cpuTenths: number, ram: number, hdd: number): AppComponent {
  return {
    name,
    description: `${name} part`,
    repotag: `runonflux/sim-${name}:1.0`,
    ports: [port],
    containerPorts: [8080],
    environmentParameters: [],
    commands: [],
    containerData: '/appdata',
    cpu: cpuTenths / 10,
    ram,
    hdd,
  };
}

/**
 * One valid app spec; about one app in seven has two components. `maxInstances` keeps the large
 * apps within what a small network can hold (a tenth of its nodes).
 */
export function makeSpec(
  name: string,
  index: number,
  rng: Rng,
  validate = true,
  maxInstances = 100,
): ValidSpec {
  const y = rng.next();
  const drawn = y < 0.8 ? 3 : y < 0.95 ? 3 + rng.int(8) : 10 + rng.int(91);
  const instances = Math.max(3, Math.min(drawn, maxInstances));
  const cpu = 1 + rng.int(10);
  const ram = 100 * (1 + rng.int(20));
  const hdd = 1 + rng.int(20);
  const port = 31000 + (index % 8000);
  const components =
    rng.next() < 0.15 && cpu > 1 && ram > 100 && hdd > 1
      ? [
          component('web', port, cpu - 1, ram - 100, hdd - 1),
          component('db', port + 1000 > 39999 ? port - 1000 : port + 1000, 1, 100, 1),
        ]
      : [component('main', port, cpu, ram, hdd)];
  const raw = {
    version: 1,
    name,
    description: 'simulated app',
    owner: OWNER,
    instances,
    expire: APP_LIFETIME,
    components,
    geolocation: [],
  };
  return validate ? validateAppSpec(raw, MAINNET_APP_LIMITS) : (raw as AppSpec as ValidSpec);
}

/** What a registration at `height` must pay (the whole lifetime at that height's prices). */
export function priceAt(spec: AppSpec, height: number): bigint {
  return appPrice(spec, priceParamsAt(MAINNET_PRICE_SCHEDULE, height)).total;
}

/** A paid registration of `spec` at `height`, paying exactly its price. */
export function paidAt(spec: ValidSpec, height: number, txSeed: number): PaidSpec {
  const hash = specHash(spec);
  return {
    spec,
    specHash: hash,
    payment: {
      specHash: hash,
      txid: `${(txSeed >>> 0).toString(16).padStart(8, '0')}${hash.slice(8)}`,
      height,
      paid: priceAt(spec, height),
    },
  };
}

/** Large apps ask for at most a tenth of the network (no effect from 1,000 nodes up). */
export function maxInstancesFor(nodes: number): number {
  return Math.max(3, Math.floor(nodes / 10));
}

export interface WorkloadOptions {
  nodes: number;
  apps: number;
  /** Height of the tip when the simulation starts. */
  tip: number;
  /** Heights at which some of the initial apps must expire, and how many at each. */
  expiries?: readonly { height: number; count: number }[];
  /** Validate every spec (slower; the default validates a sample, all specs share one shape). */
  validateAll?: boolean;
}

export interface Workload {
  nodes: PlacementNode[];
  paid: PaidSpec[];
}

/**
 * The starting network. Apps were registered over the last lifetime of blocks; those listed in
 * `expiries` were registered exactly one lifetime before their expiry height.
 */
export function makeWorkload(opts: WorkloadOptions, rng: Rng): Workload {
  const nodes = makeNodes(opts.nodes, 0, rng.fork('nodes'));
  const appRng = rng.fork('apps');
  const paid: PaidSpec[] = [];
  const expiring: number[] = [];
  for (const e of opts.expiries ?? []) for (let k = 0; k < e.count; k++) expiring.push(e.height);
  for (let i = 0; i < opts.apps; i++) {
    const validate = opts.validateAll === true || i % 50 === 0;
    const spec = makeSpec(`app${i}`, i, appRng, validate, maxInstancesFor(opts.nodes));
    // Expiring apps are spread through the list so they sit at all points of the placement order.
    const slot = expiring.length > 0 && i % Math.max(1, Math.floor(opts.apps / expiring.length)) === 0;
    const height = slot
      ? (expiring.shift() as number) - APP_LIFETIME
      : opts.tip - 1 - appRng.int(APP_LIFETIME - 2000);
    paid.push(paidAt(spec, height, i));
  }
  return { nodes, paid };
}
