/**
 * One reconcile pass on this node: list our containers, plan against what placement wants here
 * (reconciler/plan.ts), carry the actions out one by one. A failed action is recorded and the pass
 * goes on; creating and starting are spaced by a backoff so a component that keeps failing or dying
 * is retried ever more slowly instead of in a tight loop.
 */
import {
  type ActualContainer,
  type DesiredComponent,
  planReconcile,
  type ReconcileAction,
} from '../reconciler/plan.ts';
import type { RegisteredApp } from '../registry/app-registry.ts';
import type { ManagedContainer } from '../runtime/types.ts';
import type { AppComponent } from '../spec/schema.ts';
import type { Backoff } from './backoff.ts';
import { runtimeComponent } from './placement-view.ts';
import type { AgentLogger, AgentRuntime } from './types.ts';

export interface ReconcileOutcome {
  at: number;
  /** Why it ran ('tip', 'live', 'timer', 'event:die', …; several when requests were merged). */
  reasons: string[];
  /** Nothing was done: still in the startup grace period, or stopped. */
  skipped: boolean;
  actions: { kind: ReconcileAction['kind']; app: string; component: string; reason?: string }[];
  /** Actions put off by the retry backoff (a pass is scheduled for when they are due). */
  deferred: { app: string; component: string; waitMs: number }[];
  errors: { app: string; component: string; action: string; error: string }[];
}

export interface PassContext {
  runtime: AgentRuntime;
  backoff: Backoff;
  log: AgentLogger;
  now: () => number;
  /** Still running? A stop in the middle of a pass ends it after the current action. */
  active: () => boolean;
  /** Asks for another pass in `ms` (for deferred actions). */
  retryIn: (ms: number) => void;
  /** Apps their owner stopped here (planReconcile's `ownerStopped`). */
  ownerStopped?: () => ReadonlySet<string>;
  /**
   * The secret `KEY=value` entries this node may give a component (its sealed box, opened); [] when
   * it has none. They go to the engine with the container and nowhere else: never logged or stored.
   */
  secretEnv: (app: string, component: AppComponent) => string[];
}

export interface PassResult {
  outcome: ReconcileOutcome;
  /** The containers after the pass (undefined when they could not be listed). */
  containers: ManagedContainer[] | undefined;
}

export async function reconcilePass(
  ctx: PassContext,
  desired: readonly DesiredComponent[],
  apps: ReadonlyMap<string, RegisteredApp>,
  reasons: string[],
): Promise<PassResult> {
  const outcome: ReconcileOutcome = {
    at: ctx.now(),
    reasons,
    skipped: false,
    actions: [],
    deferred: [],
    errors: [],
  };
  let containers: ManagedContainer[];
  try {
    containers = await ctx.runtime.listManagedContainers();
  } catch (err) {
    outcome.errors.push({ app: '', component: '', action: 'list', error: (err as Error).message });
    return { outcome, containers: undefined };
  }
  const actual: ActualContainer[] = containers.map((c) => ({
    id: c.id,
    name: c.name,
    app: c.app,
    component: c.component,
    specHash: c.specHash,
    state: c.state,
  }));
  const desiredApps = new Set(desired.map((d) => d.app));
  for (const action of planReconcile(desired, actual, ctx.ownerStopped?.())) {
    if (!ctx.active()) break;
    const app = action.kind === 'create' ? action.desired.app : action.container.app;
    const component = action.kind === 'create' ? action.desired.component : action.container.component;
    try {
      if (action.kind === 'remove') {
        outcome.actions.push({ kind: 'remove', app, component, reason: action.reason });
        await ctx.runtime.remove(action.container.id);
        // The app left this node for good: its data goes too (a restart or re-creation keeps it).
        if (action.reason === 'not-placed-here' && !desiredApps.has(app)) {
          await ctx.runtime.removeData(app, component).catch(() => false);
        }
        // Its network goes with its last container here.
        if (!desiredApps.has(app)) await ctx.runtime.removeAppNetworkIfUnused(app).catch(() => false);
        continue;
      }
      const key = `${app}/${component}`;
      const wait = ctx.backoff.wait(key, ctx.now());
      if (wait > 0) {
        outcome.deferred.push({ app, component, waitMs: wait });
        ctx.retryIn(wait);
        continue;
      }
      ctx.backoff.attempted(key, ctx.now());
      outcome.actions.push({ kind: action.kind, app, component });
      if (action.kind === 'start') {
        await ctx.runtime.start(action.container.id);
      } else {
        await create(ctx, apps, app, component);
      }
    } catch (err) {
      outcome.errors.push({ app, component, action: action.kind, error: (err as Error).message });
      ctx.log.warn(
        { app, component, action: action.kind, err: (err as Error).message },
        'reconcile action failed',
      );
    }
  }
  if (outcome.actions.length > 0) {
    try {
      containers = await ctx.runtime.listManagedContainers();
    } catch {
      return { outcome, containers: undefined };
    }
  }
  return { outcome, containers };
}

async function create(
  ctx: PassContext,
  apps: ReadonlyMap<string, RegisteredApp>,
  appName: string,
  componentName: string,
): Promise<void> {
  const app = apps.get(appName);
  const component = app?.spec.components.find((c) => c.name === componentName);
  if (!app || !component) throw new Error(`${appName}/${componentName} is not in the active app list`);
  if (!(await ctx.runtime.hasImage(component.repotag))) {
    const started = ctx.now();
    await ctx.runtime.pullImage(component.repotag);
    ctx.log.info({ image: component.repotag, ms: ctx.now() - started }, 'image pulled');
  }
  // Opened before anything is created: a component whose box does not open is not started at all.
  const secrets = ctx.secretEnv(app.name, component);
  await ctx.runtime.createAndStart(
    { name: app.name, specHash: app.specHash },
    runtimeComponent(component, secrets),
  );
}
