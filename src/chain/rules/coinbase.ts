import {
  ConsensusError,
  type ConsensusParams,
  equalBytes,
  maxCoinbaseValue,
  type OneOffPayment,
  oneOffsAt,
  scriptForAddress,
  toHex,
  type TxOut,
} from '../../consensus/index.ts';
import type { CoinbaseContext } from '../validator.ts';

/** The coinbase may pay out at most subsidy + fees + due fund outputs (`bad-cb-amount`). */
export function checkCoinbaseAmount(ctx: CoinbaseContext, params: ConsensusParams): void {
  let paid = 0n;
  for (const o of ctx.coinbase.outputs) paid += o.value;
  const max = maxCoinbaseValue(ctx.height, params, ctx.fees);
  if (paid > max) {
    throw new ConsensusError(
      'bad-cb-amount',
      `coinbase pays ${paid}, limit is ${max} (subsidy + fees ${ctx.fees})`,
      {
        field: 'txs[0].outputs',
        value: paid,
      },
    );
  }
}

/**
 * Each required output must be present, paying its script exactly its amount (`bad-cb-payee`;
 * fluxd: bad-txns-not-paying-correct-zelnodes). fluxd's CheckZelnodePayout compares the value with
 * `==`: a node paid more than its share makes the block as invalid as one paid less.
 */
export function checkRequiredOutputs(ctx: Pick<CoinbaseContext, 'coinbase'>, required: TxOut[]): void {
  const used = new Set<number>();
  for (const need of required) {
    const at = ctx.coinbase.outputs.findIndex(
      (o, i) => !used.has(i) && o.value === need.value && equalBytes(o.scriptPubKey, need.scriptPubKey),
    );
    if (at < 0) {
      throw new ConsensusError(
        'bad-cb-payee',
        `coinbase lacks the required payment of exactly ${need.value} to script ${toHex(need.scriptPubKey)}`,
        { field: 'txs[0].outputs', value: toHex(need.scriptPubKey) },
      );
    }
    used.add(at);
  }
}

const FUND_RULES: Record<OneOffPayment['kind'], string> = {
  'exchange-fund': 'tx-coinbase-missing-exchange-funding',
  'foundation-fund': 'tx-coinbase-missing-foundation-funding',
  'swap-pool': 'tx-coinbase-missing-swappool-funding',
};

/** The fund outputs due at this height must each be paid, to their address, exactly. */
export function checkFundOutputs(ctx: CoinbaseContext, params: ConsensusParams): void {
  for (const due of oneOffsAt(ctx.height, params)) {
    const script = scriptForAddress(due.address, params.base58);
    const paid = ctx.coinbase.outputs.some(
      (o) => o.value === due.amount && equalBytes(o.scriptPubKey, script),
    );
    if (!paid) {
      throw new ConsensusError(
        FUND_RULES[due.kind],
        `coinbase lacks ${due.amount} to ${due.address} (${due.kind})`,
        {
          field: 'txs[0].outputs',
          value: due.address,
        },
      );
    }
  }
}
