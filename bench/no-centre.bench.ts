/**
 * No centre, measured on real in-process devnet nodes (libp2p on 127.0.0.171–179:36125, SQLite):
 * - a new node that joins after APPS apps were registered: seconds from its start until it holds
 *   every active spec (it must fetch them: their gossip is long over);
 * - five nodes stopped and started again with no bootstrap at all: seconds from the start until
 *   each holds 3 peers again, from its peer book.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FluxNode } from '../src/node/node.ts';
import type { Benchmark } from './harness.ts';
import { at } from '../test/support/at.ts';

const APPS = 5;
const NODES = 5;
const host = (i: number) => `127.0.0.${171 + i}`;

let root = '';
let nodes: FluxNode[] = [];
let joins = 0;

function options(i: number, bootstrap: string[]) {
  return {
    network: 'devnet' as const,
    dataDir: join(root, `node${i}`),
    host: host(i),
    // Fixed: the peer books hold addresses, so a restarted node must come back on the same one.
    p2pPort: 36125,
    apiPort: 0,
    bootstrap,
    rpcUser: 'bench',
    rpcPassword: 'bench',
    logLevel: 'silent',
  };
}

async function until(what: string, cond: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

function appSpec(name: string, owner: string): object {
  return {
    version: 1,
    name,
    description: 'bench app',
    owner,
    components: [
      {
        name: 'web',
        description: '',
        repotag: '127.0.0.1:5000/flux/hello:1',
        ports: [31000],
        containerPorts: [80],
        environmentParameters: [],
        commands: [],
        containerData: '/data',
        cpu: 0.2,
        ram: 100,
        hdd: 1,
      },
    ],
    instances: 3,
    expire: 5000,
    geolocation: [],
  };
}

async function mine(node: FluxNode, address: string, blocks: number): Promise<void> {
  node.startMiner(address, { maxBlocks: blocks });
  await node.miner!.whenStopped();
}

/** Five nodes meshed from one bootstrap, APPS apps registered and paid on node 0. */
async function network(): Promise<void> {
  try {
    await build();
  } catch (err) {
    await teardown(); // the harness tears down only after a setup that succeeded
    throw err;
  }
}

async function build(): Promise<void> {
  root = mkdtempSync(join(tmpdir(), 'fluxnode-bench-no-centre-'));
  nodes = [await FluxNode.start(options(0, []))];
  for (let i = 1; i < NODES; i++) nodes.push(await FluxNode.start(options(i, [`${host(0)}:36125`])));
  await until('3 peers each', () => nodes.every((n) => n.p2p.peers().length >= 3));
  const owner = at(nodes, 0).wallet.newAddress('bench');
  await mine(at(nodes, 0), owner, 12);
  for (let a = 0; a < APPS; a++) {
    const r = await at(nodes, 0).rpc.handleOne({
      method: 'registerapp',
      params: [appSpec(`bench${a}`, owner)],
      id: a,
    });
    if (r.error) throw new Error(`registerapp: ${r.error.message}`);
    await mine(at(nodes, 0), owner, 1); // confirms the change, which pays the next one
  }
  await mine(at(nodes, 0), owner, 1);
  const tip = () => at(nodes, 0).chain.tip().id;
  await until('one tip', () => nodes.every((n) => n.chain.tip().id === tip()));
}

async function teardown(): Promise<void> {
  for (const n of nodes) await n.stop().catch(() => {});
  nodes = [];
  rmSync(root, { recursive: true, force: true });
}

const specSync: Benchmark = {
  name: `no centre: new node → all ${APPS} registered specs held`,
  unit: 's',
  target: 'seconds',
  trials: 3,
  reportSeconds: true,
  setup: network,
  async run() {
    const i = NODES + (joins++ % 4);
    rmSync(join(root, `node${i}`), { recursive: true, force: true });
    const t0 = performance.now();
    const late = await FluxNode.start(options(i, [`${host(2)}:36125`]));
    try {
      await until('every spec on the new node', () => late.cloud.activeApps().length === APPS);
      return (performance.now() - t0) / 1000;
    } finally {
      await late.stop();
    }
  },
  teardown,
};

const reassembly: Benchmark = {
  name: `no centre: ${NODES} nodes restarted without bootstrap → 3 peers each`,
  unit: 's',
  target: 'seconds',
  trials: 3,
  reportSeconds: true,
  setup: network,
  async run() {
    for (const n of nodes) await n.stop();
    const t0 = performance.now();
    nodes = await Promise.all(nodes.map((_, i) => FluxNode.start(options(i, []))));
    await until('3 peers each, from the peer books', () => nodes.every((n) => n.p2p.peers().length >= 3));
    return (performance.now() - t0) / 1000;
  },
  teardown,
};

export const benchmarks: Benchmark[] = [specSync, reassembly];
