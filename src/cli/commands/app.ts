/**
 * `fluxnode app …`: working with app specs. For now the offline parts: `validate` and `price`.
 * Exit codes: 0 valid, 1 the spec breaks rules (each issue listed), 2 the file cannot be read or parsed.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { DEVNET_APP_LIMITS, MAINNET_APP_LIMITS, type AppSpecLimits } from '../../cloud/spec/limits.ts';
import { formatFromPath, parseAppSpec } from '../../cloud/spec/parse.ts';
import { appPrice, formatFlux, MAINNET_PRICE_SCHEDULE, priceParamsAt } from '../../cloud/spec/price.ts';
import { appDemand, appPorts } from '../../cloud/spec/resources.ts';
import { specHash } from '../../cloud/spec/hash.ts';
import { type AppSpec, AppSpecError, type AppSpecIssue, formatIssue } from '../../cloud/spec/schema.ts';
import { validateAppSpec } from '../../cloud/spec/validate.ts';
import { CliError, printJson } from '../output.ts';

const LIMITS: Record<string, AppSpecLimits> = { mainnet: MAINNET_APP_LIMITS, devnet: DEVNET_APP_LIMITS };

interface SpecOptions {
  json?: boolean;
  network: string;
}

function limitsFor(network: string): AppSpecLimits {
  const limits = Object.hasOwn(LIMITS, network) ? LIMITS[network] : undefined;
  if (!limits)
    throw new CliError(`unknown network "${network}" (one of: ${Object.keys(LIMITS).join(', ')})`, 2);
  return limits;
}

/** Exits 2 (unreadable) or 1 (invalid) with the problems listed, in JSON when asked; else returns the spec. */
function loadSpec(file: string, opts: SpecOptions): AppSpec {
  const limits = limitsFor(opts.network);
  const fail = (exitCode: number, message: string, issues: AppSpecIssue[]): never => {
    if (opts.json) {
      printJson({ file, valid: false, readable: exitCode !== 2, issues });
      process.exitCode = exitCode;
      throw new CliError('', exitCode);
    }
    throw new CliError(message, exitCode);
  };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    return fail(2, `cannot read ${file}: ${detail}`, [
      { field: '', value: file, rule: 'unreadable', message: detail },
    ]);
  }
  let raw: unknown;
  try {
    raw = parseAppSpec(text, formatFromPath(file));
  } catch (err) {
    if (!(err instanceof AppSpecError)) throw err;
    return fail(2, `cannot parse ${file}: ${err.issues[0].message}`, err.issues);
  }
  try {
    return validateAppSpec(raw, limits);
  } catch (err) {
    if (!(err instanceof AppSpecError)) throw err;
    const n = err.issues.length;
    const lines = err.issues.map((i) => `  - ${formatIssue(i)}`).join('\n');
    return fail(
      1,
      `${file} is not a valid app spec (${n} problem${n === 1 ? '' : 's'}):\n${lines}`,
      err.issues,
    );
  }
}

/** Errors already printed as JSON carry an empty message; keep main.ts from printing a blank line. */
async function quietly(action: () => void): Promise<void> {
  try {
    action();
  } catch (err) {
    if (err instanceof CliError && err.message === '') return;
    throw err;
  }
}

function summary(spec: AppSpec): string {
  const d = appDemand(spec);
  const n = spec.components.length;
  const p = appPorts(spec).length;
  return (
    `"${spec.name}": ${n} component${n === 1 ? '' : 's'}, ${spec.instances} instances of ` +
    `${d.cpu} cores / ${d.ram} MB / ${d.hdd} GB, ${p} public port${p === 1 ? '' : 's'}, expire ${spec.expire} blocks`
  );
}

export function register(program: Command): void {
  const app = program.command('app').description('App specs: validate, price');

  app
    .command('validate')
    .description(
      'check an app spec (JSON or YAML) and list every problem; exit 0 valid, 1 invalid, 2 unreadable',
    )
    .argument('<file>', 'spec file (.json, .yaml or .yml)')
    .option('--json', 'machine-readable output')
    .option('--network <name>', 'whose limits apply: mainnet or devnet', 'mainnet')
    .action((file: string, opts: SpecOptions) =>
      quietly(() => {
        const spec = loadSpec(file, opts);
        const hash = specHash(spec);
        if (opts.json) printJson({ file, valid: true, hash, spec });
        else process.stdout.write(`${file}: valid app spec ${summary(spec)}\nspec hash ${hash}\n`);
      }),
    );

  app
    .command('price')
    .description("what registering an app costs, by FluxOS's price rule, in FLUX and satoshis")
    .argument('<file>', 'spec file (.json, .yaml or .yml)')
    .option('--json', 'machine-readable output')
    .option('--network <name>', 'whose limits apply: mainnet or devnet', 'mainnet')
    .option('--height <n>', 'registration height choosing the price fork (default: the latest fork)')
    .action((file: string, opts: SpecOptions & { height?: string }) =>
      quietly(() => {
        let height = Number.MAX_SAFE_INTEGER;
        if (opts.height !== undefined) {
          height = Number(opts.height);
          if (!Number.isInteger(height) || height < 0) {
            throw new CliError(`--height must be a whole number >= 0, not "${opts.height}"`, 2);
          }
        }
        const spec = loadSpec(file, opts);
        const params = priceParamsAt(MAINNET_PRICE_SCHEDULE, height);
        const price = appPrice(spec, params);
        if (opts.json) {
          printJson({ file, name: spec.name, priceForkHeight: params.height, ...price });
          return;
        }
        const blocks = price.periodBlocks.toLocaleString('en-US');
        process.stdout.write(
          [
            `${file}: ${summary(spec)}`,
            `price fork: FluxOS prices from height ${params.height}`,
            `per ${blocks} blocks: ${formatFlux(price.perPeriod)} FLUX (${price.perPeriod} sat)`,
            `per block:          ${formatFlux(price.perBlock)} FLUX (rounded up)`,
            `total for ${price.expire.toLocaleString('en-US')} blocks: ${formatFlux(price.total)} FLUX (${price.total} sat)`,
          ].join('\n') + '\n',
        );
      }),
    );
}
