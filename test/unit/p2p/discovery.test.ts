/**
 * Discovery on an in-memory twin of the network: dials, identify and peer exchange behave as libp2p
 * would, without sockets, so many nodes and node deaths are cheap to try.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RequestHandler } from '../../../src/p2p/host.ts';
import { type DiscoveryNet, PeerDiscovery } from '../../../src/p2p/discovery.ts';
import { PeerBook } from '../../../src/p2p/peer-book.ts';
import { at, tuple } from '../../support/at.ts';

type Direction = 'inbound' | 'outbound';

/** A peer id of the shape libp2p prints (base58, so '0' is spelt 'z'). */
const twinId = (i: number) => `12D3KooWTwin${String(i).replaceAll('0', 'z').padStart(40, 'x')}`;

class TwinNode implements DiscoveryNet {
  readonly peerId: string;
  readonly multiaddrs: string[];
  readonly conns = new Map<string, Direction>();
  readonly handlers = new Map<string, RequestHandler>();
  readonly penalties: string[] = [];
  alive = true;
  discovery!: PeerDiscovery;
  readonly world: Map<string, TwinNode>;

  constructor(world: Map<string, TwinNode>, i: number) {
    this.world = world;
    this.peerId = twinId(i);
    this.multiaddrs = [`/ip4/10.0.0.${i}/tcp/36125`];
    world.set(at(this.multiaddrs, 0), this);
  }

  connections() {
    return [...this.conns].map(([peer, direction]) => ({ peer, addr: '', direction }));
  }

  async dial(addr: string): Promise<string> {
    const target = this.world.get(at(addr.split('/p2p/'), 0));
    if (!target?.alive || !this.alive) throw new Error('connection refused');
    if (target === this) return this.peerId;
    if (!this.conns.has(target.peerId)) {
      this.conns.set(target.peerId, 'outbound');
      target.conns.set(this.peerId, 'inbound');
      target.discovery.identified(this.peerId, this.multiaddrs, '/ip4/10.9.9.9/tcp/50000', 'inbound');
      this.discovery.identified(target.peerId, target.multiaddrs, addr, 'outbound');
    }
    return target.peerId;
  }

  handle(name: string, handler: RequestHandler): void {
    this.handlers.set(name, handler);
  }

  async request(peer: string, name: string, req: Uint8Array): Promise<Uint8Array[]> {
    const target = [...this.world.values()].find((n) => n.peerId === peer);
    if (!target?.alive || !this.conns.has(peer)) throw new Error(`not connected to ${peer}`);
    return target.handlers.get(name)!(req, this.peerId);
  }

  penalize(peer: string, points: number, reason: string): void {
    this.penalties.push(`${peer} ${points} ${reason}`);
  }

  hangUp(peer: string): void {
    this.conns.delete(peer);
    [...this.world.values()].find((n) => n.peerId === peer)?.conns.delete(this.peerId);
  }

  kill(): void {
    this.alive = false;
    this.discovery.stop();
    for (const peer of this.conns.keys())
      [...this.world.values()].find((n) => n.peerId === peer)?.conns.delete(this.peerId);
    this.conns.clear();
  }
}

const running: PeerDiscovery[] = [];
afterEach(() => {
  for (const d of running.splice(0)) d.stop();
});

function network(n: number, target: number, bootstrapOf: (i: number) => string[]): TwinNode[] {
  const world = new Map<string, TwinNode>();
  const nodes: TwinNode[] = [];
  for (let i = 1; i <= n; i++) {
    const node = new TwinNode(world, i);
    node.discovery = new PeerDiscovery(node, new PeerBook(), {
      bootstrap: bootstrapOf(i),
      targetOutbound: target,
      tickMs: 20,
      exchangeMs: 50,
      rotateMs: 100,
    });
    node.discovery.install();
    nodes.push(node);
    running.push(node.discovery);
  }
  return nodes;
}

/** Nodes reachable from the first live node over connections between live nodes. */
function reachable(nodes: TwinNode[]): number {
  const live = nodes.filter((n) => n.alive);
  const seen = new Set([at(live, 0).peerId]);
  const todo = [live[0]];
  for (let n = todo.pop(); n; n = todo.pop())
    for (const p of n.conns.keys()) {
      const next = live.find((x) => x.peerId === p);
      if (next && !seen.has(p)) {
        seen.add(p);
        todo.push(next);
      }
    }
  return seen.size;
}

