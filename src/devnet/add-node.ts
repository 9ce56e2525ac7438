// `devnet add`: one more node joining a running devnet, the way a new operator joins: its own
// address, Docker engine and data folder, first contact through one live peer, its collateral paid
// from the miners' wallet, then announced as a fluxnode. It learns the chain, the fluxnode list and
// every app from the network itself.

import type { Tier } from '../consensus/index.ts';
import path from 'node:path';
import { formatFluxShort, fluxToSats, satsToFluxNumber } from './amounts.ts';
import { collateralOf, FEE_MARGIN } from './chain-steps.ts';
import { startEngine, startNodeProcess } from './engines.ts';
import { rpcOf } from './host-process.ts';
import { DevnetConfigError, devnetLocation, MAX_NODES } from './layout.ts';
import { createNodeNetns, nodeNetnsOf } from './netns.ts';
import { nodeRunning } from './node-control.ts';
import { pending, waitFor } from './poll.ts';
import { retryAnswered } from './step-context.ts';
import { type DevnetState, findNode, type NodeState, writeState } from './state.ts';

export interface AddNodeOptions {
  tier?: Tier;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface AddNodeResult {
  node: string;
  host: string;
  tier: Tier;
  collateral: string;
  /** What was done, in order, with how long each took. */
  steps: { name: string; ms: number }[];
}

/** The next node's place: the address after the highest one, its folders beside the others'. */
export function nextNode(state: DevnetState, tier: Tier): NodeState {
  if (state.nodes.length >= MAX_NODES) {
    throw new DevnetConfigError('nodes', state.nodes.length + 1, `a devnet holds at most ${MAX_NODES} nodes`);
  }
  const last = state.nodes.reduce((a, b) => (b.index > a.index ? b : a));
  const octets = last.host.split('.').map(Number);
  const octet = Number(octets[3]) + 1;
  if (octet > 254)
    throw new DevnetConfigError('address', octet, 'no address left after the last node (.254)');
  const index = last.index + 1;
  const name = `node${index}`;
  const dataDir = path.join(state.dir, name);
  return {
    index,
    name,
    host: `${octets[0]}.${octets[1]}.${octets[2]}.${octet}`,
    p2pPort: last.p2pPort,
    apiPort: last.apiPort,
    rpcPort: last.rpcPort,
    tier,
    geolocation: devnetLocation(index),
    dataDir,
    logFile: path.join(dataDir, 'node.log'),
    dockerd: { name, dir: path.join(state.dir, 'docker', name), bridgeIndex: octet },
  };
}

/** Starts one more node (bootstrapped to a live one), funds it, and confirms it as a fluxnode. */
export async function addNode(state: DevnetState, opts: AddNodeOptions = {}): Promise<AddNodeResult> {
  const timeoutMs = opts.timeoutMs ?? 180_000;
  const wallet = findNode(state, state.miner.node);
  if (!nodeRunning(wallet))
    throw new Error(`${wallet.name} holds the devnet's funds and must run to pay a new node`);
  const peers = state.nodes.filter(nodeRunning);
  const node = nextNode(state, opts.tier ?? 'cumulus');
  // Recorded before anything exists, so `devnet down` removes it whatever happens next.
  state.nodes.push(node);
  state.tiers[node.tier] += 1;
  const save = () => writeState(state);
  save();
  const steps: AddNodeResult['steps'] = [];
  const step = async (name: string, run: () => Promise<void>) => {
    const t0 = Date.now();
    await run();
    steps.push({ name, ms: Date.now() - t0 });
  };
  const netns = state.netns;
  if (netns) {
    node.dockerd.netns = nodeNetnsOf(node.host).name;
    save();
    await step('network namespace', () => createNodeNetns(netns, nodeNetnsOf(node.host)));
  }
  await step('engine', () => startEngine(state, node, save));
  await step('node process', () =>
    startNodeProcess(state, node, {
      restart: false,
      bootstrap: peers.map((p) => `${p.host}:${p.p2pPort}`),
      save,
      signal: opts.signal,
      timeoutMs: 60_000,
    }),
  );
  await step('funded', () => fund(state, wallet, node, { timeoutMs, signal: opts.signal }));
  await step('confirmed', () => announce(state, node, { timeoutMs, signal: opts.signal }));
  return { node: node.name, host: node.host, tier: node.tier, collateral: node.collateral!, steps };
}

async function fund(
  state: DevnetState,
  wallet: NodeState,
  node: NodeState,
  opts: { timeoutMs: number; signal?: AbortSignal },
): Promise<void> {
  const amount = collateralOf(node) + FEE_MARGIN;
  const rpc = rpcOf(state, node);
  const address = await rpc.call<string>('getnewaddress', ['collateral']);
  await retryAnswered(
    `${wallet.name} to pay ${node.name} ${formatFluxShort(amount)} FLUX`,
    () => rpcOf(state, wallet).call<string>('sendtoaddress', [address, satsToFluxNumber(amount)]),
    { timeoutMs: opts.timeoutMs, intervalMs: 1_000, signal: opts.signal },
  );
  await waitFor(
    `${node.name} to hold its collateral`,
    async () => {
      const balance = fluxToSats(await rpc.call('getbalance'));
      return balance >= amount ? true : pending(`${formatFluxShort(balance)} FLUX`);
    },
    { timeoutMs: opts.timeoutMs, intervalMs: 500, signal: opts.signal },
  );
}

async function announce(
  state: DevnetState,
  node: NodeState,
  opts: { timeoutMs: number; signal?: AbortSignal },
): Promise<void> {
  const rpc = rpcOf(state, node);
  const made = await retryAnswered(
    `${node.name} to lock its ${node.tier} collateral`,
    () => rpc.call<{ collateral: string }>('createfluxnode', [node.tier]),
    { timeoutMs: opts.timeoutMs, intervalMs: 1_000, signal: opts.signal },
  );
  node.collateral = made.collateral;
  writeState(state);
  await retryAnswered(
    `${node.name} to start as a fluxnode`,
    () => rpc.call('startfluxnode', [node.collateral]),
    {
      timeoutMs: opts.timeoutMs,
      intervalMs: 1_000,
      signal: opts.signal,
    },
  );
  await waitFor(
    `${node.name} to be a confirmed fluxnode`,
    async () => {
      const s = await rpc.call<{ status: string }>('getfluxnodestatus');
      return s.status.toLowerCase() === 'confirmed' ? true : pending(s.status);
    },
    { timeoutMs: opts.timeoutMs, intervalMs: 500, signal: opts.signal },
  );
}
