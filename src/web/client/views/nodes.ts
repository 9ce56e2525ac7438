/// <reference lib="dom" />
import type { NodeStatus, NodeView } from '../../../api/index.ts';
import { api } from '../api.ts';
import { addressLink, blockLink, errorBox, tierBadge } from '../components.ts';
import { html, render } from '../dom.ts';
import { ago, duration, flux, num, short } from '../format.ts';
import type { View } from '../view.ts';

function benchCell(n: NodeView) {
  const b = n.benchmark;
  if (!b) return html`<td colspan="3" class="muted">not reported</td>`;
  return html`<td class="num">${b.cores}</td><td class="num">${num(b.ramGB, 2)}</td><td class="num">${num(b.ssdGB, 2)}</td>`;
}

function nodesTable(nodes: readonly NodeView[]) {
  return html`<div class="scroll"><table data-testid="nodes-table">
    <thead><tr><th>Tier</th><th>Status</th><th>Address</th><th>Last paid</th><th class="num">Rank</th>
      <th class="num">Cores</th><th class="num">RAM GB</th><th class="num">SSD GB</th><th>Location</th><th class="hide-narrow">Collateral</th></tr></thead>
    <tbody>${nodes.map(
      (n) => html`<tr data-testid="node-row" data-tier="${n.tier}" data-node="${n.collateral}">
        <td>${tierBadge(n.tier)}</td><td><span class="state ${n.status}">${n.status}</span></td><td>${n.ip || '–'}</td>
        <td>${n.lastPaidHeight !== null ? html`${blockLink(n.lastPaidHeight)} <span class="muted">${ago(n.lastPaidTime)}</span>` : html`<span class="muted">never</span>`}</td>
        <td class="num">${n.rank ?? '–'}</td>${benchCell(n)}
        <td data-testid="node-location">${n.benchmark?.location ?? html`<span class="muted">–</span>`}</td>
        <td class="mono hide-narrow" title="${n.collateral}">${short(n.collateral, 6)}</td></tr>`,
    )}</tbody></table></div>`;
}

export function nodesPage(root: HTMLElement): View {
  render(root, html`<section><h2>Nodes</h2><div class="loading">Loading…</div></section>`);
  const load = () =>
    api<NodeView[]>('/nodes').then(
      (nodes) =>
        render(
          root,
          html`<section><h2>Nodes <small class="muted">(${nodes.length})</small></h2>${nodesTable(nodes)}</section>`,
        ),
      (e) => render(root, errorBox(e)),
    );
  return {
    ready: load(),
    onEvent(ev) {
      if (ev.type === 'nodes' || ev.type === 'block') void load();
    },
  };
}

function selfSection(s: NodeStatus) {
  const f = s.fluxnode;
  const general = html`<dl class="fields">
    <dt>Network</dt><dd>${s.network}</dd><dt>Height</dt><dd>${blockLink(s.height)}</dd>
    <dt>Peers</dt><dd>${s.peers}</dd><dt>Up</dt><dd>${duration(s.uptimeSec)}</dd>
    <dt>Mempool</dt><dd>${s.mempool.count} tx, ${num(s.mempool.bytes)} bytes</dd><dt>Version</dt><dd>${s.version}</dd>
  </dl>`;
  if (!f)
    return html`<section data-testid="self-page"><h2>This node</h2>${general}<p class="muted">This node is not a fluxnode (it runs no collateral).</p></section>`;
  const r = f.registered;
  const b = f.benchmark;
  return html`<section data-testid="self-page">
    <h2>This node ${r ? tierBadge(r.tier) : ''}</h2>
    ${general}
    <h3>Fluxnode</h3>
    <dl class="fields">
      <dt>Collateral</dt><dd class="mono break">${f.collateral}</dd>
      <dt>Status</dt><dd data-testid="self-status">${r ? html`<span class="state ${r.status}">${r.status}</span>` : html`<span class="warn">not in the node list</span>`}</dd>
      ${
        r
          ? html`<dt>Tier</dt><dd data-testid="self-tier">${r.tier}</dd><dt>Address</dt><dd>${r.ip || '–'}</dd>
        <dt>Payments to</dt><dd>${addressLink(r.paymentAddress)}</dd><dt>Queue rank</dt><dd>${r.rank ?? '–'}</dd>`
          : ''
      }
    </dl>
    <h3>Benchmark</h3>
    ${
      b
        ? html`<dl class="fields">
        <dt>Cores</dt><dd data-testid="self-cores">${b.cores}</dd><dt>RAM</dt><dd>${num(b.ramGB, 2)} GB</dd><dt>SSD</dt><dd>${num(b.ssdGB, 2)} GB</dd>
        <dt>CPU</dt><dd>${num(b.eps)} events/s</dd><dt>Disk write</dt><dd>${num(b.diskWriteMBps)} MB/s</dd>
        <dt>Location</dt><dd data-testid="self-location">${b.location ?? html`<span class="muted">not declared</span>`}</dd>
        <dt>Tier minimum</dt><dd>${b.meetsTier ? html`<span class="state running">met</span>` : html`<span class="state unhealthy">not met</span>`}</dd>
        <dt>Measured</dt><dd>${ago(b.time)}</dd></dl>`
        : html`<p class="muted">No benchmark reported yet.</p>`
    }
    <h3>Rewards</h3>
    <dl class="fields">
      <dt>Next payment</dt><dd>${flux(f.rewards.nextPaymentSat)} FLUX</dd>
      <dt>Last paid</dt><dd>${f.rewards.lastPaidHeight !== null ? html`${blockLink(f.rewards.lastPaidHeight)} (${ago(f.rewards.lastPaidTime)})` : 'never'}</dd>
      <dt>Last ${f.rewards.window} blocks</dt><dd data-testid="self-rewards">${f.rewards.count} payments, ${flux(f.rewards.totalSat)} FLUX</dd>
    </dl>
    ${f.rewards.recent.length ? html`<ul class="txs">${f.rewards.recent.map((p) => html`<li>${blockLink(p.height)} <span class="amount">${flux(p.amountSat)}</span> <span class="muted">${ago(p.time)}</span></li>`)}</ul>` : ''}
  </section>`;
}

export function selfPage(root: HTMLElement): View {
  render(root, html`<section><h2>This node</h2><div class="loading">Loading…</div></section>`);
  const load = () =>
    api<NodeStatus>('/node/status').then(
      (s) => render(root, selfSection(s)),
      (e) => render(root, errorBox(e)),
    );
  return {
    ready: load(),
    onEvent(ev) {
      if (ev.type === 'block' || ev.type === 'nodes') void load();
    },
  };
}
