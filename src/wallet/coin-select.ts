/** An output the wallet may spend. */
export interface SpendableCoin {
  key: string;
  value: bigint;
  height: number;
}

export interface Selection<C extends SpendableCoin> {
  inputs: C[];
  fee: bigint;
  change: bigint;
}

export class InsufficientFundsError extends Error {
  readonly needed: bigint;
  readonly available: bigint;

  constructor(needed: bigint, available: bigint) {
    super(`insufficient funds: need ${needed} satoshis (amount + fee), have ${available} spendable`);
    this.name = 'InsufficientFundsError';
    this.needed = needed;
    this.available = available;
  }
}

/** Transparent P2PKH sizes in bytes, for fee estimation before signing. */
export const TX_OVERHEAD_BYTES = 20;
export const P2PKH_INPUT_BYTES = 148;
export const OUTPUT_BYTES = 34;

export interface SelectOptions {
  amount: bigint;
  /** Outputs the tx will have besides change. */
  outputs: number;
  feePerKb: bigint;
  /** Change below this is given to the fee rather than made into dust. */
  dustThreshold: bigint;
}

export function feeFor(bytes: number, feePerKb: bigint): bigint {
  return (BigInt(bytes) * feePerKb + 999n) / 1000n;
}

/**
 * Picks coins to pay `amount` plus the fee of the resulting tx. An exact single coin is preferred
 * (no change output); otherwise largest first, oldest first among equals, which keeps the number
 * of inputs, and so the fee, small.
 */
export function selectCoins<C extends SpendableCoin>(coins: readonly C[], opts: SelectOptions): Selection<C> {
  if (opts.amount <= 0n) throw new RangeError(`amount must be positive, got ${opts.amount}`);
  const sizeWith = (inputs: number, change: boolean) =>
    TX_OVERHEAD_BYTES + inputs * P2PKH_INPUT_BYTES + (opts.outputs + (change ? 1 : 0)) * OUTPUT_BYTES;
  const exactFee = feeFor(sizeWith(1, false), opts.feePerKb);
  const exact = coins.find(
    (c) => c.value >= opts.amount + exactFee && c.value - opts.amount - exactFee < opts.dustThreshold,
  );
  if (exact) return { inputs: [exact], fee: exact.value - opts.amount, change: 0n };

  const sorted = [...coins].sort((a, b) =>
    b.value > a.value ? 1 : b.value < a.value ? -1 : a.height - b.height,
  );
  const chosen: C[] = [];
  let total = 0n;
  for (const c of sorted) {
    chosen.push(c);
    total += c.value;
    const feeWithChange = feeFor(sizeWith(chosen.length, true), opts.feePerKb);
    if (total >= opts.amount + feeWithChange) {
      const change = total - opts.amount - feeWithChange;
      if (change >= opts.dustThreshold) return { inputs: chosen, fee: feeWithChange, change };
      return { inputs: chosen, fee: total - opts.amount, change: 0n };
    }
  }
  const available = coins.reduce((n, c) => n + c.value, 0n);
  throw new InsufficientFundsError(
    opts.amount + feeFor(sizeWith(Math.max(1, coins.length), true), opts.feePerKb),
    available,
  );
}
