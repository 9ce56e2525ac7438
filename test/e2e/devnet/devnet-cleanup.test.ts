// Real daemons, no mocks: the devnet's registry and per-node Docker engines started the way
// `devnet up` starts them, an app container running on one of them, then a teardown driven by the
// state file alone — after a crash, and with a pid the state never got to record. Nothing may be
// left: no process (checked by pid and by command line), container, mount, cgroup, bridge or folder.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Docker from 'dockerode';
import { DockerRuntime } from '../../../src/cloud/runtime/docker-runtime.ts';
import { publishImage } from '../../../src/devnet/app-steps.ts';
import { processAlive, requireTool } from '../../../src/devnet/dockerd.ts';
import { startDevnetRegistry, startEngines } from '../../../src/devnet/engines.ts';
import { planDevnet } from '../../../src/devnet/layout.ts';
import { type DevnetState, initialState, readState, writeState } from '../../../src/devnet/state.ts';
import type { StepContext } from '../../../src/devnet/step-context.ts';
import { teardownDevnet } from '../../../src/devnet/teardown.ts';
import { cgroupsNamed, dockerSkip, fetchText, freePort, leftovers, refused } from './docker-fixture.ts';
import { at } from '../../support/at.ts';

// Addresses and bridges of their own (fluxbr171, fluxbr172), clear of a devnet on .11.. and of
// the other Docker tests.
const BASE = '127.0.0.171';

function bridgeExists(name: string): boolean {
  try {
    execFileSync(requireTool('ip'), ['link', 'show', name], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('devnet teardown from the state file', { skip: dockerSkip(), timeout: 120_000 }, () => {
  let base = '';
  let dir = '';
  let state: DevnetState;
  let appPid = 0;
  let appUrl = '';

  before(async () => {
    base = await mkdtemp('/tmp/fxdn-');
    dir = path.join(base, 'devnet');
    const tiers = { cumulus: 2, nimbus: 0, stratus: 0 };
    const layout = planDevnet({
      dir,
      nodes: 2,
      tiers,
      baseAddress: BASE,
      registryPort: await freePort('127.0.0.170'),
    });
    state = initialState(layout, tiers, 1000);
    writeState(state);
  });

  after(async () => {
    // Only matters when a test failed half-way; a passing run has removed everything already.
    const left = readState(dir);
    if (left) await teardownDevnet(left);
    await rm(base, { recursive: true, force: true });
  });

  test('the registry and one engine per node start and are recorded as they start', async () => {
    const save = () => writeState(state);
    await startDevnetRegistry(state, save);
    await startEngines(state, save);
    const saved = readState(dir)!;
    assert.ok(saved.registry.pid && processAlive(saved.registry.pid));
    assert.equal(saved.registry.address, `127.0.0.170:${state.registry.port}`);
    for (const n of saved.nodes) {
      assert.ok(n.dockerd.pid && processAlive(n.dockerd.pid), `${n.name} engine pid recorded`);
      assert.equal(n.dockerd.socketPath, path.join(dir, 'docker', n.name, 'docker.sock'));
      assert.ok(await new Docker({ socketPath: n.dockerd.socketPath }).ping());
      assert.ok(bridgeExists(`fluxbr${n.dockerd.bridgeIndex}`));
    }
  });

  test('the sample image goes to the registry and runs on node 2, answering on its address', async () => {
    const ctx: StepContext = { state, update: () => {}, save: () => writeState(state), patience: 1 };
    await publishImage(ctx);
    assert.equal(readState(dir)?.sampleImage?.ref, `${state.registry.address}/flux/hello:1`);
    const n2 = at(state.nodes, 1);
    const runtime = new DockerRuntime({
      socketPath: n2.dockerd.socketPath!,
      node: { nodeId: n2.name, hostIp: n2.host, nodeDir: n2.dataDir },
    });
    await runtime.pullImage(state.sampleImage!.ref);
    const port = await freePort(n2.host);
    const started = await runtime.createAndStart(
      { name: 'hello', specHash: 'c0ffee' },
      {
        name: 'web',
        image: state.sampleImage!.ref,
        ports: [port],
        containerPorts: [8080],
        env: ['PORT=8080'],
        commands: [],
        containerData: '/www',
        cpu: 0.1,
        ram: 64,
        hdd: 1,
      },
    );
    appPid = (await runtime.docker.getContainer(started.id).inspect()).State.Pid;
    appUrl = `http://${n2.host}:${port}/`;
    assert.match(await fetchText(appUrl), /hello from node2/);
  });

  test('after a crash of node 1’s engine and a lost registry pid, down still removes everything', async () => {
    const n1 = at(state.nodes, 0);
    const recorded = {
      registry: state.registry.pid!,
      engines: state.nodes.map((n) => n.dockerd.pid!),
      sockets: state.nodes.map((n) => n.dockerd.socketPath!),
    };
    // A crash: node 1's dockerd dies without cleaning anything up.
    process.kill(n1.dockerd.pid!, 'SIGKILL');
    // An interrupt between spawn and state write: the state never learnt the registry's pid.
    const s = readState(dir)!;
    s.registry.pid = undefined;
    writeState(s);

    const report = await teardownDevnet(readState(dir)!);
    assert.deepEqual(report.problems, []);
    assert.equal(report.removed, true);

    for (const pid of [recorded.registry, ...recorded.engines, appPid]) {
      assert.equal(processAlive(pid), false, `pid ${pid} is gone`);
    }
    assert.equal(
      await refused(at(state.nodes, 1).host, Number(new URL(appUrl).port)),
      true,
      'app port closed',
    );
    assert.equal(await refused('127.0.0.170', state.registry.port), true, 'registry port closed');
    for (const socket of recorded.sockets) {
      await assert.rejects(
        new Docker({ socketPath: socket, timeout: 1_000 }).ping(),
        `${socket} answers no more`,
      );
    }
    for (const n of state.nodes) {
      assert.equal(bridgeExists(`fluxbr${n.dockerd.bridgeIndex}`), false, `bridge of ${n.name} deleted`);
      assert.deepEqual(cgroupsNamed(`fluxnode${n.dockerd.bridgeIndex}-${n.name}`), []);
    }
    assert.deepEqual(leftovers(dir), []);
    assert.equal(existsSync(dir), false);
  });

  test('down again is harmless: there is nothing left to find', async () => {
    assert.equal(readState(dir), undefined);
    const report = await teardownDevnet(state);
    assert.deepEqual(report.problems, []);
    assert.deepEqual(report.stopped, []);
    assert.equal(existsSync(dir), false);
  });
});
