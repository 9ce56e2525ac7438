import { readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

/** Where `npm run build:web` puts the dashboard. */
export const DASHBOARD_DIST = join(dirname(fileURLToPath(import.meta.url)), 'dist');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

interface CachedFile {
  mtimeMs: number;
  body: Buffer;
  gzip: Buffer | undefined;
}

/**
 * The ApiServer `staticHandler` that serves the built dashboard: `/` is index.html, other paths are
 * files under `dir` (never outside it). Vite names assets by content hash, so they are cached for
 * good; index.html is revalidated every time. Answers false for paths it has no file for, so the
 * API's JSON 404 applies.
 */
export function dashboardHandler(
  dir = DASHBOARD_DIST,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const root = resolve(dir);
  const cache = new Map<string, CachedFile>();

  const load = (file: string): CachedFile | undefined => {
    let mtimeMs: number;
    try {
      const st = statSync(file);
      if (!st.isFile()) return undefined;
      mtimeMs = st.mtimeMs;
    } catch {
      return undefined;
    }
    const hit = cache.get(file);
    if (hit && hit.mtimeMs === mtimeMs) return hit;
    const body = readFileSync(file);
    const compressible = /\.(html|js|css|svg|json)$/.test(file) && body.length > 1024;
    const entry = { mtimeMs, body, gzip: compressible ? gzipSync(body) : undefined };
    cache.set(file, entry);
    return entry;
  };

  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    let rel: string;
    try {
      rel = decodeURIComponent(url.pathname);
    } catch {
      return false;
    }
    if (rel === '/' || rel === '/index.html') rel = '/index.html';
    const file = normalize(join(root, rel));
    if (file !== root && !file.startsWith(root + sep)) return false;
    const entry = load(file);
    if (!entry) {
      if (rel !== '/index.html') return false;
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('The dashboard is not built: run `npm run build:web`.\n');
      return true;
    }
    const gzip = entry.gzip && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    const body = gzip ? entry.gzip! : entry.body;
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'content-length': body.length,
      'cache-control': rel.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
      'x-content-type-options': 'nosniff',
      ...(gzip ? { 'content-encoding': 'gzip', vary: 'accept-encoding' } : {}),
    });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  };
}
