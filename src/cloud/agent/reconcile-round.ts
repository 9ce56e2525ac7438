/**
 * One reconcile round as the agent runs it: read the placement for the current inputs (announcing
 * it when it changed), take this node's share as the desired state, run a pass (reconcile-pass.ts)
 * and hand the containers found to the running report. Rounds are serialized by the trigger.
 */
import { type DataRound, type DataSync, dataKey } from '../appdata/data-sync.ts';
import type { RunningReport, RunningState, SyncEndpoint } from '../messages/running-report.ts';
import type { CloudMetrics } from '../metrics.ts';
import type { RegisteredApp } from '../registry/app-registry.ts';
import type { ManagedContainer } from '../runtime/types.ts';
import type { AppComponent } from '../spec/schema.ts';
import { Backoff } from './backoff.ts';
import { assignmentKey, desiredComponents, type PlacementView } from './placement-view.ts';
import { type ReconcileOutcome, reconcilePass } from './reconcile-pass.ts';
import type { AgentLogger, AgentRuntime, ChainView, Clock } from './types.ts';

export interface RoundDeps {
  nodeId: string;
  chain: ChainView;
  runtime: AgentRuntime;
  clock: Clock;
  log: AgentLogger;
  placement: () => PlacementView;
  metrics: CloudMetrics | null;
  /** Running, and past the startup grace period. */
  ready: () => boolean;
  active: () => boolean;
  retryIn: (ms: number) => void;
  /** Apps their owner stopped here: left alone. */
  ownerStopped: () => ReadonlySet<string>;
  report: (
    containers: ManagedContainer[],
    apps: ReadonlyMap<string, RegisteredApp>,
    data?: DataRound,
  ) => void;
  /** Replicated app data (cloud/appdata); null: every component runs with local data only. */
  data: DataRoundDeps | null;
  /** This node's opened secrets for a component (cloud/secrets); see PassContext.secretEnv. */
  secretEnv: (app: string, component: AppComponent) => string[];
  placementChanged: (view: PlacementView) => void;
  reconciled: (outcome: ReconcileOutcome) => void;
}

export interface DataRoundDeps {
  sync: DataSync;
  hostDir: (app: string, component: string) => string;
  stateOf: (node: string, app: string, component: string) => RunningState | undefined;
  endpoints: (node: string) => SyncEndpoint | undefined;
}

/** The app-data step's inputs: the node's Syncthing, and the roles and endpoints others report. */
export function dataRoundDeps(
  appData: Pick<DataRoundDeps, 'sync' | 'hostDir'> | undefined,
  reportOf: (node: string) => RunningReport | undefined,
): DataRoundDeps | null {
  if (!appData) return null;
  return {
    ...appData,
    stateOf: (node, app, component) =>
      reportOf(node)?.apps.find((a) => a.name === app && a.component === component)?.state,
    endpoints: (node) => reportOf(node)?.sync,
  };
}

export class ReconcileRound {
  readonly #d: RoundDeps;
  readonly #backoff = new Backoff();
  #lastKey: string | undefined;
  last: ReconcileOutcome | null = null;

  constructor(deps: RoundDeps) {
    this.#d = deps;
  }

  async run(reasons: string[]): Promise<ReconcileOutcome> {
    const d = this.#d;
    const now = d.clock.now();
    if (!d.ready()) {
      d.metrics?.reconcilePasses.inc({ outcome: 'skipped' });
      return { at: now, reasons, skipped: true, actions: [], deferred: [], errors: [] };
    }
    const stopTimer = d.metrics?.reconcileSeconds.startTimer();
    const apps = d.chain.activeApps();
    const view = d.placement();
    this.#note(view);
    const byName = new Map(apps.map((a) => [a.name, a]));
    const context = {
      runtime: d.runtime,
      backoff: this.#backoff,
      log: d.log,
      now: () => d.clock.now(),
      active: d.active,
      retryIn: d.retryIn,
      ownerStopped: d.ownerStopped,
      secretEnv: d.secretEnv,
    };
    const data = await this.#data(view, apps);
    const desired = desiredComponents(d.nodeId, view.assignment, apps).map((x) =>
      data?.held.has(dataKey(x.app, x.component)) ? { ...x, hold: true } : x,
    );
    const { outcome, containers } = await reconcilePass(context, desired, byName, reasons);
    if (outcome.actions.length > 0 || outcome.errors.length > 0) {
      const { actions, errors } = outcome;
      d.log.info({ count: actions.length, actions, errors, reasons }, 'reconciled');
    }
    if (containers) d.report(containers, byName, data);
    stopTimer?.();
    this.#count(outcome, containers);
    this.last = outcome;
    d.reconciled(outcome);
    return outcome;
  }

  /** The app-data step: roles of replicated components here, Syncthing brought in line. */
  async #data(view: PlacementView, apps: readonly RegisteredApp[]): Promise<DataRound | undefined> {
    const data = this.#d.data;
    if (!data) return undefined;
    const { sync, ...rest } = data;
    try {
      return await sync.round({ self: this.#d.nodeId, assignment: view.assignment, apps, ...rest });
    } catch (err) {
      this.#d.log.warn({ err: (err as Error).message }, 'app data step failed');
      return undefined;
    }
  }

  #count(outcome: ReconcileOutcome, containers: ManagedContainer[] | undefined): void {
    const m = this.#d.metrics;
    if (!m) return;
    m.reconcilePasses.inc({ outcome: outcome.errors.length > 0 ? 'errors' : 'ok' });
    for (const a of outcome.actions) m.reconcileActions.inc({ kind: a.kind });
    if (containers) m.containers(containers.map((c) => c.state));
  }

  #note(view: PlacementView): void {
    const key = assignmentKey(view.assignment);
    if (key === this.#lastKey) return;
    this.#lastKey = key;
    this.#d.log.info(
      { placement: Object.fromEntries(view.assignment), eligible: view.eligible },
      'placement',
    );
    this.#d.placementChanged(view);
  }
}
