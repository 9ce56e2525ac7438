/**
 * Where apps run, from the nodes' own signed running reports: a node counts for an app while it is
 * live and its newest report lists the components of the app's current spec.
 */
import type { RunningReport, RunningState } from '../messages/running-report.ts';
import type { RegisteredApp } from '../registry/app-registry.ts';
import { hostOf } from './placement-view.ts';
import type { NodeRecordView } from './types.ts';

export interface AppLocation {
  node: string;
  /** The node's host address (from the registry). */
  ip: string;
  /** Public ports of the app's components there. */
  ports: number[];
  /** needBytes: how far the component's replicated data folder is behind there (absent: in sync). */
  components: { name: string; state: RunningState; needBytes?: number }[];
  /** Every component of the current spec reported running. */
  running: boolean;
  /** A component's data folder there is not size-limited to its `hdd` (the host cannot mount volumes). */
  hddUnenforced?: boolean;
}

export function appLocations(
  app: RegisteredApp,
  reports: Iterable<RunningReport>,
  live: ReadonlySet<string>,
  nodes: ReadonlyMap<string, NodeRecordView>,
): AppLocation[] {
  const wanted = app.spec.components.map((c) => c.name);
  const out: AppLocation[] = [];
  for (const rep of reports) {
    if (!live.has(rep.node)) continue;
    const mine = rep.apps.filter((a) => a.name === app.name && a.specHash === app.specHash);
    if (mine.length === 0) continue;
    const components = mine
      .map((a) => ({ name: a.component, state: a.state, ...(a.needBytes ? { needBytes: a.needBytes } : {}) }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const running = wanted.every((w) => mine.some((a) => a.component === w && a.state === 'running'));
    out.push({
      node: rep.node,
      ip: hostOf(nodes.get(rep.node)?.ip ?? ''),
      ports: [...new Set(mine.flatMap((a) => a.ports))].sort((a, b) => a - b),
      components,
      running,
      ...(mine.some((a) => a.hddUnenforced === true) ? { hddUnenforced: true } : {}),
    });
  }
  return out.sort((a, b) => (a.node < b.node ? -1 : a.node > b.node ? 1 : 0));
}
