/// <reference lib="dom" />
import type { Tier } from '../../consensus/index.ts';
import type { AppSummary, BlockSummary, NodeView } from '../../api/index.ts';
import { html, type SafeHtml } from './dom.ts';
import { ago, flux, short } from './format.ts';

/**
 * consensus/'s TIERS, spelled out here because the browser bundle must not pull in consensus/ (its
 * index loads the hashing and script code); the type is consensus/'s own.
 */
export const TIERS: readonly Tier[] = ['cumulus', 'nimbus', 'stratus'];

export function tierBadge(tier: Tier): SafeHtml {
  return html`<span class="tier ${tier}">${tier}</span>`;
}

export function blockLink(ref: number | string, text?: string): SafeHtml {
  return html`<a href="#/block/${ref}">${text ?? ref}</a>`;
}

export function addressLink(address: string | null): SafeHtml {
  return address
    ? html`<a class="mono" href="#/address/${address}" title="${address}">${short(address, 5)}</a>`
    : html`–`;
}

/** One row of a latest-blocks table: who mined it and which node of each tier it paid. */
export function blockRow(b: BlockSummary): SafeHtml {
  return html`<tr data-testid="block-row" data-height="${b.height}">
    <td>${blockLink(b.height)}</td>
    <td class="muted" data-time="${b.time}">${ago(b.time)}</td>
    <td>${addressLink(b.miner.address)} <span class="amount">${flux(b.miner.amountSat)}</span></td>
    <td class="payouts">${
      b.nodePayouts.length
        ? b.nodePayouts.map(
            (p) =>
              html`<span class="payout ${p.tier}" title="${p.tier} node ${p.collateral ?? ''} → ${p.address ?? ''}">${flux(p.amountSat)}</span>`,
          )
        : html`<span class="muted">none</span>`
    }</td>
    <td class="num hide-narrow">${b.txCount}</td>
  </tr>`;
}

export function blocksTable(blocks: readonly BlockSummary[]): SafeHtml {
  return html`<div class="scroll"><table class="blocks">
    <thead><tr><th>Height</th><th>Age</th><th>Miner</th><th>Node payouts</th><th class="hide-narrow">Txs</th></tr></thead>
    <tbody data-testid="blocks-body">${blocks.map(blockRow)}</tbody>
  </table></div>`;
}

/** A stable colour per app name, so one app's instances look alike on the map. */
export function appHue(name: string): number {
  let h = 0;
  for (const c of name) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return h % 360;
}

export function appDot(name: string): SafeHtml {
  return html`<span class="app-dot" style="--hue:${appHue(name)}" title="${name}"></span>`;
}

/**
 * The network as a map: each confirmed node a tile (grouped by tier, labelled by address), with a
 * dot for every app instance it runs. `highlight` marks the nodes of one app.
 */
export function nodeMap(
  nodes: readonly NodeView[],
  apps: readonly AppSummary[],
  highlight?: string,
): SafeHtml {
  const onNode = new Map<string, string[]>();
  for (const a of apps)
    for (const l of a.locations) onNode.set(l.node, [...(onNode.get(l.node) ?? []), a.name]);
  const confirmed = nodes.filter((n) => n.status === 'confirmed');
  if (!confirmed.length) return html`<p class="muted">No confirmed nodes.</p>`;
  return html`<div class="node-map" data-testid="node-map">${TIERS.map((tier) => {
    const list = confirmed.filter((n) => n.tier === tier);
    if (!list.length) return '';
    return html`<div class="map-tier"><div class="map-label">${tierBadge(tier)}</div><div class="map-tiles">${list.map(
      (n) => {
        const running = onNode.get(n.collateral) ?? [];
        const lit = highlight ? running.includes(highlight) : running.length > 0;
        return html`<div class="tile ${tier} ${lit ? 'lit' : ''}" data-node="${n.collateral}" title="${n.collateral}">
        <span class="tile-ip">${n.ip.split(':')[0] || short(n.collateral, 4)}</span>
        <span class="tile-apps">${running.map((a) => html`<a href="#/app/${a}">${appDot(a)}</a>`)}</span>
      </div>`;
      },
    )}</div></div>`;
  })}</div>`;
}

export function errorBox(err: unknown): SafeHtml {
  return html`<p class="error" role="alert">${err instanceof Error ? err.message : String(err)}</p>`;
}
