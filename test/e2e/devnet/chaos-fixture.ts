/**
 * What the chaos tests look at after each blow: one snapshot of every live node (tip, peers, where it
 * says the app runs, the app containers its own engine runs) and the app's answers over HTTP, and
 * the invariants a decentralized cloud must keep: every live node agrees on the app's locations,
 * exactly N instances answer, no node runs two instances of one app, and all tips are equal.
 */
import Docker from 'dockerode';
import { type ListedLocation, locationUrl } from '../../../src/devnet/app-steps.ts';
import { rpcOf } from '../../../src/devnet/host-process.ts';
import { nodeRunning } from '../../../src/devnet/node-control.ts';
import type { DevnetState, NodeState } from '../../../src/devnet/state.ts';
import { LABEL_APP } from '../../../src/cloud/runtime/labels.ts';
import { at, tuple } from '../../support/at.ts';

export interface NodeView {
  name: string;
  tip: string;
  height: number;
  peers: number;
  /** `node@ip` of each location this node's API lists, sorted. */
  locations: string[];
  /** Running containers of the app on this node's own engine. */
  containers: number;
}

export interface Snapshot {
  nodes: NodeView[];
  /** Locations (as the first live node lists them) whose instance answers with its own page. */
  answering: number;
}

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { signal: AbortSignal.timeout(3_000) });
  if (!res.ok) throw new Error(`GET ${url}: ${res.status}`);
  return (await res.json()) as T;
}

async function viewOf(state: DevnetState, n: NodeState, app: string): Promise<NodeView> {
  const rpc = rpcOf(state, n, 3_000);
  const [tip, height, peers, locations, containers] = await Promise.all([
    rpc.call<string>('getbestblockhash'),
    rpc.call<number>('getblockcount'),
    rpc.call<number>('getconnectioncount'),
    getJson<ListedLocation[]>(`http://${n.host}:${n.apiPort}/apps/${app}/locations`).catch(() => []),
    new Docker({ socketPath: n.dockerd.socketPath, timeout: 3_000 })
      .listContainers({ filters: { label: [`${LABEL_APP}=${app}`] } })
      .then((l) => l.length),
  ]);
  const keys = locations.map((l) => `${l.node}@${l.ip}`).sort();
  return { name: n.name, tip, height, peers, locations: keys, containers };
}

/** True when the instance at `l` answers with the page of the node the location names. */
async function answersAsItself(l: ListedLocation, port: number): Promise<boolean> {
  try {
    const res = await fetch(locationUrl(l, port), { signal: AbortSignal.timeout(2_000) });
    return res.status === 200 && (await res.text()).includes(`hello from ${l.node}`);
  } catch {
    return false;
  }
}

export async function snapshot(state: DevnetState, app: string, port: number): Promise<Snapshot> {
  const live = state.nodes.filter(nodeRunning);
  const nodes = await Promise.all(live.map((n) => viewOf(state, n, app)));
  const first = at(live, 0);
  const listed = await getJson<ListedLocation[]>(
    `http://${first.host}:${first.apiPort}/apps/${app}/locations`,
  );
  const answers = await Promise.all(listed.map((l) => answersAsItself(l, port)));
  return { nodes, answering: answers.filter(Boolean).length };
}

/** What is wrong with the cloud in `s` (undefined when nothing is). */
export function cloudProblem(s: Snapshot, instances: number): string | undefined {
  const [first] = tuple(s.nodes, 1);
  const disagree = s.nodes.filter((n) => n.locations.join() !== first.locations.join());
  if (disagree.length > 0)
    return `locations differ: ${s.nodes.map((n) => `${n.name} [${n.locations}]`).join('; ')}`;
  if (first.locations.length !== instances) return `${first.locations.length} of ${instances} placed`;
  const doubled = s.nodes.filter((n) => n.containers > 1);
  if (doubled.length > 0) return `two instances on one node: ${doubled.map((n) => n.name).join(', ')}`;
  const running = s.nodes.reduce((sum, n) => sum + n.containers, 0);
  if (running !== instances) return `${running} containers run, not ${instances}`;
  if (s.answering !== instances) return `${s.answering} of ${instances} instances answer`;
  return undefined;
}

export function chainProblem(s: Snapshot): string | undefined {
  const tips = new Set(s.nodes.map((n) => n.tip));
  return tips.size === 1
    ? undefined
    : `tips differ: ${s.nodes.map((n) => `${n.name} h${n.height}`).join(', ')}`;
}

/** Polls until `problem` finds nothing; returns the snapshot and the ms it took; fails naming the last problem. */
export async function settle(
  what: string,
  take: () => Promise<Snapshot>,
  problem: (s: Snapshot) => string | undefined,
  timeoutMs: number,
): Promise<{ snapshot: Snapshot; ms: number }> {
  const t0 = Date.now();
  let last = '';
  for (;;) {
    try {
      const s = await take();
      const p = problem(s);
      if (p === undefined) return { snapshot: s, ms: Date.now() - t0 };
      last = p;
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() - t0 > timeoutMs)
      throw new Error(`${what}: not within ${timeoutMs / 1000} s (last: ${last})`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Both the cloud and the chain are whole. */
export function wholeProblem(instances: number): (s: Snapshot) => string | undefined {
  return (s) => chainProblem(s) ?? cloudProblem(s, instances);
}
