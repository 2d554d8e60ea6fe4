import { resolve } from 'node:path';
import { defineConfig } from 'vite';

const web = resolve(import.meta.dirname);

// The PWA's pages. The service worker is bundled separately (scripts/build-web.mjs) so its
// precache list can name what this build emitted.
export default defineConfig({
  root: web,
  publicDir: resolve(web, 'public'),
  build: {
    outDir: resolve(web, 'dist'),
    emptyOutDir: true,
    target: 'es2022',
    rollupOptions: {
      input: {
        index: resolve(web, 'index.html'),
        guest: resolve(web, 'guest/index.html'),
        ops: resolve(web, 'ops/index.html'),
        kitchen: resolve(web, 'kitchen/index.html'),
        pair: resolve(web, 'pair/index.html'),
      },
    },
  },
  worker: { format: 'es' },
});
