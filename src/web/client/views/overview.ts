/// <reference lib="dom" />
import type {
  AppSummary,
  BlockSummary,
  NetworkTotals,
  NodeCountPoint,
  NodeView,
} from '../../../api/index.ts';
import { api } from '../api.ts';
import { nodeCountChart } from '../chart.ts';
import { appDot, blockRow, blocksTable, errorBox, nodeMap, TIERS, tierBadge } from '../components.ts';
import { byId, html, render } from '../dom.ts';
import { flux, num } from '../format.ts';
import { setNetwork, setTip } from '../header.ts';
import type { View } from '../view.ts';
import { loadPool } from './pool-section.ts';

const BLOCKS = 10;

function computeSection(t: NetworkTotals) {
  const c = t.compute;
  return html`<div class="cards">
      <div class="card"><div class="label">Confirmed nodes</div>
        <div class="big" data-testid="total-nodes">${t.nodes.confirmed}</div>
        <div class="tier-counts">${TIERS.map((tier) => html`<span>${tierBadge(tier)} <b data-testid="tier-count-${tier}">${t.nodes.byTier[tier]}</b></span>`)}</div>
      </div>
      <div class="card"><div class="label">Cores</div><div class="big" data-testid="total-cores">${num(c.cores)}</div></div>
      <div class="card"><div class="label">RAM</div><div class="big"><span data-testid="total-ram">${num(c.ramGB, 2)}</span> <small>GB</small></div></div>
      <div class="card"><div class="label">SSD</div><div class="big"><span data-testid="total-ssd">${num(c.ssdGB, 2)}</span> <small>GB</small></div></div>
    </div>
    <div class="scroll"><table class="by-tier">
      <thead><tr><th>Tier</th><th class="num">Nodes</th><th class="num">Cores</th><th class="num">RAM GB</th><th class="num">SSD GB</th></tr></thead>
      <tbody>${TIERS.map((tier) => {
        const x = c.byTier[tier];
        return html`<tr data-testid="tier-row-${tier}"><td>${tierBadge(tier)}</td><td class="num">${x.nodes}</td>
          <td class="num" data-testid="tier-cores-${tier}">${num(x.cores)}</td><td class="num" data-testid="tier-ram-${tier}">${num(x.ramGB, 2)}</td><td class="num">${num(x.ssdGB, 2)}</td></tr>`;
      })}</tbody>
    </table></div>
    ${c.benchmarked < c.nodes ? html`<p class="muted">${c.nodes - c.benchmarked} confirmed node(s) have not reported a benchmark yet; they are not counted above.</p>` : ''}`;
}

/** Supply as the node's economy reports it (satoshi strings); 501 means the node keeps none. */
interface SupplyView {
  circulating: string;
  liquid: string;
  minedByMiners: string;
  feesToMiners: string;
  paidToOperators: string;
  oneOffs: string;
  collateralLocked: string;
  appPayments: string;
  burned: string;
}

function supplySection(x: SupplyView) {
  const rows: [string, string, string][] = [
    ['Mined by miners', x.minedByMiners, 'supply-miners'],
    ['Paid to node operators', x.paidToOperators, 'supply-operators'],
    ['Foundation and fund outputs', x.oneOffs, 'supply-funds'],
    ['Locked as collateral', x.collateralLocked, 'supply-collateral'],
    ['Paid for apps', x.appPayments, 'supply-apps'],
    ['Burned', x.burned, 'supply-burned'],
  ];
  return html`<div class="cards">
      <div class="card"><div class="label">Circulating</div><div class="big" data-testid="supply-circulating">${flux(x.circulating)}</div></div>
      <div class="card"><div class="label">Liquid (not collateral)</div><div class="big" data-testid="supply-liquid">${flux(x.liquid)}</div></div>
    </div>
    <div class="scroll"><table><tbody>${rows.map(
      ([label, v, id]) => html`<tr><td>${label}</td><td class="num" data-testid="${id}">${flux(v)}</td></tr>`,
    )}</tbody></table></div>`;
}

function appsSection(apps: readonly AppSummary[]) {
  if (!apps.length) return html`<p class="muted">No apps registered.</p>`;
  return html`<div class="scroll"><table class="apps">
    <thead><tr><th>App</th><th class="num">Instances</th><th>Locations</th><th class="num hide-narrow">Price</th></tr></thead>
    <tbody>${apps.map(
      (a) => html`<tr data-testid="app-row" data-app="${a.name}">
        <td>${appDot(a.name)} <a href="#/app/${a.name}">${a.name}</a><div class="muted small">${a.description}</div></td>
        <td class="num"><span data-testid="app-placed">${a.placed}</span>/${a.instances}</td>
        <td>${a.locations.map((l) => html`<span class="chip ${l.tier ?? ''}" data-testid="app-location">${l.ip || l.node.slice(0, 8)}</span>`)}</td>
        <td class="num hide-narrow">${flux(a.priceSat)}</td>
      </tr>`,
    )}</tbody>
  </table></div>`;
}

