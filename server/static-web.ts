import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import type { MiddlewareHandler } from 'hono';
import { every } from 'hono/combine';
import { compress } from 'hono/compress';
import { etag, RETAINED_304_HEADERS } from 'hono/etag';
import { serveStatic } from 'hono/serve-static';

// The built PWA (web/dist) as both the cloud and the venue relay serve it, on Hono's own
// middleware: serveStatic reads the file and types it, etag answers If-None-Match, compress
// gzips text. Ours around them: which file a path means (a page's index.html, else the root's,
// never for an API path) and that it stays under the root after symlinks, which serveStatic
// does not check; and serveStatic's runtime-neutral form with a node:fs reader rather than
// hono/bun's (Bun.file), so the Node unit tests of the cloud and the relay serve files too.

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

/** A 304 keeps the headers its 200 would have had that say how to treat it. */
const entityTags = etag({ retainedHeaders: [...RETAINED_304_HEADERS, 'x-content-type-options'] });
/** Text of 1 KB and more, gzipped for a client that takes it (guests on mobile data pay per byte). */
const gzip = compress({ encoding: 'gzip', threshold: 1024 });

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
    const segments = await findWebFile(base, new URL(c.req.url).pathname);
    if (!segments) return next();
    const file = serveStatic({
      root: base,
      path: segments.join('/'),
      join,
      getContent: async (path) => {
        const bytes = await readIfFile(path);
        // compress leaves a body alone below its threshold only when it knows the length.
        if (bytes) c.header('Content-Length', String(bytes.byteLength));
        return bytes;
      },
      onFound: () => {
        c.header('Cache-Control', cacheControlOf(segments));
        c.header('X-Content-Type-Options', 'nosniff');
      },
    });
    return every(gzip, entityTags, file)(c, next);
  };
}

/** The file a path is answered with, as segments under `root`; undefined for none. */
async function findWebFile(root: string, pathname: string): Promise<string[] | undefined> {
  const segments = decodeSegments(pathname);
  if (!segments) return undefined;
  const wanted = segments.length === 0 ? ['index.html'] : segments;
  if (await isWebFile(root, wanted)) return wanted;
  if (extname(segments.at(-1) ?? '') !== '') return undefined;
  // A page of the multi-page app (`/ops/`, `/kitchen`): its own index.html; else the root's.
  const page = [...segments, 'index.html'];
  if (await isWebFile(root, page)) return page;
  return (await isWebFile(root, ['index.html'])) ? ['index.html'] : undefined;
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

const EMBEDDED_ROOT = '/$bunfs/';

/** Whether a regular file is under `root`, also after symlinks are resolved. */
async function isWebFile(root: string, segments: readonly string[]): Promise<boolean> {
  const path = join(root, ...segments);
  if (!path.startsWith(root + sep)) return false;
  try {
    // Files a compiled relay carries (Bun's /$bunfs/) hold no symlinks and have no realpath.
    if (root.startsWith(EMBEDDED_ROOT)) return (await stat(path)).isFile();
    const [realRoot, realPath] = await Promise.all([realpath(root), realpath(path)]);
    return realPath.startsWith(realRoot + sep) && (await stat(realPath)).isFile();
  } catch (error) {
    if (isMissing(error)) return false;
    throw error;
  }
}

/** The file's bytes; null when it went away since it was found. */
async function readIfFile(path: string): Promise<Uint8Array<ArrayBuffer> | null> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (error) {
    if (isMissing(error) || (error instanceof Error && 'code' in error && error.code === 'EISDIR'))
      return null;
    throw error;
  }
}

const MISSING = new Set<unknown>(['ENOENT', 'ENOTDIR', 'EACCES', 'ELOOP']);

function isMissing(error: unknown): boolean {
  return error instanceof Error && 'code' in error && MISSING.has(error.code);
}
