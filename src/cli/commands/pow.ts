/**
 * `fluxnode pow next-work --network mainnet|testnet`: the compact bits fluxd requires of the next
 * block, computed offline from the headers before it. Reads one JSON object from stdin:
 *   {"height": H, "headers": [{"height": h, "time": t, "bits": "1d4228ce"}, …], "time"?: T}
 * (the blocks before H, ascending and consecutive, ending at H−1; `time` is the new block's time,
 * which only testnet's min-difficulty rule reads). Prints JSON {network, height, bits, target,
 * rule}; `rule` names the fluxd rule that decided. Exit 0 on an answer, 2 on bad input.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { describe } from './list.ts';
import {
  bitsToTarget,
  type ConsensusParams,
  headersNeededForNextWork,
  isNetworkName,
  NETWORKS,
  nextWork,
  paramsFor,
  type WorkHeader,
} from '../../consensus/index.ts';
import { CliError, printJson } from '../output.ts';

export interface NextWorkRequest {
  height: number;
  headers: WorkHeader[];
  time?: number;
}

export interface NextWorkReport {
  network: string;
  height: number;
  /** 8 hex digits, as fluxd's getblocktemplate prints them. */
  bits: string;
  /** The target, 64 hex digits. */
  target: string;
  rule: string;
}

function wholeNumber(value: unknown, field: string, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > max) {
    throw new CliError(`${field} must be a whole number from 0 to ${max}, got ${JSON.stringify(value)}`);
  }
  return value;
}

function parseHeader(value: unknown, i: number): WorkHeader {
  const field = `headers[${i}]`;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CliError(`${field} must be an object {height, time, bits}`);
  }
  const h = value as Record<string, unknown>;
  if (typeof h.bits !== 'string' || !/^[0-9a-fA-F]{8}$/.test(h.bits)) {
    throw new CliError(`${field}.bits must be 8 hex digits, got ${JSON.stringify(h.bits)}`);
  }
  return {
    height: wholeNumber(h.height, `${field}.height`),
    time: wholeNumber(h.time, `${field}.time`, 0xffffffff),
    bits: Number.parseInt(h.bits, 16),
  };
}

/** Checks the request's shape and that the headers are the consecutive blocks just before `height`. */
export function parseNextWorkRequest(text: string): NextWorkRequest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new CliError(`stdin is not JSON: ${(err as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new CliError('stdin must hold a JSON object {"height": H, "headers": [...], "time"?: T}');
  }
  const r = raw as Record<string, unknown>;
  const height = wholeNumber(r.height, 'height');
  if (!Array.isArray(r.headers)) throw new CliError('headers must be an array (empty for the genesis block)');
  const headers = r.headers.map(parseHeader);
  headers.forEach((h, i) => {
    const want = height - headers.length + i;
    if (h.height !== want) {
      throw new CliError(
        `headers[${i}].height is ${h.height}, expected ${want}: headers must be the consecutive blocks ending at height ${height - 1}`,
      );
    }
  });
  if (height > 0 && headers.length === 0) throw new CliError(`height ${height} needs the headers before it`);
  const time = r.time === undefined ? undefined : wholeNumber(r.time, 'time', 0xffffffff);
  return { height, headers, time };
}

/** The answer for a parsed request; a window the headers do not cover is bad input. */
export function answerNextWork(req: NextWorkRequest, params: ConsensusParams): NextWorkReport {
  let result: ReturnType<typeof nextWork>;
  try {
    result = nextWork(req.headers, req.time, params);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    const need = Math.min(req.height, headersNeededForNextWork(params));
    throw new CliError(`${err.message} (give at least the last ${need} headers)`);
  }
  return {
    network: params.network,
    height: req.height,
    bits: result.bits.toString(16).padStart(8, '0'),
    target: bitsToTarget(result.bits).toString(16).padStart(64, '0'),
    rule: result.rule,
  };
}

function readStdin(): string {
  try {
    return readFileSync(0, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read stdin: ${(err as Error).message}`);
  }
}

export function register(program: Command): void {
  const pow = program.command('pow').description(describe('pow'));
  pow
    .command('next-work')
    .description(
      'the bits the next block must carry, from JSON on stdin {height, headers:[{height,time,bits}], time?}; prints JSON; exit 2 on bad input',
    )
    .option('--network <name>', `network (${NETWORKS.join(', ')})`, 'mainnet')
    .option('--json', 'JSON output (the default; kept for symmetry with other commands)')
    .action((opts: { network: string }) => {
      if (!isNetworkName(opts.network))
        throw new CliError(`unknown network "${opts.network}" (one of: ${NETWORKS.join(', ')})`);
      printJson(answerNextWork(parseNextWorkRequest(readStdin()), paramsFor(opts.network)));
    });
}
