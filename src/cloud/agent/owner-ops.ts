/**
 * What an app's owner may do on one node, each request checked against the owner address of the
 * active app: read the status and logs of the app's containers here, and restart them. Restarts run
 * in the reconciler's queue, so they never overlap a reconcile pass.
 */
import { MessageFieldError, MessageVerifyError } from '../messages/errors.ts';
import { type OwnerAction, type OwnerRequest, verifyOwnerRequest } from '../messages/owner-request.ts';
import type { RegisteredApp } from '../registry/app-registry.ts';
import type { ManagedContainer } from '../runtime/types.ts';
import type { AppLocation } from './locations.ts';
import type { SerialQueue } from './serial.ts';
import type { AgentLogger, AgentRuntime } from './types.ts';

export interface OwnerAppStatus {
  app: string;
  node: string;
  specHash: string;
  /** Placement puts an instance of the app on this node. */
  placedHere: boolean;
  containers: ManagedContainer[];
  locations: AppLocation[];
}

export interface OwnerLogs {
  component: string;
  container: string;
  logs: string;
}

export interface OwnerOpsDeps {
  nodeId: string;
  runtime: AgentRuntime;
  serial: SerialQueue;
  log: AgentLogger;
  activeApps: () => readonly RegisteredApp[];
  placedHere: (app: string) => boolean;
  locations: (app: string) => AppLocation[];
  now: () => number;
  maxAgeMs: number;
  restartTimeoutSec?: number;
}

export class OwnerOps {
  private readonly d: OwnerOpsDeps;
  /** Signatures of restarts already done, until they would be too old anyway. */
  private readonly usedRestarts = new Map<string, number>();

  constructor(deps: OwnerOpsDeps) {
    this.d = deps;
  }

  async status(req: OwnerRequest): Promise<OwnerAppStatus> {
    const app = this.authorize(req, 'status');
    return {
      app: app.name,
      node: this.d.nodeId,
      specHash: app.specHash,
      placedHere: this.d.placedHere(app.name),
      containers: await this.containersOf(app.name),
      locations: this.d.locations(app.name),
    };
  }

  async logs(req: OwnerRequest, tail = 100): Promise<OwnerLogs[]> {
    const app = this.authorize(req, 'logs');
    const out: OwnerLogs[] = [];
    for (const c of await this.containersOf(app.name)) {
      out.push({ component: c.component, container: c.name, logs: await this.d.runtime.logs(c.id, tail) });
    }
    return out;
  }

  async restart(req: OwnerRequest): Promise<{ restarted: string[] }> {
    const app = this.authorize(req, 'restart');
    const now = this.d.now();
    for (const [sig, until] of this.usedRestarts) if (until < now) this.usedRestarts.delete(sig);
    if (this.usedRestarts.has(req.signature)) {
      throw new MessageVerifyError(
        'owner-request',
        'replayed',
        'signature',
        req.signature,
        'this restart request was already carried out',
      );
    }
    this.usedRestarts.set(req.signature, req.time + this.d.maxAgeMs);
    return this.d.serial.run(async () => {
      const restarted: string[] = [];
      for (const c of await this.containersOf(app.name)) {
        await this.d.runtime.restart(c.id, this.d.restartTimeoutSec);
        restarted.push(c.name);
      }
      this.d.log.info({ app: app.name, restarted }, 'owner restart');
      return { restarted };
    });
  }

  private async containersOf(app: string): Promise<ManagedContainer[]> {
    return (await this.d.runtime.listManagedContainers()).filter((c) => c.app === app);
  }

  /** The active app the request is about, once the request is shown to be its owner's, for us, and recent. */
  private authorize(req: OwnerRequest, action: OwnerAction): RegisteredApp {
    if (req.action !== action)
      throw new MessageFieldError('action', req.action, `this operation is ${action}`);
    const app = this.d.activeApps().find((a) => a.name === req.app);
    if (!app) {
      throw new MessageVerifyError(
        'owner-request',
        'unknown-app',
        'app',
        req.app,
        'no active app has this name',
      );
    }
    verifyOwnerRequest(req, {
      owner: app.owner,
      node: this.d.nodeId,
      now: this.d.now(),
      maxAgeMs: this.d.maxAgeMs,
    });
    return app;
  }
}
