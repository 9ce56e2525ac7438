/**
 * Docker image references, read by the grammar of Docker's distribution/reference package:
 *
 *   reference := name [ ":" tag ] [ "@" digest ]
 *   name      := [ domain "/" ] path-component ( "/" path-component )*
 *   domain    := host [ ":" port ]       (host: DNS name, IPv4 address or [IPv6 address])
 *   path-component := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
 *   tag       := [\w][\w.-]{0,127}
 *   digest    := algorithm ":" hex    (sha256, sha384 or sha512 with 64, 96 or 128 lowercase hex digits,
 *                                       the algorithms Docker's digest package knows)
 *
 * The first slash-separated part is the registry only when it contains "." or ":" or is "localhost",
 * as Docker decides it. Unlike Docker we require an explicit tag or digest (FluxOS does too): an app
 * must say which build it runs, not whatever `latest` is when a node happens to pull.
 */

export interface ImageReference {
  /** Registry host, or undefined for Docker Hub. */
  host: string | undefined;
  port: number | undefined;
  /** Repository path without the registry, e.g. `hello/busybox`. */
  path: string;
  tag: string | undefined;
  digest: string | undefined;
}

export type ImageRefResult = { ok: true; ref: ImageReference } | { ok: false; rule: string; message: string };

const DOMAIN_COMPONENT = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
const IPV6_BRACKETED = /^\[[0-9a-fA-F:.]+\]$/;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST_HEX_LENGTH: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };
/** Docker's limit on the name part (registry and path). */
const NAME_MAX = 255;

function fail(rule: string, message: string): ImageRefResult {
  return { ok: false, rule, message };
}

function checkHost(host: string): boolean {
  if (IPV6_BRACKETED.test(host)) return true;
  return host.split('.').every((c) => DOMAIN_COMPONENT.test(c));
}

/** The repository as a blocklist names it: `host[:port]/path`, or `library/x` / `user/x` on Docker Hub. */
export function repositoryName(r: ImageReference): string {
  if (r.host === undefined || r.host === 'docker.io')
    return r.path.includes('/') ? r.path : `library/${r.path}`;
  return `${r.port === undefined ? r.host : `${r.host}:${r.port}`}/${r.path}`;
}

export function isBlockedImage(name: string, blocked: readonly string[]): boolean {
  return blocked.some((b) => (b.endsWith('/') ? name.startsWith(b) : name === b));
}

export function parseImageReference(text: string): ImageRefResult {
  if (text.length === 0) return fail('image-format', 'image reference is empty');
  if (/\s/.test(text)) return fail('image-format', 'image reference must not contain whitespace');

  let rest = text;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    const [algorithm = '', hex, extra] = digest.split(':');
    const length = Object.hasOwn(DIGEST_HEX_LENGTH, algorithm) ? DIGEST_HEX_LENGTH[algorithm] : undefined;
    if (
      length === undefined ||
      extra !== undefined ||
      hex === undefined ||
      !new RegExp(`^[0-9a-f]{${length}}$`).test(hex)
    ) {
      return fail(
        'image-digest',
        `digest "${digest}" must be sha256:, sha384: or sha512: and 64, 96 or 128 lowercase hex digits`,
      );
    }
  }

  let tag: string | undefined;
  const lastColon = rest.lastIndexOf(':');
  if (lastColon > rest.lastIndexOf('/')) {
    tag = rest.slice(lastColon + 1);
    rest = rest.slice(0, lastColon);
    if (!TAG.test(tag)) {
      return fail(
        'image-tag',
        `tag "${tag}" must be 1-128 of letters, digits, "_", "." and "-", not starting with "." or "-"`,
      );
    }
  }

  if (rest.length === 0) return fail('image-format', 'image reference has no repository name');
  if (rest.length > NAME_MAX)
    return fail('image-format', `repository name is longer than ${NAME_MAX} characters`);

  const parts = rest.split('/');
  let host: string | undefined;
  let port: number | undefined;
  const first = parts[0] ?? '';
  if (parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    parts.shift();
    const portMatch = /^(.*):([^:\]]*)$/.exec(first);
    const [, hostText = first, portText] = portMatch ?? [];
    host = hostText;
    if (portText !== undefined) {
      const n = Number(portText);
      if (!/^[0-9]{1,5}$/.test(portText) || n < 1 || n > 65535) {
        return fail('image-registry-port', `registry port "${portText}" must be a number from 1 to 65535`);
      }
      port = n;
    }
    if (!checkHost(host)) {
      return fail('image-registry', `registry host "${host}" is not a DNS name, IPv4 or [IPv6] address`);
    }
  }

  for (const component of parts) {
    if (!PATH_COMPONENT.test(component)) {
      return fail(
        'image-path',
        `repository path component "${component}" must be lowercase letters and digits, joined by ".", "_", "__" or "-"`,
      );
    }
  }

  if (tag === undefined && digest === undefined) {
    return fail(
      'image-tag-missing',
      'image reference needs an explicit tag (":1.36") or digest ("@sha256:...")',
    );
  }
  return { ok: true, ref: { host, port, path: parts.join('/'), tag, digest } };
}
