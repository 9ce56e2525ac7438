/// <reference lib="dom" />
import type { AppDetail, AppSummary, InstanceData, NodeView } from '../../../api/index.ts';
import { api } from '../api.ts';
import { addressLink, appDot, errorBox, nodeMap, tierBadge } from '../components.ts';
import { byId, html, render } from '../dom.ts';
import { ago, flux, short } from '../format.ts';
import type { View } from '../view.ts';
import { ownerPanel, wireOwnerPanel } from './app-owner.ts';

/** The app's address: where this node's routing mesh answers for it (any node forwards to a live instance). */
function appAddress(a: AppDetail) {
  if (!a.mesh.length)
    return html`<span class="muted">this node runs no routing mesh: use an instance’s address below</span>`;
  return a.mesh.map(
    (m) =>
      html`<a data-testid="app-address" href="http://${m}/" target="_blank" rel="noopener">http://${m}/</a> `,
  );
}

function detail(a: AppDetail, nodes: readonly NodeView[]) {
  const s = a.spec;
  return html`<section data-testid="app-page" data-app="${a.name}">
    <h2>${appDot(a.name)} ${a.name}</h2>
    <p>${s.description}</p>
    <dl class="fields">
      <dt>Owner</dt><dd>${addressLink(a.owner)}</dd>
      <dt>Address</dt><dd>${appAddress(a)}</dd>
      <dt>Instances</dt><dd><span data-testid="app-page-placed">${a.placed}</span> of ${s.instances} placed${a.unplaced ? html` <span class="warn">(${a.unplaced} waiting for a node)</span>` : ''}</dd>
      <dt>Price</dt><dd>${flux(a.priceSat)} FLUX for ${s.expire} blocks</dd>
      <dt>Registered</dt><dd>height <a href="#/block/${a.height}">${a.height}</a>${a.txid ? html`, payment <a class="mono" href="#/tx/${a.txid}">${short(a.txid, 8)}</a>` : ''}</dd>
      <dt>Expires</dt><dd>at height ${a.expiresAt}</dd>
      <dt>Spec hash</dt><dd class="mono break">${a.specHash}</dd>
      ${s.geolocation.length ? html`<dt>Geolocation</dt><dd>${s.geolocation.join(', ')}</dd>` : ''}
    </dl>
    <h3>Components</h3>
    <div class="scroll"><table>
      <thead><tr><th>Name</th><th>Image</th><th>Ports</th><th class="num">CPU</th><th class="num">RAM MB</th><th class="num">SSD GB</th></tr></thead>
      <tbody>${s.components.map(
        (c) => html`<tr><td>${c.name}</td><td class="mono small">${c.repotag}</td>
          <td>${c.ports.map((p, i) => html`${p}→${c.containerPorts[i]} `)}</td>
          <td class="num">${c.cpu}</td><td class="num">${c.ram}</td><td class="num">${c.hdd}</td></tr>`,
      )}</tbody>
    </table></div>
    <h3>Instances</h3>
    <div class="scroll"><table>
      <thead><tr><th>Node</th><th>Tier</th><th>Address</th><th>Health</th><th>Data</th><th class="hide-narrow">Reported</th></tr></thead>
      <tbody data-testid="locations-body">${a.locations.map(
        (l) => html`<tr data-testid="location-row" data-node="${l.node}">
          <td class="mono" title="${l.node}">${short(l.node, 6)}</td>
          <td>${l.tier ? tierBadge(l.tier) : '–'}</td>
          <td>${l.ip}${(l.ports ?? []).map((p) => html` <a href="http://${l.ip}:${p}/" target="_blank" rel="noopener">:${p}</a>`)}</td>
          <td><span class="state ${l.state ?? 'unknown'}">${l.state ?? 'unknown'}</span></td>
          <td data-testid="location-data">${dataCell(l.data)}</td>
          <td class="muted hide-narrow">${ago(l.updated)}</td></tr>`,
      )}</tbody>
    </table></div>
    <h3>Where it runs</h3>
    ${nodeMap(nodes, [a as AppSummary], a.name)}
    ${ownerPanel(a)}
  </section>`;
}

/** Each replicated component: mode, role (primary, standby, …) and in sync or bytes behind. */
function dataCell(data: readonly InstanceData[] | undefined) {
  if (!data?.length) return html`<span class="muted">local</span>`;
  return data.map(
    (d) =>
      html`<span class="state ${d.role === 'primary' ? 'running' : d.role}" title="${d.component}">${d.mode}: ${d.role}</span>
        <span class="small ${d.inSync ? 'muted' : ''}">${d.inSync ? 'in sync' : `${d.needBytes} B behind`}</span> `,
  );
}

export function appPage(root: HTMLElement, [name = '']: string[]): View {
  render(root, html`<section><h2>App ${name}</h2><div class="loading">Loading…</div></section>`);
  const load = () =>
    Promise.all([api<AppDetail>(`/apps/${encodeURIComponent(name)}`), api<NodeView[]>('/nodes')]).then(
      ([a, nodes]) => {
        // A live refresh keeps what the owner was shown.
        const shown = byId('owner-out')?.innerHTML;
        const typed = byId<HTMLInputElement>('owner-key')?.value;
        render(root, detail(a, nodes));
        if (shown) byId('owner-out')!.innerHTML = shown;
        const input = byId<HTMLInputElement>('owner-key');
        if (typed && input) input.value = typed;
        wireOwnerPanel(a, () => void load());
      },
      (e) => render(root, errorBox(e)),
    );
  const ready = load();
  return {
    ready,
    onEvent(ev) {
      if (ev.type === 'placements' && ev.data.changes.some((c) => c.app === name)) void load();
      if (ev.type === 'nodes') void load();
    },
  };
}
