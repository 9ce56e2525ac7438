/**
 * `fluxnode block verify --network mainnet [--height H] FILE`: checks the proof of work of a block
 * or a header given as hex, offline. Prints {hash, merkleRoot, pow, reason, …} as JSON. With
 * --height, a block at a checkpointed height must be the checkpointed block (fluxd's checkpoints).
 * Exit codes: 0 valid, 1 invalid (the reason says which rule), 2 the input cannot be read or decoded.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { describe } from './list.ts';
import { checkCheckpoint } from '../../chain/index.ts';
import {
  type Block,
  type BlockHeader,
  checkProofOfWorkTarget,
  ConsensusError,
  type ConsensusParams,
  decodeBlock,
  decodeHeader,
  equalBytes,
  equihashSpecsAt,
  fromHex,
  headerHash,
  isNetworkName,
  merkleRoot,
  NETWORKS,
  paramsFor,
  reverseHex,
  solutionSize,
  txid,
  verdictOf,
  verifyHeaderSolution,
} from '../../consensus/index.ts';
import { CliError, printJson } from '../output.ts';

export interface PowReport {
  kind: 'block' | 'header';
  /** Block hash, display (byte-reversed) order. */
  hash: string;
  /** The header's merkle root, display order. */
  merkleRoot: string;
  /** Height whose Equihash parameters were used (given, or inferred from the solution's size). */
  height: number;
  /** "n,k" of the parameter set the solution was checked with, or null when none fits its size. */
  equihash: string | null;
  /**
   * The network's checkpoint at the given height: the hash matches it, differs from it, or there
   * is none (also when the height was inferred, since an epoch's first height says nothing).
   */
  checkpoint: 'match' | 'mismatch' | null;
  pow: 'valid' | 'invalid';
  /** Every rule broken, "; "-separated, or null when valid. */
  reason: string | null;
}

/**
 * Without a height, the height is taken from the solution: the first height of the (last) epoch
 * whose parameter set has solutions of that size, else 0.
 */
export function inferHeight(header: BlockHeader, params: ConsensusParams): number {
  let height = 0;
  for (const epoch of params.equihashEpochs)
    if (solutionSize(epoch.spec.n, epoch.spec.k) === header.solution.length) height = epoch.fromHeight;
  return height;
}

/** Reads hex as a block (header + transactions) or, failing that, a bare header. */
export function decodeBlockOrHeader(hex: string): { header: BlockHeader; block?: Block } {
  const clean = hex.replace(/\s+/g, '').replace(/^0x/i, '');
  if (clean.length === 0) throw new CliError('the input is empty (expected block or header hex)');
  let bytes: Uint8Array;
  try {
    bytes = fromHex(clean, 'input');
  } catch (err) {
    throw new CliError(`the input is not hex: ${(err as Error).message}`);
  }
  let blockError: string;
  try {
    const block = decodeBlock(bytes);
    return { header: block.header, block };
  } catch (err) {
    if (!(err instanceof ConsensusError)) throw err;
    blockError = err.message;
  }
  try {
    return { header: decodeHeader(bytes) };
  } catch (err) {
    if (!(err instanceof ConsensusError)) throw err;
    throw new CliError(
      `${bytes.length} bytes that are neither a block (${blockError}) nor a header (${err.message})`,
    );
  }
}

/**
 * The proof-of-work verdict: the Equihash solution under the parameters of `height`, the hash
 * against the header's own target, and for a block the merkle root of its transactions.
 */
export function checkPow(
  decoded: { header: BlockHeader; block?: Block },
  params: ConsensusParams,
  givenHeight?: number,
): PowReport {
  const { header, block } = decoded;
  const height = givenHeight ?? inferHeight(header, params);
  const hash = headerHash(header);
  const spec = equihashSpecsAt(height, params).find((s) => solutionSize(s.n, s.k) === header.solution.length);
  const reasons: string[] = [];
  const solution = verdictOf(() => verifyHeaderSolution(header, height, params));
  if (!solution.ok) reasons.push(solution.reason);
  const target = verdictOf(() => checkProofOfWorkTarget(hash, header.bits, params.difficulty.powLimit));
  if (!target.ok) reasons.push(target.reason);
  let checkpoint: PowReport['checkpoint'] = null;
  if (givenHeight !== undefined && params.checkpoints.some((cp) => cp.height === givenHeight)) {
    const pinned = verdictOf(() => checkCheckpoint(reverseHex(hash), givenHeight, params.checkpoints));
    checkpoint = pinned.ok ? 'match' : 'mismatch';
    if (!pinned.ok) reasons.push(pinned.reason);
  }
  if (block) {
    const computed = merkleRoot(block.txs.map(txid));
    if (!equalBytes(computed.root, header.merkleRoot))
      reasons.push(
        `bad-txnmrklroot: the transactions hash to ${reverseHex(computed.root)}, the header says ${reverseHex(header.merkleRoot)}`,
      );
    else if (computed.mutated) reasons.push('bad-txns-duplicate: the transaction list repeats a transaction');
  }
  return {
    kind: block ? 'block' : 'header',
    hash: reverseHex(hash),
    merkleRoot: reverseHex(header.merkleRoot),
    height,
    equihash: spec ? `${spec.n},${spec.k}` : null,
    checkpoint,
    pow: reasons.length === 0 ? 'valid' : 'invalid',
    reason: reasons.length === 0 ? null : reasons.join('; '),
  };
}

function readInput(file: string): string {
  try {
    return readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read ${file === '-' ? 'stdin' : file}: ${(err as Error).message}`);
  }
}

function parseHeight(text: string): number {
  if (!/^\d+$/.test(text.trim())) throw new CliError(`--height must be a whole number >= 0, not "${text}"`);
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new CliError(`--height ${text} is too large`);
  return n;
}

export function register(program: Command): void {
  const block = program.command('block').description(describe('block'));
  block
    .command('verify')
    .description(
      'check the proof of work of a block or header (hex); prints JSON; exit 0 valid, 1 invalid, 2 unreadable',
    )
    .argument('<file>', 'file holding the hex (- for stdin)')
    .option('--network <name>', `network (${NETWORKS.join(', ')})`, 'mainnet')
    .option(
      '--height <n>',
      'height of the block: its Equihash parameters and checkpoint apply (default: parameters inferred from the solution, no checkpoint)',
    )
    .option('--json', 'JSON output (the default; kept for symmetry with other commands)')
    .action((file: string, opts: { network: string; height?: string }) => {
      if (!isNetworkName(opts.network))
        throw new CliError(`unknown network "${opts.network}" (one of: ${NETWORKS.join(', ')})`);
      const height = opts.height === undefined ? undefined : parseHeight(opts.height);
      const report = checkPow(decodeBlockOrHeader(readInput(file)), paramsFor(opts.network), height);
      printJson(report);
      if (report.pow === 'invalid') process.exitCode = 1;
    });
}
