// The chain part of `devnet up`, all through each node's JSON-RPC: peers, mining, funding every
// node's collateral from node 1's coinbase, and starting every node as a fluxnode of its tier.

import { devnet } from '../consensus/index.ts';
import { fluxToSats, formatFluxShort, satsToFluxNumber } from './amounts.ts';
import { minerNodes } from './engines.ts';
import { rpcOf } from './host-process.ts';
import { pending, waitFor } from './poll.ts';
import { retryAnswered, type StepContext } from './step-context.ts';
import type { NodeState } from './state.ts';
import { nodeOne } from './state.ts';

/** Each funded node gets its collateral plus this, for the fees of its collateral and START txs. */
export const FEE_MARGIN = 100_000_000n;

export function collateralOf(node: NodeState): bigint {
  return devnet.fluxnodes.collateral[node.tier].after;
}

/** What node 1 must hold before it can fund every node (its own collateral included). */
export function fundsNeeded(nodes: NodeState[]): bigint {
  return nodes.reduce((sum, n) => sum + collateralOf(n) + FEE_MARGIN, 0n);
}

/** Every node sees at least 3 peers (all the others on a smaller devnet): the mesh, not a star. */
export async function waitForPeers(ctx: StepContext): Promise<string> {
  const { state } = ctx;
  const want = (_i: number) => Math.min(3, state.nodes.length - 1);
  const counts = await waitFor(
    'every node to connect to its peers',
    async () => {
      const seen = await Promise.all(
        state.nodes.map((n) => rpcOf(state, n, 5_000).call<number>('getconnectioncount')),
      );
      ctx.update(seen.map((c, i) => `${state.nodes[i]?.name}: ${c}`).join(', '));
      return seen.every((c, i) => c >= want(i)) ? seen : pending(`peers ${seen.join(', ')}`);
    },
    { timeoutMs: 60_000 * ctx.patience, intervalMs: 250, signal: ctx.signal },
  );
  return `peers per node: ${counts.join(', ')}`;
}

/**
 * The miners (node 1 and node 2) mine to a fresh address of node 1's wallet until its first coinbase
 * is spendable; with two miners the chain goes on when either dies.
 */
export async function startMining(ctx: StepContext): Promise<string> {
  const { state } = ctx;
  const first = nodeOne(state.nodes);
  const rpc = rpcOf(state, first);
  if (!state.miner.address) {
    state.miner.address = await rpc.call<string>('getnewaddress', ['miner']);
    ctx.save();
  }
  for (const n of minerNodes(state)) await rpcOf(state, n).call('setgenerate', [true, state.miner.address]);
  const target = devnet.coinbaseMaturity + 1;
  const height = await waitFor(
    `height ${target} (coinbase maturity)`,
    async () => {
      const h = await rpc.call<number>('getblockcount');
      ctx.update(`height ${h} of ${target}`);
      return h >= target ? h : pending(`height ${h}`);
    },
    { timeoutMs: 120_000 * ctx.patience, intervalMs: 250, signal: ctx.signal },
  );
  const names = minerNodes(state).map((n) => n.name);
  return `${names.join(' and ')} mine to ${state.miner.address}; height ${height}`;
}

/**
 * Waits until node 1 holds every node's collateral (plus fees), then sends each other node its
 * share and waits until every share is spendable there.
 */
