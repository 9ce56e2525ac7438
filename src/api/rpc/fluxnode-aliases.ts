/**
 * fluxd's fluxnode calls under every name fluxd answers to: the zel-named aliases kept from before
 * the rebrand, `fluxnodecurrentwinner`, and the benchmark calls (`getbenchmarks`,
 * `getbenchstatus`) that fluxd forwards to its bench daemon and fluxnode answers from the node's
 * own last benchmark.
 */
import type { NodeContext } from '../context.ts';
import type { RpcDispatcher } from '../jsonrpc.ts';
import { fluxnodeJson } from './fluxnode-methods.ts';

/** A benchmark as the node last measured it (cloud/benchmark), in the units fluxbenchd reports. */
export interface BenchReport {
  cores: number;
  ramGB: number;
  ssdGB: number;
  eps: number;
  diskWriteMBps: number;
  time: number;
  /** Where the node says it is (`--geolocation`), null when it did not say. */
  location?: string | null;
}

export interface BenchControls {
  /** This node's collateral ("txid:n") when it runs as a fluxnode. */
  selfCollateral: () => string | undefined;
  benchmarkOf: (collateral: string) => BenchReport | undefined;
}

/** fluxd's old name → the current one it aliases. */
const ZEL_ALIASES: readonly (readonly [string, string])[] = [
  ['listzelnodes', 'listfluxnodes'],
  ['viewdeterministiczelnodelist', 'viewdeterministicfluxnodelist'],
  ['getzelnodecount', 'getfluxnodecount'],
  ['getzelnodestatus', 'getfluxnodestatus'],
  ['zelnodecurrentwinner', 'fluxnodecurrentwinner'],
  ['startzelnode', 'startfluxnode'],
];

export function registerFluxnodeAliases(rpc: RpcDispatcher, ctx: NodeContext, bench: BenchControls): void {
  rpc.register(
    'fluxnodecurrentwinner',
    'The fluxnode each tier pays in the next block, as {"CUMULUS Winner": {...}, …}.',
    () => currentWinners(ctx),
  );
  rpc.register('getbenchmarks', 'This node’s last benchmark: cores, RAM, SSD, EPS, disk write speed.', () =>
    benchmarksJson(bench),
  );
  rpc.register('getbenchstatus', 'Whether this node has a benchmark, and the tier it reaches.', () =>
    benchStatusJson(ctx, bench),
  );
  for (const [alias, target] of ZEL_ALIASES) {
    const entry = rpc.get(target);
    if (entry) rpc.register(alias, `${alias}: fluxd’s older name for ${target}.`, entry.handler);
  }
}

function currentWinners(ctx: NodeContext) {
  const registry = ctx.registry();
  const out: Record<string, unknown> = {};
  for (const payee of registry.payees(ctx.chain.height() + 1)) {
    const r = registry.get(payee.collateral);
    if (!r) continue;
    const j = fluxnodeJson(r, 0, ctx);
    out[`${payee.tier.toUpperCase()} Winner`] = {
      collateral: j.collateral,
      ip: j.ip,
      added_height: j.added_height,
      confirmed_height: j.confirmed_height,
      last_confirmed_height: j.last_confirmed_height,
      last_paid_height: j.last_paid_height,
      tier: j.tier,
      payment_address: j.payment_address,
    };
  }
  return out;
}

function benchmarksJson(bench: BenchControls) {
  const own = bench.selfCollateral();
  const b = own ? bench.benchmarkOf(own) : undefined;
  if (!b) return { status: 'not benchmarked' };
  return {
    status: 'complete',
    cores: b.cores,
    ram: b.ramGB,
    ssd: b.ssdGB,
    eps: b.eps,
    ddwrite: b.diskWriteMBps,
    time: b.time,
    // Ours, not fluxbenchd's: FluxOS looks its node's location up by IP; here the operator states it.
    geolocation: b.location ?? null,
  };
}

function benchStatusJson(ctx: NodeContext, bench: BenchControls) {
  const own = bench.selfCollateral();
  const record = own ? ctx.registry().get(own) : undefined;
  const measured = own ? bench.benchmarkOf(own) !== undefined : false;
  return {
    status: measured ? 'online' : 'offline',
    benchmarking: record ? record.tier.toUpperCase() : measured ? 'running' : 'failed',
    fluxd: 'connected',
  };
}
