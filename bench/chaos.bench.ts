/**
 * No centre, measured on the shared real devnet of devnet-bench-support.ts (node processes, one
 * Docker engine each), as the chaos e2e test blows it up:
 * - a node joining after APPS apps were registered (`devnet add`): seconds from `devnet add` (its
 *   engine and process starting) until its listapps holds every app the network lists (it must
 *   fetch the specs: their gossip is long over);
 * - every node SIGKILLed at once (process and engine) and started again with no bootstrap: seconds
 *   from the restart until every node holds 3 peers from its peer book and all tips agree.
 * (Node killed → instances restored is devnet.bench.ts's.)
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { addNode } from '../src/devnet/add-node.ts';
import { rpcOf } from '../src/devnet/host-process.ts';
import { killNode, restartNode } from '../src/devnet/node-control.ts';
import type { NodeState } from '../src/devnet/state.ts';
import {
  type BenchDevnet,
  benchDevnet,
  listedApps,
  poll,
  registerBenchApp,
  waitConfirmed,
} from './devnet-bench-support.ts';
import type { Benchmark } from './harness.ts';

const APPS = 3;
const runId = randomBytes(3).toString('hex');

/** The apps the node holds a spec of (listapps reads its app directory; REST lists apps only once its agent runs). */
async function appsAt(state: BenchDevnet['state'], n: NodeState): Promise<string[]> {
  const apps = await rpcOf(state, n, 2_000).call<{ name: string }[]>('listapps');
  return apps.map((a) => a.name);
}

const newNodeSynced: Benchmark = {
  name: `no centre: new node → all ${APPS} app specs held (devnet add)`,
  unit: 's',
  target: 'seconds',
  trials: 3,
  reportSeconds: true,
  setup: async () => {
    const dn = await benchDevnet();
    const apps = [];
    for (let i = 0; i < APPS; i++) {
      apps.push(await registerBenchApp(dn, { name: `benchsync${runId}${i}`, port: 31_100 + i }));
    }
    for (const a of apps) await waitConfirmed(dn, a.txid);
  },
  run: async () => {
    const dn = await benchDevnet();
    const want = await listedApps(dn);
    const t0 = performance.now();
    const adding = addNode(dn.state, { timeoutMs: 120_000 });
    const t1 = await poll(
      `the new node to list ${want.length} apps`,
      async () => {
        const node = dn.state.nodes.at(-1)!;
        if (!node.pid) return 'not started';
        const have = await appsAt(dn.state, node);
        return want.every((a) => have.includes(a)) ? performance.now() : `${have.length} of ${want.length}`;
      },
      { timeoutMs: 60_000, intervalMs: 50 },
    );
    const added = await adding;
    const seconds = (t1 - t0) / 1000;
    process.stderr.write(`  ${added.node}: every spec ${seconds.toFixed(2)} s after its start\n`);
    return seconds;
  },
};

const meshReassembled: Benchmark = {
  name: 'no centre: every node SIGKILLed → mesh reassembled, one tip (devnet)',
  unit: 's',
  target: 'seconds',
  trials: 3,
  reportSeconds: true,
  run: async () => {
    const dn = await benchDevnet();
    const nodes = dn.state.nodes;
    await Promise.all(nodes.map((n) => killNode(dn.state, n.name)));
    const t0 = performance.now();
    const restarting = Promise.all(nodes.map((n) => restartNode(dn.state, n.name, { timeoutMs: 120_000 })));
    const want = Math.min(3, nodes.length - 1);
    const t1 = await poll(
      `every node to hold ${want} peers and one tip`,
      async () => {
        const seen = await Promise.all(
          nodes.map(async (n) => {
            const rpc = rpcOf(dn.state, n, 1_000);
            return {
              peers: await rpc.call<number>('getconnectioncount'),
              tip: await rpc.call<string>('getbestblockhash'),
            };
          }),
        );
        const meshed = seen.every((s) => s.peers >= want) && new Set(seen.map((s) => s.tip)).size === 1;
        return meshed ? performance.now() : `peers ${seen.map((s) => s.peers).join(',')}`;
      },
      { timeoutMs: 120_000, intervalMs: 50 },
    );
    await restarting;
    const seconds = (t1 - t0) / 1000;
    process.stderr.write(
      `  ${nodes.length} nodes: mesh and one tip ${seconds.toFixed(2)} s after the restart\n`,
    );
    return seconds;
  },
};

export const benchmarks: Benchmark[] = [newNodeSynced, meshReassembled];
