// Checks an image before a node pulls it, from the registry's manifests alone (no layer is
// downloaded): not on the network's blocklist, built for an architecture nodes run (amd64 or
// arm64), and at most 5 GB compressed. Registries speak the distribution API (v2): manifests by tag
// or digest, an index (manifest list) per platform, anonymous bearer tokens where asked for.

import { isIP } from 'node:net';
import { isBlockedImage, parseImageReference, repositoryName } from '../spec/image-ref.ts';
import { type ImageRules, MAINNET_APP_LIMITS } from '../spec/limits.ts';
import { RuntimeError } from './errors.ts';

export type { ImageRules };

/** Mainnet's rules: at most 5 GB, amd64 or arm64. */
export const DEFAULT_IMAGE_RULES: ImageRules = MAINNET_APP_LIMITS.images;

export type ImageRule = 'image-blocked' | 'image-too-large' | 'image-platform' | 'image-unreadable';

/** An image the node will not pull (a failed `pull`), with the rule it breaks and the reference at fault. */
export class ImageRefusedError extends RuntimeError {
  readonly field = 'image';
  readonly value: string;
  readonly rule: ImageRule;

  constructor(ref: string, rule: ImageRule, detail: string) {
    super('pull', ref, `${detail} [${rule}]`);
    this.name = 'ImageRefusedError';
    this.value = ref;
    this.rule = rule;
  }
}

const INDEX_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
];
const MANIFEST_TYPES = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
];

interface Descriptor {
  digest: string;
  size: number;
  mediaType?: string;
  platform?: { os?: string; architecture?: string };
}

interface Manifest {
  mediaType?: string;
  manifests?: Descriptor[];
  config?: Descriptor;
  layers?: Descriptor[];
}

export interface ImageFacts {
  repository: string;
  architecture: string;
  bytes: number;
}

/** Where a reference's repository lives, as Docker resolves it. */
function locate(
  ref: string,
  plainHttp: (authority: string) => boolean,
): { base: string; repo: string; name: string; reference: string } {
  const parsed = parseImageReference(ref);
  if (!parsed.ok) throw new ImageRefusedError(ref, 'image-unreadable', parsed.message);
  const { host, port, path, tag, digest } = parsed.ref;
  const hub = host === undefined || host === 'docker.io';
  const repo = hub ? repositoryName(parsed.ref) : path;
  const authority = hub ? 'registry-1.docker.io' : port === undefined ? host : `${host}:${port}`;
  // Docker talks plain HTTP to loopback registries (the devnet's) and to those its engine was told
  // are insecure (a namespaced devnet's, on its bridge); every other one is HTTPS.
  const bare = (host ?? '').replace(/^\[|\]$/g, '');
  const loopback = host === 'localhost' || (isIP(bare) && /^(127\.|::1$)/.test(bare));
  const scheme = !hub && (loopback || plainHttp(authority)) ? 'http' : 'https';
  const name = repositoryName(parsed.ref);
  return { base: `${scheme}://${authority}/v2/${repo}`, repo, name, reference: digest ?? tag ?? 'latest' };
}

