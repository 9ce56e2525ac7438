/**
 * The simulator's clock: tick by tick, it runs the events due (container starts and stops, block
 * arrivals, scenario events, at their exact times), moves the gossip on, lets every node whose
 * view changed reconcile, and samples the network into the series.
 */
import type { SeriesPoint } from './report.ts';
import type { Window, WindowRecorder } from './windows.ts';
import type { SimWorld } from './world.ts';

const PROGRESS_MS = 2000;

export function runClock(
  w: SimWorld,
  windows: WindowRecorder,
  series: SeriesPoint[],
  run: { endAt: number; progress: (line: string) => void },
): void {
  const { o, queue, views, targets, planner } = w;
  let lastProgress = performance.now();
  for (let t = o.tickMs; t <= run.endAt; t += o.tickMs) {
    queue.runUntil(t, (at) => {
      w.now = at;
    });
    w.now = t;
    const sideCounts = upPerSide(w);
    views.advance(t, (side) => sideCounts[side] ?? 0);
    views.tryMerge(t);
    const { seen, up } = refreshViews(w, t);
    let common = '';
    let most = 0;
    for (const [k, n] of seen) if (n > most) [common, most] = [k, n];
    const window = windows.current as Window;
    window.nodeMs += up * o.tickMs;
    if (seen.size > window.maxViews) window.maxViews = seen.size;
    if (window.detect && window.detectedAt === null && window.detect()) window.detectedAt = t;
    series.push({
      t: t / 1000,
      over: targets.over,
      under: targets.under,
      unplaced: common ? planner.unplacedOf(common) : 0,
      views: seen.size,
      up,
    });
    if (performance.now() - lastProgress > PROGRESS_MS) {
      lastProgress = performance.now();
      run.progress(
        `t=${(t / 1000).toFixed(0)}s/${(run.endAt / 1000).toFixed(0)}s ${window.label}: over ${targets.over}, under ${targets.under}, ` +
          `views ${seen.size}, placements ${planner.computed.length}`,
      );
    }
  }
}

function upPerSide(w: SimWorld): number[] {
  const counts = new Array(w.views.sideCount).fill(0);
  for (let i = 0; i < w.net.size; i++) if (w.net.up[i]) counts[w.views.side(i)]++;
  return counts;
}

/** Reconciles every up node whose view changed at `t`; counts the nodes per (chain, view) pair. */
function refreshViews(w: SimWorld, t: number): { seen: Map<string, number>; up: number } {
  const seen = new Map<string, number>();
  let up = 0;
  for (let i = 0; i < w.net.size; i++) {
    if (!w.net.up[i]) continue;
    up++;
    const key = w.views.viewKey(i, t);
    if (key !== w.viewKeyOf[i]) {
      w.viewKeyOf[i] = key;
      w.reconcileNode(i);
    }
    const k = `${w.chainVer[i]}|${key}`;
    seen.set(k, (seen.get(k) ?? 0) + 1);
  }
  return { seen, up };
}
