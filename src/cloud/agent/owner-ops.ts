/**
 * An app owner's operations on this node's instance of the app: read its logs, inspect it, restart,
 * stop, start or redeploy it. Every request is checked here, whoever relayed it: signed by the
 * current owner of the active app, naming this node, issued within the window, and never seen
 * before (its nonce is stored on disk before anything is done). Changes run in the reconciler's
 * queue, so they never overlap a reconcile pass; a stop is remembered (OwnerState) so that neither
 * the reconciler nor a node restart brings the instance back before the owner asks.
 */
import { MessageVerifyError } from '../messages/errors.ts';
import { type OwnerRequest, verifyOwnerRequest } from '../messages/owner-request.ts';
import type { CloudMetrics } from '../metrics.ts';
import type { RegisteredApp } from '../registry/app-registry.ts';
import type { ContainerUsage, ManagedContainer } from '../runtime/types.ts';
import type { OwnerState } from './owner-state.ts';
import type { SerialQueue } from './serial.ts';
import type { AgentLogger, AgentRuntime } from './types.ts';

/** One log line of one container of the app on this node. */
export interface OwnerLogLine {
  node: string;
  component: string;
  container: string;
  /** ms since the epoch, the engine's time of the line. */
  time: number;
  stream: 'stdout' | 'stderr';
  text: string;
}

export interface OwnerContainer {
  component: string;
  container: string;
  state: string;
  status: string;
  image: string;
  created: number;
  usage?: ContainerUsage;
}

/** What one node did for one request. */
export interface OwnerOpResult {
  node: string;
  app: string;
  op: OwnerRequest['op'];
  /** Placement puts an instance of the app on this node. */
  placedHere: boolean;
  /** The owner stopped the app here (after this request). */
  stopped: boolean;
  containers: OwnerContainer[];
  /** Containers the operation acted on (restart, stop, start, redeploy). */
  done: string[];
  lines?: OwnerLogLine[];
}

export interface OwnerOpsDeps {
  nodeId: string;
  runtime: AgentRuntime;
  serial: SerialQueue;
  state: OwnerState;
  log: AgentLogger;
  activeApps: () => readonly RegisteredApp[];
  placedHere: (app: string) => boolean;
  /** Asks for a reconcile pass (after a start or redeploy: it creates what is missing). */
  reconcile: () => void;
  now: () => number;
  windowMs: number;
  restartTimeoutSec?: number;
  metrics?: CloudMetrics | null;
}

/**
 * Longest log line kept, and most bytes of lines per answer (as JSON): one answer must fit one p2p
 * reply item (4 MB) with room for the rest of the answer.
 */
export const MAX_LINE_CHARS = 4096;
export const MAX_LOG_BYTES = 3_000_000;

/** The newest lines that fit MAX_LOG_BYTES, each cut to MAX_LINE_CHARS. */
function newest(lines: OwnerLogLine[]): OwnerLogLine[] {
  let bytes = 0;
  let from = lines.length;
  while (from > 0) {
    const l = lines[from - 1]!;
    if (l.text.length > MAX_LINE_CHARS) l.text = `${l.text.slice(0, MAX_LINE_CHARS)}…`;
    bytes += Buffer.byteLength(JSON.stringify(l));
    if (bytes > MAX_LOG_BYTES) break;
    from--;
  }
  return lines.slice(from);
}

export class OwnerOps {
  readonly #d: OwnerOpsDeps;

  constructor(deps: OwnerOpsDeps) {
    this.#d = deps;
  }

  /** Checks `req` (MessageVerifyError when refused) and carries it out on this node. */
  async run(req: OwnerRequest): Promise<OwnerOpResult> {
    try {
      const result = await this.#run(req);
      this.#d.metrics?.ownerRequests.inc({ op: req.op, result: 'ok' });
      return result;
    } catch (err) {
      const result = err instanceof MessageVerifyError ? err.rule : 'failed';
      this.#d.metrics?.ownerRequests.inc({ op: req.op, result });
      throw err;
    }
  }

