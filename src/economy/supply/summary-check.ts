import { TIERS } from '../../consensus/index.ts';
import {
  EconomyError,
  requireHeight,
  requireNonEmpty,
  requireNonNegativeAmount,
  requirePositiveAmount,
  requireTime,
} from '../errors.ts';
import type { BlockSummary } from '../inputs.ts';

/** Rejects a block summary that cannot be right on its own, naming the field. */
export function checkBlockSummary(b: BlockSummary): void {
  requireHeight(b.height);
  requireTime(b.time, 'time');
  requireNonNegativeAmount(b.minerReward, 'minerReward');
  requireNonNegativeAmount(b.fees, 'fees');
  requireNonNegativeAmount(b.burned, 'burned');
  if (b.fees > b.minerReward) {
    throw new EconomyError(
      'fees-exceed-miner-reward',
      `block ${b.height}: fees are part of the miner's reward`,
      {
        field: 'fees',
        value: b.fees,
      },
    );
  }
  b.operatorPayouts.forEach((p, i) => {
    requirePositiveAmount(p.amount, `operatorPayouts[${i}].amount`);
    if (!TIERS.includes(p.tier)) {
      throw new EconomyError('bad-tier', 'unknown tier', {
        field: `operatorPayouts[${i}].tier`,
        value: p.tier,
      });
    }
  });
  b.oneOffs.forEach((o, i) => {
    requirePositiveAmount(o.amount, `oneOffs[${i}].amount`);
    requireNonEmpty(o.kind, `oneOffs[${i}].kind`);
  });
  b.appPayments.forEach((a, i) => {
    requirePositiveAmount(a.amount, `appPayments[${i}].amount`);
  });
  b.collateral.forEach((c, i) => {
    if (!TIERS.includes(c.tier))
      throw new EconomyError('bad-tier', 'unknown tier', { field: `collateral[${i}].tier`, value: c.tier });
    if (typeof c.amount !== 'bigint' || c.amount === 0n) {
      throw new EconomyError('bad-amount', 'a collateral change is a non-zero bigint', {
        field: `collateral[${i}].amount`,
        value: c.amount,
      });
    }
  });
}
