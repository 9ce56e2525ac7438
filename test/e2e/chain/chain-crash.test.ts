import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Block } from '../../../src/consensus/primitives/types.ts';
import { openTestChain, replayHash, tempDir } from '../../support/chain-fixtures.ts';

const CHILD = fileURLToPath(new URL('./chain-crash-child.ts', import.meta.url));
const KILLS = 20;

/** Starts the writer, waits until it has opened the chain, lets it write for `ms`, then SIGKILLs it. */
function runAndKill(dir: string, seed: number, ms: number): Promise<{ startHeight: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, dir, String(seed)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let startHeight = -1;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /ready (\d+)/.exec(out);
      if (m && startHeight < 0) {
        startHeight = Number(m[1]);
        setTimeout(() => child.kill('SIGKILL'), ms);
      }
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL' && startHeight >= 0) resolve({ startHeight });
      else reject(new Error(`writer exited on its own (code ${code}, signal ${signal}): ${err || out}`));
    });
  });
}

describe('chain: crash safety', () => {
  it(`survives SIGKILL at ${KILLS} random moments with a UTXO set equal to a replay of its main chain`, async (t) => {
    const dir = tempDir('fluxnode-crash-');
    const seed = Number(process.env.CHAIN_CRASH_SEED ?? Date.now() % 1_000_000);
    let rng = seed;
    const nextDelay = () => {
      rng = (rng * 1103515245 + 12345) % 2 ** 31;
      return 15 + (rng % 220);
    };
    try {
      let lastHeight = 0;
      let grew = 0;
      for (let i = 0; i < KILLS; i++) {
        const delay = nextDelay();
        const { startHeight } = await runAndKill(dir.dir, seed + i, delay);
        assert.equal(
          startHeight,
          lastHeight,
          `run ${i} resumed where the last reopen left off (seed ${seed})`,
        );

        // Reopening checks consistency (and throws if anything is off); then compare with a replay.
        const chain = await openTestChain(dir.dir);
        let blocks: Block[] = [];
        let hash = '';
        try {
          assert.deepEqual(chain.checkConsistency(true), [], `seed ${seed}, run ${i}`);
          for (let h = 1; h <= chain.height(); h++) blocks.push(chain.getBlock(h)!);
          hash = chain.utxoSetHash();
          if (chain.height() > lastHeight) grew++;
          lastHeight = chain.height();
        } finally {
          chain.close();
        }
        const replay = await replayHash(blocks);
        assert.equal(replay.height, lastHeight);
        assert.equal(
          hash,
          replay.hash,
          `UTXO set after kill ${i} (delay ${delay} ms, seed ${seed}) differs from replay`,
        );
        blocks = [];
      }
      assert.ok(grew >= KILLS / 2, `the writer made progress in most runs (${grew} of ${KILLS})`);
      t.diagnostic(`seed ${seed}: final height ${lastHeight}, grew in ${grew} of ${KILLS} runs`);
    } finally {
      dir.cleanup();
    }
  });
});
