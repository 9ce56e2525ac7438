// The app part of `devnet up`: the sample image into the registry, the sample app registered on
// chain by node 1's wallet, and the wait until every instance answers HTTP where the network says.

import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { AppLocation as ApiAppLocation } from '../api/index.ts';
import {
  AppSpecError,
  DEVNET_APP_LIMITS,
  formatFromPath,
  formatIssue,
  parseAppSpec,
  validateAppSpec,
} from '../cloud/index.ts';
import { rpcOf } from './host-process.ts';
import { pending, waitFor } from './poll.ts';
import { publishSampleImage, SAMPLE_IMAGE_NAME } from './sample-image.ts';
import type { StepContext } from './step-context.ts';
import { nodeOne } from './state.ts';

export const DEFAULT_APP_SPEC = fileURLToPath(new URL('../../examples/hello-app.yaml', import.meta.url));

/** Builds the sample image on node 1's engine and pushes it to the devnet's registry. */
export async function publishImage(ctx: StepContext): Promise<string> {
  const { state } = ctx;
  const socket = nodeOne(state.nodes).dockerd.socketPath;
  if (!socket || !state.registry.address) throw new Error('the registry and node 1’s engine must run first');
  const image = await publishSampleImage(socket, state.registry.address);
  state.sampleImage = { ref: image.ref, digest: image.digest };
  ctx.save();
  return `${image.ref} (${image.digest.slice(0, 19)}…)`;
}

/** Reads the spec file and makes it ours: owner = a node 1 address, sample image = our registry's. */
export function prepareSpec(
  text: string,
  file: string,
  owner: string,
  imageRef: string,
): Record<string, unknown> {
  const raw = parseAppSpec(text, formatFromPath(file));
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new AppSpecError([{ field: '', value: raw, rule: 'type', message: `${file} must hold an object` }]);
  }
  const spec: Record<string, unknown> = { ...(raw as Record<string, unknown>), owner };
  if (Array.isArray(spec.components)) {
    spec.components = spec.components.map((c: unknown) => {
      if (typeof c !== 'object' || c === null) return c;
      const comp = c as Record<string, unknown>;
      // The sample image is referred to by name; which registry serves it is the devnet's business.
      const isSample = typeof comp.repotag === 'string' && comp.repotag.includes(`/${SAMPLE_IMAGE_NAME}:`);
      return isSample ? { ...comp, repotag: imageRef } : comp;
    });
  }
  try {
    validateAppSpec(spec, DEVNET_APP_LIMITS);
  } catch (err) {
    if (err instanceof AppSpecError) {
      throw new Error(`${file} is not a valid app spec: ${err.issues.map(formatIssue).join('; ')}`);
    }
    throw err;
  }
  return spec;
}

export async function registerSampleApp(ctx: StepContext, specFile: string): Promise<string> {
  const { state } = ctx;
  if (!state.sampleImage) throw new Error('the sample image must be published first');
  const rpc = rpcOf(state, nodeOne(state.nodes));
  const owner = await rpc.call<string>('getnewaddress', ['app owner']);
  const spec = prepareSpec(await readFile(specFile, 'utf8'), specFile, owner, state.sampleImage.ref);
  const r = await rpc.call<{ name: string; specHash: string; txid: string; price: unknown }>('registerapp', [
    spec,
  ]);
  state.app = {
    name: r.name,
    specHash: r.specHash,
    txid: r.txid,
    image: state.sampleImage.ref,
    digest: state.sampleImage.digest,
    owner,
    urls: [],
  };
  ctx.save();
  return `${r.name}, ${String(spec.instances)} instances, paid ${String(r.price)} FLUX (tx ${r.txid.slice(0, 12)}…)`;
}

/** A location as listapps gives it: the API's shape (a single `port` from older nodes accepted too). */
export type ListedLocation = Omit<ApiAppLocation, 'node'> & { node?: string; port?: number };

export interface ListedApp {
  name: string;
  instances: number;
  locations: ListedLocation[];
}

/** GET url: true when it answers 200. */
async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

/** Where a location answers: its host (a node's `ip` may carry its own port) and the app's port. */
export function locationUrl(l: ListedLocation, fallbackPort: number | undefined): string {
  const host = l.ip.includes(':') && !l.ip.startsWith('[') ? l.ip.slice(0, l.ip.lastIndexOf(':')) : l.ip;
  return `http://${host}:${l.ports?.[0] ?? l.port ?? fallbackPort}/`;
}

export function locationUrls(app: ListedApp, fallbackPort: number | undefined): string[] {
  return app.locations.map((l) => locationUrl(l, fallbackPort));
}

/** Observations in a row that must agree before the placement counts as settled. */
const SETTLED_OBSERVATIONS = 3;

/**
 * Waits until the app runs at exactly its instance count, every instance answers HTTP, and the set
 * of locations has stayed the same for a few polls: while fluxnodes are still joining the live set,
 * placement may move an instance, and a location being handed over shows up twice for a moment.
 */
export async function waitForApp(ctx: StepContext, specPort: number | undefined): Promise<string> {
  const { state } = ctx;
  const app = state.app;
  if (!app) throw new Error('the app must be registered first');
  const rpc = rpcOf(state, nodeOne(state.nodes));
  const order = (url: string) => state.nodes.findIndex((n) => new URL(url).hostname === n.host);
  let last = '';
  let seen = 0;
  const urls = await waitFor(
    `${app.name} to run and answer at every location`,
    async () => {
      const listedApps = await rpc.call<ListedApp[]>('listapps');
      const mine = listedApps.find((a) => a.name === app.name);
      if (!mine) return pending('not listed yet');
      const urls = locationUrls(mine, specPort).sort((a, b) => order(a) - order(b));
      const ok = await Promise.all(urls.map(answers));
      const up = ok.filter(Boolean).length;
      const note = `${mine.locations.length} of ${mine.instances} placed, ${up} answering`;
      ctx.update(note);
      const complete = mine.locations.length === mine.instances && up === urls.length;
      const key = urls.join(' ');
      seen = complete && key === last ? seen + 1 : complete ? 1 : 0;
      last = key;
      return seen >= SETTLED_OBSERVATIONS ? urls : pending(note);
    },
    { timeoutMs: 180_000 * ctx.patience, intervalMs: 1_000, signal: ctx.signal },
  );
  app.urls = urls;
  ctx.save();
  return urls.join('  ');
}
