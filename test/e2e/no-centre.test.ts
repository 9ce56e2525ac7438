/**
 * No centre, with real node processes (libp2p on 127.0.0.31–36:36125, SQLite on disk, real
 * Equihash): five nodes that were given one bootstrap address form a mesh; killing that node leaves
 * the others connected and syncing; all of them killed with SIGKILL and restarted with no bootstrap
 * at all find each other again from their peer books; a node that joins after an app was registered
 * fetches its spec (the gossip that carried it is long over).
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { at } from '../support/at.ts';

const CHILD = join(import.meta.dirname, 'mesh-child.ts');
const root = mkdtempSync(join(tmpdir(), 'fluxnode-no-centre-'));
const host = (i: number) => `127.0.0.${30 + i}`;

interface Status {
  peerId: string;
  peers: string[];
  height: number;
  tip: string;
  apps: string[];
  specsFetched: number;
}

/** One node process: its newest status line, and a way to send it commands. */
class MeshNode {
  readonly i: number;
  status: Status | undefined;
  readonly lines: string[] = [];
  #proc: ChildProcess;

  constructor(i: number, bootstrap: string[]) {
    this.i = i;
    this.#proc = spawn(process.execPath, [CHILD, join(root, `node${i}`), host(i), bootstrap.join(',')], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let buf = '';
    this.#proc.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.startsWith('status ')) this.status = JSON.parse(line.slice(7)) as Status;
        else this.lines.push(line);
      }
    });
  }

  get alive(): boolean {
    return this.#proc.exitCode === null && this.#proc.signalCode === null;
  }

  send(cmd: string): void {
    this.#proc.stdin!.write(`${cmd}\n`);
  }

  async kill(): Promise<void> {
    if (!this.alive) return;
    const exited = new Promise((resolve) => this.#proc.once('exit', resolve));
    this.#proc.kill('SIGKILL');
    await exited;
  }
}

let nodes: MeshNode[] = [];
const live = () => nodes.filter((n) => n.alive);
const peersOf = (n: MeshNode) => n.status?.peers.length ?? 0;

async function until(what: string, cond: () => boolean, ms = 60_000): Promise<number> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) {
      const seen = nodes.map(
        (n) => `node${n.i}: ${n.alive ? `${peersOf(n)} peers, h${n.status?.height}` : 'dead'}`,
      );
      throw new Error(`timed out waiting for ${what} (${seen.join('; ')})`);
    }
    await sleep(100);
  }
  return Date.now() - t0;
}

/** The live nodes form one connected graph (by their own peer lists). */
function oneNetwork(): boolean {
  const ls = live();
  const byId = new Map(ls.map((n) => [n.status?.peerId, n]));
  const seen = new Set([ls[0]]);
  const todo = [ls[0]];
  for (let n = todo.pop(); n; n = todo.pop())
    for (const p of n.status?.peers ?? []) {
      const m = byId.get(p);
      if (m && !seen.has(m)) {
        seen.add(m);
        todo.push(m);
      }
    }
  return seen.size === ls.length;
}

const sameTip = (ns: MeshNode[]) => ns.every((n) => n.status && n.status.tip === at(ns, 0).status?.tip);

before(async () => {
  nodes.push(new MeshNode(1, []));
  await until('node 1 to start', () => !!at(nodes, 0).status, 30_000);
  at(nodes, 0).send('mine 12');
  await until('12 blocks (a spendable coinbase)', () => (at(nodes, 0).status?.height ?? 0) >= 12, 120_000);
});

after(async () => {
  for (const n of nodes) await n.kill();
  rmSync(root, { recursive: true, force: true });
});

