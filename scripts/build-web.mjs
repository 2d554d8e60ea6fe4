#!/usr/bin/env node
// Builds the PWA into web/dist: the generated schema modules first (committed, rewritten only
// when their zod source changed them), the pages with Vite, then the service worker with esbuild
// (and terser), then Workbox lists every file the build emitted into a content-hashed precache
// list whose name goes into the worker (decision 007). Fails when zod reaches the worker, the
// worker outgrows its budget, or the kitchen display's, the guest page's or the floor app's
// first-paint JavaScript outgrows its own.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { build as esbuild } from 'esbuild';
import { minify as terser } from 'terser';
import { build as vite } from 'vite';
import { getManifest } from 'workbox-build';

/**
 * The service worker's budget, gzipped: `npm run bench:pwa` row (d) holds it too. Gzipped at
 * level 9 (`gzip -9`, as budget tools use), where Node's and Bun's zlib agree (decision 015).
 */
const SW_GZIP_BUDGET = 15 * 1024;
/**
 * The kitchen display's JavaScript before first paint, gzipped -9: the module script of
 * web/dist/kitchen/index.html and its modulepreload links (`npm run bench:kds` row (3)).
 */
const KITCHEN_JS_GZIP_BUDGET = 35 * 1024;
/**
 * The guest page's JavaScript before the menu paints, gzipped -9, counted the same way: a
 * diner on mobile data waits for it. Pricing, modifier rules and zod load after it.
 */
const GUEST_JS_GZIP_BUDGET = 35 * 1024;
/** The floor app's JavaScript before the floor plan paints, counted the same way. */
const FLOOR_JS_GZIP_BUDGET = 35 * 1024;
const GZIP_LEVEL = 9;

// What ships is the production build whoever runs this (vitest sets NODE_ENV=test, which made
// Vite resolve Lit's development builds: bigger, and not what a venue's devices run).
process.env.NODE_ENV = 'production';

const started = Date.now();

/** Rewrites each generated schema module whose zod source changed (see web/sw/generated-shapes.ts). */
async function generateShapes() {
  const bundled = await esbuild({
    entryPoints: ['web/sw/generated-shapes.ts'],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    logLevel: 'warning',
  });
  const code = bundled.outputFiles[0].text;
  const { GENERATED } = await import(
    `data:text/javascript;base64,${Buffer.from(code).toString('base64')}`
  );
  for (const generated of GENERATED) {
    const formatted = spawnSync(
      'node_modules/.bin/biome',
      ['format', `--stdin-file-path=${generated.file}`],
      { input: generated.text(), encoding: 'utf8' },
    );
    if (formatted.status !== 0)
      throw new Error(`biome format ${generated.file}: ${formatted.stderr}`);
    // Written only when its bytes differ: a build of an up-to-date checkout leaves it clean.
    const wanted = Buffer.from(formatted.stdout, 'utf8');
    let current = Buffer.alloc(0);
    try {
      current = readFileSync(generated.file);
    } catch (error) {
      if (error.code !== 'ENOENT') throw error;
    }
    if (!current.equals(wanted)) {
      writeFileSync(generated.file, wanted);
      console.log(`generated ${generated.file}`);
    }
  }
}

