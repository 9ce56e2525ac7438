/**
 * The routing mesh's cost (issue 18 item 4): requests/s and p99 latency of the sample app's page
 * through HAProxy on the app's public port, against going straight to the container's published
 * port, in the same run, rounds interleaved. One private dockerd, the sample image built locally,
 * the container started by the production runtime (`mesh: true`) and two production RoutingMeshes:
 * the hosting node's (its own instance, reached at the container's address on the app network) and
 * a node's without an instance (reaching it at the instance port, as every other node does). The
 * load comes from Debian's wrk over kept-alive connections, as browsers and API clients use them.
 * Goal: the mesh keeps ≥ 80 % of direct throughput. Needs root and scripts/setup-host.sh's packages
 * (docker.io, busybox-static, haproxy, wrk).
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { requireHaproxy } from '../src/cloud/mesh/haproxy.ts';
import { RoutingMesh } from '../src/cloud/mesh/mesh.ts';
import { instancePort } from '../src/cloud/mesh/ports.ts';
import type { MeshServer } from '../src/cloud/mesh/view.ts';
import { DockerRuntime } from '../src/cloud/runtime/docker-runtime.ts';
import { type Dockerd, requireTool, startDockerd } from '../src/devnet/dockerd.ts';
import { buildSampleImage } from '../src/devnet/sample-image.ts';
import { type Benchmark, figureRow as row, median } from './harness.ts';

const execFileAsync = promisify(execFile);
// Clear of the tests' and the devnet bench's addresses (see devnet-bench-support.ts).
const HOST = '127.0.0.147';
const OTHER = '127.0.0.146';
const BRIDGE = 147;
const PORT = 31000;
const ROUNDS = 9;
// Eight connections: a busy client's worth. The sample app (busybox httpd, a fork per connection and a
// listen backlog of 9) drops SYNs past that, direct or not, and its p99 becomes TCP's 1 s retransmit.
const WRK = ['-t2', '-c8', '-d2s', '--latency'];
const quiet = { debug() {}, info() {}, warn() {} };

interface Round {
  rps: number;
  p99ms: number;
}
type Path = 'direct' | 'own' | 'remote';
const PATHS: readonly Path[] = ['direct', 'own', 'remote'];

let figures: Record<Path, Round> & { ownRatio: number; remoteRatio: number };

/** Requests/s and p99 latency (ms) from wrk's --latency report. */
export function parseWrk(out: string): Round {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out)?.[1];
  const p99 = /\s99%\s+([\d.]+)(us|ms|s)\b/.exec(out);
  if (!rps || !p99?.[1]) throw new Error(`wrk printed no figures: ${out.slice(0, 200)}`);
  const scale = p99[2] === 'us' ? 1e-3 : p99[2] === 's' ? 1e3 : 1;
  return { rps: Number(rps), p99ms: Number(p99[1]) * scale };
}

async function wrk(url: string): Promise<Round> {
  const { stdout } = await execFileAsync(requireTool('wrk'), [...WRK, url], { timeout: 30_000 });
  return parseWrk(stdout);
}

function meshOn(bind: string, dir: string, server: MeshServer): RoutingMesh {
  const listeners = [{ app: 'hello', component: 'web', port: PORT, servers: [server] }];
  return new RoutingMesh(
    { binary: requireHaproxy(), dir, bind },
    { view: () => ({ listeners, shadowed: [] }), log: quiet, metrics: null },
  );
}

async function startApp(base: string, dockerd: Dockerd): Promise<string> {
  const image = 'fluxbench.invalid/flux/hello:1';
  await buildSampleImage(dockerd.socketPath, image);
  const runtime = new DockerRuntime({
    socketPath: dockerd.socketPath,
    node: { nodeId: 'bench', hostIp: HOST, nodeDir: path.join(base, 'node'), mesh: true },
  });
  const web = { name: 'web', image, ports: [PORT], containerPorts: [8080], env: ['PORT=8080'] };
  await runtime.createAndStart(
    { name: 'hello', specHash: 'bench' },
    { ...web, commands: [], containerData: '', cpu: 1, ram: 128, hdd: 1 },
  );
  const ip = (await runtime.listManagedContainers())[0]?.ip;
  if (!ip) throw new Error('the container has no address on its app network');
  return ip;
}

