/**
 * The simulator's face: run a whole network on a simulated clock (driving cloud/'s own planner,
 * liveness intake and reconciler) and plot what happened. The CLI and the benchmarks import this.
 */
export type { PlacerKind } from './planner.ts';
export { type Line, type Panel, svgChart, timelinePanel } from './plot.ts';
export type { ScenarioEvent, ScenarioName } from './scenario.ts';
export {
  type CpuFigures,
  type ResolvedOptions,
  type SeriesPoint,
  type SimOptions,
  type SimReport,
  simulate,
  type WindowReport,
} from './simulator.ts';
