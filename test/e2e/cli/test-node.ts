/**
 * A devnet node for the CLI's end-to-end tests: its own loopback address, its API on a free port,
 * RPC credentials in a cookie in a temp folder, and blocks mined on demand.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FluxNode } from '../../../src/node/node.ts';

export interface TestNode {
  node: FluxNode;
  dir: string;
  url: string;
  /** --rpc-url and --datadir (the cookie) for this node. */
  conn: string[];
  stop: () => Promise<void>;
}

/** A devnet node on `host` with its API on a free port and RPC credentials in <dir>/.cookie. */
export async function startTestNode(host: string, opts: { mineIntervalMs?: number } = {}): Promise<TestNode> {
  const dir = mkdtempSync(join(tmpdir(), 'fluxnode-cli-node-'));
  const node = await FluxNode.start({
    network: 'devnet',
    dataDir: dir,
    host,
    p2pPort: 0,
    apiPort: 0,
    bootstrap: [],
    mineIntervalMs: opts.mineIntervalMs ?? 0,
    logLevel: 'warn',
  });
  const url = node.rpcUrl;
  return {
    node,
    dir,
    url,
    conn: ['--rpc-url', url, '--datadir', dir],
    stop: async () => {
      await node.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Mines exactly `n` blocks on the node itself (not through the CLI). */
export async function mineBlocks(node: FluxNode, n: number, address?: string): Promise<void> {
  await node.miner?.stop();
  node.startMiner(address ?? node.wallet.newAddress('test miner'), { maxBlocks: n });
  await node.miner!.whenStopped();
}
