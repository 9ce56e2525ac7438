// The pure parts of a namespaced devnet (`devnet up --netns`) and of `devnet add`: addresses,
// namespace and interface names, node command lines, the next node's place.

import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { nextNode } from '../../../src/devnet/add-node.ts';
import { isolationArgs } from '../../../src/devnet/dockerd-isolation.ts';
import { launchOf } from '../../../src/devnet/engines.ts';
import { nodeArgs } from '../../../src/devnet/host-process.ts';
import { DevnetConfigError, planDevnet } from '../../../src/devnet/layout.ts';
import { chooseNetns, hostNetnsOf, nodeNetnsOf } from '../../../src/devnet/netns.ts';
import { initialState } from '../../../src/devnet/state.ts';
import { at } from '../../support/at.ts';

const tiers = { cumulus: 2, nimbus: 2, stratus: 1 };
const dir = '/tmp/fluxnode-netns-unit/devnet';
const flag = (args: string[], name: string) => {
  const at = args.indexOf(name);
  return at < 0 ? undefined : args[at + 1];
};

describe('devnet up --netns layout', () => {
  test('nodes on 10.77.0.11…, the registry on the host bridge address just below, one namespace each', () => {
    const l = planDevnet({ dir, nodes: 5, tiers, netns: true });
    assert.deepEqual(
      l.nodes.map((n) => n.host),
      ['10.77.0.11', '10.77.0.12', '10.77.0.13', '10.77.0.14', '10.77.0.15'],
    );
    assert.equal(l.registry.host, '10.77.0.10');
    assert.deepEqual(l.netns, { bridge: 'fluxns0', address: '10.77.0.10' });
    assert.deepEqual(
      l.nodes.map((n) => n.dockerd.netns),
      ['fluxns0-11', 'fluxns0-12', 'fluxns0-13', 'fluxns0-14', 'fluxns0-15'],
    );
  });

  test('without --netns nothing is namespaced', () => {
    const l = planDevnet({ dir, nodes: 2, tiers: { cumulus: 2, nimbus: 0, stratus: 0 } });
    assert.equal(l.netns, undefined);
    assert.deepEqual(
      l.nodes.map((n) => n.dockerd.netns),
      [undefined, undefined],
    );
  });

  test('only 10.x addresses with --netns, only loopback without', () => {
    assert.throws(
      () => planDevnet({ dir, nodes: 5, tiers, netns: true, baseAddress: '192.168.1.11' }),
      (e: unknown) =>
        e instanceof DevnetConfigError && e.field === '--base-address' && e.value === '192.168.1.11',
    );
    assert.throws(
      () => planDevnet({ dir, nodes: 5, tiers, netns: true, baseAddress: '127.0.0.11' }),
      DevnetConfigError,
    );
    assert.throws(() => planDevnet({ dir, nodes: 5, tiers, baseAddress: '10.77.0.11' }), DevnetConfigError);
  });

  test('interface names fit the kernel’s 15 characters at every address', () => {
    const n = nodeNetnsOf('10.77.255.254');
    assert.ok(n.veth.length <= 15, n.veth);
    assert.ok(hostNetnsOf('10.77.255.253').bridge.length <= 15);
  });

  test('a namespaced node serves RPC on its own address to the host alone', () => {
    const l = planDevnet({ dir, nodes: 2, tiers: { cumulus: 2, nimbus: 0, stratus: 0 }, netns: true });
    const s = initialState(l, { cumulus: 2, nimbus: 0, stratus: 0 }, 500);
    const args = nodeArgs(launchOf(s, at(s.nodes, 1), false));
    assert.equal(flag(args, '--host'), '10.77.0.12');
    assert.equal(flag(args, '--rpc-bind'), '10.77.0.12');
    assert.equal(flag(args, '--rpc-allow-ip'), '10.77.0.10');
    assert.equal(flag(args, '--bootstrap'), '10.77.0.11:36125');
    const loopback = initialState(
      planDevnet({ dir, nodes: 1, tiers: { cumulus: 1, nimbus: 0, stratus: 0 } }),
      tiers,
      500,
    );
    assert.equal(
      flag(nodeArgs(launchOf(loopback, at(loopback.nodes, 0), false)), '--rpc-allow-ip'),
      undefined,
    );
  });
});

describe('devnet add', () => {
  test('the next node takes the address, bridge and folders after the last one', () => {
    const s = initialState(planDevnet({ dir, nodes: 5, tiers }), tiers, 500);
    const n = nextNode(s, 'nimbus');
    assert.equal(n.name, 'node6');
    assert.equal(n.index, 6);
    assert.equal(n.host, '127.0.0.16');
    assert.equal(n.tier, 'nimbus');
    assert.equal(n.dataDir, path.join(dir, 'node6'));
    assert.deepEqual(n.dockerd, { name: 'node6', dir: path.join(dir, 'docker', 'node6'), bridgeIndex: 16 });
    assert.equal(n.p2pPort, at(s.nodes, 0).p2pPort);
  });

  test('no address after .254: refused, naming it', () => {
    const s = initialState(
      planDevnet({ dir, nodes: 1, tiers: { cumulus: 1, nimbus: 0, stratus: 0 }, baseAddress: '127.0.0.254' }),
      tiers,
      500,
    );
    assert.throws(() => nextNode(s, 'cumulus'), DevnetConfigError);
  });
});

describe('namespaced by default where the host can', () => {
  const can = () => ({ ok: true, why: '' });
  const cannot = () => ({ ok: false, why: 'not root' });

  test('without a choice: namespaced when supported, else loopback with a warning naming why', () => {
    assert.deepEqual(chooseNetns(undefined, undefined, can), { netns: true });
    const fallback = chooseNetns(undefined, undefined, cannot);
    assert.equal(fallback.netns, false);
    assert.match(fallback.warning ?? '', /not root.*without iptables/);
  });

  test('--netns, --no-netns and a loopback base address decide without asking the host', () => {
    const never = () => assert.fail('the host is not asked');
    assert.deepEqual(chooseNetns(true, undefined, never), { netns: true });
    assert.equal(chooseNetns(false, undefined, never).netns, false);
    assert.match(chooseNetns(false, undefined, never).warning ?? '', /--no-netns/);
    assert.equal(chooseNetns(undefined, '127.0.0.31', never).netns, false);
    assert.equal(chooseNetns(undefined, '10.77.3.11', can).netns, true);
  });

  test('engines remap users everywhere; iptables only when alone in a namespace', () => {
    const host = isolationArgs({});
    const own = isolationArgs({ netns: 'fluxns0-11' });
    for (const args of [host, own]) assert.ok(args.includes('--userns-remap=default'));
    assert.ok(host.includes('--iptables=false') && host.includes('--ip-forward=false'));
    assert.ok(own.includes('--iptables=true') && own.includes('--icc=false'));
  });
});
