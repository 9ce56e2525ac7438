import { type Tier, TIERS } from '../../consensus/index.ts';
import { EconomyError } from '../errors.ts';
import type { BlockSummary } from '../inputs.ts';
import type { SupplySnapshot } from './stats.ts';
import { checkBlockSummary } from './summary-check.ts';

const sum = (values: Iterable<bigint>): bigint => {
  let s = 0n;
  for (const v of values) s += v;
  return s;
};

/**
 * Supply statistics from scratch: one pass per quantity over a consecutive run of block summaries.
 * Written apart from SupplyStats on purpose, so each checks the other.
 */
export function computeSupply(blocks: readonly BlockSummary[]): SupplySnapshot {
  blocks.forEach((b, i) => {
    checkBlockSummary(b);
    const before = blocks[i - 1];
    if (before && b.height !== before.height + 1) {
      throw new EconomyError('not-next-block', `expected height ${before.height + 1}`, {
        field: `blocks[${i}].height`,
        value: b.height,
      });
    }
  });

  const byTier = (
    pick: (b: BlockSummary) => Iterable<{ tier: Tier; amount: bigint }>,
  ): Record<Tier, bigint> => {
    const out = { cumulus: 0n, nimbus: 0n, stratus: 0n };
    for (const t of TIERS)
      out[t] = sum(blocks.flatMap((b) => [...pick(b)].filter((x) => x.tier === t).map((x) => x.amount)));
    return out;
  };

  const operatorsByTier = byTier((b) => b.operatorPayouts);
  const collateralByTier = byTier((b) => b.collateral);
  // Locked collateral can never have been negative at any block, not just at the end.
  const running = { cumulus: 0n, nimbus: 0n, stratus: 0n };
  for (const b of blocks) {
    for (const c of b.collateral) running[c.tier] += c.amount;
    for (const t of TIERS) {
      if (running[t] < 0n) {
        throw new EconomyError('collateral-underflow', `${t} collateral would go below zero at ${b.height}`, {
          field: 'collateral',
          value: running[t],
        });
      }
    }
  }

  const kinds = [...new Set(blocks.flatMap((b) => b.oneOffs.map((o) => o.kind)))].sort();
  const oneOffsByKind: Record<string, bigint> = {};
  for (const kind of kinds) {
    oneOffsByKind[kind] = sum(
      blocks.flatMap((b) => b.oneOffs.filter((o) => o.kind === kind).map((o) => o.amount)),
    );
  }

  const minedByMiners = sum(blocks.map((b) => b.minerReward - b.fees));
  const paidToOperators = sum(Object.values(operatorsByTier));
  const oneOffs = sum(Object.values(oneOffsByKind));
  const burned = sum(blocks.map((b) => b.burned));
  const collateralLocked = sum(Object.values(collateralByTier));
  const minted = minedByMiners + paidToOperators + oneOffs;
  const tip = blocks.at(-1);
  return {
    blocks: blocks.length,
    tipHeight: tip ? tip.height : null,
    tipTime: tip ? tip.time : null,
    minted,
    minedByMiners,
    feesToMiners: sum(blocks.map((b) => b.fees)),
    paidToOperators,
    operatorsByTier,
    oneOffs,
    oneOffsByKind,
    burned,
    appPayments: sum(blocks.flatMap((b) => b.appPayments.map((a) => a.amount))),
    appPaymentCount: blocks.reduce((n, b) => n + b.appPayments.length, 0),
    collateralLocked,
    collateralByTier,
    circulating: minted - burned,
    liquid: minted - burned - collateralLocked,
  };
}
