/**
 * Looking at an app through a node's routing mesh from outside: one request per connection (a TCP
 * proxy ties a kept-alive connection to one instance), a steady stream of them recorded while a
 * blow lands, and the liveness detection time the devnet's nodes run with.
 */
import { request } from 'node:http';
import { resolveOptions } from '../../../src/cloud/agent/agent-options.ts';
import { liveWindowMs } from '../../../src/cloud/liveness/rule.ts';
import { DEVNET_APP_LIMITS } from '../../../src/cloud/spec/limits.ts';
import { paramsFor } from '../../../src/consensus/index.ts';

/** The page at http://host:port/ on a connection of its own, or undefined when it fails. */
export function meshGet(host: string, port: number, timeoutMs = 2_000): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = request({ host, port, path: '/', agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => {
        body += d;
      });
      res.on('end', () => resolve(res.statusCode === 200 ? body : undefined));
      res.on('error', () => resolve(undefined));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
    req.end();
  });
}

export interface ProbeResult {
  at: number;
  /** The page, or undefined for a failed request. */
  body: string | undefined;
}

/** Requests host:port back to back (a pause of `gapMs` between them) until stopped. */
export class MeshProbe {
  readonly results: ProbeResult[] = [];
  #stopped = false;
  readonly #loop: Promise<void>;

  constructor(host: string, port: number, gapMs = 50) {
    this.#loop = (async () => {
      while (!this.#stopped) {
        const body = await meshGet(host, port);
        this.results.push({ at: Date.now(), body });
        await new Promise((r) => setTimeout(r, gapMs));
      }
    })();
  }

  async stop(): Promise<ProbeResult[]> {
    this.#stopped = true;
    await this.#loop;
    return this.results;
  }
}

/** How long after its last heartbeat a dead node leaves every live set (cloud/liveness/rule.ts). */
export function livenessDetectionMs(): number {
  const o = resolveOptions({
    appLimits: DEVNET_APP_LIMITS,
    hardwareMinimums: paramsFor('devnet').fluxnodes.hardwareMinimums,
  });
  return liveWindowMs(o) + o.holdBackMs + o.tickMs;
}
