/**
 * The staking pool on a real devnet node (`--pool`): three holders stake through JSON-RPC enough
 * for one Stratus node; the pool locks the collateral, STARTs the node and keeps it confirmed; the
 * node is paid and every payment shared; one holder withdraws and is paid after the notice period;
 * `verifypool` recomputes every balance from the journal and from the chain and finds them equal.
 * Then the dashboard's overview, in Debian's Chromium (playwright-core), shows the same pool figures
 * as GET /pool.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { reverseHex } from '../../src/consensus/bytes.ts';
import { scriptForAddress } from '../../src/consensus/keys/address.ts';
import { FluxNode } from '../../src/node/node.ts';
import { flux } from '../../src/web/client/format.ts';
import { DASHBOARD_DIST } from '../../src/web/serve.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const NOTICE = 4;
let node: FluxNode;
let dir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fluxnode-pool-e2e-'));
  node = await FluxNode.start({
    network: 'devnet',
    dataDir: dir,
    host: '127.0.0.66',
    p2pPort: 0,
    apiPort: 0,
    bootstrap: [],
    mineIntervalMs: 0,
    logLevel: 'error',
    pool: { feeBps: 1_000, noticeBlocks: NOTICE },
  });
});

after(async () => {
  await node?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function mine(n: number, address: string): Promise<void> {
  await node.miner?.stop();
  node.startMiner(address, { maxBlocks: n });
  await node.miner!.whenStopped();
}

async function rpc<T>(method: string, params: unknown[] = []): Promise<T> {
  const r = await node.rpc.handleOne({ id: 1, method, params });
  if (r.error) throw new Error(`${method}: ${r.error.code} ${r.error.message}`);
  return r.result as T;
}

/** Mines one block at a time until `done` holds (the pool acts on each new tip); fails after `max`. */
async function until(what: string, done: () => Promise<boolean>, max: number, to: string): Promise<void> {
  for (let i = 0; i < max; i++) {
    if (await done()) return;
    await mine(1, to);
    // The pool and the operator act on the tip event; give their transactions a moment to pool.
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`${what}: not within ${max} blocks`);
}

interface PoolInfo {
  address: string;
  node: { collateral: string; status: string } | null;
  totals: {
    rewards: { sat: string };
    credited: { sat: string };
    fees: { sat: string };
    undistributed: { sat: string };
  };
}

test('three holders pool a Stratus node; it is started, paid and shared; a withdrawal is paid after the notice; every balance replays', async () => {
  const funder = node.wallet.newAddress('funder');
  await mine(node.params.coinbaseMaturity + 2, funder);
  const holders = ['h1', 'h2', 'h3'].map((l) => node.wallet.newAddress(l));
  // One payment at a time: each spends the premine's change, which must be mined first.
  for (const h of holders) {
    await rpc('sendtoaddress', [h, 20_000]);
    await mine(1, funder);
  }
  const stakes = [15_000, 15_000, 12_000];
  for (const [i, h] of holders.entries()) await rpc('poolstake', [h, stakes[i]]);
  await mine(1, funder);
  const staked = await rpc<{ stakers: number }>('getpoolinfo');
  assert.equal(staked.stakers, 3);

  const info = () => rpc<PoolInfo>('getpoolinfo');
  await until(
    'the pool’s Stratus node is confirmed',
    async () => (await info()).node?.status === 'confirmed',
    30,
    funder,
  );
  const pool = await info();
  assert.equal(node.chain.fluxnodes.get(pool.node!.collateral)?.tier, 'stratus');
  await until('the node is paid', async () => BigInt((await info()).totals.rewards.sat) > 0n, 30, funder);
  const t = (await info()).totals;
  assert.equal(
    BigInt(t.rewards.sat) - BigInt(t.fees.sat),
    BigInt(t.credited.sat) + BigInt(t.undistributed.sat),
    'every satoshi paid is the fee, shared, or carried',
  );

  const h3 = holders[2]!;
  await rpc('poolwithdraw', [h3, 1_000]);
  const withdrawn = async () =>
    (await rpc<{ withdrawn: { sat: string } }>('getpoolstaker', [h3])).withdrawn.sat ===
    String(1_000n * 100_000_000n);
  await until('the withdrawal is paid', withdrawn, NOTICE + 6, funder);
  await until(
    'the payment is mined',
    async () => {
      const paid = Object.values(node.pool!.actions.paid)[0];
      return paid !== undefined && node.txIndex.locate(paid) !== undefined;
    },
    4,
    funder,
  );
  const paid = Object.values(node.pool!.actions.paid)[0]!;
  const at = node.txIndex.locate(paid)!;
  const tx = node.chain.getBlock(at.height)!.txs[at.position]!;
  const script = Buffer.from(scriptForAddress(h3, node.params.base58));
  assert.equal(tx.outputs.find((o) => script.equals(o.scriptPubKey))?.value, 1_000n * 100_000_000n);
  assert.equal(reverseHex(tx.inputs[0]!.prevout.txid).length, 64);

  const v = await rpc<{ journal_replay: string; chain_replay: string }>('verifypool');
  assert.deepEqual([v.journal_replay, v.chain_replay], ['equal', 'equal']);
  // The same books over the public REST API.
  const addr = node.api.server?.address();
  assert.ok(addr && typeof addr === 'object');
  const rest = async <T>(path: string) =>
    (await (await fetch(`http://127.0.0.66:${addr.port}${path}`)).json()) as T;
  assert.equal((await rest<{ address: string }>('/pool')).address, pool.address);
  assert.deepEqual(await rest('/pool/verify'), await rpc('verifypool'));
  assert.deepEqual(await rest(`/pool/stakers/${h3}`), await rpc('getpoolstaker', [h3]));
  for (const h of holders) {
    const s = await rpc<{ stake: { sat: string }; earned: { sat: string } }>('getpoolstaker', [h]);
    assert.ok(BigInt(s.earned.sat) > 0n, `${h} earned a share`);
  }
});

interface PoolView {
  address: string;
  stakers: number;
  totals: Record<'active' | 'rewards', { sat: string }>;
  node: { status: string } | null;
}

test('the dashboard’s overview shows the pool’s stakers and stake as GET /pool gives them', async () => {
  assert.ok(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM}: run scripts/setup-host.sh`);
  if (!existsSync(join(DASHBOARD_DIST, 'index.html'))) {
    // `npm test` builds it first; a lone run of this file builds it here.
    const { build } = await import('vite');
    await build({ configFile: join(DASHBOARD_DIST, '..', 'vite.config.ts'), logLevel: 'error' });
  }
  const addr = node.api.server?.address();
  assert.ok(addr && typeof addr === 'object');
  const url = `http://127.0.0.66:${addr.port}`;
  const pool = (await (await fetch(`${url}/pool`)).json()) as PoolView;
  assert.ok(pool.stakers > 0 && BigInt(pool.totals.active.sat) > 0n, 'the first test pooled stakes');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
  });
  try {
    const page = await browser.newPage();
    await page.goto(`${url}/`);
    const stakers = page.getByTestId('pool-stakers');
    await stakers.waitFor({ timeout: 15_000 });
    const text = async (id: string) => (await page.getByTestId(id).textContent())?.trim();
    assert.equal(await text('pool-stakers'), String(pool.stakers));
    assert.equal(await text('pool-active'), flux(pool.totals.active.sat));
    assert.equal(await text('pool-rewards'), flux(pool.totals.rewards.sat));
    assert.equal(await text('pool-address'), pool.address);
    assert.equal(await text('pool-node'), pool.node?.status ?? 'none');
  } finally {
    await browser.close();
  }
});
