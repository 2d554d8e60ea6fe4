#!/usr/bin/env node
// Starts Hearth for local use. For now that is the cloud alone; the venue relay and the PWA
// join in later milestones.

import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const bun = fileURLToPath(new URL('../node_modules/.bin/bun', import.meta.url));
const root = fileURLToPath(new URL('..', import.meta.url));

const child = spawn(bun, ['cloud/main.ts'], {
  cwd: root,
  env: { ...process.env, HEARTH_DATA_DIR: process.env.HEARTH_DATA_DIR ?? './data' },
  stdio: ['inherit', 'pipe', 'inherit'],
});

child.once('error', (error) => {
  console.error(`could not start the cloud with ${bun}: ${error.message} (did you run npm ci?)`);
  process.exit(1);
});

// Pass the cloud's log lines through, and announce the URL once it says where it listens.
createInterface({ input: child.stdout }).on('line', (line) => {
  console.log(line);
  const port = listeningPort(line);
  if (port !== null) {
    console.log(`\nHearth cloud: http://localhost:${port}  (health: /healthz)`);
    console.log('The venue relay and the PWA arrive in later milestones.\n');
  }
});

/**
 * @param {string} line
 * @returns {number | null}
 */
function listeningPort(line) {
  if (!line.startsWith('{')) return null;
  let entry;
  try {
    entry = JSON.parse(line);
  } catch (error) {
    if (error instanceof SyntaxError) return null; // not a log line of ours
    throw error;
  }
  return entry?.msg === 'cloud listening' && Number.isInteger(entry.port) ? entry.port : null;
}

for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
  process.on(signal, () => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  });
}

child.once('exit', (code, signal) => {
  process.exit(code ?? (signal === 'SIGINT' ? 130 : signal === 'SIGTERM' ? 143 : 1));
});
