/**
 * The dashboard in a real browser (Debian's Chromium driven by playwright-core): it loads from the
 * node's API port, shows the same figures as the API, follows a block and an app, updates live
 * when a block arrives, and fits a phone's width. Screenshots go to test-results/.
 *
 * Where Docker is available (always in CI) it brings up a real devnet of its own — five nodes of
 * tiers 2,2,1 on 127.0.0.101–105, each with its own Docker engine, running the sample app — and
 * removes it afterwards. To check a devnet already running: FLUXNODE_DASHBOARD_URL=http://127.0.0.11:16127
 * (FLUXNODE_EXPECT_NODES sets how many confirmed nodes it should show, default 5). Only on a
 * developer machine without Docker does it fall back to the in-process test network of
 * test/support/rest-fixture.ts (test/e2e/web/fixture-server.ts).
 */
import assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';
import { type Browser, chromium, type Page } from 'playwright-core';
import type {
  AppDetail,
  AppSummary,
  BlockSummary,
  NetworkTotals,
  NodeStatus,
  NodeView,
} from '../../../src/api/rest/types.ts';
import { decodeWif, encodeWif, type NetworkName, paramsFor, toHex } from '../../../src/consensus/index.ts';
import { sha256 } from '@noble/hashes/sha2.js';
import { rpcOf } from '../../../src/devnet/host-process.ts';
import { nodeOne } from '../../../src/devnet/state.ts';
import { flux } from '../../../src/web/client/format.ts';
import { DASHBOARD_DIST } from '../../../src/web/serve.ts';
import type { NodeBenchmark } from '../../../src/api/rest/types.ts';
import { OWNER_KEY } from '../../support/rest-fixture.ts';
import { dockerSkip, freePort } from '../devnet/docker-fixture.ts';
import { devnetUp } from '../../../src/devnet/up.ts';
import { readState } from '../../../src/devnet/state.ts';
import { teardownDevnet } from '../../../src/devnet/teardown.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { tuple } from '../../support/at.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const EXTERNAL = process.env.FLUXNODE_DASHBOARD_URL;
const EXPECT_NODES = Number(process.env.FLUXNODE_EXPECT_NODES ?? 5);
const RESULTS = join(import.meta.dirname, '..', '..', '..', 'test-results');
const TIERS = ['cumulus', 'nimbus', 'stratus'] as const;

/** The child process running the test network, and what it told us about its nodes. */
let net:
  | {
      child: ChildProcessWithoutNullStreams;
      nodes: { tier: string; id: string; benchmark: NodeBenchmark }[];
      next: () => Promise<Record<string, unknown>>;
      mineBlock: () => Promise<number>;
    }
  | undefined;
let browser: Browser;
/** Uncaught script errors in the dashboard, checked by the last test. */
const pageErrors: Error[] = [];
let url: string;
let page: Page;
/** The devnet this test brought up (and must remove). */
let ownDevnet: string | undefined;

async function api<T>(path: string): Promise<T> {
  const res = await fetch(url + path);
  assert.equal(res.status, 200, path);
  return (await res.json()) as T;
}

async function shot(p: Page, name: string): Promise<void> {
  // From the top, so the sticky header sits where a person sees it.
  await p.evaluate(() => window.scrollTo(0, 0));
  await p.screenshot({ path: join(RESULTS, `dashboard-${name}.png`), fullPage: true });
}