async function until(what: string, cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe('peer discovery', () => {
  it('turns one bootstrap address into a mesh where every one of 5 nodes has every other as a peer', async () => {
    const nodes = network(5, 8, (i) => (i === 1 ? [] : ['10.0.0.1:36125']));
    for (const n of nodes) n.discovery.start();
    await until('a full mesh', () => nodes.every((n) => n.conns.size === 4));
    at(nodes, 0).kill();
    await sleep(100);
    assert.ok(
      nodes.slice(1).every((n) => n.conns.size === 3),
      'each survivor keeps 3 peers',
    );
    assert.equal(reachable(nodes), 4, 'the survivors are still one network');
  });

  it('grows 30 nodes from one bootstrap into a network without a hub that survives losing the bootstrap', async () => {
    const nodes = network(30, 4, (i) => (i === 1 ? [] : ['10.0.0.1:36125']));
    for (const n of nodes) n.discovery.start();
    const outbound = (n: TwinNode) => [...n.conns.values()].filter((d) => d === 'outbound').length;
    await until('every node at its outbound target', () => nodes.every((n) => outbound(n) >= 4));
    await sleep(1000); // a few rotations: early picks from small books get replaced
    const degrees = nodes.map((n) => n.conns.size);
    // Uniform picks: the bootstrap ends up with no more peers than chance gives any node.
    assert.ok(
      at(nodes, 0).conns.size <= 16,
      `bootstrap has ${at(nodes, 0).conns.size} peers (all: ${degrees})`,
    );
    at(nodes, 0).kill();
    await until(
      'the 29 others to be one network with 3 peers each',
      () => reachable(nodes) === 29 && nodes.slice(1).every((n) => n.conns.size >= 3),
    );
  });

  it('learns peers from the chain list without any bootstrap', async () => {
    const nodes = network(4, 8, () => []);
    for (const n of nodes) {
      n.discovery.stop();
      const d = new PeerDiscovery(n, new PeerBook(), {
        bootstrap: [],
        chainPeers: () => ['10.0.0.1:36125', '10.0.0.2:36125', '10.0.0.3:36125', '10.0.0.4:36125'],
        tickMs: 20,
      });
      d.install();
      n.discovery = d;
      running.push(d);
    }
    for (const n of nodes) n.discovery.start();
    await until('a full mesh from the chain list', () => nodes.every((n) => n.conns.size === 3));
    assert.ok(nodes.every((n) => n.discovery.book.entries().some((e) => e.sources.includes('chain'))));
  });

  it('takes a bounded random sample of a 12,000-node chain list into its bounded book', async () => {
    const [a] = tuple(
      network(1, 8, () => []),
      1,
    );
    a.discovery.stop();
    const list = Array.from(
      { length: 12_000 },
      // 10.1.x.x up: never the twin's own 10.0.0.1, which discovery rightly leaves out of its book.
      (_, i) => `10.${((i >> 16) & 255) + 1}.${(i >> 8) & 255}.${i & 255}:36125`,
    );
    const book = new PeerBook({ maxEntries: 1000 });
    const d = new PeerDiscovery(a, book, {
      bootstrap: [],
      chainPeers: () => [...list],
      chainRefreshMs: 0,
      tickMs: 60_000,
    });
    running.push(d);
    d.start();
    await d.tick();
    assert.equal(book.size, 256, 'one sample per refresh');
    for (let i = 0; i < 10; i++) await d.tick();
    assert.equal(book.size, 1000, 'never above its bound');
  });

  it('books valid exchanged addresses and penalizes a peer that sends malformed ones', async () => {
    const [a, b] = tuple(
      network(2, 8, () => []),
      2,
    );
    b.handle('peers', () => [
      new TextEncoder().encode(
        '/ip4/10.0.0.7/tcp/36125/p2p/12D3KooWGRUVh8gfGbVT5QZf4sAjDCRtxszj7NPWc5sSEEJm8bXb',
      ),
      new TextEncoder().encode('/dns4/evil/tcp/1'),
    ]);
    a.conns.set(b.peerId, 'outbound');
    b.conns.set(a.peerId, 'inbound');
    assert.equal(await a.discovery.exchange(b.peerId), 1);
    assert.ok(a.discovery.book.get('/ip4/10.0.0.7/tcp/36125'));
    assert.deepEqual(a.penalties, [`${b.peerId} 5 1 malformed address(es) in peer exchange`]);
  });
});