/** Reads what the rules need from the registry and refuses the image when it breaks one. */
export async function checkImage(
  ref: string,
  rules: ImageRules = DEFAULT_IMAGE_RULES,
  fetchFn: typeof fetch = fetch,
  /** Registries (`host:port`) the engine pulls from over plain HTTP. */
  plainHttp: (authority: string) => boolean = () => false,
): Promise<ImageFacts> {
  const where = locate(ref, plainHttp);
  if (isBlockedImage(where.name, rules.blocked))
    throw new ImageRefusedError(ref, 'image-blocked', `${where.name} is on the network's blocklist`);
  const registry = new RegistryReader(where.base, where.repo, ref, fetchFn);
  let manifest = await registry.json<Manifest>(`manifests/${where.reference}`, [
    ...INDEX_TYPES,
    ...MANIFEST_TYPES,
  ]);
  let architecture: string | undefined;
  if (manifest.manifests) {
    const pick = manifest.manifests.find(
      (m) => m.platform?.os === 'linux' && rules.architectures.includes(m.platform.architecture ?? ''),
    );
    if (!pick) {
      const offered = manifest.manifests
        .map((m) => `${m.platform?.os}/${m.platform?.architecture}`)
        .join(', ');
      throw new ImageRefusedError(
        ref,
        'image-platform',
        `built for ${offered || 'no platform'}, not linux/${rules.architectures.join(' or ')}`,
      );
    }
    architecture = pick.platform?.architecture;
    manifest = await registry.json<Manifest>(`manifests/${pick.digest}`, MANIFEST_TYPES);
  }
  if (!manifest.config || !Array.isArray(manifest.layers))
    throw new ImageRefusedError(ref, 'image-unreadable', 'the registry sent no image manifest');
  if (architecture === undefined) {
    const config = await registry.json<{ os?: string; architecture?: string }>(
      `blobs/${manifest.config.digest}`,
      [],
    );
    architecture = config.architecture ?? '?';
    if (config.os !== 'linux' || !rules.architectures.includes(architecture))
      throw new ImageRefusedError(
        ref,
        'image-platform',
        `built for ${config.os}/${architecture}, not linux/${rules.architectures.join(' or ')}`,
      );
  }
  const bytes = manifest.layers.reduce(
    (n, l) => n + (Number(l.size) || 0),
    Number(manifest.config.size) || 0,
  );
  if (bytes > rules.maxBytes)
    throw new ImageRefusedError(ref, 'image-too-large', `${bytes} bytes, at most ${rules.maxBytes} allowed`);
  return { repository: where.name, architecture, bytes };
}

/** GETs JSON documents of one repository, with an anonymous bearer token when the registry asks. */
class RegistryReader {
  readonly #base: string;
  readonly #repo: string;
  readonly #ref: string;
  readonly #fetch: typeof fetch;
  #token: string | undefined;

  constructor(base: string, repo: string, ref: string, fetchFn: typeof fetch) {
    this.#base = base;
    this.#repo = repo;
    this.#ref = ref;
    this.#fetch = fetchFn;
  }

  async json<T>(path: string, accept: string[]): Promise<T> {
    let res = await this.#get(path, accept);
    if (res.status === 401 && this.#token === undefined) {
      this.#token = await this.#anonymousToken(res.headers.get('www-authenticate') ?? '');
      res = await this.#get(path, accept);
    }
    if (!res.ok)
      throw new ImageRefusedError(
        this.#ref,
        'image-unreadable',
        `registry answered ${res.status} for ${path}`,
      );
    const text = await res.text();
    if (text.length > 4_000_000)
      throw new ImageRefusedError(this.#ref, 'image-unreadable', `${path} is over 4 MB`);
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new ImageRefusedError(this.#ref, 'image-unreadable', `${path} is not JSON`);
    }
  }

  async #get(path: string, accept: string[]): Promise<Response> {
    const headers: Record<string, string> = {};
    if (accept.length) headers.accept = accept.join(', ');
    if (this.#token) headers.authorization = `Bearer ${this.#token}`;
    try {
      return await this.#fetch(`${this.#base}/${path}`, { headers, signal: AbortSignal.timeout(15_000) });
    } catch (err) {
      throw new ImageRefusedError(
        this.#ref,
        'image-unreadable',
        `registry not reachable: ${(err as Error).message}`,
      );
    }
  }

  async #anonymousToken(challenge: string): Promise<string> {
    const field = (k: string) => new RegExp(`${k}="([^"]*)"`).exec(challenge)?.[1];
    const realm = field('realm');
    if (!challenge.startsWith('Bearer') || !realm)
      throw new ImageRefusedError(this.#ref, 'image-unreadable', 'the registry wants credentials');
    const url = new URL(realm);
    const service = field('service');
    if (service) url.searchParams.set('service', service);
    url.searchParams.set('scope', field('scope') ?? `repository:${this.#repo}:pull`);
    const res = await this.#fetch(url, { signal: AbortSignal.timeout(15_000) });
    const body = (await res.json().catch(() => ({}))) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!res.ok || !token)
      throw new ImageRefusedError(this.#ref, 'image-unreadable', 'no pull token from the registry');
    return token;
  }
}
