/**
 * The cloud layer's metrics: reconcile passes and their duration, the actions they took, this
 * node's containers by state, how long placement takes, heartbeats heard and the live set. Label
 * values are fixed words (Docker's container states, reconcile action kinds).
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Docker's container states (cloud/runtime's ContainerState); anything else is counted as 'other'. */
const CONTAINER_STATES = ['created', 'running', 'paused', 'restarting', 'removing', 'exited', 'dead'];

export interface CloudMetrics {
  reconcilePasses: Counter<'outcome'>;
  reconcileSeconds: Histogram;
  reconcileActions: Counter<'kind'>;
  placementSeconds: Histogram;
  heartbeatsReceived: Counter;
  liveNodes: Gauge;
  /** Sets the container gauges from a fresh listing of this node's managed containers. */
  containers(states: readonly string[]): void;
}

export function createCloudMetrics(registry: Registry): CloudMetrics {
  const registers = [registry];
  const byState = new Gauge({
    name: 'fluxnode_cloud_containers',
    help: "This node's app containers by state, as of the last reconcile pass",
    labelNames: ['state'],
    registers,
  });
  return {
    reconcilePasses: new Counter({
      name: 'fluxnode_cloud_reconcile_passes_total',
      help: 'Reconcile passes, by outcome (ok, errors, skipped)',
      labelNames: ['outcome'],
      registers,
    }),
    reconcileSeconds: new Histogram({
      name: 'fluxnode_cloud_reconcile_seconds',
      help: 'Duration of a reconcile pass (pulls and container starts included)',
      buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    }),
    reconcileActions: new Counter({
      name: 'fluxnode_cloud_reconcile_actions_total',
      help: 'Actions reconcile passes carried out, by kind (create, start, remove)',
      labelNames: ['kind'],
      registers,
    }),
    placementSeconds: new Histogram({
      name: 'fluxnode_cloud_placement_seconds',
      help: 'Time to compute the placement of every active app',
      buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1],
      registers,
    }),
    heartbeatsReceived: new Counter({
      name: 'fluxnode_cloud_heartbeats_received_total',
      help: 'Valid heartbeats received from other fluxnodes',
      registers,
    }),
    liveNodes: new Gauge({
      name: 'fluxnode_cloud_live_nodes',
      help: 'Fluxnodes in the live set (recent heartbeats), this one included',
      registers,
    }),
    containers(states) {
      const counts = new Map<string, number>([...CONTAINER_STATES, 'other'].map((s) => [s, 0]));
      for (const s of states) {
        const key = CONTAINER_STATES.includes(s) ? s : 'other';
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      for (const [state, n] of counts) byState.set({ state }, n);
    },
  };
}
