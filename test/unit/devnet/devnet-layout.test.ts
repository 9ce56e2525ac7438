// The devnet's pure parts: layout, tiers, amounts, the state file, node command lines, the app spec.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { parseNodeLocation } from '../../../src/cloud/spec/geolocation.ts';
import { parseAppSpec } from '../../../src/cloud/spec/parse.ts';
import { devnet } from '../../../src/consensus/params/devnet.ts';
import { fluxToSats, formatFluxShort, satsToFluxNumber } from '../../../src/devnet/amounts.ts';
import { DEFAULT_APP_SPEC, locationUrls, prepareSpec } from '../../../src/devnet/app-steps.ts';
import { collateralOf, FEE_MARGIN, fundsNeeded } from '../../../src/devnet/chain-steps.ts';
import { launchOf } from '../../../src/devnet/engines.ts';
import { CLI_MAIN, nodeArgs } from '../../../src/devnet/host-process.ts';
import {
  DEVNET_LOCATIONS,
  DevnetConfigError,
  defaultTiers,
  devnetLocation,
  parseNodeCount,
  parseTiers,
  planDevnet,
  tierSequence,
} from '../../../src/devnet/layout.ts';
import { HOST_REQUIREMENTS, HostNotReadyError } from '../../../src/devnet/host-check.ts';
import { pending, WaitTimeoutError, waitFor } from '../../../src/devnet/poll.ts';
import {
  DevnetStateError,
  findNode,
  initialState,
  readState,
  STATE_FILE_NAME,
  writeState,
} from '../../../src/devnet/state.ts';
import { at } from '../../support/at.ts';

const tmp = mkdtempSync(path.join(tmpdir(), 'fxdevnet-unit-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('devnet layout', () => {
  test('five nodes 2,2,1: consecutive loopback addresses, registry just below, tiers in order', () => {
    const l = planDevnet({ dir: path.join(tmp, 'a'), nodes: 5, tiers: parseTiers('2,2,1', 5) });
    assert.deepEqual(
      l.nodes.map((n) => [n.name, n.host, n.tier, n.dockerd.bridgeIndex]),
      [
        ['node1', '127.0.0.11', 'cumulus', 11],
        ['node2', '127.0.0.12', 'cumulus', 12],
        ['node3', '127.0.0.13', 'nimbus', 13],
        ['node4', '127.0.0.14', 'nimbus', 14],
        ['node5', '127.0.0.15', 'stratus', 15],
      ],
    );
    assert.deepEqual(l.registry, { host: '127.0.0.10', port: 5000, dir: path.join(tmp, 'a', 'registry') });
    // Same ports everywhere: every node has an address of its own.
    assert.deepEqual(
      new Set(l.nodes.map((n) => `${n.apiPort}/${n.rpcPort}/${n.p2pPort}`)),
      new Set(['16127/16124/36125']),
    );
    assert.equal(at(l.nodes, 2).dataDir, path.join(tmp, 'a', 'node3'));
    assert.equal(at(l.nodes, 2).logFile, path.join(tmp, 'a', 'node3', 'node.log'));
    assert.equal(at(l.nodes, 2).dockerd.dir, path.join(tmp, 'a', 'docker', 'node3'));
    // Every engine folder is distinct and outside every node's data folder.
    const dirs = l.nodes.map((n) => n.dockerd.dir);
    assert.equal(new Set(dirs).size, 5);
    for (const n of l.nodes) for (const d of dirs) assert.ok(!d.startsWith(`${n.dataDir}/`));
  });

  test('a base address moves every node, the registry and the bridges together', () => {
    const l = planDevnet({ dir: 'x', nodes: 3, tiers: defaultTiers(3), baseAddress: '127.0.0.151' });
    assert.deepEqual(
      l.nodes.map((n) => [n.host, n.dockerd.bridgeIndex]),
      [
        ['127.0.0.151', 151],
        ['127.0.0.152', 152],
        ['127.0.0.153', 153],
      ],
    );
    assert.equal(l.registry.host, '127.0.0.150');
    assert.equal(l.dir, path.resolve('x'));
  });

  test('default tiers keep the 2:2:1 proportions and always add up', () => {
    assert.deepEqual(defaultTiers(5), { cumulus: 2, nimbus: 2, stratus: 1 });
    assert.deepEqual(defaultTiers(1), { cumulus: 1, nimbus: 0, stratus: 0 });
    assert.deepEqual(defaultTiers(3), { cumulus: 2, nimbus: 1, stratus: 0 });
    assert.deepEqual(defaultTiers(10), { cumulus: 4, nimbus: 4, stratus: 2 });
    for (let n = 1; n <= 50; n++) {
      const t = defaultTiers(n);
      assert.equal(t.cumulus + t.nimbus + t.stratus, n);
      assert.ok(t.cumulus >= 1);
    }
    assert.deepEqual(tierSequence({ cumulus: 1, nimbus: 0, stratus: 2 }), ['cumulus', 'stratus', 'stratus']);
  });

  test('bad options are refused with the option and the value named', () => {
    const refuses = (fn: () => unknown, field: string, pattern: RegExp) =>
      assert.throws(fn, (err: unknown) => {
        assert.ok(err instanceof DevnetConfigError);
        assert.equal(err.field, field);
        assert.match(err.message, pattern);
        return true;
      });
    refuses(() => parseTiers('2,2', 4), '--tiers', /three counts/);
    refuses(() => parseTiers('2,2,2', 5), '--tiers', /add up to the node count 5, not 6/);
    refuses(() => parseTiers('1,x,1', 3), '--tiers', /whole number/);
    refuses(() => parseTiers('-1,3,3', 5), '--tiers', /whole number/);
    refuses(() => parseNodeCount('0'), '--nodes', /1\.\.50/);
    refuses(() => parseNodeCount('2.5'), '--nodes', /whole number/);
    refuses(() => parseNodeCount('51'), '--nodes', /1\.\.50/);
    const tiers = { cumulus: 3, nimbus: 0, stratus: 0 };
    refuses(
      () => planDevnet({ dir: 'x', nodes: 3, tiers, baseAddress: '10.0.0.1' }),
      '--base-address',
      /loopback/,
    );
    refuses(
      () => planDevnet({ dir: 'x', nodes: 3, tiers, baseAddress: '127.0.0.253' }),
      '--base-address',
      /\.254/,
    );
    refuses(
      () => planDevnet({ dir: 'x', nodes: 3, tiers, baseAddress: '127.0.0.1' }),
      '--base-address',
      /registry/,
    );
    refuses(() => planDevnet({ dir: 'x', nodes: 3, tiers, registryPort: 70000 }), '--registry-port', /port/);
    refuses(() => planDevnet({ dir: 'x', nodes: 4, tiers }), '--tiers', /add up/);
    assert.equal(parseNodeCount(' 7 '), 7);
  });
});

