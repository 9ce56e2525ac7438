/**
 * Small SVG line charts for the simulator's figures (no plotting library needed): one or more
 * panels side by side, each with its own axes, linear / log / symmetric-log scales, and labelled
 * vertical markers for events.
 */
import type { SimReport } from './simulator.ts';

export interface Line {
  label: string;
  color: string;
  points: readonly (readonly [number, number])[];
  dashed?: boolean;
}

export interface Panel {
  title: string;
  xLabel: string;
  yLabel: string;
  xScale?: 'linear' | 'log';
  yScale?: 'linear' | 'log' | 'symlog';
  lines: Line[];
  markers?: { x: number; label: string }[];
  /** Horizontal reference lines (e.g. a limit). */
  rules?: { y: number; label: string }[];
  /** Corner for the legend: top/bottom, left/right (default top right). */
  legend?: 'tl' | 'tr' | 'bl' | 'br';
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmt = (v: number) => {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e6) return `${+(v / 1e6).toPrecision(3)}M`;
  if (a >= 1e3) return `${+(v / 1e3).toPrecision(3)}k`;
  return `${+v.toPrecision(3)}`;
};

function scale(kind: 'linear' | 'log' | 'symlog'): (v: number) => number {
  if (kind === 'log') return (v) => Math.log10(Math.max(v, 1e-12));
  if (kind === 'symlog') return (v) => Math.sign(v) * Math.log10(1 + Math.abs(v));
  return (v) => v;
}

function ticks(lo: number, hi: number, kind: 'linear' | 'log' | 'symlog'): number[] {
  if (kind === 'linear') {
    const span = hi - lo || 1;
    const step = 10 ** Math.floor(Math.log10(span / 4));
    const mult = [1, 2, 5, 10].find((m) => span / (step * m) <= 6) ?? 10;
    const s = step * mult;
    const out: number[] = [];
    for (let v = Math.ceil(lo / s) * s; v <= hi + s * 1e-9; v += s) out.push(+v.toPrecision(12));
    return out;
  }
  const out: number[] = kind === 'symlog' && lo <= 0 ? [0] : [];
  const from = Math.floor(Math.log10(Math.max(kind === 'symlog' ? 1 : lo, 1e-12)));
  const to = Math.ceil(Math.log10(Math.max(hi, 1e-12)));
  for (let e = from; e <= to; e++) {
    const v = 10 ** e;
    if (v >= lo * 0.999 && v <= hi * 1.001) out.push(v);
  }
  return out;
}

