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

  /** `note` adds what else the caller knows (coins not yet spendable, …) to the message. */
  constructor(needed: bigint, available: bigint, note?: string) {
    super(
      `insufficient funds: need ${needed} satoshis (amount + fee), have ${available} spendable${note ? `; ${note}` : ''}`,
    );
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
  /**
   * Bytes the real transaction has beyond the P2PKH-only estimate (a v4 header, an OP_RETURN or
   * P2SH output): added to every size estimate so the fee covers the signed transaction.
   */
  extraBytes?: number;
  /** Size of one signed input; default P2PKH_INPUT_BYTES (compressed key, low-S signature). */
  inputBytes?: number;
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
  const inputBytes = opts.inputBytes ?? P2PKH_INPUT_BYTES;
  const sizeWith = (inputs: number, change: boolean) =>
    TX_OVERHEAD_BYTES +
    (opts.extraBytes ?? 0) +
    inputs * inputBytes +
    (opts.outputs + (change ? 1 : 0)) * OUTPUT_BYTES;
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

/**
 * Pays `amount` from exactly `coins` (coin control: the caller chose them), every one of them spent.
 * Change above dust goes back; below dust it joins the fee.
 */
export function fundFromCoins<C extends SpendableCoin>(
  coins: readonly C[],
  opts: SelectOptions,
): Selection<C> {
  if (opts.amount <= 0n) throw new RangeError(`amount must be positive, got ${opts.amount}`);
  if (coins.length === 0) throw new InsufficientFundsError(opts.amount, 0n, 'no coins were chosen');
  const inputBytes = opts.inputBytes ?? P2PKH_INPUT_BYTES;
  const size = (change: boolean) =>
    TX_OVERHEAD_BYTES +
    (opts.extraBytes ?? 0) +
    coins.length * inputBytes +
    (opts.outputs + (change ? 1 : 0)) * OUTPUT_BYTES;
  const total = coins.reduce((n, c) => n + c.value, 0n);
  const feeWithChange = feeFor(size(true), opts.feePerKb);
  const change = total - opts.amount - feeWithChange;
  if (change >= opts.dustThreshold) return { inputs: [...coins], fee: feeWithChange, change };
  const feeWithout = feeFor(size(false), opts.feePerKb);
  if (total < opts.amount + feeWithout) {
    throw new InsufficientFundsError(opts.amount + feeWithout, total, 'from the chosen coins only');
  }
  return { inputs: [...coins], fee: total - opts.amount, change: 0n };
}