await generateShapes();
await vite({ configFile: 'web/vite.config.ts', logLevel: 'warn' });
copyFileSync('manifest.webmanifest', 'web/dist/manifest.webmanifest');
const { metafile } = await esbuild({
  entryPoints: ['web/sw/sw.ts'],
  outfile: 'web/dist/sw.js',
  bundle: true,
  minify: true,
  format: 'iife',
  target: 'es2022',
  define: { 'process.env.NODE_ENV': '"production"' },
  logLevel: 'warning',
  metafile: true,
});
// esbuild bundles and minifies; terser's two-pass compressor then takes off what esbuild's
// single pass leaves (decision 015).
const squeezed = await terser(readFileSync('web/dist/sw.js', 'utf8'), {
  ecma: 2022,
  compress: { passes: 2 },
  mangle: true,
  format: { comments: false },
});
if (squeezed.code === undefined) throw new Error('terser returned no code for web/dist/sw.js');
writeFileSync('web/dist/sw.js', squeezed.code);
// zod's schemas are side effects esbuild cannot drop: the worker parses with the generated
// checker (protocol/check) and must import no module that builds a zod schema.
const zodInputs = Object.keys(metafile.inputs).filter((path) => path.includes('node_modules/zod/'));
if (zodInputs.length > 0) {
  const importers = Object.entries(metafile.inputs)
    .filter(([, input]) => input.imports.some((i) => i.path.includes('node_modules/zod/')))
    .map(([path]) => path)
    .filter((path) => !path.includes('node_modules/zod/'));
  throw new Error(`zod reached web/dist/sw.js, imported by: ${importers.join(', ')}`);
}
const { count, size, warnings, manifestEntries } = await getManifest({
  globDirectory: 'web/dist',
  globPatterns: ['**/*.{html,js,css,webmanifest,png,svg}'],
  globIgnores: ['sw.js'],
  // Vite's assets carry a content hash in their names: no revision needed (nor its 32 bytes).
  dontCacheBustURLsMatching: /^assets\/.+-[\w-]{8}\.\w+$/,
});
// The list's own name carries its content hash (served immutable like Vite's assets), and the
// worker names it: any file changed changes the worker, so the browser installs the new one.
const list = JSON.stringify(
  manifestEntries.map(({ url, revision }) => (revision ? { url, revision } : url)),
);
const listUrl = `assets/precache-${createHash('sha256').update(list).digest('hex').slice(0, 8)}.json`;
writeFileSync(`web/dist/${listUrl}`, list);
const worker = readFileSync('web/dist/sw.js', 'utf8');
const placeholder = 'self.__HEARTH_PRECACHE';
if (worker.split(placeholder).length !== 2)
  throw new Error(`web/dist/sw.js must name ${placeholder} exactly once`);
writeFileSync('web/dist/sw.js', worker.replace(placeholder, JSON.stringify(listUrl)));
for (const warning of warnings) console.warn(`workbox: ${warning}`);
const sw = readFileSync('web/dist/sw.js');
const gzipped = gzipSync(sw, { level: GZIP_LEVEL }).length;
console.log(
  `web built in ${Date.now() - started} ms: ${count} files precached (${Math.round(size / 1024)} KB); ` +
    `sw.js ${statSync('web/dist/sw.js').size} B, ${gzipped} B gzipped -9 (budget ${SW_GZIP_BUDGET} B)`,
);
if (gzipped > SW_GZIP_BUDGET) {
  console.error(
    `web/dist/sw.js is ${gzipped} B gzipped, over its ${SW_GZIP_BUDGET} B budget: ` +
      'see what grew with `npx esbuild web/sw/sw.ts --bundle --minify --analyze`',
  );
  process.exit(1);
}

/** A page's module script and modulepreload links, each with its gzip -9 size. */
function firstPaintJs(page) {
  const html = readFileSync(`web/dist/${page}/index.html`, 'utf8');
  const paths = [
    ...[...html.matchAll(/<script\b[^>]*type="module"[^>]*\bsrc="([^"]+)"/g)].map((m) => m[1]),
    ...[...html.matchAll(/<link\b[^>]*rel="modulepreload"[^>]*\bhref="([^"]+)"/g)].map((m) => m[1]),
  ];
  if (paths.length === 0) throw new Error(`web/dist/${page}/index.html has no module script`);
  return paths.map((path) => ({
    path,
    gzip: gzipSync(readFileSync(`web/dist${path}`), { level: GZIP_LEVEL }).length,
  }));
}
for (const [page, what, budget] of [
  ['kitchen', 'kitchen display', KITCHEN_JS_GZIP_BUDGET],
  ['guest', 'guest page', GUEST_JS_GZIP_BUDGET],
  ['ops', 'floor app', FLOOR_JS_GZIP_BUDGET],
]) {
  const files = firstPaintJs(page);
  const sum = files.reduce((total, file) => total + file.gzip, 0);
  console.log(
    `${what} JS before first paint: ${sum} B gzipped -9 in ${files.length} files (budget ${budget} B)`,
  );
  if (sum > budget) {
    console.error(
      `the ${what}'s first-paint JavaScript is ${sum} B gzipped, over its ${budget} B budget: ` +
        files.map((f) => `${f.path} ${f.gzip} B`).join(', '),
    );
    process.exit(1);
  }
}
