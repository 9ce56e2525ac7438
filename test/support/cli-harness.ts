/**
 * For CLI tests against a real node: the CLI runs as its own process (asynchronously, so the node
 * started in the test's process keeps answering), and a devnet node with a cookie in a temp folder.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { FluxNode } from '../../src/node/node.ts';

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

export interface TestNode {
  node: FluxNode;
  dir: string;
  url: string;
  /** --rpc-url and --datadir (the cookie) for this node. */
  conn: string[];
  stop: () => Promise<void>;
}

/** A devnet node on `host` with its API on a free port and RPC credentials in <dir>/.cookie. */
export async function startTestNode(host: string, opts: { mineIntervalMs?: number } = {}): Promise<TestNode> {
  const dir = mkdtempSync(join(tmpdir(), 'fluxnode-cli-node-'));
  const node = await FluxNode.start({
    network: 'devnet',
    dataDir: dir,
    host,
    p2pPort: 0,
    apiPort: 0,
    bootstrap: [],
    mineIntervalMs: opts.mineIntervalMs ?? 0,
    logLevel: 'warn',
  });
  const { port } = node.api.server!.address() as AddressInfo;
  const url = `http://${host}:${port}`;
  return {
    node,
    dir,
    url,
    conn: ['--rpc-url', url, '--datadir', dir],
    stop: async () => {
      await node.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Mines exactly `n` blocks on the node itself (not through the CLI). */
export async function mineBlocks(node: FluxNode, n: number, address?: string): Promise<void> {
  await node.miner?.stop();
  node.startMiner(address ?? node.wallet.newAddress('test miner'), { maxBlocks: n });
  await node.miner!.whenStopped();
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
