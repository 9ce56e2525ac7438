/// <reference lib="dom" />
import type { Tier } from '../../consensus/index.ts';
import type { NodeCountPoint } from '../../api/index.ts';
import { TIERS } from './components.ts';
import { html, type SafeHtml } from './dom.ts';

/**
 * Confirmed nodes per tier over block height as stacked step areas in SVG (no library; scales to
 * any width): the top edge is the total, each band one tier.
 */
export function nodeCountChart(points: readonly NodeCountPoint[]): SafeHtml {
  const [firstPoint] = points;
  const last = points.at(-1);
  if (!firstPoint || !last) return html`<p class="muted">No history yet.</p>`;
  const W = 600;
  const H = 160;
  const pad = { l: 28, r: 8, t: 8, b: 22 };
  const h0 = firstPoint.height;
  const h1 = Math.max(last.height, h0 + 1);
  const total = (p: NodeCountPoint) => p.cumulus + p.nimbus + p.stratus;
  const max = Math.max(1, ...points.map(total));
  const x = (h: number) => (pad.l + ((h - h0) / (h1 - h0)) * (W - pad.l - pad.r)).toFixed(1);
  const y = (n: number) => (pad.t + (1 - n / max) * (H - pad.t - pad.b)).toFixed(1);
  // Height of the top of tier i's band at a point: the sum of tiers 0..i.
  const level = (p: NodeCountPoint, i: number) => TIERS.slice(0, i + 1).reduce((s, t) => s + p[t], 0);
  const edge = (i: number) => {
    let d = '';
    let before: NodeCountPoint | undefined;
    for (const p of points) {
      const v = i < 0 ? 0 : level(p, i);
      d += before
        ? ` ${x(p.height)},${y(i < 0 ? 0 : level(before, i))} ${x(p.height)},${y(v)}`
        : `${x(p.height)},${y(v)}`;
      before = p;
    }
    return `${d} ${x(h1)},${y(i < 0 ? 0 : level(last, i))}`;
  };
  const band = (t: Tier, i: number) => {
    const top = edge(i);
    const bottom = edge(i - 1)
      .split(' ')
      .reverse()
      .join(' ');
    return html`<polygon class="band ${t}" points="${top} ${bottom}" />`;
  };
  const ticks = [...new Set([0, Math.round(max / 2), max])];
  return html`<svg class="chart" viewBox="0 0 ${W} ${H}" preserveAspectRatio="none" role="img" data-testid="history-chart"
      aria-label="Confirmed nodes by tier from height ${h0} to ${h1}: now ${last.cumulus} cumulus, ${last.nimbus} nimbus, ${last.stratus} stratus">
    ${ticks.map(
      (n) => html`<line class="grid" x1="${pad.l}" x2="${W - pad.r}" y1="${y(n)}" y2="${y(n)}" />
      <text class="axis" x="${pad.l - 6}" y="${Number(y(n)) + 4}" text-anchor="end">${n}</text>`,
    )}
    ${TIERS.map(band)}
    <text class="axis" x="${pad.l}" y="${H - 6}">#${h0}</text>
    <text class="axis" x="${W - pad.r}" y="${H - 6}" text-anchor="end">#${h1}</text>
  </svg>
  <div class="legend">${TIERS.map((t) => html`<span class="tier-dot ${t}"></span>${t} ${last[t]} `)}</div>`;
}
