/**
 * `fluxnode app seal SPEC --secrets FILE`: seals secret environment entries into a spec for the
 * nodes it names, so only those nodes' agents can read them (cloud/secrets). The sealed spec goes to
 * standard output or --out; register or update it as usual. Secrets are never printed.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { AppSpecError, formatFromPath, parseAppSpec } from '../../cloud/index.ts';
import { CliError, printJson } from '../output.ts';
import { secretEntries, sealSpecSecrets } from '../owner/seal.ts';
import { DEFAULT_API_URL, NodeClient } from '../rpc.ts';

interface SealFlags {
  secrets: string;
  node: string;
  out?: string;
  json?: boolean;
}

function readDoc(file: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read ${what} ${file}: ${err instanceof Error ? err.message : String(err)}`, 2);
  }
  try {
    return parseAppSpec(text, file === '-' ? undefined : formatFromPath(file));
  } catch (err) {
    // A secrets file's parse error could quote its text: say only where it failed to parse.
    if (err instanceof AppSpecError) throw new CliError(`cannot parse ${what} ${file}`, 2);
    throw err;
  }
}

async function runSeal(file: string, flags: SealFlags): Promise<void> {
  const spec = readDoc(file, 'spec');
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec))
    throw new CliError(`${file} is not an app spec (an object)`, 2);
  const secrets = secretEntries(readDoc(flags.secrets, 'secrets file'));
  const sealed = await sealSpecSecrets(
    spec as Record<string, unknown>,
    secrets,
    new NodeClient({ url: flags.node }),
  );
  const text = `${JSON.stringify(sealed, null, 2)}\n`;
  if (flags.out !== undefined) writeFileSync(flags.out, text);
  const nodes = (sealed.nodes as string[]).length;
  const summary = { file, out: flags.out ?? null, components: [...secrets.keys()], nodes };
  if (flags.json) printJson({ ...summary, ...(flags.out === undefined && { spec: sealed }) });
  else {
    if (flags.out === undefined) process.stdout.write(text);
    process.stderr.write(
      `sealed the secrets of ${summary.components.join(', ')} for ${nodes} node(s); only those nodes can open them\n`,
    );
  }
}

export function registerSealCommand(app: Command): void {
  app
    .command('seal')
    .description('seal secret KEY=value entries into a spec for the nodes it names (only they can read them)')
    .argument('<spec>', 'the app spec (.json/.yaml; it must list its nodes)')
    .requiredOption('--secrets <file>', 'component → KEY=value list or KEY: value map (.json/.yaml)')
    .option('--node <url>', 'any node’s public API, to read the named nodes’ operator keys', DEFAULT_API_URL)
    .option('--out <file>', 'write the sealed spec there (default: standard output)')
    .option('--json', 'machine-readable summary (with the spec unless --out)')
    .action((spec: string, flags: SealFlags) => runSeal(spec, flags));
}