describe('devnet amounts', () => {
  test('FLUX amounts from RPC convert to satoshis exactly', () => {
    assert.equal(fluxToSats(1000), 100_000_000_000n);
    assert.equal(fluxToSats('0.00000001'), 1n);
    assert.equal(fluxToSats(0.1 + 0.2), 30_000_000n); // 0.30000000000000004 as a double
    assert.equal(fluxToSats('12500.5'), 1_250_050_000_000n);
    assert.equal(fluxToSats(-2.5), -250_000_000n);
    assert.throws(() => fluxToSats('1e3'), RangeError);
    assert.throws(() => fluxToSats(undefined), RangeError);
    assert.equal(satsToFluxNumber(4_000_100_000_000n), 40_001);
    assert.equal(formatFluxShort(6_700_500_000_000n), '67,005');
    assert.equal(formatFluxShort(150_000_000n), '1.5');
  });

  test('funds needed: every collateral of the devnet params plus the fee margin per node', () => {
    const l = planDevnet({ dir: 'x', nodes: 5, tiers: parseTiers('2,2,1', 5) });
    const state = initialState(l, parseTiers('2,2,1', 5), 1000);
    const c = devnet.fluxnodes.collateral;
    assert.equal(collateralOf(at(state.nodes, 4)), c.stratus.after);
    assert.equal(
      fundsNeeded(state.nodes),
      2n * c.cumulus.after + 2n * c.nimbus.after + c.stratus.after + 5n * FEE_MARGIN,
    );
    // Devnet's collaterals are mainnet's post-transition amounts: 1,000 / 12,500 / 40,000 FLUX.
    assert.equal(formatFluxShort(fundsNeeded(state.nodes)), '67,005');
  });
});

