import { StakingPool } from '../src/economy/pool/pool.ts';
import type { Benchmark } from './harness.ts';
import { at } from '../test/support/at.ts';

const COIN = 100_000_000n;
const STAKERS = 500;
const DISTRIBUTIONS = 2_000;

let pool: StakingPool;
let height = 0;
let nodes: string[] = [];

/** A pool of 500 stakers with varied stakes and join heights, so every share is a real division. */
function setup(): void {
  pool = new StakingPool({ collateral: 40_000n * COIN, feeBps: 750, noticeBlocks: 720 }, 0);
  for (let i = 0; i < STAKERS; i++) {
    pool.deposit(i, `t1staker${i}`, BigInt(1_000 + ((i * 7_919) % 29_000)) * COIN + BigInt(i * 12_345));
  }
  height = STAKERS;
  nodes = pool.nodeList().map((n) => n.id);
}

export const benchmarks: Benchmark[] = [
  {
    name: 'economy: pool reward distributions (500 stakers)',
    unit: 'distributions/s',
    target: 'issue: distributions per second with 500 stakers',
    setup,
    run: () => {
      for (let i = 0; i < DISTRIBUTIONS; i++) {
        height += 1;
        pool.reward(height, at(nodes, i % nodes.length), 1_125_000_000n + BigInt(i % 997));
      }
      return DISTRIBUTIONS;
    },
  },
];
