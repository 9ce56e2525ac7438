/**
 * For CLI tests: the CLI runs as its own process (asynchronously, so a node started in the test's
 * process keeps answering), or one command is parsed in process. The devnet node those tests talk
 * to is in test/e2e/cli/test-node.ts.
 */
import { spawn } from 'node:child_process';
import { Command } from 'commander';

export const BIN = new URL('../../bin/fluxnode.js', import.meta.url).pathname;

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(
  args: string[],
  opts: { input?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...opts.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(opts.input ?? '');
  });
}

/** Parses stdout as JSON, failing the test with the CLI's stderr when it is not. */
export function jsonOf<T = Record<string, unknown>>(r: CliResult): T {
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${r.status}): ${r.stdout}\nstderr: ${r.stderr}`);
  }
}

/**
 * Runs one command's registration in this process and parses `args`, for checks that fail before
 * any output (bad flags): resolves, or rejects with the CliError the command threw.
 */
export async function parseInProcess(register: (program: Command) => void, args: string[]): Promise<void> {
  const program = new Command('fluxnode').exitOverride().configureOutput({ writeErr: () => {} });
  register(program);
  await program.parseAsync(args, { from: 'user' });
}