describe('devnet state file', () => {
  const dir = path.join(tmp, 'state');
  const tiers = { cumulus: 2, nimbus: 0, stratus: 1 };
  const layout = planDevnet({ dir, nodes: 3, tiers });

  test('round-trips, is private to its owner, and records a dashboard on node 1', () => {
    const s = initialState(layout, tiers, 500);
    at(s.nodes, 1).pid = 4242;
    at(s.nodes, 1).dockerd.socketPath = '/x/docker.sock';
    writeState(s);
    const file = path.join(dir, STATE_FILE_NAME);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const back = readState(dir);
    assert.deepEqual(back, s);
    assert.equal(back?.dashboard, 'http://127.0.0.11:16127/');
    assert.equal(back?.miner.intervalMs, 500);
    assert.equal(back?.phase, 'starting');
    assert.notEqual(
      initialState(layout, tiers, 500).rpc.password,
      s.rpc.password,
      'fresh password per devnet',
    );
  });

  test('no file: undefined; a foreign, broken or moved file: a DevnetStateError naming the file', () => {
    assert.equal(readState(path.join(tmp, 'nothing-here')), undefined);
    const file = path.join(dir, STATE_FILE_NAME);
    const good = readFileSync(file, 'utf8');
    writeFileSync(file, '{"kind":"something-else","version":1}');
    assert.throws(
      () => readState(dir),
      (e: unknown) => e instanceof DevnetStateError && /not a fluxnode devnet/.test(e.message),
    );
    writeFileSync(file, '{ nope');
    assert.throws(
      () => readState(dir),
      (e: unknown) => e instanceof DevnetStateError && /JSON/.test(e.message),
    );
    writeFileSync(file, good.replace(`"dir": ${JSON.stringify(dir)}`, '"dir": "/elsewhere"'));
    assert.throws(
      () => readState(dir),
      (e: unknown) => e instanceof DevnetStateError && /belongs to \/elsewhere/.test(e.message),
    );
    writeFileSync(file, good);
  });

  test('nodes are found by name, number or address', () => {
    const s = readState(dir)!;
    assert.equal(findNode(s, 'node2').index, 2);
    assert.equal(findNode(s, '3').name, 'node3');
    assert.equal(findNode(s, '127.0.0.11').name, 'node1');
    assert.throws(() => findNode(s, 'node9'), /no node "node9" \(nodes: node1, node2, node3\)/);
  });
});

describe('devnet node command lines', () => {
  const dir = path.join(tmp, 'cmd');
  const tiers = { cumulus: 3, nimbus: 0, stratus: 0 };
  const s = initialState(planDevnet({ dir, nodes: 3, tiers }), tiers, 750);
  for (const n of s.nodes) n.dockerd.socketPath = path.join(n.dockerd.dir, 'docker.sock');

  const flag = (args: string[], name: string) => {
    const at = args.indexOf(name);
    return at < 0 ? undefined : args[at + 1];
  };

  test('node 1 is the network at first start; the others bootstrap to it', () => {
    const a1 = nodeArgs(launchOf(s, at(s.nodes, 0), false));
    assert.equal(a1[0], CLI_MAIN);
    assert.equal(a1[1], 'start');
    assert.equal(flag(a1, '--network'), 'devnet');
    assert.equal(flag(a1, '--datadir'), path.join(dir, 'node1'));
    assert.equal(flag(a1, '--host'), '127.0.0.11');
    assert.equal(flag(a1, '--docker-socket'), path.join(dir, 'docker', 'node1', 'docker.sock'));
    assert.ok(a1.includes('--fluxnode'));
    assert.equal(flag(a1, '--bootstrap'), undefined);
    assert.equal(flag(a1, '--mine-to'), undefined, 'no address yet');
    assert.equal(flag(a1, '--mine-interval-ms'), '1500', 'two miners, each at half the pace');
    // JSON-RPC on the node's own loopback address; credentials travel in the environment, not in ps.
    assert.equal(flag(a1, '--rpc-bind'), '127.0.0.11');
    assert.equal(flag(a1, '--rpc-port'), '16124');
    assert.ok(!a1.includes('--rpc-password') && !a1.includes(s.rpc.password), 'no password in the arguments');

    const a2 = nodeArgs(launchOf(s, at(s.nodes, 1), false));
    assert.equal(flag(a2, '--bootstrap'), '127.0.0.11:36125');
    assert.equal(flag(a2, '--mine-interval-ms'), '1500', 'node 2 mines too');

    const a3 = nodeArgs(launchOf(s, at(s.nodes, 2), false));
    assert.equal(flag(a3, '--bootstrap'), '127.0.0.11:36125');
    assert.equal(flag(a3, '--mine-interval-ms'), undefined);
    assert.equal(flag(a3, '--mine-to'), undefined);
  });

  test('each node says where it is: round-robin over a few continents and countries, the same every time', () => {
    assert.deepEqual(
      s.nodes.map((n) => flag(nodeArgs(launchOf(s, n, false)), '--geolocation')),
      ['EU_DE', 'NA_US', 'EU_FR'],
    );
    assert.deepEqual(
      Array.from({ length: 8 }, (_, i) => devnetLocation(i + 1)),
      [...DEVNET_LOCATIONS, 'EU_DE', 'NA_US'],
    );
    for (const place of DEVNET_LOCATIONS) assert.equal(parseNodeLocation(place).ok, true, place);
    assert.ok(new Set(DEVNET_LOCATIONS.map((p) => p.slice(0, 2))).size >= 3, 'several continents');
  });

  test('restarted miners keep mining to the address, and no restarted node is given a bootstrap', () => {
    s.miner.address = 'tmAMWUnnjjpM7TDb81PykSxGJpThsw453ND';
    for (const [i, mines] of [
      [0, true],
      [1, true],
      [2, false],
    ] as const) {
      const args = nodeArgs(launchOf(s, at(s.nodes, i), true));
      assert.equal(flag(args, '--mine-to'), mines ? s.miner.address : undefined, `node ${i + 1}`);
      assert.equal(flag(args, '--bootstrap'), undefined, 'the peer book and the chain find the network');
    }
  });
});

