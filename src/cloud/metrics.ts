/**
 * The cloud layer's metrics: reconcile passes and their duration, the actions they took, this
 * node's containers by state, how long placement takes, heartbeats heard, the live set and owner
 * requests. Label values are fixed words (Docker's container states, reconcile action kinds, owner
 * ops and the rules that refuse them).
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
  /** Owner requests this node was asked to carry out, by op and result (`ok`, or the refusal's rule). */
  ownerRequests: Counter<'op' | 'result'>;
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
    ownerRequests: new Counter({
      name: 'fluxnode_cloud_owner_requests_total',
      help: 'Owner requests this node was asked to carry out, by op and result (ok, failed, or the rule that refused it)',
      labelNames: ['op', 'result'],
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

/** The routing mesh (cloud/mesh): HAProxy runs, reloads, and what it forwards. */
export interface MeshMetrics {
  /** HAProxy starts, reloads and stops, by action and outcome (ok, failed). */
  changes: Counter<'action' | 'outcome'>;
  reconcileSeconds: Histogram;
  /** 1 while this node's HAProxy runs. */
  up: Gauge;
  /** Public ports this node's mesh listens on. */
  listeners: Gauge;
  /** App instances behind those ports (own and others). */
  servers: Gauge;
  /** Public ports left out because something else holds them on this address. */
  busyPorts: Gauge;
}

export function createMeshMetrics(registry: Registry): MeshMetrics {
  const registers = [registry];
  return {
    changes: new Counter({
      name: 'fluxnode_mesh_changes_total',
      help: 'HAProxy starts, reloads and stops of the routing mesh, by action and outcome',
      labelNames: ['action', 'outcome'],
      registers,
    }),
    reconcileSeconds: new Histogram({
      name: 'fluxnode_mesh_reconcile_seconds',
      help: 'Duration of a mesh reconcile (config written, checked and HAProxy reloaded)',
      buckets: [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    up: new Gauge({ name: 'fluxnode_mesh_up', help: '1 while the routing mesh (HAProxy) runs', registers }),
    listeners: new Gauge({
      name: 'fluxnode_mesh_listeners',
      help: 'Public app ports the routing mesh listens on',
      registers,
    }),
    servers: new Gauge({
      name: 'fluxnode_mesh_servers',
      help: 'App instances the routing mesh forwards to, over all ports',
      registers,
    }),
    busyPorts: new Gauge({
      name: 'fluxnode_mesh_busy_ports',
      help: 'Public app ports left out of the mesh because another process holds them on this address',
      registers,
    }),
  };
}
