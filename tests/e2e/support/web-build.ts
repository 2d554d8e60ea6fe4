import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The built PWA and the Chromium that opens it, for the end-to-end tests and the PWA bench.

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const WEB_DIST = join(REPO_ROOT, 'web/dist');
export const CHROMIUM = process.env.CHROME_PATH || '/usr/bin/chromium';
export const BUILD_TIMEOUT_MS = 240_000;

/** The shared Chromium flags (Playwright adds the headless switch itself). */
export { CHROMIUM_ARGS } from '../../support/chromium-args.mjs';

/** The newest modification time under `path` (files only), skipping `skip`. */
function newestMtime(path: string, skip: (path: string) => boolean = () => false): number {
  if (skip(path) || !existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const name of readdirSync(path))
    newest = Math.max(newest, newestMtime(join(path, name), skip));
  return newest;
}

/** web/dist is missing, or older than a source it is built from (sw.js is written last). */
export function webDistIsStale(): boolean {
  const built = join(WEB_DIST, 'sw.js');
  if (!existsSync(built) || !existsSync(join(WEB_DIST, 'ops/index.html'))) return true;
  const sources = Math.max(
    newestMtime(join(REPO_ROOT, 'web'), (path) => path === WEB_DIST),
    newestMtime(join(REPO_ROOT, 'protocol')),
    newestMtime(join(REPO_ROOT, 'scripts/build-web.mjs')),
    newestMtime(join(REPO_ROOT, 'manifest.webmanifest')),
    newestMtime(join(REPO_ROOT, 'package-lock.json')),
  );
  return sources > statSync(built).mtimeMs;
}

/** Runs `npm run build:web`, bounded; rejects with its output when it fails. */
export function buildWeb(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', 'build:web'], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`npm run build:web took over ${BUILD_TIMEOUT_MS} ms\n${output}`));
    }, BUILD_TIMEOUT_MS);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`npm run build:web exited with ${code}\n${output}`));
    });
  });
}