before(async () => {
  assert.ok(
    existsSync(CHROMIUM),
    `Chromium not found at ${CHROMIUM}: run scripts/setup-host.sh (apt-get install chromium)`,
  );
  mkdirSync(RESULTS, { recursive: true });
  if (!existsSync(join(DASHBOARD_DIST, 'index.html'))) {
    // `npm test` builds it first; a lone run of this file builds it here.
    const { build } = await import('vite');
    await build({ configFile: join(DASHBOARD_DIST, '..', 'vite.config.ts'), logLevel: 'error' });
  }
  if (EXTERNAL) url = EXTERNAL.replace(/\/$/, '');
  else if (!dockerSkip()) {
    ownDevnet = mkdtempSync(join(tmpdir(), 'fluxnode-dashboard-devnet-'));
    const summary = await devnetUp({
      dir: ownDevnet,
      nodes: 5,
      tiers: { cumulus: 2, nimbus: 2, stratus: 1 },
      baseAddress: '127.0.0.101',
      registryPort: await freePort('127.0.0.100'),
      mineIntervalMs: 1000,
    });
    url = summary.dashboard.replace(/\/$/, '');
  } else {
    const child = spawn(process.execPath, [join(import.meta.dirname, 'fixture-server.ts')], {
      stdio: ['pipe', 'pipe', 'inherit'],
    }) as unknown as ChildProcessWithoutNullStreams;
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const next = async () => {
      const r = await lines.next();
      if (r.done) throw new Error('the test network process ended');
      return JSON.parse(r.value) as Record<string, unknown>;
    };
    const hello = await next();
    url = hello.url as string;
    net = {
      child,
      nodes: hello.nodes as NonNullable<typeof net>['nodes'],
      next,
      mineBlock: async () => {
        child.stdin.write('mine\n');
        return (await next()).mined as number;
      },
    };
  }
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('pageerror', (err) => pageErrors.push(err));
});

after(async () => {
  await browser?.close();
  if (ownDevnet) {
    const state = readState(ownDevnet);
    if (state) await teardownDevnet(state);
    rmSync(ownDevnet, { recursive: true, force: true });
  }
  if (net) {
    const exited = new Promise((resolve) => net!.child.once('exit', resolve));
    net.child.stdin.end();
    await exited;
  }
});

const text = async (sel: string) => ((await page.locator(sel).first().textContent()) ?? '').trim();

