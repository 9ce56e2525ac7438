import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { PeerAddressError, PeerBook, parsePeerAddress } from '../../../src/p2p/peer-book.ts';

const dir = mkdtempSync(join(tmpdir(), 'peer-book-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const ID = '12D3KooWGRUVh8gfGbVT5QZf4sAjDCRtxszj7NPWc5sSEEJm8bXb';

/** A seeded generator, so a "random" pick is the same on every run. */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('peer addresses', () => {
  it('accepts multiaddrs with or without a peer id, and ip:port', () => {
    assert.deepEqual(parsePeerAddress(`/ip4/10.0.0.1/tcp/36125/p2p/${ID}`), {
      addr: '/ip4/10.0.0.1/tcp/36125',
      peerId: ID,
    });
    assert.deepEqual(parsePeerAddress('10.0.0.2:36125'), { addr: '/ip4/10.0.0.2/tcp/36125' });
  });

  it('refuses unspecified hosts, DNS names and ports out of range, naming the value', () => {
    for (const bad of ['/ip4/0.0.0.0/tcp/1', '/dns4/example.com/tcp/1', '/ip4/1.2.3.4/tcp/70000', 'junk']) {
      assert.throws(
        () => parsePeerAddress(bad),
        (e: unknown) => e instanceof PeerAddressError && e.value === bad,
      );
    }
  });
});

describe('the peer book', () => {
  it('keeps addresses, sources and proven peer ids across a reload from disk', () => {
    const file = join(dir, 'reload.json');
    const a = new PeerBook({ file });
    assert.equal(a.add('/ip4/10.0.0.1/tcp/36125', 'chain'), true);
    assert.equal(a.add('10.0.0.1:36125', 'bootstrap'), false, 'the same address is one entry');
    a.add(`/ip4/10.0.0.2/tcp/36125/p2p/${ID}`, 'exchange');
    a.connected('/ip4/10.0.0.1/tcp/36125', ID);
    a.failed('/ip4/10.0.0.2/tcp/36125');
    a.save();
    const b = new PeerBook({ file });
    assert.equal(b.size, 2);
    const one = b.get('/ip4/10.0.0.1/tcp/36125');
    assert.deepEqual(one?.sources, ['chain', 'bootstrap']);
    assert.equal(one?.peerId, ID);
    assert.ok((one?.lastSeen ?? 0) > 0);
    assert.equal(b.get('/ip4/10.0.0.2/tcp/36125')?.failures, 0, 'a restart forgets old dial failures');
  });

  it('starts empty from a corrupt file and drops entries that no longer parse', () => {
    const corrupt = join(dir, 'corrupt.json');
    writeFileSync(corrupt, '{not json');
    assert.equal(new PeerBook({ file: corrupt }).size, 0);
    const mixed = join(dir, 'mixed.json');
    writeFileSync(
      mixed,
      JSON.stringify({ peers: [{ addr: 'junk' }, { addr: '/ip4/10.0.0.9/tcp/1', sources: ['chain'] }] }),
    );
    assert.deepEqual(
      new PeerBook({ file: mixed }).entries().map((e) => e.addr),
      ['/ip4/10.0.0.9/tcp/1'],
    );
  });

  it('retries a failing address only after a delay that doubles, up to the maximum', () => {
    let now = 1_000_000;
    const book = new PeerBook({ now: () => now, retryBaseMs: 1000, retryMaxMs: 4000 });
    book.add('10.0.0.1:1', 'chain');
    const e = () => book.get('/ip4/10.0.0.1/tcp/1')!;
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      book.failed(e().addr);
      const from = now;
      while (!book.dialable(e())) now += 100;
      delays.push(now - from);
    }
    assert.deepEqual(delays, [1000, 2000, 4000, 4000]);
  });

  it('picks uniformly at random, so no address (the bootstrap included) is chosen far more than others', () => {
    const book = new PeerBook({ random: seeded(7) });
    book.add('10.0.0.1:1', 'bootstrap');
    for (let i = 2; i <= 20; i++) book.add(`10.0.0.${i}:1`, i % 2 ? 'chain' : 'exchange');
    const counts = new Map<string, number>();
    for (let round = 0; round < 2000; round++)
      for (const e of book.pick(4, () => false)) counts.set(e.addr, (counts.get(e.addr) ?? 0) + 1);
    // 2000 rounds × 4 of 20: 400 each on average.
    assert.equal(counts.size, 20);
    for (const [addr, n] of counts) assert.ok(n > 300 && n < 500, `${addr} picked ${n} times`);
  });

  it('never picks an excluded entry and stays within its size bound, keeping chain entries longest', () => {
    const book = new PeerBook({ maxEntries: 3 });
    book.add('10.0.0.1:1', 'chain');
    book.add('10.0.0.2:1', 'exchange');
    book.failed('/ip4/10.0.0.2/tcp/1');
    book.add('10.0.0.3:1', 'exchange');
    book.add('10.0.0.4:1', 'exchange');
    assert.equal(book.size, 3);
    assert.equal(book.get('/ip4/10.0.0.2/tcp/1'), undefined, 'the failing exchange entry went first');
    const picked = book.pick(10, (e) => e.addr === '/ip4/10.0.0.1/tcp/1').map((e) => e.addr);
    assert.deepEqual(picked.sort(), ['/ip4/10.0.0.3/tcp/1', '/ip4/10.0.0.4/tcp/1']);
  });
});
