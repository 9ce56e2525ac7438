/**
 * The liveness rule every node applies, written down once (the agent and the simulator both read
 * it from here):
 *
 * 1. A heartbeat counts by its SIGNED SEND TIME, not by when it arrived, and only once that time is
 *    `holdBackMs` old. The hold-back covers gossip delay and clock skew, so by then every node that
 *    will receive the heartbeat has it.
 * 2. The live set is read on whole ticks of `tickMs`, as of `tick − holdBackMs`: at a given tick
 *    every node that received the same heartbeats computes the same set.
 * 3. A node is live while its newest counted heartbeat is less than `missedIntervals × heartbeatMs`
 *    old (as of that moment). So a node that dies leaves every view at the same tick, and a node
 *    that joins enters every view at the same tick.
 *
 * Heartbeat cost: every node checks every other node's heartbeats. A run of `HEARTBEAT_RUN`
 * heartbeats shares one signature (a hash chain, hash-chain.ts), so a node checks
 * nodes / (period × run) signatures per second, and one hash per heartbeat. `heartbeatPeriodMs`
 * lengthens the period only when that would pass a budget (500/s by default, what a Cumulus node
 * can spare): with runs of 12 that is past 30,000 nodes at a 5 s period. Pure: no clock, no I/O.
 */

export interface LivenessRule {
  heartbeatMs: number;
  missedIntervals: number;
  holdBackMs: number;
  tickMs: number;
}

/** Signature checks per second a node may spend on heartbeats. */
export const HEARTBEAT_CHECK_BUDGET = 500;

/** Heartbeats per signed head: one signature check per run per node (one a minute at 5 s). */
export const HEARTBEAT_RUN = 12;

/** The moment whose live set a node reads at `now`: the last whole tick, minus the hold-back. */
export function evaluationTime(now: number, rule: Pick<LivenessRule, 'holdBackMs' | 'tickMs'>): number {
  return Math.floor(now / rule.tickMs) * rule.tickMs - rule.holdBackMs;
}

/** The next whole tick after `now` (when the live set may next change). */
export function nextTick(now: number, tickMs: number): number {
  return (Math.floor(now / tickMs) + 1) * tickMs;
}

/** How long a node stays live after its last heartbeat was sent. */
export function liveWindowMs(rule: Pick<LivenessRule, 'heartbeatMs' | 'missedIntervals'>): number {
  return rule.heartbeatMs * rule.missedIntervals;
}

/**
 * The heartbeat period for a network of `nodes`: at least `floorMs`, and long enough that
 * nodes / (period × run) ≤ `budget` signature checks per second, in whole seconds. Every node on
 * the same tip counts the same nodes, so they all agree on the period and on the live window.
 */
export function heartbeatPeriodMs(
  nodes: number,
  floorMs: number,
  budget = HEARTBEAT_CHECK_BUDGET,
  run = HEARTBEAT_RUN,
): number {
  const needed = Math.ceil(Math.max(0, nodes) / (budget * run)) * 1000;
  return Math.max(floorMs, needed);
}
