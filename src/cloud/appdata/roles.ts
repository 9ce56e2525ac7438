/**
 * Who runs a replicated component's container, as a pure function of what every node has: the
 * placement (the nodes assigned the app, all live), and the states those nodes put in their signed
 * running reports. No election messages: two nodes with the same inputs reach the same answer.
 *
 * `g:` (primary/standby): exactly one assigned node runs the container.
 *   1. A node already running it stays primary (so a join or a returning node never takes over);
 *      if several report running (a brief overlap), the first by node id keeps it.
 *   2. Else the first node (by id) holding a full synced copy (`standby`) takes over: this is the
 *      failover once the primary left the live set.
 *   3. Else (a fresh app: nobody has data yet) the first node by id.
 * `r:` (receive first): a node runs once its folder has had a full copy; until then it holds,
 *   unless no other instance runs or holds a copy (nothing to receive: the app's first start).
 * `s:` and local data: always run.
 */
import type { RunningState } from '../messages/running-report.ts';
import type { DataMode } from '../spec/data-mode.ts';

const RUNNING: readonly RunningState[] = ['running', 'restarting'];

/** The primary among `nodes` (assigned and live); undefined when there are none. */
export function choosePrimary(
  nodes: readonly string[],
  stateOf: (node: string) => RunningState | undefined,
): string | undefined {
  const sorted = [...nodes].sort();
  const running = sorted.find((n) => RUNNING.includes(stateOf(n) as RunningState));
  if (running !== undefined) return running;
  return sorted.find((n) => stateOf(n) === 'standby') ?? sorted[0];
}

export interface RoleInput {
  mode: DataMode;
  self: string;
  /** Nodes the app is assigned to (all live), self included. */
  nodes: readonly string[];
  stateOf: (node: string) => RunningState | undefined;
  /** This node's folder has had a full copy (it is send-receive). */
  ready: boolean;
}

/** Whether this node runs the component's container now (false: it holds its data only). */
export function runsHere(i: RoleInput): boolean {
  if (i.mode === 'g') return choosePrimary(i.nodes, i.stateOf) === i.self;
  if (i.mode === 'r') {
    if (i.ready) return true;
    const holders: readonly (RunningState | undefined)[] = [...RUNNING, 'standby'];
    return !i.nodes.some((n) => n !== i.self && holders.includes(i.stateOf(n)));
  }
  return true;
}