export async function fundNodes(ctx: StepContext): Promise<string> {
  const { state } = ctx;
  const [, ...others] = state.nodes;
  const first = nodeOne(state.nodes);
  const rpc1 = rpcOf(state, first);
  const needed = fundsNeeded(state.nodes);
  await waitFor(
    `node1 to hold ${formatFluxShort(needed)} FLUX`,
    async () => {
      const [balance, height] = await Promise.all([
        rpc1.call('getbalance').then(fluxToSats),
        rpc1.call<number>('getblockcount'),
      ]);
      ctx.update(`height ${height}, ${formatFluxShort(balance)} of ${formatFluxShort(needed)} FLUX`);
      return balance >= needed ? balance : pending(`${formatFluxShort(balance)} FLUX at height ${height}`);
    },
    { timeoutMs: 900_000 * ctx.patience, intervalMs: 500, signal: ctx.signal },
  );

  let sent = 0n;
  for (const node of others) {
    const rpc = rpcOf(state, node);
    const amount = collateralOf(node) + FEE_MARGIN;
    const before = fluxToSats(await rpc.call('getbalance'));
    if (before >= amount) continue; // funded by an earlier, interrupted attempt
    const address = await rpc.call<string>('getnewaddress', ['collateral']);
    ctx.update(`sending ${formatFluxShort(amount)} FLUX to ${node.name}`);
    // Node 1's change is unconfirmed between sends; it answers with an error until it can pay.
    await retryAnswered(
      `node1 to pay ${node.name}`,
      () => rpc1.call<string>('sendtoaddress', [address, satsToFluxNumber(amount)]),
      { timeoutMs: 120_000 * ctx.patience, intervalMs: 1_000, signal: ctx.signal },
    );
    sent += amount;
  }
  await waitFor(
    'every node to hold its collateral',
    async () => {
      const balances = await Promise.all(
        others.map((n) => rpcOf(state, n).call('getbalance').then(fluxToSats)),
      );
      const funded = others.filter((n, i) => (balances[i] ?? 0n) >= collateralOf(n) + FEE_MARGIN).length;
      ctx.update(`${funded} of ${others.length} nodes funded`);
      return funded === others.length ? true : pending(`${funded} of ${others.length} funded`);
    },
    { timeoutMs: 120_000 * ctx.patience, intervalMs: 500, signal: ctx.signal },
  );
  return `${formatFluxShort(sent)} FLUX sent to ${others.length} node${others.length === 1 ? '' : 's'}`;
}

interface ListedFluxnode {
  txhash: string;
  outidx: number;
  status: string;
  tier: string;
  ip: string;
}

async function fluxnodeList(ctx: StepContext): Promise<ListedFluxnode[]> {
  return rpcOf(ctx.state, nodeOne(ctx.state.nodes)).call<ListedFluxnode[]>('viewdeterministicfluxnodelist');
}

function listed(list: ListedFluxnode[], collateral: string): ListedFluxnode | undefined {
  return list.find((f) => `${f.txhash}:${f.outidx}` === collateral);
}

/**
 * Each node locks its tier's collateral in its own wallet (createfluxnode) and announces itself
 * (startfluxnode, retried while the collateral is too young); then we wait until node 1's list shows
 * every node confirmed.
 */
export async function startFluxnodes(ctx: StepContext): Promise<string> {
  const { state } = ctx;
  const timeoutMs = 180_000 * ctx.patience;
  await Promise.all(
    state.nodes.map(async (node) => {
      const rpc = rpcOf(state, node);
      if (!node.collateral) {
        const made = await retryAnswered(
          `${node.name} to lock its ${node.tier} collateral`,
          () => rpc.call<{ collateral: string }>('createfluxnode', [node.tier]),
          { timeoutMs, intervalMs: 1_000, signal: ctx.signal },
        );
        node.collateral = made.collateral;
        ctx.save();
      }
    }),
  );
  await Promise.all(
    state.nodes.map((node) =>
      retryAnswered(
        `${node.name} to start as a fluxnode`,
        () => rpcOf(state, node).call('startfluxnode', [node.collateral]),
        {
          timeoutMs,
          intervalMs: 1_000,
          signal: ctx.signal,
          // Already announced (e.g. an earlier answer was lost): nothing more to do.
          done: async () => (listed(await fluxnodeList(ctx), node.collateral!) ? true : undefined),
        },
      ),
    ),
  );
  await waitFor(
    'every fluxnode to be confirmed',
    async () => {
      const list = await fluxnodeList(ctx);
      const confirmed = state.nodes.filter(
        (n) => listed(list, n.collateral!)?.status.toLowerCase() === 'confirmed',
      ).length;
      ctx.update(`${confirmed} of ${state.nodes.length} confirmed`);
      return confirmed === state.nodes.length
        ? true
        : pending(`${confirmed} of ${state.nodes.length} confirmed`);
    },
    { timeoutMs, intervalMs: 500, signal: ctx.signal },
  );
  const t = state.tiers;
  return `${state.nodes.length} confirmed: ${t.cumulus} cumulus, ${t.nimbus} nimbus, ${t.stratus} stratus`;
}
