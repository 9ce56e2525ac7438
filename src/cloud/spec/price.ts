/**
 * What registering an app costs, in satoshis, following FluxOS's price rule (RunOnFlux/flux,
 * appsService `appPricePerMonth` and the registration check):
 *
 *   1. base    = Σ components (cpu/0.1 × cpu price + ram/100 MB × ram price + hdd GB × hdd price)
 *                + public ports that are "charged" × port price,          rounded UP to 0.01 FLUX
 *   2. period  = base, plus for instances above the 3 included: base × extra / 3, that addition
 *                rounded UP to 0.01 FLUX; then at least `minPrice`
 *   3. total   = period × expire / 22,000 blocks (FluxOS's month), rounded UP to 0.01 FLUX,
 *                then at least `minPrice`
 *
 * FluxOS computes this in floating point; here every step is bigint satoshis, and each rounding is
 * an explicit ceiling to the `granularity` (1,000,000 sat = 0.01 FLUX), so results are exact. `perBlock`
 * (period / periodBlocks, rounded up) is informational: `total` is computed from the period price,
 * not from perBlock × expire, exactly as FluxOS does.
 */
import { type PortRule, portIsReserved } from './limits.ts';
import type { AppSpec } from './schema.ts';

export const SATS_PER_FLUX = 100_000_000n;

export interface PriceParams {
  /** Applies to apps registered at heights above this one (FluxOS compares with `<`). */
  height: number;
  /** Satoshis per 0.1 core per period. */
  cpu: bigint;
  /** Satoshis per 100 MB per period. */
  ram: bigint;
  /** Satoshis per GB per period. */
  hdd: bigint;
  /** Satoshis per charged public port per period. */
  port: bigint;
  /** Which public ports cost `port` (FluxOS: its "enterprise" ports). */
  chargedPorts: readonly PortRule[];
  /** No registration pays less than this. */
  minPrice: bigint;
  /** Length of the priced period in blocks (FluxOS: 22,000, about a month of 2-minute blocks). */
  periodBlocks: number;
  /** Instances the base price covers; each one above adds base / baseInstances. */
  baseInstances: number;
  /** Every rounding goes up to a multiple of this many satoshis. */
  granularity: bigint;
}

const flux = (hundredths: number) => (BigInt(hundredths) * SATS_PER_FLUX) / 100n;
const FLUXOS_CHARGED_PORTS: readonly PortRule[] = [[0, 1023], 8080, 8081, 8443, 25565, 6667];
const COMMON = {
  port: flux(200),
  chargedPorts: FLUXOS_CHARGED_PORTS,
  periodBlocks: 22000,
  baseInstances: 3,
  granularity: flux(1),
};

/** FluxOS's price forks (config `fluxapps.price`), converted to satoshis; sorted by height. */
export const MAINNET_PRICE_SCHEDULE: readonly PriceParams[] = [
  { ...COMMON, height: -1, cpu: flux(300), ram: flux(100), hdd: flux(50), minPrice: flux(100) },
  { ...COMMON, height: 983000, cpu: flux(30), ram: flux(10), hdd: flux(5), minPrice: flux(10) },
  { ...COMMON, height: 1004000, cpu: flux(6), ram: flux(2), hdd: flux(1), minPrice: flux(1) },
  { ...COMMON, height: 1288000, cpu: flux(15), ram: flux(5), hdd: flux(2), minPrice: flux(1) },
];

/** The price fork in force for an app registered at `height` (the last one whose height is below it). */
export function priceParamsAt(schedule: readonly PriceParams[], height: number): PriceParams {
  let found: PriceParams | undefined;
  for (const p of schedule) if (p.height < height) found = p;
  if (!found) throw new RangeError(`no price parameters apply at height ${height}`);
  return found;
}

export interface AppPrice {
  /** Price of one period (`periodBlocks` blocks) for all instances. */
  perPeriod: bigint;
  /** perPeriod / periodBlocks, rounded up. Informational. */
  perBlock: bigint;
  /** What the registration must pay for `expire` blocks. */
  total: bigint;
  expire: number;
  periodBlocks: number;
  /** The parts of step 1, before rounding, and the instance surcharge of step 2. */
  breakdown: { cpu: bigint; ram: bigint; hdd: bigint; ports: bigint; base: bigint; extraInstances: bigint };
}

function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b;
}

function roundUp(amount: bigint, step: bigint): bigint {
  return ceilDiv(amount, step) * step;
}

function max(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

export function appPrice(spec: AppSpec, params: PriceParams): AppPrice {
  let cpuTenths = 0n;
  let ramMb = 0n;
  let hddGb = 0n;
  let chargedPorts = 0n;
  for (const c of spec.components) {
    cpuTenths += BigInt(Math.round(c.cpu * 10));
    ramMb += BigInt(c.ram);
    hddGb += BigInt(c.hdd);
    for (const p of c.ports) if (portIsReserved(p, params.chargedPorts)) chargedPorts += 1n;
  }
  const cpu = cpuTenths * params.cpu;
  const ram = ceilDiv(ramMb * params.ram, 100n);
  const hdd = hddGb * params.hdd;
  const ports = chargedPorts * params.port;
  const g = params.granularity;

  const base = roundUp(cpu + ram + hdd + ports, g);
  const extra = BigInt(Math.max(0, spec.instances - params.baseInstances));
  const extraInstances = roundUp(ceilDiv(base * extra, BigInt(params.baseInstances)), g);
  const perPeriod = max(base + extraInstances, params.minPrice);

  const period = BigInt(params.periodBlocks);
  const total = max(roundUp(ceilDiv(perPeriod * BigInt(spec.expire), period), g), params.minPrice);
  return {
    perPeriod,
    perBlock: ceilDiv(perPeriod, period),
    total,
    expire: spec.expire,
    periodBlocks: params.periodBlocks,
    breakdown: { cpu, ram, hdd, ports, base, extraInstances },
  };
}

/** `12345678n` → `"0.12345678"`. */
export function formatFlux(sats: bigint): string {
  const neg = sats < 0n;
  const abs = neg ? -sats : sats;
  const whole = abs / SATS_PER_FLUX;
  const frac = (abs % SATS_PER_FLUX).toString().padStart(8, '0');
  return `${neg ? '-' : ''}${whole}.${frac}`;
}
