/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import type { ApiEvent } from '../../api/index.ts';
import { api } from './api.ts';
import { byId } from './dom.ts';
import { ago } from './format.ts';
import { setNetwork, setTip } from './header.ts';
import { Live } from './live.ts';
import type { View, ViewFactory } from './view.ts';
import { appPage } from './views/app.ts';
import { addressPage, blockPage, txPage } from './views/chain.ts';
import { nodesPage, selfPage } from './views/nodes.ts';
import { overview } from './views/overview.ts';

declare global {
  interface Window {
    /** ms from navigation start to the first page showing its data (read by the browser test). */
    __dashboardReadyMs?: number;
  }
}

const ROUTES: [RegExp, ViewFactory][] = [
  [/^$/, overview],
  [/^nodes$/, nodesPage],
  [/^node$/, selfPage],
  [/^block\/([^/]+)$/, blockPage],
  [/^tx\/([0-9a-fA-F]{64})$/, txPage],
  [/^address\/([^/]+)$/, addressPage],
  [/^app\/([^/]+)$/, appPage],
];

const main = byId('main')!;
const live = new Live();
let current: View | undefined;

function route(): void {
  const path = decodeURIComponent(location.hash.replace(/^#\/?/, ''));
  for (const link of document.querySelectorAll<HTMLAnchorElement>('nav a'))
    link.classList.toggle('active', link.getAttribute('href') === `#/${path}`);
  for (const [re, factory] of ROUTES) {
    const m = re.exec(path);
    if (!m) continue;
    window.scrollTo(0, 0);
    current = factory(main, m.slice(1));
    return;
  }
  main.innerHTML = '<section><h2>Not found</h2><p><a href="#/">Back to the overview</a></p></section>';
  current = undefined;
}

live.on((ev: ApiEvent) => {
  if (ev.type === 'hello') {
    setTip(ev.data.height);
    setNetwork(ev.data.network);
  }
  if (ev.type === 'block') setTip(ev.data.height);
  current?.onEvent?.(ev);
});
live.onStatus((up) => {
  const el = byId('live');
  if (!el) return;
  el.className = up ? 'live on' : 'live off';
  el.textContent = up ? 'live' : 'offline';
  el.dataset.state = up ? 'on' : 'off';
});

/** Search: a height or block hash, a txid, an app name, or an address. */
byId<HTMLFormElement>('search')?.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const input = byId<HTMLInputElement>('q')!;
  const q = input.value.trim();
  if (!q) return;
  input.blur();
  if (/^\d+$/.test(q)) location.hash = `#/block/${q}`;
  else if (/^[0-9a-fA-F]{64}$/.test(q)) {
    const isBlock = await api(`/chain/block/${q}`).then(
      () => true,
      () => false,
    );
    location.hash = isBlock ? `#/block/${q}` : `#/tx/${q}`;
  } else if (
    /^[A-Za-z0-9]{1,32}$/.test(q) &&
    (await api(`/apps/${q}`).then(
      () => true,
      () => false,
    ))
  )
    location.hash = `#/app/${q}`;
  else location.hash = `#/address/${q}`;
});

// Relative times go stale: refresh them every few seconds without refetching anything.
setInterval(() => {
  for (const el of document.querySelectorAll<HTMLElement>('[data-time]'))
    el.textContent = ago(Number(el.dataset.time));
}, 5000);

window.addEventListener('hashchange', route);
live.start();
route();
void current?.ready.then(() => {
  window.__dashboardReadyMs = performance.now();
  document.documentElement.dataset.ready = '1';
});
