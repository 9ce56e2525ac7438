/**
 * `fluxnode simulate` from the outside: JSON for scripts, a human table by default, progress on
 * stderr, exit 2 with the flag named for bad input.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const main = new URL('../../../src/cli/main.ts', import.meta.url).pathname;
const run = (...args: string[]) =>
  spawnSync(process.execPath, [main, 'simulate', ...args], { encoding: 'utf8' });

test('--json reports every window, the per-step series and the must-show figures', () => {
  const r = run('--nodes', '150', '--apps', '200', '--scenario', 'kill', '--seed', '3', '--json', '--quiet');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '', '--quiet keeps stderr empty');
  const report = JSON.parse(r.stdout);
  assert.equal(report.setup.nodes, 150);
  assert.deepEqual(
    report.windows.map((w: { event: string }) => w.event),
    ['steady state', 'kill 5%'],
  );
  assert.ok(report.series.length > 60, 'one point per tick');
  for (const p of report.series) assert.ok(p.over >= 0 && p.under >= 0);
  assert.equal(report.mustShow.overTargetBackToZero, true);
  assert.equal(report.mustShow.underTargetBackToZero, true);
  assert.equal(report.mustShow.duplicates, 0);
  assert.equal(report.mustShow.repairWithin3Intervals, true);
});

test('human output by default, progress on stderr, and a plot on request', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fluxnode-sim-'));
  const svg = join(dir, 'plot.svg');
  const r = run('--nodes', '120', '--apps', '150', '--scenario', 'kill', '--steps', '--svg', svg);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^fluxnode simulate: 120 nodes, 150 apps/);
  assert.match(r.stdout, /kill 5%/);
  assert.match(r.stdout, /must-show \(kill 5%\)/);
  assert.match(r.stdout, /steps \(rows where something changed\)/);
  assert.match(r.stderr, /simulate: building 120 nodes/);
  const plot = readFileSync(svg, 'utf8');
  assert.match(plot, /^<svg /);
  assert.match(plot, /over target/);
});

test('bad input exits 2 and names the flag', () => {
  for (const [args, flag] of [
    [['--nodes', 'many'], '--nodes'],
    [['--scenario', 'chaos'], '--scenario'],
    [['--start', '6-2'], '--start'],
  ] as const) {
    const r = run(...args, '--quiet');
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(flag));
    assert.equal(r.stdout, '');
  }
});
