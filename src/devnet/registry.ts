// The devnet's OCI registry: Debian's docker-registry (CNCF distribution 2.8) serving a folder.
//
// It listens on a loopback address over plain HTTP. dockerd treats every registry in 127.0.0.0/8
// as insecure by default (it tries HTTPS, then falls back to HTTP), so no --insecure-registry flag is
// needed as long as the registry stays on a 127.x address.

import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { stringify } from 'yaml';
import {
  DaemonError,
  processAlive,
  removeIfEmpty,
  requireTool,
  spawnDaemon,
  tailOf,
  terminateProcess,
  waitUntilReady,
} from './dockerd.ts';

export interface RegistryOptions {
  /** A folder for the registry: it writes config.yml, registry.log and data/ (the images) there. */
  dir: string;
  /** Loopback address to listen on (default 127.0.0.1). */
  host?: string;
  /**
   * The engines that pull from it are told it is an insecure registry (namespaced devnets): then
   * `host` may be a 10.x address, the host's own on the devnet's bridge.
   */
  declaredInsecure?: boolean;
  /** TCP port (default 5000). */
  port?: number;
  startTimeoutMs?: number;
}

export interface Registry {
  /** `host:port`, the prefix of image references stored here (e.g. `127.0.0.1:5000/flux/hello:1`). */
  address: string;
  /** `http://host:port`, the base of the registry's HTTP API (`/v2/...`). */
  url: string;
  pid: number;
  dir: string;
  /** Stops the registry and removes its files (images included unless `keepData` is set). */
  stop(opts?: { keepData?: boolean }): Promise<void>;
}

export async function startRegistry(opts: RegistryOptions): Promise<Registry> {
  const host = opts.host ?? '127.0.0.1';
  const port = opts.port ?? 5000;
  const allowed = host.startsWith('127.') || (opts.declaredInsecure === true && host.startsWith('10.'));
  if (!net.isIPv4(host) || !allowed) {
    throw new DaemonError(
      'docker-registry',
      `host ${host} must be a 127.x address (dockerd pulls plain HTTP only there)`,
    );
  }
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new DaemonError('docker-registry', `port ${port} must be an integer in 1..65535`);
  }
  const binary = requireTool('docker-registry');
  const address = `${host}:${port}`;
  // Checked up front: a registry already on this port would answer our readiness probe for us.
  await assertPortFree(host, port);

  const dir = path.resolve(opts.dir);
  const configFile = path.join(dir, 'config.yml');
  const logFile = path.join(dir, 'registry.log');
  const dataDir = path.join(dir, 'data');
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await writeFile(
    configFile,
    stringify({
      version: 0.1,
      log: { level: 'warn', accesslog: { disabled: true } },
      storage: {
        filesystem: { rootdirectory: dataDir },
        delete: { enabled: true },
        // A fresh per-process cache; stale descriptors would outlive deletions otherwise.
        cache: { blobdescriptor: 'inmemory' },
      },
      // A fixed secret silences the "generated random secret" warning; it only signs upload state.
      http: { addr: address, secret: randomBytes(16).toString('hex') },
    }),
  );

  // REGISTRY_* variables override the config file; none of the caller's may leak into ours.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('REGISTRY_')));
  const child = spawnDaemon(binary, ['serve', configFile], logFile, env);
  const url = `http://${address}`;
  const removeFiles = async (keepData: boolean) => {
    for (const own of keepData ? [configFile, logFile] : [configFile, logFile, dataDir]) {
      await rm(own, { recursive: true, force: true });
    }
    await removeIfEmpty(dir);
  };
  try {
    await waitUntilReady('docker-registry', child, logFile, opts.startTimeoutMs ?? 15_000, () =>
      answers(url),
    );
  } catch (err) {
    await removeFiles(false);
    throw err;
  }
  const pid = child.pid!;
  if (!processAlive(pid)) {
    const tail = tailOf(logFile);
    await removeFiles(false);
    throw new DaemonError('docker-registry', 'exited right after answering', tail);
  }

  let stopping: Promise<void> | undefined;
  return {
    address,
    url,
    pid,
    dir,
    stop(stopOpts) {
      stopping ??= (async () => {
        await terminateProcess(pid, 5_000);
        await removeFiles(stopOpts?.keepData ?? false);
      })();
      return stopping;
    },
  };
}

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/v2/`, { signal: AbortSignal.timeout(1_000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

function assertPortFree(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        new DaemonError('docker-registry', `cannot listen on ${host}:${port}: ${err.code ?? err.message}`),
      );
    });
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}
