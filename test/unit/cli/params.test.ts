import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { bytes, flux, grab, num, readme, rewards, tableRows } from '../../spec/consensus/params-reference.ts';
import { tuple } from '../../support/at.ts';

const BIN = new URL('../../../bin/fluxnode.js', import.meta.url).pathname;

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface Row {
  height: number;
  subsidy: string;
  miner: string;
  cumulus: string;
  nimbus: string;
  stratus: string;
  oneOffs: { kind: string; address: string; amount: string }[];
  collateral: Record<string, string[]>;
}

function rewardsJson(...args: string[]): { network: string; rows: Row[] } {
  const r = cli('params', 'rewards', '--json', ...args);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

const sat = (s: string) => BigInt(s);

describe('fluxnode params rewards --network mainnet', () => {
  const { network, rows } = rewardsJson('--network', 'mainnet');
  const at = (h: number) => {
    const row = rows.find((r) => r.height === h);
    assert.ok(row, `row for height ${h}`);
    return row;
  };

  test('lists the heights the reference names', () => {
    assert.equal(network, 'mainnet');
    const named = [
      num(grab(readme, /payments start at height ([\d,]+)/)),
      num(grab(readme, /Flux ([\d,]+) · Halving/)),
      num(grab(readme, /FLUX at height ([\d,]+) to t3/)),
      num(grab(readme, /foundation [\d,]+ at ([\d,]+) to/)),
      num(grab(readme, /blocks from ([\d,]+), \d+ times/)),
      num(grab(readme, /Halving ([\d,]+)\./)),
      num(grab(readme, /slow start over the first ([\d,]+) blocks/)),
    ];
    for (const r of tableRows('rewards.md', 'before transition', 4)) {
      named.push(num(grab(r[3], /^([\d,]+)/)), num(grab(r[3], /– ([\d,]+)$/)));
    }
    for (const h of named) at(h);
  });

  test('tier payments are the reference amounts in each era', () => {
    // | heights | subsidy | Cumulus | Nimbus | Stratus | miner |, amounts in FLUX
    for (const [heights, subsidy, c, n, s, miner] of tableRows('rewards.md', 'Cumulus | Nimbus', 6)) {
      const row = at(num(grab(heights, /^([\d,]+)/)));
      assert.deepEqual(
        [row.subsidy, row.cumulus, row.nimbus, row.stratus, row.miner].map(sat),
        [subsidy, c, n, s, miner].map(flux),
      );
    }
    const fluxRow = at(num(grab(readme, /Flux ([\d,]+) · Halving/)));
    assert.equal(sat(fluxRow.miner) * 2n, sat(fluxRow.subsidy), 'miner keeps 50 % from the Flux upgrade');
  });

  test('the subsidy: full after the slow start, halved at the first halving, 37.5 at the second', () => {
    const full = flux(grab(rewards, /From [\d,]+: `([\d.]+) FLUX >>/));
    assert.equal(sat(at(num(grab(readme, /slow start over the first ([\d,]+) blocks/))).subsidy), full);
    const halvingText = /[\d.]+ → ([\d.]+) at ([\d,]+) → ([\d.]+) at ([\d,]+)/.exec(readme);
    assert.ok(halvingText, 'the README lists both halvings');
    const halvings = tuple(halvingText, 5);
    const first = num(halvings[2]);
    assert.equal(sat(at(first).subsidy), flux(halvings[1]));
    // fluxd halves again one interval later (1,313,200), not at the Halving upgrade
    const second = first + num(grab(readme, /halving interval ([\d,]+) \(regtest/));
    assert.equal(second, num(halvings[4]));
    assert.equal(sat(at(second).subsidy), flux(halvings[3]));
  });

  test('one-off fund outputs at their heights', () => {
    const exchange = /exchange funding ([\d,]+) FLUX at height ([\d,]+) to (t3\w+)/.exec(readme);
    const foundation = /foundation ([\d,]+) at ([\d,]+) to (t3\w+)/.exec(readme);
    const swap = /swap pool ([\d,]+) every [\d,]+ blocks from ([\d,]+), \d+ times, to (t3\w+)/.exec(readme);
    assert.ok(exchange && foundation && swap);
    for (const [m, kind] of [
      [exchange, 'exchange-fund'],
      [foundation, 'foundation-fund'],
      [swap, 'swap-pool'],
    ] as const) {
      const [, amount, height, address] = tuple(m, 4);
      assert.deepEqual(at(num(height)).oneOffs, [{ kind, address, amount: flux(amount).toString() }]);
    }
    assert.deepEqual(at(num(grab(readme, /payments start at height ([\d,]+)/))).oneOffs, []);
  });

  test('collaterals follow the transition windows', () => {
    for (const [name, before, after, window] of tableRows('rewards.md', 'before transition', 4)) {
      const tier = name.toLowerCase();
      const start = num(grab(window, /^([\d,]+)/));
      const end = num(grab(window, /– ([\d,]+)$/));
      const b = flux(grab(before, /^([\d,]+)/)).toString();
      const a = flux(grab(after, /^([\d,]+)/)).toString();
      assert.deepEqual(at(start).collateral[tier], [a, b], `${tier} at ${start}`);
      assert.deepEqual(at(end).collateral[tier], [a], `${tier} at ${end}`);
    }
  });
});

describe('fluxnode params rewards options and errors', () => {
  test('--heights picks rows; the human table shows FLUX amounts', () => {
    const { rows } = rewardsJson('--network', 'mainnet', '--heights', '1313200,835554');
    assert.deepEqual(
      rows.map((r) => r.height),
      [835_554, 1_313_200],
    );
    const human = cli('params', 'rewards', '--heights', '835554');
    assert.equal(human.status, 0, human.stderr);
    assert.match(human.stdout, /height\s+subsidy\s+miner\s+cumulus\s+nimbus\s+stratus/);
    assert.match(human.stdout, /835,554\s+75\s+37\.5\s+5\.625\s+9\.375\s+22\.5/);
  });

  test('bad input exits 2 and names it', () => {
    const net = cli('params', 'rewards', '--network', 'mainnnet');
    assert.equal(net.status, 2);
    assert.match(net.stderr, /unknown network "mainnnet"/);
    const heights = cli('params', 'rewards', '--heights', '10,-5');
    assert.equal(heights.status, 2);
    assert.match(heights.stderr, /"-5" is not a block height/);
  });
});

describe('fluxnode params show', () => {
  test('--json gives the whole parameter set with bytes as hex', () => {
    const r = cli('params', 'show', '--network', 'mainnet', '--json');
    assert.equal(r.status, 0, r.stderr);
    const p = JSON.parse(r.stdout);
    const magic = bytes(grab(readme, /Message start bytes `([0-9a-f ]+)`/));
    assert.equal(p.magic, Buffer.from(magic).toString('hex'));
    assert.equal(p.defaultPort, num(grab(readme, /default p2p port ([\d,]+)/)));
    assert.equal(p.difficulty.powLimit, `0007${'f'.repeat(60)}`);
    assert.equal(p.upgrades.halving.activationHeight, num(grab(readme, /Halving ([\d,]+)\./)));
    assert.equal(p.fluxnodes.collateral.stratus.after, flux('40,000').toString());
  });

  test('human output names the network', () => {
    const r = cli('params', 'show', '--network', 'devnet');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /network\s+devnet/);
    assert.match(r.stdout, /48,5 from 0/);
  });
});
