/**
 * `fluxnode app …`: working with app specs.
 *   app validate SPEC / app price SPEC     offline: exit 0 valid, 1 the spec breaks rules (each issue
 *                                          listed), 2 the file cannot be read or parsed
 *   app register|update|renew|quote SPEC   pay for a spec, from the node's wallet or an owner wallet
 *                                          (app-pay.ts)
 *   app status NAME                        instances, expiry and where it runs (JSON-RPC getapp)
 *   app logs|inspect|restart|stop|start|redeploy NAME   an owner's operations on every instance,
 *                                          signed with the owner's key (app-ops.ts)
 */
import { readFileSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { describe } from './list.ts';
import {
  appDemand,
  appPorts,
  appPrice,
  type AppSpec,
  AppSpecError,
  type AppSpecIssue,
  type AppSpecLimits,
  DEVNET_APP_LIMITS,
  formatFlux,
  formatFromPath,
  formatIssue,
  MAINNET_APP_LIMITS,
  MAINNET_PRICE_SCHEDULE,
  MAX_SPEC_BYTES,
  parseAppSpec,
  priceParamsAt,
  specHash,
  validateAppSpec,
} from '../../cloud/index.ts';
import { CliError, formatTable, printJson } from '../output.ts';
import { registerImportCommand } from './app-import.ts';
import { registerOpCommands } from './app-ops.ts';
import { registerPayCommands } from './app-pay.ts';
import { registerSealCommand } from './app-seal.ts';
import { type ConnectionFlags, connect, NodeRpcError, showFlux, withConnectionOptions } from '../rpc.ts';

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
    text = readSpecText(file);
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
    return fail(2, `cannot parse ${file}: ${err.issues[0]?.message ?? err.message}`, err.issues);
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

/** A spec file's text (stdin for `-`); a file far over the spec size limit is refused unread. */
function readSpecText(file: string): string {
  if (file === '-') return readFileSync(0, 'utf8');
  const bytes = statSync(file).size;
  // Four bytes per character at most in UTF-8: anything larger cannot be a spec of allowed length.
  if (bytes > 4 * MAX_SPEC_BYTES)
    throw new Error(`${bytes} bytes: a spec is at most ${MAX_SPEC_BYTES} characters`);
  return readFileSync(file, 'utf8');
}

/** Reads a spec file (or stdin for `-`) into a plain object; exit 2 when unreadable or malformed. */
function readSpecObject(file: string): unknown {
  let text: string;
  try {
    text = readSpecText(file);
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${(err as Error).message}`);
  }
  try {
    return parseAppSpec(text, file === '-' ? undefined : formatFromPath(file));
  } catch (err) {
    if (err instanceof AppSpecError)
      throw new CliError(`cannot parse ${file}: ${err.issues[0]?.message ?? err.message}`);
    throw err;
  }
}

interface AppInfo {
  name: string;
  owner: string;
  specHash: string;
  height: number;
  registeredHeight: number;
  expiresAt: number;
  instances: number;
  paid: number;
  txid: string;
  locations: {
    node: string;
    ip: string;
    ports: number[];
    state: string;
    data?: { component: string; mode: string; role: string; needBytes: number; inSync: boolean }[];
    /** False where the host keeps the app's data in a plain folder, not a volume of its hdd. */
    hddEnforced?: boolean;
  }[];
  unmatchedPayments: UnmatchedJson[];
  /** Why nodes do not host it; null from a node that places no apps. */
  placement?: { summary: string } | null;
  /** `host:port` where the node asked answers for the app through its routing mesh. */
  mesh?: string[];
}

/** `g: primary, in sync` / `s: replica, 4096 bytes behind` per replicated component; `-` for local data. */
function dataCell(data: NonNullable<AppInfo['locations'][number]['data']> | undefined): string {
  if (!data || data.length === 0) return '-';
  return data
    .map((d) => {
      const sync = d.inSync
        ? 'in sync'
        : d.needBytes > 0
          ? `${d.needBytes} bytes behind`
          : 'first copy pending';
      return `${data.length > 1 ? `${d.component} ` : ''}${d.mode}: ${d.role}, ${sync}`;
    })
    .join('; ');
}

interface UnmatchedJson {
  txid: string;
  height: number;
  paid: number;
  reason: string;
  message: string;
}

/** Payments that changed nothing, one line each with the reason, so no payment goes unseen. */
function unmatchedLines(list: readonly UnmatchedJson[]): string {
  const rows = list.map(
    (u) => `  ${u.txid} at ${u.height}: ${showFlux(u.paid)} FLUX, ${u.reason}: ${u.message}
`,
  );
  return `payments that matched nothing (${list.length}):
${rows.join('')}`;
}

export function register(program: Command): void {
  const app = program.command('app').description(describe('app'));

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

  registerPayCommands(app, readSpecObject);
  registerImportCommand(app);
  registerSealCommand(app);

  withConnectionOptions(
    app
      .command('status')
      .description('a registered app: instances, expiry and where it runs')
      .argument('<name>', 'app name')
      .option('--json', 'machine-readable output'),
  ).action(async (name: string, o: ConnectionFlags & { json?: boolean }) => {
    const client = connect(o);
    const height = await client.call<number>('getblockcount');
    let a: AppInfo;
    try {
      a = await client.call<AppInfo>('getapp', [name]);
    } catch (err) {
      // No live app: a payment for it that matched nothing is still the owner's business.
      const orphans = await client.call<UnmatchedJson[]>('listunmatchedapppayments', [name]);
      if (!(err instanceof NodeRpcError) || orphans.length === 0) throw err;
      if (o.json) printJson({ name, active: false, chainHeight: height, unmatchedPayments: orphans });
      else
        process.stdout.write(`${name} is not active
${unmatchedLines(orphans)}`);
      return;
    }
    if (o.json) {
      printJson({ ...a, chainHeight: height });
      return;
    }
    const lines = [
      `${a.name}  owner ${a.owner}`,
      `spec hash ${a.specHash}, paid ${showFlux(a.paid)} FLUX in ${a.txid}`,
      `registered at ${a.registeredHeight}, expires at ${a.expiresAt} (in ${Math.max(0, a.expiresAt - height)} blocks)`,
      `instances: ${a.locations.length} of ${a.instances} placed`,
      `mesh: ${a.mesh?.length ? `${a.mesh.join(', ')} (any fluxnode's address works)` : 'none on this node'}`,
    ];
    if (a.unmatchedPayments.length > 0) lines.push(unmatchedLines(a.unmatchedPayments).trimEnd());
    if (a.placement) lines.push(`placement: ${a.placement.summary}`);
    if (a.locations.length > 0)
      lines.push(
        formatTable(
          ['node', 'ip', 'ports', 'state', 'data'],
          a.locations.map((l) => [
            l.node,
            l.ip,
            l.ports.join(',') || '-',
            l.hddEnforced === false ? `${l.state} (hdd not enforced)` : l.state,
            dataCell(l.data),
          ]),
        ),
      );
    process.stdout.write(`${lines.join('\n')}\n`);
  });

  registerOpCommands(app);
}
