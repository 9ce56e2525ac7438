// Ctrl-C in the middle of `fluxnode devnet up`, through the real CLI: the SIGINT lands while a step
// is running (its "…" line has just been printed), and afterwards nothing of the devnet may remain —
// no process naming its folder, no bridge, no listening port, no folder.

import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CLI_MAIN } from '../../../src/devnet/host-process.ts';
import { requireTool } from '../../../src/devnet/dockerd.ts';
import { readState } from '../../../src/devnet/state.ts';
import { teardownDevnet } from '../../../src/devnet/teardown.ts';
import { dockerSkip, freePort, leftovers, refused } from './docker-fixture.ts';

function bridgeExists(name: string): boolean {
  try {
    execFileSync(requireTool('ip'), ['link', 'show', name], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `devnet up`, sends SIGINT as soon as the step `step` begins, and resolves on exit. */
function interruptAt(args: string[], step: string): Promise<Run & { interrupted: boolean }> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, [CLI_MAIN, 'devnet', 'up', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let interrupted = false;
    child.stdout!.on('data', (d) => {
      stdout += d;
      if (!interrupted && stdout.includes(`… ${step}\n`)) {
        interrupted = true;
        child.kill('SIGINT');
      }
    });
    child.stderr!.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr, interrupted }));
  });
}

describe('Ctrl-C during devnet up leaves nothing running', { skip: dockerSkip(), timeout: 150_000 }, () => {
  // Each case on addresses and bridges of its own; the later ones run the network that far first.
  const cases = [
    { name: 'a', step: 'Registry', first: 181, app: false },
    { name: 'b', step: 'Docker engines', first: 184, app: false },
    { name: 'c', step: 'Node processes', first: 187, app: false },
    { name: 'd', step: 'Sample image', first: 231, app: true },
  ];
  let base = '';
  before(async () => {
    base = await mkdtemp('/tmp/fxdi-');
  });
  after(async () => {
    for (const { name } of cases) {
      const left = readState(path.join(base, name));
      if (left) await teardownDevnet(left);
    }
    await rm(base, { recursive: true, force: true });
  });

  for (const c of cases) {
    test(`interrupted while "${c.step}" runs`, async () => {
      const dir = path.join(base, c.name);
      const registryHost = `127.0.0.${c.first - 1}`;
      const registryPort = await freePort(registryHost);
      const run = await interruptAt(
        [
          '--dir',
          dir,
          '--nodes',
          '2',
          '--base-address',
          `127.0.0.${c.first}`,
          '--registry-port',
          String(registryPort),
          '--block-interval-ms',
          '250',
          ...(c.app ? [] : ['--no-app']),
        ],
        c.step,
      );
      assert.ok(run.interrupted, `the step began:\n${run.stdout}\n${run.stderr}`);
      assert.equal(run.code, 130, `exit code 130 (interrupted):\n${run.stdout}\n${run.stderr}`);
      assert.match(
        run.stderr,
        new RegExp(`interrupted during “${c.step}”; everything it had started was removed`),
      );
      assert.match(run.stdout, /Interrupted: removing everything started so far/);

      assert.deepEqual(leftovers(dir), []);
      assert.equal(existsSync(dir), false, 'folder removed');
      for (const i of [c.first, c.first + 1]) {
        assert.equal(bridgeExists(`fluxbr${i}`), false, `bridge fluxbr${i} removed`);
        assert.equal(await refused(`127.0.0.${i}`, 16127), true, `no API on 127.0.0.${i}`);
      }
      assert.equal(await refused(registryHost, registryPort), true, 'no registry');
    });
  }
});