test('the overview shows the API’s figures: nodes by tier, total cores and RAM, the sample app', {
  timeout: 60_000,
}, async (t) => {
  const started = Date.now();
  await page.goto(`${url}/`);
  await page.waitForFunction(() => window.__dashboardReadyMs !== undefined, undefined, { timeout: 15_000 });
  const readyMs = await page.evaluate(() => window.__dashboardReadyMs!);
  const nav = await page.evaluate(() => {
    const n = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
    return {
      domInteractive: n.domInteractive,
      domContentLoaded: n.domContentLoadedEventEnd,
      load: n.loadEventEnd,
    };
  });
  const timing = {
    readyMs: Math.round(readyMs),
    wallMs: Date.now() - started,
    ...nav,
    url: EXTERNAL ?? 'test network (test/e2e/web/fixture-server.ts)',
  };
  writeFileSync(join(RESULTS, 'dashboard-timing.json'), `${JSON.stringify(timing, null, 2)}\n`);
  t.diagnostic(
    `first page interactive with data after ${timing.readyMs} ms (DOM interactive ${Math.round(nav.domInteractive)} ms)`,
  );

  const totals = await api<NetworkTotals>('/network/totals');
  const nodes = await api<NodeView[]>('/nodes');
  const confirmed = nodes.filter((n) => n.status === 'confirmed');
  assert.equal(Number(await text('[data-testid=total-nodes]')), EXPECT_NODES);
  assert.equal(confirmed.length, EXPECT_NODES);
  for (const tier of TIERS) {
    const shown = Number(await text(`[data-testid=tier-count-${tier}]`));
    assert.equal(shown, totals.nodes.byTier[tier], tier);
    assert.equal(shown, confirmed.filter((n) => n.tier === tier).length, tier);
  }
  if (net) assert.deepEqual(totals.nodes.byTier, { cumulus: 2, nimbus: 2, stratus: 1 });

  // Totals equal the sum of the nodes' own benchmarks, as the API lists them.
  const sum = (pick: (n: NodeView) => number) => confirmed.reduce((s, n) => s + pick(n), 0);
  const cores = sum((n) => n.benchmark?.cores ?? 0);
  const ram = sum((n) => n.benchmark?.ramGB ?? 0);
  assert.equal(Number((await text('[data-testid=total-cores]')).replace(/,/g, '')), cores);
  assert.equal(
    Number((await text('[data-testid=total-ram]')).replace(/,/g, '')),
    Math.round(ram * 100) / 100,
  );
  if (net) {
    assert.equal(
      cores,
      net.nodes.reduce((s, n) => s + n.benchmark.cores, 0),
    );
    assert.equal(
      ram,
      net.nodes.reduce((s, n) => s + n.benchmark.ramGB, 0),
    );
  }

  // Supply: the page shows the economy's figures (they move with every block, so poll to a match).
  // The in-process fallback network keeps no supply statistics: say so rather than compare '' to ''.
  if (net) t.diagnostic('supply not checked: the in-process fallback network keeps no supply statistics');
  else {
    let shown = '';
    let expected = '';
    for (let i = 0; i < 20; i++) {
      expected = flux((await api<{ circulating: string }>('/economy/supply')).circulating);
      shown = await text('[data-testid=supply-circulating]');
      if (shown === expected) break;
      await page.waitForTimeout(250);
    }
    assert.ok(expected !== '', 'the API reports a circulating supply');
    assert.equal(shown, expected, 'circulating supply as the API reports it');
  }

  const apps = await api<AppSummary[]>('/apps');
  const sample = apps.find((a) => a.name === 'hello') ?? apps[0];
  assert.ok(sample, 'an app is registered');
  const row = page.locator(`[data-testid=app-row][data-app="${sample.name}"]`);
  const chips = await row.locator('[data-testid=app-location]').allInnerTexts();
  assert.equal(chips.length, 3);
  assert.deepEqual(
    chips,
    sample.locations.map((l) => l.ip),
  );
  assert.equal(await row.locator('[data-testid=app-placed]').textContent(), '3');

  // On a live devnet blocks keep coming: poll until the page and the API agree on the newest three.
  let heights: number[] = [];
  let expectedHeights: number[] = [];
  for (let i = 0; i < 20; i++) {
    expectedHeights = (await api<BlockSummary[]>('/chain/blocks?limit=10')).slice(0, 3).map((b) => b.height);
    heights = (
      await page
        .locator('[data-testid=block-row]')
        .evaluateAll((rows) => rows.map((r) => Number((r as HTMLElement).dataset.height)))
    ).slice(0, 3);
    if (JSON.stringify(heights) === JSON.stringify(expectedHeights)) break;
    await page.waitForTimeout(250);
  }
  assert.deepEqual(heights, expectedHeights);
  await shot(page, 'overview');
});

test('a new block appears without a reload', { timeout: 60_000 }, async () => {
  await page.evaluate(() => {
    (window as unknown as { __sameDocument: boolean }).__sameDocument = true;
  });
  await page.waitForSelector('[data-testid=live-status][data-state=on]');
  const top = Number(await page.locator('[data-testid=block-row]').first().getAttribute('data-height'));
  if (net) await net.mineBlock();
  const next = page.locator(`[data-testid=block-row][data-height="${top + 1}"]`);
  await next.waitFor({ timeout: 30_000 });
  assert.equal(
    await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument),
    true,
  );
  const [summary] = tuple(await api<BlockSummary[]>(`/chain/blocks?limit=1&before=${top + 2}`), 1);
  assert.equal(summary.height, top + 1);
  assert.equal(await next.locator('.payout').count(), summary.nodePayouts.length);
  assert.equal(Number((await text('#tip')).slice(1)) >= top + 1, true);
  await shot(page, 'live-block');
});

