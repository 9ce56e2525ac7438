/**
 * `fluxnode params …`: the consensus parameters of a network, as data.
 *   params show --network X [--json]              the whole parameter set
 *   params rewards --network X [--heights a,b] [--json]
 *                                                 subsidy, coinbase split, fund outputs and tier
 *                                                 collaterals at notable heights (or the given ones)
 * Amounts print in FLUX for people and as satoshi strings in JSON.
 */
import type { Command } from 'commander';
import { describe } from './list.ts';
import {
  coinbaseSplit,
  collateralFor,
  type ConsensusParams,
  halvingHeight,
  isNetworkName,
  NETWORKS,
  type OneOffPayment,
  paramsFor,
  type Tier,
  TIERS,
  toHex,
} from '../../consensus/index.ts';
import { CliError, formatTable, printJson } from '../output.ts';

interface NetworkOption {
  network: string;
  json?: boolean;
}

export interface RewardRow {
  height: number;
  subsidy: bigint;
  miner: bigint;
  cumulus: bigint;
  nimbus: bigint;
  stratus: bigint;
  oneOffs: OneOffPayment[];
  collateral: Record<Tier, bigint[]>;
}

function networkParams(name: string): ConsensusParams {
  if (!isNetworkName(name))
    throw new CliError(`unknown network "${name}" (one of: ${NETWORKS.join(', ')})`, 2);
  return paramsFor(name);
}

function parseHeights(list: string): number[] {
  const heights = list.split(',').map((part) => {
    const text = part.trim().replaceAll('_', '');
    if (!/^\d+$/.test(text)) throw new CliError(`--heights: "${part.trim()}" is not a block height`, 2);
    const n = Number(text);
    if (!Number.isSafeInteger(n)) throw new CliError(`--heights: ${part.trim()} is too large`, 2);
    return n;
  });
  return [...new Set(heights)].sort((a, b) => a - b);
}

/** Heights where something in the money rules changes: ramp points, eras, funds, windows, halvings. */
export function notableHeights(params: ConsensusParams): number[] {
  const s = params.subsidy;
  const f = params.fluxnodes;
  const set = new Set<number>([1, 2]);
  if (s.premine) set.add(s.premine.height);
  const shift = Math.floor(s.slowStartInterval / 2);
  for (const h of [shift - 1, shift, s.slowStartInterval - 1, s.slowStartInterval]) if (h > 0) set.add(h);
  for (let n = 1; n <= s.maxHalvings; n++) {
    const h = halvingHeight(n, params);
    if (h !== null) set.add(h);
  }
  set.add(f.paymentsStartHeight);
  for (const era of f.tierShares) set.add(era.fromHeight);
  for (const u of ['flux', 'halving'] as const) {
    const at = params.upgrades[u].activationHeight;
    if (at !== null) set.add(at);
  }
  for (const o of params.oneOffs) {
    set.add(o.firstHeight);
    if (o.count > 1) set.add(o.firstHeight + o.interval * (o.count - 1));
  }
  for (const tier of TIERS) {
    const c = f.collateral[tier];
    if (c.before !== c.after) {
      set.add(c.transitionStart);
      set.add(c.transitionEnd - 1);
      set.add(c.transitionEnd);
    }
  }
  return [...set].filter((h) => h >= 0).sort((a, b) => a - b);
}

/** One row per height; every tier is assumed to have a node to pay, and there are no fees. */
export function rewardRows(params: ConsensusParams, heights: readonly number[]): RewardRow[] {
  return heights.map((height) => {
    const split = coinbaseSplit(height, params, { fees: 0n, tiersPresent: TIERS });
    const collateral = {} as Record<Tier, bigint[]>;
    for (const tier of TIERS) collateral[tier] = collateralFor(tier, height, params);
    return {
      height,
      subsidy: split.subsidy,
      miner: split.miner,
      cumulus: split.cumulus,
      nimbus: split.nimbus,
      stratus: split.stratus,
      oneOffs: split.oneOffs,
      collateral,
    };
  });
}