function panelSvg(p: Panel, x0: number, y0: number, w: number, h: number): string {
  const m = { left: 64, right: 12, top: 28, bottom: 40 };
  const pw = w - m.left - m.right;
  const ph = h - m.top - m.bottom;
  const xs = scale(p.xScale ?? 'linear');
  const ys = scale(p.yScale ?? 'linear');
  const all = p.lines.flatMap((l) => l.points);
  const xVals = all.map(([x]) => x).concat((p.markers ?? []).map((mk) => mk.x));
  const yVals = all.map(([, y]) => y).concat((p.rules ?? []).map((r) => r.y));
  let [xLo, xHi] = [Math.min(...xVals), Math.max(...xVals)];
  let [yLo, yHi] = [Math.min(...yVals), Math.max(...yVals)];
  if ((p.yScale ?? 'linear') !== 'log') yLo = Math.min(0, yLo);
  if (p.yScale === 'symlog' && yHi > 0) yHi = 10 ** Math.ceil(Math.log10(yHi));
  if (p.yScale === 'log') {
    yLo = 10 ** Math.floor(Math.log10(Math.max(yLo, 1e-12)));
    yHi = 10 ** Math.ceil(Math.log10(Math.max(yHi, 1e-12)));
  }
  if (p.xScale === 'log') {
    xLo = 10 ** Math.floor(Math.log10(Math.max(xLo, 1e-12)));
    xHi = 10 ** Math.ceil(Math.log10(Math.max(xHi, 1e-12)));
  }
  if (xHi === xLo) xHi = xLo + 1;
  if (yHi === yLo) yHi = yLo + 1;
  const X = (v: number) => x0 + m.left + ((xs(v) - xs(xLo)) / (xs(xHi) - xs(xLo))) * pw;
  const Y = (v: number) => y0 + m.top + ph - ((ys(v) - ys(yLo)) / (ys(yHi) - ys(yLo))) * ph;
  const out: string[] = [];
  out.push(
    `<text x="${x0 + m.left}" y="${y0 + 18}" font-size="14" font-weight="bold">${esc(p.title)}</text>`,
  );
  out.push(
    `<rect x="${x0 + m.left}" y="${y0 + m.top}" width="${pw}" height="${ph}" fill="none" stroke="#999"/>`,
  );
  for (const v of ticks(yLo, yHi, p.yScale ?? 'linear')) {
    const y = Y(v).toFixed(1);
    out.push(`<line x1="${x0 + m.left}" x2="${x0 + m.left + pw}" y1="${y}" y2="${y}" stroke="#eee"/>`);
    out.push(
      `<text x="${x0 + m.left - 4}" y="${y}" font-size="10" text-anchor="end" dy="3">${fmt(v)}</text>`,
    );
  }
  for (const v of ticks(xLo, xHi, p.xScale ?? 'linear')) {
    const x = X(v).toFixed(1);
    out.push(`<line x1="${x}" x2="${x}" y1="${y0 + m.top}" y2="${y0 + m.top + ph}" stroke="#eee"/>`);
    out.push(
      `<text x="${x}" y="${y0 + m.top + ph + 13}" font-size="10" text-anchor="middle">${fmt(v)}</text>`,
    );
  }
  out.push(
    `<text x="${x0 + m.left + pw / 2}" y="${y0 + h - 6}" font-size="11" text-anchor="middle">${esc(p.xLabel)}</text>`,
  );
  out.push(
    `<text transform="translate(${x0 + 12},${y0 + m.top + ph / 2}) rotate(-90)" font-size="11" text-anchor="middle">${esc(p.yLabel)}</text>`,
  );
  for (const r of p.rules ?? []) {
    const y = Y(r.y).toFixed(1);
    out.push(
      `<line x1="${x0 + m.left}" x2="${x0 + m.left + pw}" y1="${y}" y2="${y}" stroke="#c00" stroke-dasharray="2,3"/>`,
    );
    out.push(
      `<text x="${x0 + m.left + pw - 2}" y="${y}" dy="-3" font-size="10" text-anchor="end" fill="#c00">${esc(r.label)}</text>`,
    );
  }
  (p.markers ?? []).forEach((mk, k) => {
    const x = X(mk.x).toFixed(1);
    out.push(
      `<line x1="${x}" x2="${x}" y1="${y0 + m.top}" y2="${y0 + m.top + ph}" stroke="#888" stroke-dasharray="3,3"/>`,
    );
    out.push(
      `<text x="${x}" y="${y0 + m.top + 10 + (k % 3) * 11}" font-size="9" dx="2" fill="#555">${esc(mk.label)}</text>`,
    );
  });
  for (const l of p.lines) {
    if (l.points.length === 0) continue;
    const d = l.points.map(([x, y], j) => `${j ? 'L' : 'M'}${X(x).toFixed(1)},${Y(y).toFixed(1)}`).join('');
    out.push(
      `<path d="${d}" fill="none" stroke="${l.color}" stroke-width="1.6"${l.dashed ? ' stroke-dasharray="5,3"' : ''}/>`,
    );
    if (l.points.length < 12) {
      for (const [x, y] of l.points)
        out.push(`<circle cx="${X(x).toFixed(1)}" cy="${Y(y).toFixed(1)}" r="2.5" fill="${l.color}"/>`);
    }
  }
  // Legend in a corner, drawn last on a white backing so no line runs through it.
  const corner = p.legend ?? 'tr';
  const boxH = p.lines.length * 13 + 6;
  const lx = corner.endsWith('r') ? x0 + m.left + pw - 170 : x0 + m.left + 10;
  const top = corner.startsWith('t') ? y0 + m.top + 3 : y0 + m.top + ph - boxH - 3;
  out.push(`<rect x="${lx - 4}" y="${top}" width="172" height="${boxH}" fill="white" stroke="#ccc"/>`);
  p.lines.forEach((l, k) => {
    const ly = top + 11 + k * 13;
    out.push(
      `<line x1="${lx}" x2="${lx + 16}" y1="${ly - 4}" y2="${ly - 4}" stroke="${l.color}" stroke-width="2"${l.dashed ? ' stroke-dasharray="5,3"' : ''}/>`,
    );
    out.push(`<text x="${lx + 20}" y="${ly}" font-size="10">${esc(l.label)}</text>`);
  });
  return out.join('\n');
}

/** Panels side by side in one SVG document. */
export function svgChart(
  panels: Panel[],
  opts: { panelWidth?: number; height?: number; title?: string } = {},
): string {
  const w = opts.panelWidth ?? 480;
  const h = opts.height ?? 320;
  const top = opts.title ? 26 : 0;
  const body = panels.map((p, k) => panelSvg(p, k * w, top, w, h)).join('\n');
  const title = opts.title
    ? `<text x="10" y="18" font-size="15" font-weight="bold">${esc(opts.title)}</text>\n`
    : '';
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w * panels.length}" height="${h + top}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
${title}${body}
</svg>
`;
}

/** Over/under target and distinct views over simulated time, with the scenario's events marked. */
export function timelinePanel(report: SimReport): Panel {
  return {
    title: `${report.setup.nodes.toLocaleString('en-US')} nodes, ${report.setup.apps.toLocaleString('en-US')} apps: instances off target`,
    xLabel: 'simulated time (s)',
    yLabel: 'instances (symmetric log scale)',
    yScale: 'symlog',
    lines: [
      { label: 'over target', color: '#d62728', points: report.series.map((p) => [p.t, p.over] as const) },
      { label: 'under target', color: '#1f77b4', points: report.series.map((p) => [p.t, p.under] as const) },
      {
        label: 'distinct views',
        color: '#2ca02c',
        dashed: true,
        points: report.series.map((p) => [p.t, p.views] as const),
      },
    ],
    markers: report.windows
      .filter((w) => w.event !== 'steady state')
      .map((w) => ({ x: w.at, label: w.event })),
    legend: 'br',
  };
}
