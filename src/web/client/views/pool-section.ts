/// <reference lib="dom" />
/**
 * The staking pool on the overview, for a node started with `--pool` (GET /pool; the section stays
 * hidden on any other node): its address and terms, the stake pooled and what it earned, the node
 * slots with the Stratus node's status, and whether the books replay.
 */
import { api } from '../api.ts';
import { byId, html, render } from '../dom.ts';
import { flux } from '../format.ts';

interface Amount {
  flux: number;
  sat: string;
}

interface PoolInfo {
  address: string;
  height: number;
  params: { collateral: Amount; fee_bps: number; notice_blocks: number };
  stakers: number;
  totals: Record<'active' | 'pending' | 'rewards' | 'fees' | 'credited' | 'withdrawn', Amount>;
  slots: { slot: string; opened_at: number }[];
  node: { collateral: string; status: string } | null;
}

function poolSection(p: PoolInfo) {
  const t = p.totals;
  return html`<div class="cards">
      <div class="card"><div class="label">Staked (earning)</div><div class="big" data-testid="pool-active">${flux(t.active.sat)}</div></div>
      <div class="card"><div class="label">Stakers</div><div class="big" data-testid="pool-stakers">${p.stakers}</div></div>
      <div class="card"><div class="label">Node payments</div><div class="big" data-testid="pool-rewards">${flux(t.rewards.sat)}</div></div>
      <div class="card"><div class="label">Stratus node</div><div class="big" data-testid="pool-node">${p.node?.status ?? 'none'}</div></div>
    </div>
    <div class="scroll"><table><tbody>
      <tr><td>Address</td><td data-testid="pool-address">${p.address}</td></tr>
      <tr><td>Fee</td><td>${(p.params.fee_bps / 100).toFixed(2)} %</td></tr>
      <tr><td>Notice</td><td>${p.params.notice_blocks} blocks</td></tr>
      <tr><td>Collateral per node</td><td>${flux(p.params.collateral.sat)}</td></tr>
      <tr><td>Shared with stakers</td><td class="num">${flux(t.credited.sat)}</td></tr>
      <tr><td>Operator fees</td><td class="num">${flux(t.fees.sat)}</td></tr>
      <tr><td>Pending withdrawals</td><td class="num">${flux(t.pending.sat)}</td></tr>
      <tr><td>Withdrawn</td><td class="num">${flux(t.withdrawn.sat)}</td></tr>
      <tr><td>Node slots</td><td>${p.slots.map((s) => html`<span class="chip">${s.slot} @${s.opened_at}</span>`)}</td></tr>
    </tbody></table></div>`;
}

/** Loads the pool into #pool and shows its section; a node without a pool keeps it hidden. */
export function loadPool(): Promise<void> {
  return api<PoolInfo>('/pool').then(
    (p) => {
      const section = byId('pool-section');
      if (section) section.hidden = false;
      render(byId('pool'), poolSection(p));
    },
    () => {},
  );
}
