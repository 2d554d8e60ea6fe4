import { createHash } from 'node:crypto';
import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { MiddlewareHandler } from 'hono';

// The built PWA (web/dist) as both the cloud and the venue relay serve it. Our own small
// function rather than Hono's serveStatic for Bun: that one reads through Bun.file (not under
// the Node unit tests), sets no ETag or caching policy, follows symlinks out of its root and has
// no per-page index.html; Hono's etag middleware would hash every other GET answer it wraps too.

/** Paths the servers answer themselves: never a file, never the app shell. */
function isApiPath(path: string): boolean {
  return (
    path === '/v1' ||
    path.startsWith('/v1/') ||
    path === '/healthz' ||
    path === '/metrics' ||
    path === '/openapi.json'
  );
}

/**
 * Serves the files under `root` for GET and HEAD, with a content-hash ETag (304 on a matching
 * If-None-Match) and a caching policy: Vite's hashed `assets/` are immutable for a year,
 * everything else (pages, `sw.js`, manifests, icons) is revalidated on every use. A path
 * without an extension is a page: its own `index.html` (`/ops`, `/guest/`), else the root's.
 * API paths, paths that try to leave `root` and missing files go on to the next handler, so
 * the app's own not-found answer (problem+json) stays the one answer for them.
 *
 * @example
 * app.get('*', serveWeb('web/dist'));   // after the API routes
 */
export function serveWeb(root: string): MiddlewareHandler {
  const base = resolve(root);
  return async (c, next) => {
    if (isApiPath(c.req.path)) return next();
    const file = await findWebFile(base, new URL(c.req.url).pathname);
    if (!file) return next();
    return webResponse(
      file,
      c.req.header('if-none-match'),
      acceptsGzip(c.req.header('accept-encoding')),
    );
  };
}

interface WebFile {
  readonly bytes: Uint8Array;
  /** The served file's path under the root (the page's `index.html` for a page). */
  readonly segments: readonly string[];
}

async function findWebFile(root: string, pathname: string): Promise<WebFile | undefined> {
  const segments = decodeSegments(pathname);
  if (!segments) return undefined;
  const wanted = segments.length === 0 ? ['index.html'] : segments;
  const file = await readWebFile(root, wanted);
  if (file) return file;
  if (extname(segments.at(-1) ?? '') !== '') return undefined;
  // A page of the multi-page app (`/ops/`, `/kitchen`): its own index.html; else the root's.
  const page = await readWebFile(root, [...segments, 'index.html']);
  return page ?? (await readWebFile(root, ['index.html']));
}

/** The path's segments, decoded; undefined when one could step out or is not decodable. */
function decodeSegments(pathname: string): string[] | undefined {
  const segments: string[] = [];
  for (const raw of pathname.split('/')) {
    if (raw === '') continue;
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch (error) {
      if (error instanceof URIError) return undefined;
      throw error;
    }
    if (segment === '.' || segment === '..' || /[/\\\0:]/.test(segment)) return undefined;
    segments.push(segment);
  }
  return segments;
}

/** A regular file under `root`, also after symlinks are resolved; undefined otherwise. */
async function readWebFile(
  root: string,
  segments: readonly string[],
): Promise<WebFile | undefined> {
  const path = join(root, ...segments);
  if (!path.startsWith(root + sep)) return undefined;
  try {
    const [realRoot, realPath] = await Promise.all([realpath(root), realpath(path)]);
    if (!realPath.startsWith(realRoot + sep) || !(await stat(realPath)).isFile()) return undefined;
    return { bytes: new Uint8Array(await readFile(realPath)), segments };
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

const MISSING = new Set<unknown>(['ENOENT', 'ENOTDIR', 'EACCES', 'ELOOP']);

function isMissing(error: unknown): boolean {
  return error instanceof Error && 'code' in error && MISSING.has(error.code);
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

/** Vite's default `assets/[name]-[hash].[ext]`: an 8-character base64url content hash. */
const HASHED_ASSET = /-[A-Za-z0-9_-]{8}\.[A-Za-z0-9]+$/;

/** Immutable only for a hashed build asset: any change to it comes under a new name. */
function cacheControlOf(segments: readonly string[]): string {
  const [dir, name] = segments;
  return segments.length === 2 && dir === 'assets' && name !== undefined && HASHED_ASSET.test(name)
    ? IMMUTABLE
    : REVALIDATE;
}

/** Types worth compressing: text. Images and fonts come compressed already. */
const COMPRESSIBLE = new Set([
  '.html',
  '.js',
  '.mjs',
  '.css',
  '.json',
  '.map',
  '.webmanifest',
  '.svg',
  '.txt',
]);
/** Below this a gzip header costs more than it saves. */
const GZIP_MIN_BYTES = 1024;
/** Gzipped bodies by ETag: a build's files are few and never change under one tag. */
const gzipped = new Map<string, Uint8Array>();
const GZIP_CACHE_ENTRIES = 256;

function acceptsGzip(acceptEncoding: string | undefined): boolean {
  return (acceptEncoding ?? '')
    .split(',')
    .map((part) => part.trim().toLowerCase())
    .some((part) => part === 'gzip' || (part.startsWith('gzip;') && !/;\s*q=0(\.0*)?$/.test(part)));
}

function gzipOf(etag: string, bytes: Uint8Array): Uint8Array {
  let body = gzipped.get(etag);
  if (!body) {
    body = gzipSync(bytes, { level: 9 });
    if (gzipped.size >= GZIP_CACHE_ENTRIES) gzipped.delete(gzipped.keys().next().value as string);
    gzipped.set(etag, body);
  }
  return body;
}

/**
 * The file's answer. Text over 1 KB goes gzipped to a client that takes it (guests on mobile
 * data pay for every byte), under its own ETag, with `Vary: Accept-Encoding` for caches.
 */
function webResponse(file: WebFile, ifNoneMatch: string | undefined, gzip: boolean): Response {
  const name = file.segments.at(-1) ?? '';
  const type = extname(name).toLowerCase();
  const compress = gzip && COMPRESSIBLE.has(type) && file.bytes.length >= GZIP_MIN_BYTES;
  const hash = createHash('sha256').update(file.bytes).digest('base64url').slice(0, 27);
  const etag = compress ? `"${hash}-gz"` : `"${hash}"`;
  const headers: Record<string, string> = {
    ETag: etag,
    'Cache-Control': cacheControlOf(file.segments),
    'X-Content-Type-Options': 'nosniff',
  };
  if (COMPRESSIBLE.has(type) && file.bytes.length >= GZIP_MIN_BYTES)
    headers.Vary = 'Accept-Encoding';
  if (ifNoneMatch !== undefined && etagMatches(ifNoneMatch, etag))
    return new Response(null, { status: 304, headers });
  headers['Content-Type'] = CONTENT_TYPES[type] ?? 'application/octet-stream';
  if (!compress) return new Response(file.bytes, { headers });
  headers['Content-Encoding'] = 'gzip';
  return new Response(gzipOf(etag, file.bytes), { headers });
}

/** If-None-Match's weak comparison: any listed tag, `W/` or not, or `*`. */
function etagMatches(ifNoneMatch: string, etag: string): boolean {
  return ifNoneMatch
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, ''))
    .some((tag) => tag === '*' || tag === etag);
}
