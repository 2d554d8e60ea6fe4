#!/usr/bin/env node
// Builds the PWA into web/dist: the pages with Vite, then the service worker with esbuild, then
// Workbox injects the precache manifest (every file the build emitted) into the worker.
import { copyFileSync, readFileSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { build as esbuild } from 'esbuild';
import { build as vite } from 'vite';
import { injectManifest } from 'workbox-build';

const started = Date.now();
await vite({ configFile: 'web/vite.config.ts', logLevel: 'warn' });
copyFileSync('manifest.webmanifest', 'web/dist/manifest.webmanifest');
await esbuild({
  entryPoints: ['web/sw/sw.ts'],
  outfile: 'web/dist/sw.js',
  bundle: true,
  minify: true,
  format: 'iife',
  target: 'es2022',
  define: { 'process.env.NODE_ENV': '"production"' },
  logLevel: 'warning',
});
const { count, size, warnings } = await injectManifest({
  swSrc: 'web/dist/sw.js',
  swDest: 'web/dist/sw.js',
  globDirectory: 'web/dist',
  globPatterns: ['**/*.{html,js,css,webmanifest,png,svg}'],
  globIgnores: ['sw.js'],
});
for (const warning of warnings) console.warn(`workbox: ${warning}`);
const sw = readFileSync('web/dist/sw.js');
console.log(
  `web built in ${Date.now() - started} ms: ${count} files precached (${Math.round(size / 1024)} KB); ` +
    `sw.js ${statSync('web/dist/sw.js').size} B, ${gzipSync(sw).length} B gzipped`,
);
