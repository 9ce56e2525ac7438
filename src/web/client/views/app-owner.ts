/// <reference lib="dom" />
/**
 * The owner's part of the app page: the owner pastes the owner address's private key, the page
 * checks it against the app's owner and keeps it in this module's memory (never in the DOM after
 * loading, never in storage, never in a request); "Show logs" and "Restart" build an owner request
 * for every node the app is placed on, sign it here (owner-signer.ts, loaded on first use) and send
 * only the signed request to POST /apps/:name/ops.
 */
import type { AppDetail, OwnerOpAnswer, OwnerOpNode } from '../../../api/index.ts';
import { api } from '../api.ts';
import { errorBox } from '../components.ts';
import { byId, html, render, type SafeHtml } from '../dom.ts';
import { short } from '../format.ts';
import type { OwnerKey, OwnerOp } from '../owner-signer.ts';

let signer: Promise<typeof import('../owner-signer.ts')> | undefined;
const loadSigner = () => {
  signer ??= import('../owner-signer.ts');
  return signer;
};

/** The loaded key and the owner address it was checked against. */
let loaded: { owner: string; key: OwnerKey } | undefined;

export function ownerPanel(a: AppDetail): SafeHtml {
  const mine = loaded?.owner === a.owner;
  const body = mine
    ? html`<p data-testid="owner-loaded" class="small">Key of ${a.owner} loaded. It stays in this page’s memory and is never sent: each request is signed here.</p>
      <button id="owner-logs" type="button">Show logs</button>
      <button id="owner-restart" type="button">Restart every instance</button>
      <button id="owner-forget" type="button">Forget key</button>`
    : html`<p class="small">The owner can read every instance’s logs and restart them from here. Paste the owner address’s private key (WIF or hex): the page signs each request itself and keeps the key in memory only; it never leaves this browser.</p>
      <input id="owner-key" type="password" autocomplete="off" spellcheck="false" placeholder="private key (WIF or hex)" />
      <button id="owner-key-load" type="button">Load key</button>`;
  return html`<h3>Owner <small class="muted">logs and restart, signed in this browser</small></h3>
    <div id="owner-panel" class="logs-form">${body}</div>
    <div id="owner-out"></div>`;
}

function outcome(n: OwnerOpNode): string {
  if (n.status !== 'ok') return 'rule' in n ? `${n.status} (${n.rule})` : `${n.status}: ${n.reason}`;
  return n.done.length
    ? `done: ${n.done.join(', ')}`
    : n.containers.map((c) => `${c.container} ${c.state}`).join(', ');
}

function answerView(a: OwnerOpAnswer): SafeHtml {
  const lines = a.lines ?? [];
  return html`<table data-testid="op-result"><thead><tr><th>Node</th><th>Address</th><th>Outcome</th></tr></thead>
    <tbody>${a.nodes.map(
      (n) =>
        html`<tr data-testid="op-node" data-node="${n.node}" data-status="${n.status}"><td class="mono" title="${n.node}">${short(n.node, 6)}</td><td>${n.ip}</td><td>${outcome(n)}</td></tr>`,
    )}</tbody></table>
    ${
      a.op !== 'logs'
        ? ''
        : lines.length
          ? html`<pre class="logs" data-testid="logs">${lines.map(
              (l) =>
                html`<span class="muted">${l.time ? new Date(l.time).toISOString() : '-'} ${short(l.node, 4)} ${l.ip} ${l.container}${l.stream === 'stderr' ? ' !' : ''}</span> ${l.text}\n`,
            )}</pre>`
          : html`<p class="muted">No log lines.</p>`
    }`;
}

async function run(a: AppDetail, op: OwnerOp): Promise<void> {
  const key = loaded?.key;
  if (!key) return;
  const { signOwnerRequest } = await loadSigner();
  const nodes = [...new Set(a.locations.map((l) => l.node))];
  if (nodes.length === 0) throw new Error('no instance is placed yet');
  const req = signOwnerRequest(key, { op, app: a.name, nodes, ...(op === 'logs' ? { tail: 200 } : {}) });
  render(
    byId('owner-out'),
    answerView(await api<OwnerOpAnswer>(`/apps/${encodeURIComponent(a.name)}/ops`, req)),
  );
}

/** Hooks the panel's buttons; `refresh` redraws the page (after a key is loaded or forgotten). */
export function wireOwnerPanel(a: AppDetail, refresh: () => void): void {
  const fail = (e: unknown) => render(byId('owner-out'), errorBox(e));
  byId('owner-key-load')?.addEventListener('click', () => {
    const input = byId<HTMLInputElement>('owner-key');
    const text = input?.value ?? '';
    if (input) input.value = '';
    loadSigner()
      .then((s) => {
        const key = s.readOwnerKey(text);
        if (!s.keyOwns(key, a.owner)) throw new Error(`this key is not the key of the owner ${a.owner}`);
        loaded = { owner: a.owner, key };
        refresh();
      })
      .catch(fail);
  });
  byId('owner-forget')?.addEventListener('click', () => {
    loaded = undefined;
    render(byId('owner-out'), html``);
    refresh();
  });
  for (const [id, op] of [
    ['owner-logs', 'logs'],
    ['owner-restart', 'restart'],
  ] as const)
    byId(id)?.addEventListener('click', () => {
      render(byId('owner-out'), html`<p class="muted">Waiting for the nodes…</p>`);
      run(a, op).catch(fail);
    });
}
