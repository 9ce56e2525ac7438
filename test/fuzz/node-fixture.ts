/**
 * One real devnet node for the fuzz targets that need a server: chain in SQLite, libp2p, the public
 * API, JSON-RPC and stratum, all on 127.0.0.1 with free ports.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FluxNode } from '../../src/node/node.ts';

export interface FuzzNode {
  node: FluxNode;
  apiUrl: string;
  stratumPort: number;
  close(): Promise<void>;
}

export async function openFuzzNode(): Promise<FuzzNode> {
  const dir = mkdtempSync(join(tmpdir(), 'fluxnode-fuzz-'));
  const node = await FluxNode.start({
    network: 'devnet',
    dataDir: dir,
    host: '127.0.0.1',
    p2pPort: 0,
    apiPort: 0,
    stratumPort: 0,
    bootstrap: [],
    rpcUser: 'fuzz',
    rpcPassword: 'fuzz',
    logLevel: 'silent',
  });
  const addr = node.api.server?.address();
  if (!addr || typeof addr !== 'object' || node.stratumPort === undefined)
    throw new Error('node did not bind');
  return {
    node,
    apiUrl: `http://127.0.0.1:${addr.port}`,
    stratumPort: node.stratumPort,
    close: async () => {
      await node.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
