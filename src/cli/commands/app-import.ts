/**
 * `fluxnode app import FILE`: a FluxOS app spec (v1–v8, as FluxOS's API returns it, or the API's
 * whole `{status, data}` answer) or a docker-compose file, written as a fluxnode spec, with a report
 * of every field that did not carry over and why. Exit 0 when the result is a valid spec, 1 when it
 * still breaks a rule (the spec is written anyway, for editing), 2 when the file cannot be imported.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import {
  AppSpecError,
  type AppSpecIssue,
  DEVNET_APP_LIMITS,
  formatFromPath,
  formatIssue,
  type ImportNote,
  type ImportSource,
  importSpec,
  MAINNET_APP_LIMITS,
  MAX_SPEC_BYTES,
  parseAppSpec,
  SpecImportError,
  validateAppSpec,
} from '../../cloud/index.ts';
import { type NetworkName, paramsFor } from '../../consensus/index.ts';
import { CliError, printJson } from '../output.ts';

interface ImportFlags {
  from?: string;
  name?: string;
  owner?: string;
  out?: string;
  network: string;
  json?: boolean;
}

const NETWORK_LIMITS = { mainnet: MAINNET_APP_LIMITS, devnet: DEVNET_APP_LIMITS } as const;

function networkOf(name: string): 'mainnet' | 'devnet' {
  if (name === 'mainnet' || name === 'devnet') return name;
  throw new CliError(`--network must be mainnet or devnet, not "${name}"`, 2);
}

function sourceOf(from: string | undefined): ImportSource | undefined {
  if (from === undefined || from === 'fluxos' || from === 'compose') return from;
  throw new CliError(`--from must be fluxos or compose, not "${from}"`, 2);
}

/** The same bounds as a spec's: a file far over them is refused unread, the parser checks the rest. */
function readSource(file: string): unknown {
  let text: string;
  try {
    if (file !== '-' && statSync(file).size > 4 * MAX_SPEC_BYTES)
      throw new Error(`larger than ${4 * MAX_SPEC_BYTES} bytes`);
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`, 2);
  }
  try {
    return parseAppSpec(text, file === '-' ? undefined : formatFromPath(file));
  } catch (err) {
    if (err instanceof AppSpecError)
      throw new CliError(`cannot parse ${file}: ${err.issues[0]?.message ?? err.message}`, 2);
    throw err;
  }
}

function noteLine(n: ImportNote): string {
  const value = n.value === undefined ? '' : ` ${JSON.stringify(n.value)?.slice(0, 60)}`;
  return `  ${n.action.padEnd(9)} ${n.field}${value}: ${n.reason}`;
}

function issuesOf(spec: unknown, network: 'mainnet' | 'devnet'): AppSpecIssue[] {
  try {
    validateAppSpec(spec, NETWORK_LIMITS[network]);
    return [];
  } catch (err) {
    if (err instanceof AppSpecError) return err.issues;
    throw err;
  }
}

function runImport(file: string, flags: ImportFlags): void {
  const network = networkOf(flags.network);
  const doc = readSource(file);
  let result: ReturnType<typeof importSpec>;
  try {
    result = importSpec(
      doc,
      {
        limits: NETWORK_LIMITS[network],
        blockSeconds: paramsFor(network as NetworkName).difficulty.targetSpacing,
        ...(flags.name !== undefined && { name: flags.name }),
        ...(flags.owner !== undefined && { owner: flags.owner }),
      },
      sourceOf(flags.from),
    );
  } catch (err) {
    if (err instanceof SpecImportError) throw new CliError(`cannot import ${file}: ${err.message}`, 2);
    throw err;
  }
  const issues = issuesOf(result.spec, network);
  const specText = `${JSON.stringify(result.spec, null, 2)}\n`;
  if (flags.out !== undefined) writeFileSync(flags.out, specText);
  if (flags.json) {
    printJson({
      file,
      source: result.source,
      valid: issues.length === 0,
      spec: result.spec,
      notes: result.notes,
      issues,
    });
  } else {
    if (flags.out === undefined) process.stdout.write(specText);
    const report = [
      `${file}: imported from ${result.source}${flags.out === undefined ? '' : ` into ${flags.out}`}`,
      ...(result.notes.length === 0
        ? ['every field carried over']
        : [`${result.notes.length} note(s):`, ...result.notes.map(noteLine)]),
      ...(issues.length === 0
        ? ['the result is a valid spec']
        : [
            `the result still breaks ${issues.length} rule(s); edit it before registering:`,
            ...issues.map((i) => `  - ${formatIssue(i)}`),
          ]),
    ];
    process.stderr.write(`${report.join('\n')}\n`);
  }
  if (issues.length > 0) process.exitCode = 1;
}

export function registerImportCommand(app: Command): void {
  app
    .command('import')
    .description(
      'turn a FluxOS app spec (v1–v8) or a docker-compose file into a fluxnode spec, reporting what does not carry over',
    )
    .argument(
      '<file>',
      'FluxOS spec (.json, or the API answer holding it) or compose file (.yaml/.yml); - for stdin',
    )
    .option('--from <kind>', 'fluxos or compose (default: told from the content)')
    .option('--name <name>', "the app's name (default: the source's; picks one spec from a list)")
    .option('--owner <address>', 'the owner address (compose files name none)')
    .option('--out <file>', 'write the spec there (default: standard output, report on standard error)')
    .option('--network <name>', 'whose limits and block time apply: mainnet or devnet', 'mainnet')
    .option('--json', 'one JSON object: source, valid, spec, notes, issues')
    .action((file: string, flags: ImportFlags) => runImport(file, flags));
}