async function measure(): Promise<void> {
  const base = await mkdtemp('/tmp/fxbmesh-');
  let dockerd: Dockerd | undefined;
  const meshes: RoutingMesh[] = [];
  try {
    dockerd = await startDockerd({ name: 'fxbmesh', dir: path.join(base, 'docker'), bridgeIndex: BRIDGE });
    const ip = await startApp(base, dockerd);
    await Promise.all(['own', 'remote'].map((d) => mkdir(path.join(base, d))));
    meshes.push(meshOn(HOST, path.join(base, 'own'), { node: 'self', address: ip, port: 8080, own: true }));
    const viaInstancePort = { node: 'host', address: HOST, port: instancePort(PORT), own: false };
    meshes.push(meshOn(OTHER, path.join(base, 'remote'), viaInstancePort));
    for (const m of meshes) await m.reconcile();
    const url: Record<Path, string> = {
      direct: `http://${HOST}:${instancePort(PORT)}/`,
      own: `http://${HOST}:${PORT}/`,
      remote: `http://${OTHER}:${PORT}/`,
    };
    await wrk(url.direct); // warm-up
    const rounds: Record<Path, Round[]> = { direct: [], own: [], remote: [] };
    for (let r = 0; r < ROUNDS; r++) {
      // Each round in another order, so a slow moment of the machine does not always hit one path.
      const order = r % 2 ? [...PATHS].reverse() : PATHS;
      for (const p of order) rounds[p].push(await wrk(url[p]));
      const show = PATHS.map(
        (p) => `${p} ${Math.round(rounds[p][r]?.rps ?? 0)}/s p99 ${rounds[p][r]?.p99ms} ms`,
      );
      process.stderr.write(`  round ${r + 1}: ${show.join(', ')}\n`);
    }
    const med = (rs: Round[]): Round => ({
      rps: median(rs.map((x) => x.rps)),
      p99ms: median(rs.map((x) => x.p99ms)),
    });
    const ratio = (p: Path) => median(rounds[p].map((x, i) => (100 * x.rps) / (rounds.direct[i]?.rps ?? 1)));
    figures = {
      direct: med(rounds.direct),
      own: med(rounds.own),
      remote: med(rounds.remote),
      ownRatio: ratio('own'),
      remoteRatio: ratio('remote'),
    };
  } finally {
    for (const m of meshes) await m.close();
    await dockerd?.stop();
    await rm(base, { recursive: true, force: true });
  }
}

function figure(pick: (f: typeof figures) => number): number {
  if (!figures) throw new Error('the mesh measurement did not run');
  return pick(figures);
}

export const benchmarks: Benchmark[] = [
  row(
    'mesh: straight to the container (published port)',
    'req/s',
    'reference',
    () => figure((f) => f.direct.rps),
    measure,
  ),
  row('mesh: through the hosting node’s mesh', 'req/s', '', () => figure((f) => f.own.rps)),
  row('mesh: through a node without an instance', 'req/s', '', () => figure((f) => f.remote.rps)),
  row('mesh: hosting node’s mesh / direct (median of rounds)', '%', '≥ 80 %', () =>
    figure((f) => f.ownRatio),
  ),
  row('mesh: other node’s mesh / direct (median of rounds)', '%', '≥ 80 %', () =>
    figure((f) => f.remoteRatio),
  ),
  row('mesh: p99 straight to the container', 'ms', 'reference', () => figure((f) => f.direct.p99ms)),
  row('mesh: p99 through the hosting node’s mesh', 'ms', '', () => figure((f) => f.own.p99ms)),
  row('mesh: p99 through a node without an instance', 'ms', '', () => figure((f) => f.remote.p99ms)),
];
