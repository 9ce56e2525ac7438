import type { ChainEntry, FluxnodeRecord } from '../../chain/index.ts';
import {
  addressForScript,
  type Block,
  type ConsensusParams,
  oneOffsAt,
  tierPayment,
  TIERS,
  toHex,
  type Tier,
} from '../../consensus/index.ts';
import { prefixes } from '../json.ts';
import type { BlockSummary, NodePayout } from './types.ts';

/**
 * Who a block paid, read from its coinbase the way the rules build it: fund outputs due at the
 * height (matched by address and amount), one output per paid tier (each tier's share has its own
 * amount at a height), and the miner gets everything else. The paid node's collateral comes from
 * the registry: the node with that payout script that was last paid at this height.
 */
export function summarizeBlock(
  block: Block,
  entry: ChainEntry,
  size: number,
  params: ConsensusParams,
  nodes: readonly FluxnodeRecord[],
): BlockSummary {
  const pfx = prefixes(params);
  const height = entry.height;
  const outputs = block.txs[0]?.outputs ?? [];
  const funds = oneOffsAt(height, params).map((f) => ({ ...f, matched: false }));
  const tierAmounts = new Map<Tier, bigint>();
  if (height > 0) for (const t of TIERS) tierAmounts.set(t, tierPayment(height, t, params));
  const nodePayouts: NodePayout[] = [];
  const fundsOut: BlockSummary['funds'] = [];
  let minerSat = 0n;
  let minerScript: Uint8Array | undefined;
  let coinbaseSat = 0n;
  outputs.forEach((out, i) => {
    coinbaseSat += out.value;
    const address = addressForScript(out.scriptPubKey, pfx) ?? null;
    if (i > 0) {
      const fund = funds.find((f) => !f.matched && f.amount === out.value && f.address === address);
      if (fund) {
        fund.matched = true;
        fundsOut.push({ kind: fund.kind, address, amountSat: out.value });
        return;
      }
      const tier = TIERS.find((t) => {
        const due = tierAmounts.get(t);
        return due !== undefined && due > 0n && due === out.value;
      });
      if (tier) {
        tierAmounts.delete(tier);
        nodePayouts.push({
          tier,
          address,
          amountSat: out.value,
          collateral: paidNode(nodes, toHex(out.scriptPubKey), tier, height),
        });
        return;
      }
    }
    minerSat += out.value;
    minerScript ??= out.scriptPubKey;
  });
  return {
    height,
    hash: entry.id,
    time: entry.time,
    txCount: block.txs.length,
    size,
    miner: {
      address: minerScript ? (addressForScript(minerScript, pfx) ?? null) : null,
      amountSat: minerSat,
    },
    nodePayouts,
    funds: fundsOut,
    coinbaseSat,
  };
}

function paidNode(
  nodes: readonly FluxnodeRecord[],
  script: string,
  tier: Tier,
  height: number,
): string | null {
  const same = nodes.filter((n) => n.payoutScript === script && n.tier === tier);
  return (
    (same.find((n) => n.lastPaidHeight === height) ?? (same.length === 1 ? same[0] : undefined))
      ?.collateral ?? null
  );
}

/** Summaries of immutable blocks, by block hash, so polling clients do not decode the same blocks again. */
export class BlockSummaryCache {
  private readonly map = new Map<string, BlockSummary>();
  private readonly max: number;

  constructor(max = 512) {
    this.max = max;
  }

  get(id: string, make: () => BlockSummary): BlockSummary {
    const hit = this.map.get(id);
    if (hit) return hit;
    const made = make();
    // A payout's collateral is looked up in the registry of the moment; only cache resolved ones.
    if (made.nodePayouts.every((p) => p.collateral !== null)) {
      this.map.set(id, made);
      if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as string);
    }
    return made;
  }
}
