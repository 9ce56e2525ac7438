import type { FluxnodeRecord } from '../../chain/index.ts';
import {
  addressForScript,
  type ConsensusParams,
  fromHex,
  tierHardwareMinimums,
  type Tier,
  TIERS,
} from '../../consensus/index.ts';
import { checkBenchmark } from '../../cloud/index.ts';
import { prefixes } from '../json.ts';
import type { RestContext } from './providers.ts';
import type { BenchmarkView, ComputeTotals, NodeBenchmark, NodeView, TierCounts } from './types.ts';

/**
 * A reported benchmark with the verdict the cloud agents reach on it (cloud/benchmark's check, with
 * its RAM tolerance), so the API never calls a node eligible that placement would skip.
 */
export function benchmarkView(
  b: NodeBenchmark | undefined,
  tier: Tier,
  params: ConsensusParams,
): BenchmarkView | null {
  if (!b) return null;
  const figures = {
    cores: b.cores,
    ramMB: Math.round(b.ramGB * 1024),
    diskGB: b.ssdGB,
    eps: b.eps,
    diskWriteMBps: b.diskWriteMBps,
  };
  return { ...b, meetsTier: checkBenchmark(figures, tierHardwareMinimums(tier, params)).ok };
}

/** Same order as the registry's payment queue: paid longest ago first, then by collateral. */
function queueKey(r: FluxnodeRecord): number {
  return r.lastPaidHeight ?? r.confirmedHeight ?? r.startHeight;
}

/** Every registered node with its queue rank, last payment time and benchmark. */
export function nodeViews(ctx: RestContext): NodeView[] {
  const records = ctx.registry().list();
  const ranks = new Map<string, number>();
  for (const tier of TIERS) {
    records
      .filter((r) => r.tier === tier && r.status === 'confirmed')
      .sort((a, b) => queueKey(a) - queueKey(b) || (a.collateral < b.collateral ? -1 : 1))
      .forEach((r, i) => {
        ranks.set(r.collateral, i);
      });
  }
  return records.map((r) => nodeView(r, ranks.get(r.collateral) ?? null, ctx));
}

export function nodeView(r: FluxnodeRecord, rank: number | null, ctx: RestContext): NodeView {
  let paymentAddress: string | null = null;
  try {
    paymentAddress = addressForScript(fromHex(r.payoutScript), prefixes(ctx.params)) ?? null;
  } catch {
    paymentAddress = null;
  }
  return {
    collateral: r.collateral,
    tier: r.tier,
    // Listed nodes only: a barred collateral (dos) is not a node.
    status: r.status === 'confirmed' ? 'confirmed' : 'started',
    ip: r.ip,
    pubkey: r.operatorPubKey,
    paymentAddress,
    collateralSat: r.amount,
    startHeight: r.startHeight,
    confirmedHeight: r.confirmedHeight,
    lastConfirmHeight: r.lastConfirmHeight,
    lastPaidHeight: r.lastPaidHeight,
    lastPaidTime: r.lastPaidHeight === null ? null : (ctx.chain.getEntry(r.lastPaidHeight)?.time ?? null),
    rank,
    benchmark: benchmarkView(ctx.benchmarks?.benchmarkOf(r.collateral), r.tier, ctx.params),
  };
}

export function zeroCounts(): TierCounts {
  return { cumulus: 0, nimbus: 0, stratus: 0 };
}

export function confirmedByTier(records: readonly { tier: Tier; status: string }[]): TierCounts {
  const c = zeroCounts();
  for (const r of records) if (r.status === 'confirmed') c[r.tier]++;
  return c;
}

function emptyTotals(): ComputeTotals {
  return { nodes: 0, benchmarked: 0, cores: 0, ramGB: 0, ssdGB: 0 };
}

/** Cores, RAM and SSD over confirmed nodes with a known benchmark, in all and by tier. */
export function computeTotals(
  nodes: readonly NodeView[],
): ComputeTotals & { byTier: Record<Tier, ComputeTotals> } {
  const all = emptyTotals();
  const byTier: Record<Tier, ComputeTotals> = {
    cumulus: emptyTotals(),
    nimbus: emptyTotals(),
    stratus: emptyTotals(),
  };
  for (const n of nodes) {
    if (n.status !== 'confirmed') continue;
    for (const t of [all, byTier[n.tier]]) {
      t.nodes++;
      if (!n.benchmark) continue;
      t.benchmarked++;
      t.cores += n.benchmark.cores;
      t.ramGB += n.benchmark.ramGB;
      t.ssdGB += n.benchmark.ssdGB;
    }
  }
  const round = (t: ComputeTotals): ComputeTotals => ({
    ...t,
    ramGB: Math.round(t.ramGB * 100) / 100,
    ssdGB: Math.round(t.ssdGB * 100) / 100,
  });
  return {
    ...round(all),
    byTier: { cumulus: round(byTier.cumulus), nimbus: round(byTier.nimbus), stratus: round(byTier.stratus) },
  };
}
