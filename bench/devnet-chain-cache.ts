/**
 * A long devnet chain for sync benchmarks, mined once (on every core) and kept in the system's temp
 * folder: a node data folder that `FluxNode.start` opens as is. Blocks hold only their coinbase.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { FluxNode } from '../src/node/node.ts';
import { encodeAddress, scriptForAddress } from '../src/consensus/keys/address.ts';
import { paramsFor } from '../src/consensus/params/index.ts';
import type { BlockHeader } from '../src/consensus/primitives/types.ts';
import { assembleBlock, buildBlockTemplate } from '../src/mining/template.ts';
import type { SolveJob } from './solve-worker.ts';
import { at } from '../test/support/at.ts';

const params = paramsFor('devnet');
const CACHE_VERSION = 1;

export function benchNodeOptions(dataDir: string, host: string, bootstrap: string[] = []) {
  return {
    network: 'devnet' as const,
    dataDir,
    host,
    p2pPort: 0,
    apiPort: 0,
    bootstrap,
    rpcUser: 'bench',
    rpcPassword: 'bench',
    logLevel: 'silent',
  };
}

/** Path of a node data folder holding a devnet chain of `height` blocks; mines it the first time. */
export async function cachedDevnetChain(height: number): Promise<string> {
  const dir = join(tmpdir(), 'fluxnode-bench-cache', `devnet-${height}-v${CACHE_VERSION}`);
  const marker = join(dir, 'complete');
  if (existsSync(marker) && Number(readFileSync(marker, 'utf8')) === height) return dir;
  const building = `${dir}.building`;
  rmSync(building, { recursive: true, force: true });
  mkdirSync(building, { recursive: true });
  await mine(building, height);
  writeFileSync(join(building, 'complete'), String(height));
  rmSync(dir, { recursive: true, force: true });
  renameSync(building, dir);
  return dir;
}

/** A copy of the cached chain to run a node on (nodes write their own files into the folder). */
export function copyOfChain(cached: string, to: string): string {
  cpSync(cached, to, { recursive: true });
  return to;
}

async function mine(dataDir: string, height: number): Promise<void> {
  const node = await FluxNode.start(benchNodeOptions(dataDir, '127.0.0.250'));
  // Any fixed address: the chain is only synced, never spent.
  const script = scriptForAddress(
    encodeAddress('p2pkh', new Uint8Array(20).fill(0x42), params.base58),
    params.base58,
  );
  const workers = Array.from(
    { length: Math.max(1, availableParallelism()) },
    () => new Worker(new URL('./solve-worker.ts', import.meta.url)),
  );
  const started = Date.now();
  try {
    let jobId = 0;
    while (node.chain.height() < height) {
      const t = buildBlockTemplate({
        chain: node.chain,
        params,
        minerScript: script,
        time: Math.floor(Date.now() / 1000),
      });
      const job: SolveJob = { id: ++jobId, header: t.header, target: t.target, spec: at(t.equihash, 0) };
      const header = await new Promise<BlockHeader>((resolve) => {
        const onMessage = (msg: { id: number; header: BlockHeader }) => {
          if (msg.id !== job.id) return;
          for (const w of workers) w.off('message', onMessage);
          resolve(msg.header);
        };
        for (const w of workers) {
          w.on('message', onMessage);
          w.postMessage(job);
        }
      });
      const r = await node.chain.acceptBlock(assembleBlock(t, header));
      if (r.status !== 'connected') throw new Error(`bench chain: block ${r.id} ${r.status} ${r.rule ?? ''}`);
      if (node.chain.height() % 1000 === 0) {
        process.stderr.write(
          `  bench chain: ${node.chain.height()}/${height} blocks mined (${((Date.now() - started) / 1000).toFixed(0)} s)\n`,
        );
      }
    }
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
    await node.stop();
  }
}
