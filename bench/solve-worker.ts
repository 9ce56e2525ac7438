/**
 * Worker thread for building benchmark chains: tries random nonces on the job it was last given
 * (header, target, Equihash parameters) and posts the first header whose hash meets the target.
 * A new job replaces the old one at once.
 */
import { randomBytes } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import type { EquihashSpec } from '../src/consensus/params/index.ts';
import type { BlockHeader } from '../src/consensus/primitives/types.ts';
import { cpuSolver, meetsTarget } from '../src/mining/pow.ts';
import { powInput } from '../src/consensus/primitives/header.ts';

export interface SolveJob {
  id: number;
  header: BlockHeader;
  target: bigint;
  spec: EquihashSpec;
}

let job: SolveJob | undefined;
let looping = false;

async function loop(): Promise<void> {
  looping = true;
  while (job) {
    const current = job;
    const base = { ...current.header, nonce: Uint8Array.from(randomBytes(32)), solution: new Uint8Array(0) };
    for (const solution of cpuSolver(powInput(base), current.spec)) {
      const header = { ...base, solution };
      if (meetsTarget(header, current.target)) {
        if (job === current) {
          parentPort!.postMessage({ id: current.id, header });
          job = undefined;
        }
        break;
      }
    }
    // Let a new job (or a stop) arrive between nonces.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  looping = false;
}

parentPort!.on('message', (msg: SolveJob | null) => {
  job = msg ?? undefined;
  if (job && !looping) void loop();
});
