// The chaos run with every node and its Docker engine in a network namespace of its own (`devnet up
// --netns`): node i on 10.77.1.14i/24 behind a veth on the host bridge fluxns1 (10.77.1.140, where
// the registry listens), as separate machines on one LAN. The same blows and invariants as on
// loopback (chaos-suite.ts); afterwards no namespace, veth or bridge of it may remain.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { after } from 'node:test';
import { chaosSuite } from './chaos-suite.ts';

chaosSuite('chaos with each node in its own network namespace', { base: '10.77.1.141', netns: true });

after(() => {
  const namespaces = existsSync('/run/netns') ? readdirSync('/run/netns') : [];
  assert.deepEqual(
    namespaces.filter((n) => n.startsWith('fluxns1-')),
    [],
    'no network namespace left',
  );
  assert.equal(existsSync('/sys/class/net/fluxns1'), false, 'no host bridge left');
  const veths = readdirSync('/sys/class/net').filter((n) => n.startsWith('fxv1-'));
  assert.deepEqual(veths, [], 'no veth left');
});