  async #run(req: OwnerRequest): Promise<OwnerOpResult> {
    const app = this.#authorize(req);
    const done = await this.#act(req, app);
    const containers = await this.#containersOf(app.name);
    const result: OwnerOpResult = {
      node: this.#d.nodeId,
      app: app.name,
      op: req.op,
      placedHere: this.#d.placedHere(app.name),
      stopped: this.#d.state.isStopped(app.name),
      containers: await this.#describe(containers, req.op === 'inspect'),
      done,
    };
    if (req.op === 'logs') result.lines = await this.#logs(containers, req.tail ?? 100, req.since ?? 0);
    return result;
  }

  async #act(req: OwnerRequest, app: RegisteredApp): Promise<string[]> {
    if (req.op === 'logs' || req.op === 'inspect') return [];
    const done = await this.#d.serial.run(() => this.#change(req, app));
    this.#d.log.info({ app: app.name, op: req.op, hard: req.hard === true, done }, 'owner operation');
    if (req.op === 'start' || req.op === 'redeploy') this.#d.reconcile();
    return done;
  }

  async #change(req: OwnerRequest, app: RegisteredApp): Promise<string[]> {
    const { runtime, state } = this.#d;
    const containers = await this.#containersOf(app.name);
    // Held first, so that a reconcile right after cannot undo the stop.
    state.setStopped(app.name, req.op === 'stop');
    for (const c of containers) {
      if (req.op === 'restart') await runtime.restart(c.id, this.#d.restartTimeoutSec);
      else if (req.op === 'stop') await runtime.stop(c.id, this.#d.restartTimeoutSec);
      else if (req.op === 'start') await runtime.start(c.id);
      else if (req.op === 'redeploy') await runtime.remove(c.id);
    }
    if (req.op === 'redeploy' && req.hard)
      for (const c of app.spec.components) await runtime.removeData(app.name, c.name);
    return containers.map((c) => c.name);
  }

  async #logs(containers: ManagedContainer[], tail: number, since: number): Promise<OwnerLogLine[]> {
    const out: OwnerLogLine[] = [];
    for (const c of containers) {
      for (const l of await this.#d.runtime.logLines(c.id, tail, since))
        out.push({ node: this.#d.nodeId, component: c.component, container: c.name, ...l });
    }
    return newest(out.sort((a, b) => a.time - b.time));
  }

  async #describe(containers: ManagedContainer[], withUsage: boolean): Promise<OwnerContainer[]> {
    const out: OwnerContainer[] = [];
    for (const c of containers) {
      const d: OwnerContainer = {
        component: c.component,
        container: c.name,
        state: c.state,
        status: c.status,
        image: c.image,
        created: c.created,
      };
      const usage = withUsage && c.state === 'running' ? await this.#d.runtime.usage(c.id) : undefined;
      if (usage) d.usage = usage;
      out.push(d);
    }
    return out;
  }

  async #containersOf(app: string): Promise<ManagedContainer[]> {
    return (await this.#d.runtime.listManagedContainers()).filter((c) => c.app === app);
  }

  /**
   * The active app the request is about, once the request is shown to be its owner's, for this
   * node, recent, and new: its nonce is then used up (on disk) before the operation starts.
   */
  #authorize(req: OwnerRequest): RegisteredApp {
    const app = this.#d.activeApps().find((a) => a.name === req.app);
    if (!app)
      throw new MessageVerifyError(
        'owner-request',
        'unknown-app',
        'app',
        req.app,
        'no active app has this name',
        0,
      );
    const now = this.#d.now();
    verifyOwnerRequest(req, { owner: app.owner, node: this.#d.nodeId, now, windowMs: this.#d.windowMs });
    // Kept until the request could no longer pass the time check anyway.
    if (!this.#d.state.use(req.nonce, req.issuedAt + this.#d.windowMs, now)) {
      throw new MessageVerifyError(
        'owner-request',
        'replayed',
        'nonce',
        req.nonce,
        'this request was already carried out on this node',
        0,
      );
    }
    return app;
  }
}