export function overview(root: HTMLElement): View {
  render(
    root,
    html`<section><h2>Compute power</h2><div id="compute" class="loading">Loading…</div></section>
    <section><h2>Supply <small class="muted">FLUX</small></h2><div id="supply" class="loading">Loading…</div></section>
    <section id="pool-section" hidden><h2>Staking pool</h2><div id="pool"></div></section>
    <section><h2>Nodes by tier over time</h2><div id="history" class="loading">Loading…</div></section>
    <section><h2>Latest blocks</h2><div id="blocks" class="loading">Loading…</div></section>
    <section><h2>Apps <small class="muted">and where they run</small></h2><div id="apps" class="loading">Loading…</div><div id="map"></div></section>`,
  );
  let blocks: BlockSummary[] = [];
  let history: NodeCountPoint[] = [];
  let nodes: NodeView[] = [];
  let apps: AppSummary[] = [];

  const loadTotals = () =>
    api<NetworkTotals>('/network/totals').then(
      (t) => {
        setTip(t.height);
        setNetwork(t.network);
        render(byId('compute'), computeSection(t));
      },
      (e) => render(byId('compute'), errorBox(e)),
    );
  const loadSupply = () =>
    api<SupplyView>('/economy/supply').then(
      (x) => {
        render(byId('supply'), supplySection(x));
        byId('supply')?.classList.remove('loading');
      },
      () => render(byId('supply'), html`<p class="muted">This node keeps no supply statistics.</p>`),
    );
  const loadMapData = () =>
    Promise.all([api<NodeView[]>('/nodes'), api<AppSummary[]>('/apps')]).then(
      ([n, a]) => {
        nodes = n;
        apps = a;
        render(byId('apps'), appsSection(apps));
        render(byId('map'), html`<h3>Node map</h3>${nodeMap(nodes, apps)}`);
      },
      (e) => render(byId('apps'), errorBox(e)),
    );
  const ready = Promise.all([
    loadTotals(),
    api<NodeCountPoint[]>('/network/history?limit=300').then(
      (h) => {
        history = h;
        render(byId('history'), nodeCountChart(history));
      },
      (e) => render(byId('history'), errorBox(e)),
    ),
    api<BlockSummary[]>(`/chain/blocks?limit=${BLOCKS}`).then(
      (b) => {
        blocks = b;
        render(byId('blocks'), blocksTable(blocks));
      },
      (e) => render(byId('blocks'), errorBox(e)),
    ),
    loadMapData(),
    loadSupply(),
    loadPool(),
  ]).then(() => {
    for (const id of ['compute', 'history', 'blocks', 'apps']) byId(id)?.classList.remove('loading');
  });

  return {
    ready,
    onEvent(ev) {
      if (ev.type === 'block') {
        const b = ev.data;
        // A block that landed between the first fetch and the socket opening was never sent to us:
        // when the heights do not follow on, fetch the list again rather than show a hole.
        const newest = blocks[0];
        if (newest && b.height > newest.height + 1) {
          void api<BlockSummary[]>(`/chain/blocks?limit=${BLOCKS}`).then((fresh) => {
            blocks = fresh;
            render(byId('blocks'), blocksTable(blocks));
          });
          void loadSupply();
          return;
        }
        blocks = [b, ...blocks.filter((x) => x.height < b.height)].slice(0, BLOCKS);
        const body = byId('blocks')?.querySelector('tbody');
        if (body) {
          body.querySelector(`tr[data-height="${b.height}"]`)?.remove();
          body.insertAdjacentHTML('afterbegin', blockRow(b).value);
          body.querySelector('tr')?.classList.add('new');
          while (body.children.length > BLOCKS) body.lastElementChild?.remove();
        } else render(byId('blocks'), blocksTable(blocks));
        history = [
          ...history.filter((p) => p.height < b.height),
          { height: b.height, time: b.time, ...b.nodes },
        ];
        render(byId('history'), nodeCountChart(history));
        void loadSupply();
        void loadPool();
      } else if (ev.type === 'nodes') {
        void loadTotals();
        void loadMapData();
      } else if (ev.type === 'placements') {
        void loadTotals();
        void loadMapData();
      }
    },
  };
}