test('following a block shows its hash and payouts', { timeout: 30_000 }, async () => {
  // A block a second re-renders the list: the page followed is whichever the click landed on.
  await page.locator('[data-testid=block-row] td:first-child a').nth(1).click();
  const height = Number(
    await (await page.waitForSelector('[data-testid=block-page]')).getAttribute('data-height'),
  );
  assert.ok(height > 0);
  const block = await api<{ hash: string; summary: BlockSummary }>(`/chain/block/${height}`);
  assert.equal(await text('[data-testid=block-hash]'), block.hash);
  assert.equal(await page.locator('[data-testid=payout-node]').count(), block.summary.nodePayouts.length);
  assert.equal(await page.locator('[data-testid=payout-miner]').count(), 1);
  await shot(page, 'block');
  await page.goBack();
  await page.waitForSelector('[data-testid=app-row]');
});

/** The app owner's key as WIF: the fixture's, or the devnet's (node 1's wallet holds it); none for an external URL. */
async function ownerWif(owner: string): Promise<string | undefined> {
  if (net) return encodeWif(OWNER_KEY, paramsFor('devnet').base58.secretKey);
  const state = ownDevnet ? readState(ownDevnet) : undefined;
  if (!state) return undefined;
  return rpcOf(state, nodeOne(state.nodes)).call<string>('dumpprivkey', [owner]);
}

test('following an app shows its spec, every instance with node, state and address, and the app’s address', {
  timeout: 30_000,
}, async () => {
  const first = page.locator('[data-testid=app-row] a').first();
  const name = ((await first.textContent()) ?? '').trim();
  await first.click();
  await page.waitForSelector(`[data-testid=app-page][data-app="${name}"]`);
  const app = await api<AppDetail>(`/apps/${name}`);
  const rows = page.locator('[data-testid=location-row]');
  assert.equal(await rows.count(), 3);
  assert.deepEqual(
    await rows.evaluateAll((r) => r.map((x) => (x as HTMLElement).dataset.node)),
    app.locations.map((l) => l.node),
  );
  for (const [i, l] of app.locations.entries()) {
    const row = ((await rows.nth(i).textContent()) ?? '').replace(/\s+/g, ' ');
    assert.ok(row.includes(l.ip) && row.includes(l.state ?? 'unknown'), row);
  }
  // The app's address: this node's routing mesh, where there is one.
  assert.deepEqual(
    await page.locator('[data-testid=app-address]').evaluateAll((l) => l.map((a) => a.getAttribute('href'))),
    app.mesh.map((m) => `http://${m}/`),
  );
  assert.equal(await page.locator('.node-map .tile.lit').count(), 3);
  await shot(page, 'app');
});

test('the owner loads a key into the app page, reads every instance’s logs and restarts them; the key never leaves the page', {
  timeout: 60_000,
}, async (t) => {
  const app = await api<AppDetail>(
    `/apps/${await page.locator('[data-testid=app-page]').getAttribute('data-app')}`,
  );
  const wif = await ownerWif(app.owner);
  if (!wif) {
    t.skip('no owner key for an external dashboard');
    return;
  }
  const { privateKey } = decodeWif(
    wif,
    paramsFor((await api<{ network: NetworkName }>('/chain/info')).network).base58.secretKey,
  );
  const secrets = [wif, toHex(privateKey)];
  const sent: string[] = [];
  page.on('request', (r) => sent.push(`${r.url()} ${JSON.stringify(r.headers())} ${r.postData() ?? ''}`));
  page.on('websocket', (ws) => ws.on('framesent', (f) => sent.push(String(f.payload))));

  // Someone else's key is refused before anything is signed.
  await page.fill('#owner-key', toHex(sha256(new TextEncoder().encode('not the owner'))));
  await page.click('#owner-key-load');
  await page.waitForSelector('#owner-out .error');
  assert.match(await text('#owner-out'), /not the key of the owner/);

  await page.fill('#owner-key', wif);
  await page.click('#owner-key-load');
  await page.waitForSelector('[data-testid=owner-loaded]');
  assert.equal(await page.locator('#owner-key').count(), 0, 'the key field is gone once the key is loaded');

  await page.click('#owner-logs');
  await page.waitForSelector('[data-testid=logs]', { timeout: 30_000 });
  const logNodes = page.locator('[data-testid=op-node][data-status=ok]');
  assert.equal(await logNodes.count(), 3);
  assert.match(await text('[data-testid=logs]'), /httpd started|serving node/);
  for (const l of app.locations) assert.ok((await text('[data-testid=logs]')).includes(l.ip), l.ip);

  await page.click('#owner-restart');
  await page.waitForFunction(
    () =>
      document.querySelectorAll('[data-testid=op-node][data-status=ok]').length === 3 &&
      !document.querySelector('[data-testid=logs]'),
    null,
    { timeout: 30_000 },
  );
  assert.match(await text('[data-testid=op-result]'), /done: flux/);
  await shot(page, 'app-owner');

  const ops = sent.filter((s) => s.includes('/ops'));
  assert.equal(ops.length, 2, 'one signed request for logs, one for restart');
  for (const s of sent)
    for (const secret of secrets) assert.ok(!s.includes(secret), `the key was sent: ${s.slice(0, 200)}`);
  const stored = await page.evaluate(
    () => JSON.stringify({ ...localStorage, ...sessionStorage }) + document.cookie + location.href,
  );
  for (const secret of secrets) assert.ok(!stored.includes(secret), 'the key is not stored');
  page.removeAllListeners('request');
  page.removeAllListeners('websocket');
  await page.click('#owner-forget');
  await page.waitForSelector('#owner-key');
});

