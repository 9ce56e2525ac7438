/**
 * Shared by the replicated-data test (appdata.test.ts) and its benchmark (bench/appdata.bench.ts):
 * registering a sample app whose data folder has an `s:`/`r:`/`g:` prefix, reading an instance's
 * data folder straight from its node's disk, and the app's locations as the REST API lists them.
 * Not a test file itself.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_APP_SPEC, prepareSpec } from '../../../src/devnet/app-steps.ts';
import type { NodeRpc } from '../../../src/devnet/rpc-client.ts';
import type { NodeState } from '../../../src/devnet/state.ts';

export interface DataApp {
  name: string;
  port: number;
  txid: string;
}

/** The sample app with `<mode>:/www` as its data, counting seconds into /www/counter when `counter`. */
export async function registerDataApp(
  rpc: NodeRpc,
  image: string,
  o: { name: string; port: number; mode: 's' | 'r' | 'g'; counter?: boolean },
): Promise<DataApp> {
  const owner = await rpc.call<string>('getnewaddress', ['data app owner']);
  const spec = prepareSpec(readFileSync(DEFAULT_APP_SPEC, 'utf8'), DEFAULT_APP_SPEC, owner, image);
  spec.name = o.name;
  spec.components = (spec.components as Record<string, unknown>[]).map((c) => ({
    ...c,
    ports: [o.port],
    containerData: `${o.mode}:/www`,
    environmentParameters: ['PORT=8080', ...(o.counter ? ['COUNTER=counter'] : [])],
  }));
  const r = await rpc.call<{ name: string; txid: string }>('registerapp', [spec]);
  return { name: r.name, port: o.port, txid: r.txid };
}

/** A file of the instance's data folder on `node` (the folder its container has at /www). */
export function dataFile(node: NodeState, app: string, file: string): string {
  return path.join(node.dataDir, 'appdata', app, 'web', file);
}

/** The counter in the instance's data folder on `node` (undefined when there is none yet). */
export function counterOn(node: NodeState, app: string): number | undefined {
  try {
    const n = Number.parseInt(readFileSync(dataFile(node, app, 'counter'), 'utf8'), 10);
    return Number.isFinite(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

/** `node value` lines: where each start of the counting container began from. */
export function startsOn(node: NodeState, app: string): { node: string; from: number }[] {
  try {
    return readFileSync(dataFile(node, app, 'starts'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        const [who = '', from = ''] = l.split(' ');
        return { node: who, from: Number(from) };
      });
  } catch {
    return [];
  }
}

export interface DataLocation {
  node: string;
  ip: string;
  state?: string;
  data?: { component: string; mode: string; role: string; needBytes: number; inSync: boolean }[];
}

export async function dataLocations(from: NodeState, app: string): Promise<DataLocation[]> {
  const res = await fetch(`http://${from.host}:${from.apiPort}/apps/${app}/locations`, {
    signal: AbortSignal.timeout(3_000),
  });
  if (!res.ok) throw new Error(`GET /apps/${app}/locations on ${from.name}: HTTP ${res.status}`);
  return (await res.json()) as DataLocation[];
}

/** The node a location names, among the devnet's. */
export function nodeOf(nodes: readonly NodeState[], l: DataLocation): NodeState {
  const n = nodes.find((x) => x.collateral === l.node);
  if (!n) throw new Error(`no devnet node has collateral ${l.node}`);
  return n;
}
