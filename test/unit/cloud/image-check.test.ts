import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  checkImage,
  DEFAULT_IMAGE_RULES,
  ImageRefusedError,
} from '../../../src/cloud/runtime/image-check.ts';
import { AppSpecError } from '../../../src/cloud/spec/schema.ts';
import { DEVNET_APP_LIMITS } from '../../../src/cloud/spec/limits.ts';
import { validateAppSpec } from '../../../src/cloud/spec/validate.ts';

/** A registry that answers from a table of paths, asking for a bearer token first like Docker Hub. */
function registry(docs: Record<string, unknown>, seen: string[] = []): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input);
    seen.push(url);
    if (url.startsWith('https://auth.example/token')) return Response.json({ token: 'T' });
    const auth = new Headers(init?.headers).get('authorization');
    if (auth !== 'Bearer T')
      return new Response('', {
        status: 401,
        headers: {
          'www-authenticate': 'Bearer realm="https://auth.example/token",service="registry.example"',
        },
      });
    const path = new URL(url).pathname;
    return path in docs ? Response.json(docs[path]) : new Response('', { status: 404 });
  }) as typeof fetch;
}

const layer = (size: number) => ({ digest: `sha256:${'1'.repeat(64)}`, size });
const index = (archs: string[]) => ({
  manifests: archs.map((a, i) => ({
    digest: `sha256:${String(i).repeat(64)}`,
    size: 1,
    platform: { os: 'linux', architecture: a },
  })),
});

test('an index is read for a linux/amd64 or arm64 manifest, whose layers are summed; Hub names get library/', async () => {
  const seen: string[] = [];
  const fetchFn = registry(
    {
      '/v2/library/nginx/manifests/1.27': index(['s390x', 'arm64']),
      [`/v2/library/nginx/manifests/sha256:${'1'.repeat(64)}`]: {
        config: layer(100),
        layers: [layer(1000), layer(2000)],
      },
    },
    seen,
  );
  const facts = await checkImage('nginx:1.27', DEFAULT_IMAGE_RULES, fetchFn);
  assert.deepEqual(facts, { repository: 'library/nginx', architecture: 'arm64', bytes: 3100 });
  assert.ok(
    seen.some((u) => u.includes('scope=repository%3Alibrary%2Fnginx%3Apull')),
    'asked for a pull token',
  );
});

test('images for other platforms, over 5 GB or on the blocklist are refused by rule, before any layer', async () => {
  const big = registry({
    '/v2/u/big/manifests/1': { config: layer(1), layers: [layer(3 * 1024 ** 3), layer(3 * 1024 ** 3)] },
    [`/v2/u/big/blobs/sha256:${'1'.repeat(64)}`]: { os: 'linux', architecture: 'amd64' },
    '/v2/u/ppc/manifests/1': index(['ppc64le', 's390x']),
  });
  const refused = (ref: string, rule: string, rules = DEFAULT_IMAGE_RULES) =>
    assert.rejects(
      checkImage(ref, rules, big),
      (err: unknown) => err instanceof ImageRefusedError && err.rule === rule,
      ref,
    );
  await refused('u/big:1', 'image-too-large');
  await refused('u/ppc:1', 'image-platform');
  await refused('u/big:1', 'image-blocked', { ...DEFAULT_IMAGE_RULES, blocked: ['u/'] });
  await refused('u/absent:1', 'image-unreadable');
});

test('a spec naming a blocked image is invalid with rule image-blocked', () => {
  const limits = { ...DEVNET_APP_LIMITS, images: { ...DEVNET_APP_LIMITS.images, blocked: ['evil/'] } };
  const spec = {
    version: 1,
    name: 'web',
    description: 'x',
    owner: 't1VBXwVpDLZN6HArzpCjSGEDWochejE8AC1',
    instances: 3,
    components: [
      {
        name: 'web',
        description: 'x',
        repotag: 'evil/miner:1',
        ports: [31000],
        containerPorts: [80],
        environmentParameters: [],
        commands: [],
        containerData: '',
        cpu: 0.1,
        ram: 100,
        hdd: 1,
      },
    ],
  };
  assert.throws(
    () => validateAppSpec(spec, limits),
    (err: unknown) => err instanceof AppSpecError && err.issues.some((i) => i.rule === 'image-blocked'),
  );
});

test('plain HTTP for loopback registries and those the engine calls insecure; HTTPS for the rest', async () => {
  const docs = {
    '/v2/flux/hello/manifests/1': { config: layer(1), layers: [layer(10)] },
  };
  const schemes = async (ref: string, insecure: string[]) => {
    const seen: string[] = [];
    // Only the scheme of the manifest request matters here (the table holds no config blob).
    await checkImage(ref, DEFAULT_IMAGE_RULES, registry(docs, seen), (a) => insecure.includes(a)).catch(
      () => {},
    );
    const manifests = seen.filter((u) => u.includes('/manifests/'));
    assert.ok(manifests.length > 0, `asked for the manifest of ${ref}`);
    return [...new Set(manifests.map((u) => new URL(u).protocol))];
  };
  assert.deepEqual(await schemes('127.0.0.10:5000/flux/hello:1', []), ['http:']);
  assert.deepEqual(await schemes('10.77.0.10:5000/flux/hello:1', ['10.77.0.10:5000']), ['http:']);
  assert.deepEqual(await schemes('10.77.0.10:5000/flux/hello:1', []), ['https:']);
  assert.deepEqual(await schemes('10.77.0.10:5001/flux/hello:1', ['10.77.0.10:5000']), ['https:']);
});
