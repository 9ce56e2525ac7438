/**
 * Every top-level command and the line the root help shows for it: the one place those lines are
 * written. Kept apart from the command modules so that listing them imports none of them.
 */
export const COMMAND_LIST = {
  app: 'apps: validate and price specs; register, watch and operate them through any node',
  assets: 'parallel assets of fluxnode payout addresses: balances, claims, snapshots (over JSON-RPC)',
  bench: 'measure this machine as fluxnodes are judged and check it against the tier minimums',
  block: 'blocks and headers, offline',
  devnet: 'a local multi-node network on this machine (needs root and scripts/setup-host.sh)',
  mine: 'start or stop the node’s CPU miner, or mine N blocks and stop',
  node: 'make the running node a fluxnode, and see its status',
  owner: 'an app owner’s own wallet (a file of its own; no node ever holds its keys)',
  params: 'consensus parameters of a network',
  pool: 'a node’s staking pool: its books, a holder’s stake, staking and withdrawing (over JSON-RPC)',
  pow: 'proof-of-work rules, offline',
  simulate:
    'simulate a whole network (real placement and reconciler code, simulated clock, gossip and containers)',
  start: 'run a node (chain, p2p, API; optionally miner and fluxnode cloud agent)',
  wallet: 'the running node’s wallet (over JSON-RPC)',
} as const;

export type CommandName = keyof typeof COMMAND_LIST;

/** The help line of `name`, for its module's own `.description(…)`. */
export function describe(name: CommandName): string {
  return COMMAND_LIST[name];
}
