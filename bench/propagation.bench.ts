/**
 * Block propagation on five real devnet nodes over loopback (libp2p gossip, full validation on
 * every hop): the average time from a block being stored on the node that mined it to being
 * connected on all five (issue 4: under 1 s). Nodes 2–5 are given only node 1, then find each other
 * (peer exchange), so most blocks cross one hop.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FluxNode } from '../src/node/node.ts';
import { encodeAddress } from '../src/consensus/keys/address.ts';
import { paramsFor } from '../src/consensus/params/index.ts';
import { benchNodeOptions } from './devnet-chain-cache.ts';
import type { Benchmark } from './harness.ts';
import { at } from '../test/support/at.ts';

const BLOCKS_PER_TRIAL = 10;
const params = paramsFor('devnet');
const minerAddress = encodeAddress('p2pkh', new Uint8Array(20).fill(0x51), params.base58);

let root = '';
const nodes: FluxNode[] = [];
/** Block id → when each node connected it (performance.now()), by node index. */
const connectedAt = new Map<string, Map<number, number>>();

async function until(what: string, cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(2);
  }
}

/** Mines one block on the miner; resolves with the seconds until all nodes had connected it. */
async function propagateOne(): Promise<number> {
  const miner = at(nodes, nodes.length - 1);
  const height = miner.chain.height() + 1;
  miner.startMiner(minerAddress, { maxBlocks: 1 });
  await miner.miner!.whenStopped();
  const id = miner.chain.getEntry(height)!.id;
  await until(`block ${height} on every node`, () => connectedAt.get(id)?.size === nodes.length, 10_000);
  const byNode = connectedAt.get(id)!;
  connectedAt.delete(id);
  return (Math.max(...byNode.values()) - byNode.get(nodes.length - 1)!) / 1000;
}

const propagation: Benchmark = {
  name: 'propagation: block stored on the miner → connected on all 5 nodes',
  unit: 's (average)',
  target: '< 1 s',
  trials: 5,
  reportSeconds: true,
  async setup() {
    root = mkdtempSync(join(tmpdir(), 'fluxnode-bench-prop-'));
    for (let i = 0; i < 5; i++) {
      const bootstrap = i === 0 ? [] : [at(at(nodes, 0).p2p.multiaddrs, 0)];
      const node = await FluxNode.start(
        benchNodeOptions(join(root, `node${i}`), `127.0.0.${160 + i}`, bootstrap),
      );
      node.chain.on('connect', (_block, entry) => {
        const byNode = connectedAt.get(entry.id) ?? new Map<number, number>();
        byNode.set(i, performance.now());
        connectedAt.set(entry.id, byNode);
      });
      nodes.push(node);
    }
    await until('a connected network', () => nodes.slice(1).every((n) => n.p2p.peers().length >= 1), 20_000);
    // Let the gossip mesh form, then warm up: a few blocks everywhere.
    await sleep(1500);
    for (let i = 0; i < 3; i++) await propagateOne();
  },
  async run() {
    let total = 0;
    for (let i = 0; i < BLOCKS_PER_TRIAL; i++) total += await propagateOne();
    return total / BLOCKS_PER_TRIAL;
  },
  async teardown() {
    for (const n of nodes) await n.stop();
    nodes.length = 0;
    rmSync(root, { recursive: true, force: true });
  },
};

export const benchmarks: Benchmark[] = [propagation];
