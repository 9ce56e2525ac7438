/**
 * The reconciler's decision, as a pure function: what this node should run (from placement) minus
 * what its Docker engine runs (containers carrying our labels) gives the actions to take. Running
 * the plan and then planning again yields no actions: the loop is idempotent.
 */

/** One component this node should run. */
export interface DesiredComponent {
  app: string;
  component: string;
  specHash: string;
  image: string;
  /**
   * Placed here, but its container must not run here: a `g:` standby, or an `r:` instance still
   * receiving its data (cloud/appdata/roles.ts). Its data folder stays.
   */
  hold?: boolean;
}

/** One container with our labels, as the engine reports it. */
export interface ActualContainer {
  id: string;
  name: string;
  app: string;
  component: string;
  specHash: string;
  state: 'running' | 'created' | 'restarting' | 'paused' | 'exited' | 'dead' | 'removing';
}

export type ReconcileAction =
  | {
      kind: 'remove';
      container: ActualContainer;
      reason: 'not-placed-here' | 'spec-changed' | 'duplicate' | 'held';
    }
  | { kind: 'start'; container: ActualContainer }
  | { kind: 'create'; desired: DesiredComponent };

export function containerName(app: string, component: string): string {
  return `flux${component}_${app}`;
}

const key = (app: string, component: string) => `${app}/${component}`;

/**
 * `ownerStopped`: apps their owner stopped on this node. Their containers are kept as they are (not
 * started, not created when missing) until the owner starts or redeploys them; a container of an
 * outdated spec or no longer placed here still goes.
 */
export function planReconcile(
  desired: readonly DesiredComponent[],
  actual: readonly ActualContainer[],
  ownerStopped: ReadonlySet<string> = new Set(),
): ReconcileAction[] {
  const want = new Map(desired.map((d) => [key(d.app, d.component), d]));
  const removes: ReconcileAction[] = [];
  const starts: ReconcileAction[] = [];
  const kept = new Set<string>();
  // Stable order so two runs over the same input act in the same order.
  const sorted = [...actual].sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : a.id < b.id ? -1 : 1,
  );
  for (const c of sorted) {
    if (c.state === 'removing') continue;
    const k = key(c.app, c.component);
    const d = want.get(k);
    if (!d) removes.push({ kind: 'remove', container: c, reason: 'not-placed-here' });
    else if (d.specHash !== c.specHash)
      removes.push({ kind: 'remove', container: c, reason: 'spec-changed' });
    else if (kept.has(k)) removes.push({ kind: 'remove', container: c, reason: 'duplicate' });
    else if (d.hold) {
      kept.add(k);
      removes.push({ kind: 'remove', container: c, reason: 'held' });
    } else {
      kept.add(k);
      if (c.state !== 'running' && c.state !== 'restarting' && !ownerStopped.has(c.app))
        starts.push({ kind: 'start', container: c });
    }
  }
  const creates: ReconcileAction[] = [...want]
    .filter(([k, d]) => !kept.has(k) && !d.hold && !ownerStopped.has(d.app))
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([, d]) => ({ kind: 'create', desired: d }));
  // Free resources (and ports) before taking new ones.
  return [...removes, ...starts, ...creates];
}