test('five nodes given one bootstrap address each find at least three peers', async (t) => {
  for (let i = 2; i <= 5; i++) nodes.push(new MeshNode(i, [`${host(1)}:36125`]));
  t.diagnostic(
    `processes up after ${await until('every node process up', () => nodes.every((n) => !!n.status))} ms`,
  );
  const ms = await until('3 peers each', () => nodes.every((n) => peersOf(n) >= 3));
  t.diagnostic(`mesh formed in ${ms} ms; peers per node: ${nodes.map(peersOf).join(', ')}`);
  await until('one tip', () => sameTip(nodes));
});

test('an app registered on node 1 is listed by every node', async () => {
  at(nodes, 0).send('register meshapp');
  await until('the registration', () => at(nodes, 0).lines.some((l) => l.startsWith('registered')), 30_000);
  assert.match(at(nodes, 0).lines.find((l) => l.startsWith('registered')) ?? '', /"error":null/);
  at(nodes, 0).send('mine 2');
  await until('the app on every node', () => nodes.every((n) => n.status?.apps.includes('meshapp')));
});

test('killing the bootstrap node leaves the others connected and syncing', async (t) => {
  await at(nodes, 0).kill();
  await sleep(3000);
  const others = live();
  assert.equal(others.length, 4);
  assert.ok(
    others.every((n) => peersOf(n) >= 2),
    `peers: ${others.map(peersOf).join(', ')}`,
  );
  assert.ok(oneNetwork(), 'the four others are one network');
  t.diagnostic(`peers per node after the kill: ${others.map(peersOf).join(', ')}`);
  const h = at(nodes, 1).status!.height;
  at(nodes, 1).send('mine 2');
  await until('2 more blocks on every live node', () => others.every((n) => n.status!.height >= h + 2));
  await until('one tip', () => sameTip(others));
});

test('all nodes killed and restarted without any bootstrap reconnect from their peer books', async (t) => {
  for (const n of nodes) await n.kill();
  nodes = [1, 2, 3, 4, 5].map((i) => new MeshNode(i, []));
  const up = await until('every node process up', () => nodes.every((n) => !!n.status));
  const ms = await until('3 peers each, from the peer books', () => nodes.every((n) => peersOf(n) >= 3));
  assert.ok(oneNetwork());
  t.diagnostic(
    `processes up ${up} ms after the restart, mesh reassembled ${ms} ms later; peers per node: ${nodes.map(peersOf).join(', ')}`,
  );
  const h = Math.max(...nodes.map((n) => n.status!.height));
  at(nodes, 2).send('mine 1');
  await until('a new block everywhere', () => nodes.every((n) => n.status!.height > h) && sameTip(nodes));
});

test('two nodes mining at once do not fork for good: the next block puts everyone on one chain', async (t) => {
  const base = Math.max(...nodes.map((n) => n.status!.height));
  const miners = [at(nodes, 1), at(nodes, 2)];
  const stops = (n: MeshNode) => n.lines.filter((l) => l === 'miner stopped').length;
  const before = miners.map(stops);
  for (const m of miners) m.send('mine 5');
  await until('both miners done', () => miners.every((m, i) => stops(m) > at(before, i)));
  const split = new Set(nodes.map((n) => n.status!.tip)).size;
  at(nodes, 3).send('mine 1');
  await until('one tip after one more block', () => sameTip(nodes));
  assert.ok(at(nodes, 0).status!.height >= base + 6);
  t.diagnostic(`tips right after both miners stopped: ${split}; one tip after the next block`);
});

test('a node that joins after the app was registered fetches its spec', async (t) => {
  const late = new MeshNode(6, [`${host(4)}:36125`]);
  nodes.push(late);
  const started = Date.now();
  await until('the late node at the tip', () => sameTip(nodes));
  const atTip = Date.now() - started;
  await until('the app on the late node', () => late.status!.apps.includes('meshapp'), 30_000);
  const synced = Date.now() - started;
  assert.ok(late.status!.specsFetched >= 1, 'the spec came by request, not by gossip');
  t.diagnostic(`late node: at the tip after ${atTip} ms, app spec held after ${synced} ms`);
});
