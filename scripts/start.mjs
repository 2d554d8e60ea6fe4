#!/usr/bin/env node
// `npm start`: the demo venue on this machine — the cloud origin, and a venue relay enrolled to
// it (enrollment happens once; the relay keeps its identity in ./data/relay). Ctrl-C stops both.
// Both serve the built PWA (web/dist): staff use the relay's, guests on mobile data the cloud's.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bun = fileURLToPath(new URL('../node_modules/.bin/bun', import.meta.url));
const CLOUD_PORT = Number(process.env.HEARTH_CLOUD_PORT ?? 8787);
const RELAY_PORT = Number(process.env.HEARTH_RELAY_PORT ?? 8788);
const cloudUrl = `http://127.0.0.1:${CLOUD_PORT}`;
const relayUrl = `http://127.0.0.1:${RELAY_PORT}`;
const children = [];

function start(name, script, env) {
  const child = spawn(bun, [script], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.once('error', (error) => {
    console.error(
      `could not start the ${name} with ${bun}: ${error.message} (did you run npm install?)`,
    );
    shutdown(1);
  });
  child.once('exit', (code, signal) => {
    if (!stopping) {
      console.error(`the ${name} stopped (${signal ?? code}); stopping the demo`);
      shutdown(1);
    }
  });
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => console.log(`[${name}] ${line}`));
  }
  children.push(child);
  return child;
}

async function waitForHealth(url, name) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
    } catch (error) {
      // Not up yet (connection refused or timed out): try again until the deadline.
      if (!(error instanceof Error)) throw error;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the ${name} did not answer /healthz within 30 s`);
}

async function enrollmentToken() {
  const signIn = await fetch(`${cloudUrl}/v1/auth/staff`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ venueId: 'demo-bistro', pin: '3333' }),
  });
  if (!signIn.ok)
    throw new Error(`manager sign-in failed: ${signIn.status} ${await signIn.text()}`);
  const { token } = await signIn.json();
  const node = await fetch(`${cloudUrl}/v1/venues/demo-bistro/edge/nodes`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify({ name: 'Demo relay (npm start)' }),
  });
  if (!node.ok)
    throw new Error(`creating the relay node failed: ${node.status} ${await node.text()}`);
  return (await node.json()).enrollmentToken;
}

let stopping = false;
function shutdown(code) {
  if (stopping) return;
  stopping = true;
  for (const child of children) child.kill('SIGTERM');
  setTimeout(() => process.exit(code), 1500).unref();
}
process.on('SIGINT', () => shutdown(0));
process.on('SIGTERM', () => shutdown(0));

try {
  start('cloud', 'cloud/main.ts', {
    PORT: String(CLOUD_PORT),
    HEARTH_DATA_DIR: './data/cloud',
    HEARTH_WEB_DIR: './web/dist',
  });
  await waitForHealth(cloudUrl, 'cloud');
  const enrolled = existsSync(`${root}/data/relay/relay-identity.json`);
  const relayEnv = {
    PORT: String(RELAY_PORT),
    HEARTH_DATA_DIR: './data/relay',
    HEARTH_CLOUD_URL: cloudUrl,
    HEARTH_WEB_DIR: './web/dist',
  };
  if (!enrolled) relayEnv.HEARTH_ENROLL_TOKEN = await enrollmentToken();
  start('relay', 'relay/main.ts', relayEnv);
  await waitForHealth(relayUrl, 'relay');
  console.log(`
  Hearth demo venue "Demo Bistro" (venue id demo-bistro) is running.

  cloud origin   ${cloudUrl}      (API document: ${cloudUrl}/openapi.json)
  venue relay    ${relayUrl}      (the same API on the venue LAN; works with the cloud down)

  The app        http://localhost:${RELAY_PORT}/ops/ · /kitchen/ · /guest/?table=5   (installable PWA)
  Guests (cloud) http://localhost:${CLOUD_PORT}/guest/?venue=demo-bistro&table=5   (mobile data)

  Staff PINs     server 1111 · kitchen 2222 · manager 3333 · owner 4444
  Guest tables   1 … 12         (POST /v1/auth/guest {"venueId":"demo-bistro","table":"5"})

  Try it: curl -s ${relayUrl}/v1/auth/staff -H 'content-type: application/json' \\
            -d '{"venueId":"demo-bistro","pin":"1111"}'

  Data lives in ./data (delete it to start over). Ctrl-C stops everything.
`);
} catch (error) {
  console.error(`npm start failed: ${error instanceof Error ? error.message : String(error)}`);
  shutdown(1);
}