test('the node list shows where each node says it is, as the API gives it', { timeout: 30_000 }, async () => {
  await page.click('nav a[href="#/nodes"]');
  await page.waitForSelector('[data-testid=node-row]');
  const nodes = await api<NodeView[]>('/nodes');
  const shown = await page.$$eval('[data-testid=node-row]', (rows) =>
    rows.map((r) => [
      r.getAttribute('data-node') ?? '',
      r.querySelector('[data-testid=node-location]')?.textContent?.trim() ?? '',
    ]),
  );
  assert.equal(shown.length, nodes.length);
  const byId = new Map(shown.map(([id, loc]) => [id, loc]));
  for (const n of nodes) assert.equal(byId.get(n.collateral), n.benchmark?.location ?? '–', n.collateral);
  // The devnet and the fixture network both give their nodes varied locations.
  assert.ok(new Set(nodes.map((n) => n.benchmark?.location).filter(Boolean)).size >= 2);
});

test('this node’s page shows its tier, benchmark and rewards', { timeout: 30_000 }, async () => {
  await page.click('nav a[href="#/node"]');
  await page.waitForSelector('[data-testid=self-page]');
  const s = await api<NodeStatus>('/node/status');
  if (s.fluxnode?.registered) {
    assert.equal(await text('[data-testid=self-tier]'), s.fluxnode.registered.tier);
    assert.equal(Number(await text('[data-testid=self-cores]')), s.fluxnode.benchmark?.cores);
    // A block a second moves the rewards window: compare the page with the API read beside it.
    let shown = '';
    let count: number | undefined;
    for (let i = 0; i < 10 && !shown.startsWith(`${count} payments`); i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 300));
      shown = await text('[data-testid=self-rewards]');
      count = (await api<NodeStatus>('/node/status')).fluxnode?.rewards.count;
    }
    assert.match(shown, new RegExp(`^${count} payments`));
  }
  await shot(page, 'this-node');
});

test('usable on a phone’s width', { timeout: 30_000 }, async () => {
  const phone = await browser.newPage({
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
  });
  phone.on('pageerror', (err) => pageErrors.push(err));
  await phone.goto(`${url}/`);
  await phone.waitForFunction(() => window.__dashboardReadyMs !== undefined);
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page is ${overflow}px wider than the phone`);
  assert.ok(await phone.locator('[data-testid=total-cores]').isVisible());
  await shot(phone, 'phone');
  await phone.close();
});

test('no script errors in the dashboard', () => {
  assert.deepEqual(
    pageErrors.map((e) => e.message),
    [],
  );
});
