#!/usr/bin/env node
// Builds the relay as single-file executables with `bun build --compile`, each carrying the PWA:
//   dist-bin/hearth-relay                 this machine's platform
//   dist-bin/hearth-relay-linux-arm64     a Raspberry Pi class box (64-bit OS)
// Usage: npm run build:relay [-- host | linux-arm64 ...]   (default: both)
//
// The PWA (web/dist, built first) is embedded with `--asset`: the relay reads it through node:fs
// under /$bunfs/root/dist (relay/config.ts `defaultWebDir`), so binary and PWA are always one
// build. HEARTH_WEB_DIR still points a relay at another copy.
// `#protocol` imports are resolved at bundle time, so the binary needs no source tree. The
// version comes from package.json and is compiled in (`--define HEARTH_RELAY_VERSION`): a
// binary has no package.json beside it. For the arm64 target Bun fetches that platform's
// runtime (@oven/bun-linux-aarch64, the same version as the bun building) from the npm registry.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bun = join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'bun.exe' : 'bun');
const outDir = join(root, 'dist-bin');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

const TARGETS = {
  host: { outfile: 'hearth-relay', flags: [] },
  'linux-arm64': { outfile: 'hearth-relay-linux-arm64', flags: ['--target=bun-linux-arm64'] },
};

const asked = process.argv.slice(2);
const unknown = asked.filter((name) => !(name in TARGETS));
if (unknown.length > 0) {
  console.error(
    `build-relay: unknown target ${unknown.join(', ')}; known: ${Object.keys(TARGETS).join(', ')}`,
  );
  process.exit(2);
}
if (!existsSync(bun)) {
  console.error(`build-relay: bun not found at ${bun}; run npm ci (bun is a devDependency)`);
  process.exit(2);
}
mkdirSync(outDir, { recursive: true });

// The PWA first: a relay without it serves the API only.
console.log('build-relay: web: node scripts/build-web.mjs');
const web = spawnSync(process.execPath, ['scripts/build-web.mjs'], { cwd: root, stdio: 'inherit' });
if (web.status !== 0) {
  console.error(`build-relay: the PWA build failed (exit ${web.status ?? web.signal})`);
  process.exit(1);
}
// A PWA beside the binaries from an older build would now only mislead.
rmSync(join(outDir, 'web'), { recursive: true, force: true });

let failed = 0;
for (const name of asked.length > 0 ? asked : Object.keys(TARGETS)) {
  const target = TARGETS[name];
  const outfile = join(outDir, target.outfile);
  const args = [
    'build',
    'relay/main.ts',
    '--compile',
    // The binary starts Bun with a header limit above the app's (server/header-limit.ts), so
    // oversized headers get the app's 431 problem, not Bun's bare one.
    '--compile-exec-argv=--max-http-header-size=65536',
    '--asset=web/dist',
    ...target.flags,
    '--sourcemap',
    '--define',
    `HEARTH_RELAY_VERSION=${JSON.stringify(version)}`,
    '--outfile',
    outfile,
  ];
  console.log(`build-relay: ${name}: bun ${args.join(' ')}`);
  const result = spawnSync(bun, args, { cwd: root, stdio: 'inherit' });
  if (result.status === 0 && existsSync(outfile)) {
    // The source map is embedded (stack traces name relay/… files); the copy beside it is spare.
    rmSync(`${outfile}.map`, { force: true });
    const mb = statSync(outfile).size / 1024 / 1024;
    console.log(`build-relay: ${name}: ${outfile} (${mb.toFixed(1)} MiB, version ${version})`);
  } else {
    failed++;
    console.error(
      `build-relay: ${name} failed (${result.error?.message ?? `exit ${result.status ?? result.signal}`})`,
    );
  }
}
process.exit(failed > 0 ? 1 : 0);
