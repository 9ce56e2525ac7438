/**
 * Real libp2p hosts on loopback: a node accepts only so many inbound connections, so those who dial
 * in cannot fill every slot, and its own outbound dials still succeed.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { P2PHost } from '../../../src/p2p/host.ts';
import { at } from '../../support/at.ts';

const hosts: P2PHost[] = [];
after(async () => {
  await Promise.all(hosts.map((h) => h.stop()));
});

async function host(i: number, bootstrap: string[], maxInbound?: number): Promise<P2PHost> {
  const h = new P2PHost({
    network: 'test',
    host: `127.0.0.${50 + i}`,
    port: 0,
    bootstrap,
    // Only the bootstrap: this test is about who may dial whom, not about discovery.
    targetOutbound: bootstrap.length,
    ...(maxInbound === undefined ? {} : { maxInbound }),
  });
  await h.start();
  hosts.push(h);
  return h;
}

test('a node refuses inbound connections past its limit and can still dial out', async () => {
  const target = await host(1, [], 2);
  const dialers = [];
  for (let i = 2; i <= 5; i++) dialers.push(await host(i, [at(target.multiaddrs, 0)]));
  await sleep(3000);
  const inbound = target.connections().filter((c) => c.direction === 'inbound');
  assert.equal(new Set(inbound.map((c) => c.peer)).size, 2, 'two dialers got in, the others were refused');
  const other = await host(6, []);
  assert.equal(await target.dial(at(other.multiaddrs, 0), 5000), other.peerId, 'outbound still works');
});
