/// <reference lib="dom" />
import type { BlockSummary } from '../../../api/index.ts';
import { api } from '../api.ts';
import { addressLink, blockLink, errorBox, tierBadge } from '../components.ts';
import { html, render } from '../dom.ts';
import { ago, dateTime, flux, short } from '../format.ts';
import type { View } from '../view.ts';

interface BlockJson {
  hash: string;
  height: number;
  confirmations: number;
  time: number;
  size: number;
  difficulty: number;
  bits: string;
  merkleroot: string;
  previousblockhash?: string;
  nextblockhash?: string;
  tx: string[];
  summary: BlockSummary;
}

interface TxJson {
  txid: string;
  height?: number;
  blockhash?: string;
  confirmations: number;
  time?: number;
  inMempool?: boolean;
  vin: { coinbase?: string; txid?: string; vout?: number }[];
  vout: { valueSat: number; n: number; scriptPubKey: { type: string; addresses?: string[] } }[];
  fluxnode?: { type: string; collateral: string; ip?: string };
}

interface AddressJson {
  address: string;
  balanceSat: string;
  spendableSat: string;
  immatureSat: string;
  utxos: number;
  history: { txid: string; height: number; time: number | null; deltaSat: string }[];
}

function fields(rows: [string, unknown][]) {
  return html`<dl class="fields">${rows.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>`;
}

export function blockPage(root: HTMLElement, [ref = '']: string[]): View {
  render(root, html`<section><h2>Block ${ref}</h2><div class="loading">Loading…</div></section>`);
  const ready = api<BlockJson>(`/chain/block/${encodeURIComponent(ref)}`).then(
    (b) => {
      const s = b.summary;
      render(
        root,
        html`<section data-testid="block-page" data-height="${b.height}">
          <h2>Block <span data-testid="block-height">${b.height}</span></h2>
          ${fields([
            ['Hash', html`<span class="mono break" data-testid="block-hash">${b.hash}</span>`],
            ['Time', html`${dateTime(b.time)} <span class="muted">(${ago(b.time)})</span>`],
            ['Confirmations', b.confirmations],
            ['Size', `${b.size} bytes`],
            ['Difficulty', b.difficulty],
            [
              'Previous',
              b.previousblockhash ? blockLink(b.previousblockhash, short(b.previousblockhash, 8)) : '–',
            ],
            ['Next', b.nextblockhash ? blockLink(b.nextblockhash, short(b.nextblockhash, 8)) : '–'],
          ])}
          <h3>Coinbase payouts</h3>
          <div class="scroll"><table>
            <thead><tr><th>To</th><th>Address</th><th class="num">FLUX</th></tr></thead>
            <tbody>
              <tr data-testid="payout-miner"><td>miner</td><td>${addressLink(s.miner.address)}</td><td class="num">${flux(s.miner.amountSat)}</td></tr>
              ${s.nodePayouts.map(
                (p) =>
                  html`<tr data-testid="payout-node"><td>${tierBadge(p.tier)} node</td><td>${addressLink(p.address)}</td><td class="num">${flux(p.amountSat)}</td></tr>`,
              )}
              ${s.funds.map((f) => html`<tr><td>${f.kind}</td><td>${addressLink(f.address)}</td><td class="num">${flux(f.amountSat)}</td></tr>`)}
            </tbody>
          </table></div>
          <h3>Transactions (${b.tx.length})</h3>
          <ul class="txs">${b.tx.map((id) => html`<li><a class="mono" href="#/tx/${id}">${short(id, 12)}</a></li>`)}</ul>
        </section>`,
      );
    },
    (e) => render(root, errorBox(e)),
  );
  return { ready };
}

export function txPage(root: HTMLElement, [id = '']: string[]): View {
  render(root, html`<section><h2>Transaction</h2><div class="loading">Loading…</div></section>`);
  const ready = api<TxJson>(`/chain/tx/${encodeURIComponent(id)}`).then(
    (t) => {
      render(
        root,
        html`<section data-testid="tx-page">
          <h2>Transaction</h2>
          ${fields([
            ['Txid', html`<span class="mono break">${t.txid}</span>`],
            ['Block', t.inMempool ? 'in the mempool' : t.height !== undefined ? blockLink(t.height) : '–'],
            ['Confirmations', t.confirmations],
            ...(t.fluxnode
              ? ([
                  [
                    'Fluxnode',
                    `${t.fluxnode.type} ${t.fluxnode.collateral}${t.fluxnode.ip ? ` @ ${t.fluxnode.ip}` : ''}`,
                  ],
                ] as [string, unknown][])
              : []),
          ])}
          <div class="two">
            <div><h3>Inputs</h3><ul class="txs">${t.vin.map((i) =>
              i.coinbase !== undefined
                ? html`<li class="muted">coinbase</li>`
                : html`<li><a class="mono" href="#/tx/${i.txid}">${short(i.txid, 8)}:${i.vout}</a></li>`,
            )}${t.vin.length ? '' : html`<li class="muted">none</li>`}</ul></div>
            <div><h3>Outputs</h3><ul class="txs">${t.vout.map(
              (
                o,
              ) => html`<li>${o.scriptPubKey.addresses?.[0] ? addressLink(o.scriptPubKey.addresses[0]) : html`<span class="muted">${o.scriptPubKey.type}</span>`}
                <span class="amount">${flux(String(o.valueSat))}</span></li>`,
            )}</ul></div>
          </div>
        </section>`,
      );
    },
    (e) => render(root, errorBox(e)),
  );
  return { ready };
}

export function addressPage(root: HTMLElement, [address = '']: string[]): View {
  render(root, html`<section><h2>Address</h2><div class="loading">Loading…</div></section>`);
  const ready = api<AddressJson>(`/chain/address/${encodeURIComponent(address)}?limit=50`).then(
    (a) => {
      render(
        root,
        html`<section data-testid="address-page">
          <h2>Address</h2>
          ${fields([
            ['Address', html`<span class="mono break">${a.address}</span>`],
            ['Balance', `${flux(a.balanceSat)} FLUX`],
            ['Spendable', `${flux(a.spendableSat)} FLUX`],
            ['Immature', `${flux(a.immatureSat)} FLUX`],
            ['Unspent outputs', a.utxos],
          ])}
          <h3>Latest transactions</h3>
          <div class="scroll"><table><thead><tr><th>Block</th><th>Txid</th><th class="num">Change</th></tr></thead>
          <tbody>${a.history.map(
            (
              h,
            ) => html`<tr><td>${blockLink(h.height)}</td><td><a class="mono" href="#/tx/${h.txid}">${short(h.txid, 8)}</a></td>
              <td class="num ${BigInt(h.deltaSat) < 0n ? 'neg' : 'pos'}">${flux(h.deltaSat)}</td></tr>`,
          )}</tbody></table></div>
        </section>`,
      );
    },
    (e) => render(root, errorBox(e)),
  );
  return { ready };
}
