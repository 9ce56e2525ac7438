/**
 * Passwords and passphrases for the CLI: from a file (`--…-file`, first line) or the environment,
 * which other users of the machine cannot read; a value given as a flag still works but prints a
 * warning, since every user sees a process's arguments in `ps`.
 */
import { readFileSync } from 'node:fs';
import { CliError } from './output.ts';

export interface SecretSources {
  /** What the secret is, for messages ("RPC password"). */
  what: string;
  /** The flag's name and value, if given (`--rpc-password`). */
  flag: [name: string, value: string | undefined];
  /** The file flag's name and path, if given (`--rpc-password-file`). */
  file: [name: string, path: string | undefined];
  /** The environment variable to read when neither flag is given. */
  env: string;
}

/** The secret from the first source given: the flag (with a warning), the file, the environment. */
export function readSecret(
  s: SecretSources,
  warn: (line: string) => void = (line) => {
    process.stderr.write(`${line}\n`);
  },
): string | undefined {
  const [flagName, flagValue] = s.flag;
  const [fileFlag, path] = s.file;
  if (flagValue !== undefined && path !== undefined)
    throw new CliError(`give ${flagName} or ${fileFlag}, not both`);
  if (flagValue !== undefined) {
    warn(
      `fluxnode: warning: ${flagName} shows the ${s.what} to every user of this machine (ps); ` +
        `use ${fileFlag} or ${s.env} instead`,
    );
    return flagValue;
  }
  if (path !== undefined) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      throw new CliError(`cannot read the ${s.what} from ${path}: ${(err as Error).message}`);
    }
    const first = text.split(/\r?\n/)[0] ?? '';
    if (!first) throw new CliError(`${path} is empty: it should hold the ${s.what} on its first line`);
    return first;
  }
  const fromEnv = process.env[s.env];
  return fromEnv ? fromEnv : undefined;
}
