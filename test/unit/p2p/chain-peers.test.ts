import assert from 'node:assert/strict';
import { it } from 'node:test';
import { chainPeerAddresses } from '../../../src/p2p/chain-peers.ts';

it('turns announced node addresses into p2p addresses on the network port, once each', () => {
  const nodes = [
    { ip: '10.0.0.1:16127' },
    { ip: '10.0.0.1' },
    { ip: '[2001:db8::1]:16127' },
    { ip: '2001:db8::2' },
    { ip: '' },
    { ip: 'not-an-address' },
  ];
  assert.deepEqual(chainPeerAddresses(nodes, 36125), [
    '/ip4/10.0.0.1/tcp/36125',
    '/ip6/2001:db8::1/tcp/36125',
    '/ip6/2001:db8::2/tcp/36125',
  ]);
});