/** Satoshis as FLUX with thousands separators and no trailing zeros: 562500000n → "5.625". */
export function formatFlux(sats: bigint): string {
  const whole = (sats / 100_000_000n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const frac = (sats % 100_000_000n).toString().padStart(8, '0').replace(/0+$/, '');
  return frac ? `${whole}.${frac}` : whole;
}

const HEX_NUMBERS = new Set(['powLimit', 'minimumChainWork']);

/** The parameter set as plain JSON-able data: bytes as hex, amounts as decimal strings, targets as hex. */
function paramsAsData(params: ConsensusParams): unknown {
  return JSON.parse(
    JSON.stringify(params, (key, value) => {
      if (typeof value === 'bigint')
        return HEX_NUMBERS.has(key) ? value.toString(16).padStart(64, '0') : value.toString();
      if (value instanceof Uint8Array) return toHex(value);
      return value;
    }),
  );
}

function showRewards(opts: NetworkOption & { heights?: string }): void {
  const params = networkParams(opts.network);
  const heights = opts.heights ? parseHeights(opts.heights) : notableHeights(params);
  const rows = rewardRows(params, heights);
  if (opts.json) {
    printJson({ network: params.network, unit: 'satoshi', tiersPresent: TIERS, fees: '0', rows });
    return;
  }
  const table = rows.map((r) => [
    r.height.toLocaleString('en-US'),
    formatFlux(r.subsidy),
    formatFlux(r.miner),
    formatFlux(r.cumulus),
    formatFlux(r.nimbus),
    formatFlux(r.stratus),
    r.oneOffs.map((o) => `${o.kind} ${formatFlux(o.amount)}`).join('; ') || '-',
    TIERS.map((t) => r.collateral[t].map(formatFlux).join('|')).join(' / '),
  ]);
  process.stdout.write(
    `${params.network} block rewards in FLUX (every tier paid, no fees)\n` +
      `${formatTable(
        ['height', 'subsidy', 'miner', 'cumulus', 'nimbus', 'stratus', 'one-offs', 'collateral C / N / S'],
        table,
      )}\n`,
  );
}

function showParams(opts: NetworkOption): void {
  const params = networkParams(opts.network);
  if (opts.json) {
    printJson(paramsAsData(params));
    return;
  }
  const d = params.difficulty;
  const upgrades = Object.entries(params.upgrades)
    .map(
      ([name, u]) =>
        `${name} ${u.activationHeight === null ? 'never' : u.activationHeight.toLocaleString('en-US')}`,
    )
    .join(', ');
  const lines = [
    `network          ${params.network}`,
    `magic            ${toHex(params.magic)}   p2p port ${params.defaultPort}`,
    `target spacing   ${d.targetSpacing} s   powLimit ${d.powLimit.toString(16).padStart(64, '0')}`,
    `equihash         ${params.equihashEpochs.map((e) => `${e.spec.n},${e.spec.k} from ${e.fromHeight}`).join('; ')}`,
    `upgrades         ${upgrades}`,
    `subsidy          ${formatFlux(params.subsidy.baseAmount)} FLUX, slow start ${params.subsidy.slowStartInterval}, halving every ${params.subsidy.halvingInterval}`,
    `node payments    from ${params.fluxnodes.paymentsStartHeight}`,
    `genesis          ${params.genesis.hash}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n(use --json for every parameter)\n`);
}

export function register(program: Command): void {
  const params = program.command('params').description(describe('params'));
  params
    .command('show')
    .description('print the consensus parameters of a network')
    .option('--network <name>', `network (${NETWORKS.join(', ')})`, 'mainnet')
    .option('--json', 'machine-readable output')
    .action((opts: NetworkOption) => showParams(opts));
  params
    .command('rewards')
    .description('block subsidy, coinbase split, fund outputs and tier collaterals by height')
    .option('--network <name>', `network (${NETWORKS.join(', ')})`, 'mainnet')
    .option('--heights <list>', 'comma-separated block heights (default: notable heights)')
    .option('--json', 'machine-readable output')
    .action((opts: NetworkOption & { heights?: string }) => showRewards(opts));
}