describe('devnet sample app spec', () => {
  const text = readFileSync(DEFAULT_APP_SPEC, 'utf8');
  const owner = 'tmAMWUnnjjpM7TDb81PykSxGJpThsw453ND';

  test('examples/hello-app.yaml gets our owner and our registry, the rest as written', () => {
    const ref = '127.0.0.10:5000/flux/hello:1';
    const spec = prepareSpec(text, DEFAULT_APP_SPEC, owner, ref);
    const original = parseAppSpec(text, 'yaml') as Record<string, unknown>;
    assert.equal(spec.owner, owner);
    assert.notEqual(original.owner, owner);
    const comps = spec.components as Record<string, unknown>[];
    assert.equal(at(comps, 0).repotag, ref);
    assert.deepEqual(
      { ...comps[0], repotag: undefined },
      { ...(original.components as object[])[0], repotag: undefined },
    );
    assert.equal(spec.instances, 3);
    assert.equal(spec.name, original.name);
  });

  test('a spec that breaks the rules is refused before anything is paid', () => {
    const bad = text.replace('instances: 3', 'instances: 1');
    assert.throws(
      () => prepareSpec(bad, 'bad.yaml', owner, '127.0.0.10:5000/flux/hello:1'),
      /bad\.yaml is not a valid app spec: .*instances/,
    );
  });

  test('locations become URLs, with the spec port when the network gives none', () => {
    const urls = locationUrls(
      {
        name: 'hello',
        instances: 3,
        locations: [
          { node: 'a', ip: '127.0.0.12', ports: [31000], state: 'running' },
          { ip: '127.0.0.13:16127', port: 31002 },
          { ip: '127.0.0.14' },
        ],
      },
      31001,
    );
    assert.deepEqual(urls, [
      'http://127.0.0.12:31000/',
      'http://127.0.0.13:31002/',
      'http://127.0.0.14:31001/',
    ]);
  });
});

describe('devnet host check', () => {
  test('a host without the tools is told exactly what to install and how', () => {
    const missing = HOST_REQUIREMENTS.filter((r) =>
      ['dockerd', 'docker-registry', 'busybox'].includes(r.tool),
    );
    const err = new HostNotReadyError({ tools: [], missing, root: true });
    assert.match(err.message, /- dockerd \(Debian package docker\.io\)/);
    assert.match(err.message, /- docker-registry \(Debian package docker-registry\)/);
    assert.match(err.message, /- busybox \(Debian package busybox-static\)/);
    assert.match(err.message, /Install them with: {2}sudo scripts\/setup-host\.sh/);
    assert.match(err.message, /apt-get install docker\.io docker-registry busybox-static;/);
    assert.doesNotMatch(err.message, /root/);
    const notRoot = new HostNotReadyError({ tools: [], missing: [], root: false });
    assert.match(notRoot.message, /must run as root/);
    assert.doesNotMatch(notRoot.message, /Install/);
  });
});

describe('devnet waits', () => {
  test('waitFor returns the first real answer, retrying through errors', async () => {
    let calls = 0;
    const v = await waitFor(
      'three calls',
      async () => {
        calls++;
        if (calls === 1) throw new Error('refused');
        return calls < 3 ? pending(`call ${calls}`) : calls;
      },
      { timeoutMs: 5_000, intervalMs: 1 },
    );
    assert.equal(v, 3);
  });

  test('a timeout names what was awaited and what was seen last; an abort ends it at once', async () => {
    await assert.rejects(
      waitFor('the moon', async () => pending('still the sun'), { timeoutMs: 30, intervalMs: 5 }),
      (e: unknown) => e instanceof WaitTimeoutError && /the moon \(last: still the sun\)/.test(e.message),
    );
    const ac = new AbortController();
    setTimeout(() => ac.abort('SIGINT'), 20);
    const t0 = Date.now();
    await assert.rejects(
      waitFor('forever', async () => false, { timeoutMs: 60_000, intervalMs: 10_000, signal: ac.signal }),
      { name: 'DevnetAbortedError' },
    );
    assert.ok(Date.now() - t0 < 2_000);
  });
});
