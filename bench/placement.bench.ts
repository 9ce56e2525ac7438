/**
 * Placement at mainnet scale: 12,270 fluxnodes (about the 2022 count) and 10,000 apps, from scratch
 * and incrementally after 1% of the nodes go silent. Target: under 2 s on one core from scratch.
 */
import type { Tier } from '../src/consensus/index.ts';
import {
  placeApps,
  type PlacementApp,
  type PlacementNode,
  type PlacementResult,
} from '../src/cloud/placement/placement.ts';
import { MAINNET_APP_LIMITS } from '../src/cloud/spec/limits.ts';
import type { Benchmark } from './harness.ts';
import { at } from '../test/support/at.ts';

/** mulberry32: a small seeded generator so every run places the same synthetic network. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function syntheticNetwork(nodeCount: number, appCount: number, seed = 1) {
  const r = rng(seed);
  const nodes: PlacementNode[] = [];
  for (let i = 0; i < nodeCount; i++) {
    const x = r();
    const tier: Tier = x < 0.5 ? 'cumulus' : x < 0.7 ? 'nimbus' : 'stratus';
    // About 5% of nodes share an IP with the node before them (several nodes behind one address).
    const ip =
      i > 0 && r() < 0.05 ? at(nodes, i - 1).ip : `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
    nodes.push({
      id: `${i.toString(16).padStart(8, '0')}${'ab'.repeat(28)}:${i % 3}`,
      ip,
      tier,
      capacity: MAINNET_APP_LIMITS.tiers[tier],
      benchmarkOk: r() < 0.98,
    });
  }
  const apps: PlacementApp[] = [];
  for (let i = 0; i < appCount; i++) {
    const y = r();
    const instances = y < 0.8 ? 3 : y < 0.95 ? 3 + Math.floor(r() * 8) : 10 + Math.floor(r() * 91);
    apps.push({
      name: `app${i}`,
      height: 1_000_000 + Math.floor(i / 4),
      hash: Math.floor(r() * 2 ** 32)
        .toString(16)
        .padStart(64, '0'),
      instances,
      demand: {
        cpu: (1 + Math.floor(r() * 10)) / 10,
        ram: 100 * (1 + Math.floor(r() * 20)),
        hdd: 1 + Math.floor(r() * 20),
      },
    });
  }
  const live = new Set(nodes.filter(() => r() < 0.99).map((n) => n.id));
  return { nodes, apps, live };
}

const NODES = 12_270;
const APPS = 10_000;
let net: ReturnType<typeof syntheticNetwork>;
let base: PlacementResult;
let churned: Set<string>;

export const benchmarks: Benchmark[] = [
  {
    name: `placement from scratch (${NODES.toLocaleString('en-US')} nodes, ${APPS.toLocaleString('en-US')} apps)`,
    unit: 's',
    target: '< 2 s',
    reportSeconds: true,
    setup: () => {
      net = syntheticNetwork(NODES, APPS);
    },
    run: () => {
      const t0 = performance.now();
      placeApps({ ...net, epoch: 7 });
      return (performance.now() - t0) / 1000;
    },
  },
  {
    name: 'placement after 1% of nodes die (with previous)',
    unit: 's',
    target: '< 2 s',
    reportSeconds: true,
    setup: () => {
      net = syntheticNetwork(NODES, APPS);
      base = placeApps({ ...net, epoch: 7 });
      const ids = [...net.live];
      churned = new Set(ids.filter((_, i) => i % 100 !== 0));
    },
    run: () => {
      const t0 = performance.now();
      placeApps({ ...net, live: churned, epoch: 7, previous: base.assignment });
      return (performance.now() - t0) / 1000;
    },
  },
];
