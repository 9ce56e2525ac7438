/**
 * The routing mesh's cost (issue 18 item 4): requests/s and p99 latency of the sample app's page
 * through HAProxy on the app's public port, against going straight to the container's published
 * instance port, in the same run, rounds interleaved. One private dockerd, the sample image built
 * locally, the container started by the production runtime (`mesh: true`) and the mesh by the
 * production RoutingMesh; the load comes from Debian's wrk over kept-alive connections, as
 * browsers and API clients use them. Goal: the mesh keeps ≥ 80 % of direct throughput. Needs root and scripts/setup-host.sh's packages (docker.io, busybox-static, haproxy, wrk).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { RoutingMesh } from '../src/cloud/mesh/mesh.ts';
import { requireHaproxy } from '../src/cloud/mesh/haproxy.ts';
import { instancePort } from '../src/cloud/mesh/ports.ts';
import { DockerRuntime } from '../src/cloud/runtime/docker-runtime.ts';
import { type Dockerd, requireTool, startDockerd } from '../src/devnet/dockerd.ts';
import { buildSampleImage } from '../src/devnet/sample-image.ts';
import { type Benchmark, median } from './harness.ts';

const execFileAsync = promisify(execFile);
// Clear of the tests' and the devnet bench's addresses (see devnet-bench-support.ts).
const HOST = '127.0.0.147';
const BRIDGE = 147;
const PORT = 31000;
const ROUNDS = 5;
// Eight connections: a busy client's worth. The sample app (busybox httpd, a fork per connection and a
// listen backlog of 9) drops SYNs past that, direct or not, and its p99 becomes TCP's 1 s retransmit.
const WRK = ['-t2', '-c8', '-d3s', '--latency'];
const quiet = { debug() {}, info() {}, warn() {} };

interface Round {
  rps: number;
  p99ms: number;
}

let figures: { direct: Round; mesh: Round } | undefined;

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

async function measure(): Promise<void> {
  const haproxy = requireHaproxy();
  const base = await mkdtemp('/tmp/fxbmesh-');
  let dockerd: Dockerd | undefined;
  let mesh: RoutingMesh | undefined;
  try {
    dockerd = await startDockerd({ name: 'fxbmesh', dir: path.join(base, 'docker'), bridgeIndex: BRIDGE });
    const image = 'fluxbench.invalid/flux/hello:1';
    await buildSampleImage(dockerd.socketPath, image);
    const runtime = new DockerRuntime({
      socketPath: dockerd.socketPath,
      node: { nodeId: 'bench', hostIp: HOST, nodeDir: path.join(base, 'node'), mesh: true },
    });
    await runtime.createAndStart(
      { name: 'hello', specHash: 'bench' },
      {
        name: 'web',
        image,
        ports: [PORT],
        containerPorts: [8080],
        env: ['PORT=8080'],
        commands: [],
        containerData: '',
        cpu: 1,
        ram: 128,
        hdd: 1,
      },
    );
    const server = { node: 'bench', address: HOST, port: instancePort(PORT), own: true };
    mesh = new RoutingMesh(
      { binary: haproxy, dir: base, bind: HOST },
      {
        view: () => ({
          listeners: [{ app: 'hello', component: 'web', port: PORT, servers: [server] }],
          shadowed: [],
        }),
        log: quiet,
        metrics: null,
      },
    );
    await mesh.reconcile();
    const direct = `http://${HOST}:${instancePort(PORT)}/`;
    const meshed = `http://${HOST}:${PORT}/`;
    await wrk(direct); // warm-up: the first connections fork the httpd's workers
    const rounds = { direct: [] as Round[], mesh: [] as Round[] };
    for (let r = 0; r < ROUNDS; r++) {
      rounds.direct.push(await wrk(direct));
      rounds.mesh.push(await wrk(meshed));
    }
    const med = (rs: Round[]): Round => ({
      rps: median(rs.map((x) => x.rps)),
      p99ms: median(rs.map((x) => x.p99ms)),
    });
    figures = { direct: med(rounds.direct), mesh: med(rounds.mesh) };
  } finally {
    await mesh?.close();
    await dockerd?.stop();
    await rm(base, { recursive: true, force: true });
  }
}

function figure(pick: (f: NonNullable<typeof figures>) => number): number {
  if (!figures) throw new Error('the mesh measurement did not run');
  return pick(figures);
}

const row = (
  name: string,
  unit: string,
  target: string,
  fn: () => number,
  setup?: () => Promise<void>,
): Benchmark => ({
  name,
  unit,
  target,
  trials: 1,
  reportsFigure: true,
  ...(setup ? { setup } : {}),
  run: fn,
});

export const benchmarks: Benchmark[] = [
  row(
    'mesh: straight to the container (instance port)',
    'req/s',
    'reference',
    () => figure((f) => f.direct.rps),
    measure,
  ),
  row('mesh: through HAProxy on the app port', 'req/s', '≥ 80 % of direct', () => figure((f) => f.mesh.rps)),
  row('mesh: throughput through the mesh / direct', '%', '≥ 80 %', () =>
    figure((f) => (100 * f.mesh.rps) / f.direct.rps),
  ),
  row('mesh: p99 latency straight to the container', 'ms', 'reference', () => figure((f) => f.direct.p99ms)),
  row('mesh: p99 latency through HAProxy', 'ms', 'close to direct', () => figure((f) => f.mesh.p99ms)),
];
