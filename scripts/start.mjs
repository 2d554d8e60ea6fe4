#!/usr/bin/env node
// `npm start`: the demo venue on this machine — the cloud origin, and a venue relay enrolled to
// it (enrollment happens once; the relay keeps its identity in ./data/relay). Both serve the
// built PWA (web/dist): staff use the relay's, guests on mobile data the cloud's.
//
// The relay reaches the cloud through the demo's own uplink, a TCP gate in this process, so the
// outage the relay exists for can be tried while everything runs: `o` cuts the uplink, `r`
// restores it, `q` quits (keys only when stdin is a terminal); from another terminal
// `npm run outage` / `npm run restore` do the same through a control port on 127.0.0.1.
// While the uplink is down (and until the relay has reconciled after it) the relay's
// connectivity and journal depth, read from its /healthz, are printed every few seconds.
//
// The relay serves HTTPS with its venue CA, as at a venue; its onboarding page (plain HTTP)
// hands the CA to the devices that should trust it. HEARTH_PLAIN_HTTP=1 serves plain HTTP.
//
// Card payments go to the test processor (server/payments/test-processor), started beside
// them: the cloud and the relay get its URL and the secret its events are signed with
// (HEARTH_PROCESSOR_URL, HEARTH_PROCESSOR_SECRET), and it sends its events to the cloud.
//
// Environment: HEARTH_CLOUD_PORT (8787), HEARTH_RELAY_PORT (8788), HEARTH_UPLINK_PORT (8786),
// HEARTH_CONTROL_PORT (8789), HEARTH_ONBOARDING_PORT (8785), HEARTH_PROCESSOR_PORT (the cloud's
// port + 3: 8790), HEARTH_DEMO_DIR (./data), HEARTH_DEMO_STATUS_MS (3000), HEARTH_PLAIN_HTTP.

import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect, createServer as createTcpServer } from 'node:net';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bun = fileURLToPath(new URL('../node_modules/.bin/bun', import.meta.url));
const port = (name, fallback) => Number(process.env[name] ?? fallback);
const CLOUD_PORT = port('HEARTH_CLOUD_PORT', 8787);
const RELAY_PORT = port('HEARTH_RELAY_PORT', 8788);
const UPLINK_PORT = port('HEARTH_UPLINK_PORT', 8786);
const CONTROL_PORT = port('HEARTH_CONTROL_PORT', 8789);
const ONBOARDING_PORT = port('HEARTH_ONBOARDING_PORT', 8785);
const PROCESSOR_PORT = port('HEARTH_PROCESSOR_PORT', CLOUD_PORT + 3);
const PLAIN = process.env.HEARTH_PLAIN_HTTP === '1';
const STATUS_MS = port('HEARTH_DEMO_STATUS_MS', 3000);
const dataDir = resolve(root, process.env.HEARTH_DEMO_DIR ?? 'data');
const cloudUrl = `http://127.0.0.1:${CLOUD_PORT}`;
const uplinkUrl = `http://127.0.0.1:${UPLINK_PORT}`;
const relayUrl = `${PLAIN ? 'http' : 'https'}://127.0.0.1:${RELAY_PORT}`;
const relayPublicUrl = `${PLAIN ? 'http' : 'https'}://localhost:${RELAY_PORT}`;
const onboardingUrl = `http://localhost:${ONBOARDING_PORT}/`;
const processorUrl = `http://127.0.0.1:${PROCESSOR_PORT}`;
// The processor's events are signed with this; a new one each run (the processor keeps nothing).
const processor = {
  HEARTH_PROCESSOR_URL: processorUrl,
  HEARTH_PROCESSOR_SECRET: randomBytes(24).toString('hex'),
};
const caFile = join(dataDir, 'relay', 'tls', 'venue-ca.crt');
const children = [];
const servers = [];

function start(name, script, env) {
  // Bun's header limit above the app's (server/header-limit.ts), so the app answers 431 itself.
  const child = spawn(bun, ['--max-http-header-size=65536', script], {
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
  // 'close', not 'exit': its output is read to the end (a last log line) before the demo exits.
  child.exited = new Promise((done) => child.once('close', done));
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

/** Resolves once `server` listens on 127.0.0.1:`port`; rejects if the port is taken. */
function listen(server, listenPort, what) {
  return new Promise((done, fail) => {
    server.once('error', (error) =>
      fail(new Error(`${what} could not listen on 127.0.0.1:${listenPort}: ${error.message}`)),
    );
    server.listen(listenPort, '127.0.0.1', () => {
      servers.push(server);
      done();
    });
  });
}

/**
 * The relay's uplink: a TCP gate that forwards to the cloud while up. Cutting it resets every
 * open connection and every new one, as a dead internet line fails fast.
 */
async function startUplinkGate() {
  const open = new Set();
  let down = false;
  const reset = (socket) => {
    // Not connected yet (the cloud side of a fresh pair): a reset is not possible, only a close.
    if (socket.connecting || socket.destroyed) socket.destroy();
    else socket.resetAndDestroy();
  };
  const server = createTcpServer((device) => {
    if (down) return reset(device);
    const cloud = connect(CLOUD_PORT, '127.0.0.1');
    const pair = [device, cloud];
    for (const socket of pair) {
      open.add(socket);
      socket.on('error', () => {
        for (const s of pair) s.destroy();
      });
      socket.once('close', () => {
        open.delete(socket);
        for (const s of pair) s.destroy();
      });
    }
    device.pipe(cloud);
    cloud.pipe(device);
  });
  await listen(server, UPLINK_PORT, 'the uplink gate');
  return {
    get down() {
      return down;
    },
    cut() {
      down = true;
      for (const socket of open) reset(socket);
      open.clear();
    },
    restore() {
      down = false;
    },
  };
}

/**
 * GET `url` and its JSON, or undefined when it does not answer 200 within a second. HTTPS
 * trusts the relay's venue CA only (Node's fetch takes no CA of its own).
 */
function getJson(url) {
  if (!url.startsWith('https:')) {
    return fetch(url, { signal: AbortSignal.timeout(1000) })
      .then((res) => (res.ok ? res.json() : undefined))
      .catch(() => undefined);
  }
  if (!existsSync(caFile)) return Promise.resolve(undefined);
  const ca = readFileSync(caFile, 'utf8');
  return new Promise((done) => {
    const req = httpsRequest(url, { ca, timeout: 1000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        text += chunk;
      });
      res.on('end', () => {
        try {
          done(res.statusCode === 200 ? JSON.parse(text) : undefined);
        } catch {
          done(undefined);
        }
      });
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => done(undefined));
    req.end();
  });
}

async function waitForHealth(url, name) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    // Not up yet (connection refused, timed out, no CA yet): try again until the deadline.
    if (await getJson(`${url}/healthz`)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the ${name} did not answer /healthz within 30 s`);
}

function relayHealth() {
  return getJson(`${relayUrl}/healthz`);
}

/**
 * A device credential for the demo's own calls to the cloud: staff sign in only on a paired
 * device (decision 034), so the demo pairs one with a setup code, as an operator does.
 */
async function pairedCredential() {
  const pair = spawnSync(bun, ['cloud/pair.ts', '--venue', 'demo-bistro', '--tenant', 'demo'], {
    cwd: root,
    env: { ...process.env, HEARTH_DATA_DIR: join(dataDir, 'cloud'), PORT: String(CLOUD_PORT) },
    encoding: 'utf8',
  });
  const code = /#code=([\w.-]+)/.exec(pair.stdout ?? '')?.[1];
  if (pair.status !== 0 || !code) throw new Error(`no setup pairing code: ${pair.stderr}`);
  const paired = await fetch(`${cloudUrl}/v1/devices/pair`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ code, deviceId: 'demo-start-script', name: 'Demo start script' }),
  });
  const secret = /hearth_device=([^;]+)/.exec(paired.headers.get('set-cookie') ?? '')?.[1];
  if (!paired.ok || !secret)
    throw new Error(`pairing the demo's device failed: ${paired.status} ${await paired.text()}`);
  return secret;
}

/**
 * A one-time setup link for the demo's floor tablet (staff sign in only on a paired device),
 * signed by the relay's own key: `bun relay/main.ts pair`, as an operator runs it.
 */
function floorTabletLink(relayEnv) {
  const run = spawnSync(
    bun,
    ['relay/main.ts', 'pair', '--role', 'floor', '--origin', relayPublicUrl],
    {
      cwd: root,
      env: { ...process.env, ...relayEnv },
      encoding: 'utf8',
    },
  );
  return (
    /(\S+\/pair#code=\S+)/.exec(run.stdout ?? '')?.[1] ?? `none (${(run.stderr ?? '').trim()})`
  );
}

async function enrollmentToken() {
  const signIn = await fetch(`${cloudUrl}/v1/auth/staff`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Hearth-Device': await pairedCredential() },
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
let rawKeys = false;
let gate;
let watchTimer;
async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  if (rawKeys) process.stdin.setRawMode(false);
  process.stdin.pause();
  clearTimeout(watchTimer);
  for (const child of children) child.kill('SIGTERM');
  const forced = setTimeout(() => {
    for (const child of children) child.kill('SIGKILL');
  }, 10_000);
  forced.unref();
  await Promise.all(children.map((child) => child.exited));
  for (const server of servers) server.close();
  process.exit(code);
}
process.on('SIGINT', () => shutdown(0));
process.on('SIGTERM', () => shutdown(0));

// ---- the outage, and what the relay does through it ----

/** 'outage' while the uplink is down, 'restoring' until the relay has reconciled, else idle. */
let phase = 'idle';

/** Times in UTC, as the relay's /healthz gives them. */
const clock = () => new Date().toISOString().slice(11, 19);
function describe(health) {
  if (!health) return 'the relay does not answer /healthz';
  const since = health.connectivitySince ? health.connectivitySince.slice(11, 19) : '?';
  return (
    `relay ${health.connectivity} (since ${since}) · journal ${health.journalDepth} ` +
    `op${health.journalDepth === 1 ? '' : 's'} not in the cloud yet · ` +
    `${health.connectedDevices} device${health.connectedDevices === 1 ? '' : 's'} live`
  );
}

async function watch() {
  watchTimer = undefined;
  if (stopping || phase === 'idle') return;
  const health = await relayHealth();
  console.log(`[demo ${clock()}] uplink ${gate.down ? 'down' : 'up'} · ${describe(health)}`);
  if (
    phase === 'restoring' &&
    health &&
    (health.connectivity === 'online' || health.connectivity === 'recovered') &&
    health.journalDepth === 0
  ) {
    phase = 'idle';
    console.log(`[demo ${clock()}] reconciled: the cloud has everything the venue did offline`);
    return;
  }
  // While restoring, a shorter beat: reconciliation usually takes a moment, not minutes.
  if (!stopping) watchTimer = setTimeout(watch, phase === 'restoring' ? 1000 : STATUS_MS);
}

function outage() {
  if (gate.down) return 'the uplink is already down';
  gate.cut();
  phase = 'outage';
  clearTimeout(watchTimer);
  watchTimer = setTimeout(watch, 0);
  return 'uplink cut: the relay now serves the venue alone (r or npm run restore brings it back)';
}

function restore() {
  if (!gate.down) return 'the uplink is already up';
  gate.restore();
  phase = 'restoring';
  clearTimeout(watchTimer);
  watchTimer = setTimeout(watch, 0);
  return 'uplink restored: the relay reconciles its journal with the cloud';
}

async function startControl() {
  const server = createHttpServer(async (req, res) => {
    const send = (status, body) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(`${JSON.stringify(body)}\n`);
    };
    if (req.method === 'POST' && (req.url === '/outage' || req.url === '/restore')) {
      const message = req.url === '/outage' ? outage() : restore();
      console.log(`[demo ${clock()}] ${message}`);
      return send(200, { uplink: gate.down ? 'down' : 'up', message });
    }
    if (req.method === 'GET' && req.url === '/status') {
      return send(200, { uplink: gate.down ? 'down' : 'up', relay: (await relayHealth()) ?? null });
    }
    send(404, { message: 'POST /outage, POST /restore or GET /status' });
  });
  await listen(server, CONTROL_PORT, 'the demo control port');
}

function listenForKeys() {
  if (!process.stdin.isTTY) return;
  process.stdin.setRawMode(true);
  rawKeys = true;
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (key) => {
    // Raw mode: Ctrl-C arrives as a key, not as SIGINT.
    if (key === 'q' || key === '\u0003') return shutdown(0);
    if (key === 'o') console.log(`[demo ${clock()}] ${outage()}`);
    if (key === 'r') console.log(`[demo ${clock()}] ${restore()}`);
  });
}

try {
  start('processor', 'server/payments/test-processor/main.ts', {
    HEARTH_PROCESSOR_PORT: String(PROCESSOR_PORT),
    HEARTH_PROCESSOR_SECRET: processor.HEARTH_PROCESSOR_SECRET,
    HEARTH_PROCESSOR_WEBHOOK_URL: `${cloudUrl}/v1/payments/processor-events`,
  });
  await waitForHealth(processorUrl, 'test processor');
  start('cloud', 'cloud/main.ts', {
    PORT: String(CLOUD_PORT),
    HEARTH_DATA_DIR: join(dataDir, 'cloud'),
    HEARTH_WEB_DIR: './web/dist',
    ...processor,
  });
  await waitForHealth(cloudUrl, 'cloud');
  gate = await startUplinkGate();
  const enrolled = existsSync(join(dataDir, 'relay', 'relay-identity.json'));
  const relayEnv = {
    PORT: String(RELAY_PORT),
    HEARTH_DATA_DIR: join(dataDir, 'relay'),
    HEARTH_CLOUD_URL: uplinkUrl,
    HEARTH_WEB_DIR: './web/dist',
    ...processor,
    ...(PLAIN ? { HEARTH_PLAIN_HTTP: '1' } : { HEARTH_ONBOARDING_PORT: String(ONBOARDING_PORT) }),
  };
  if (!enrolled) relayEnv.HEARTH_ENROLL_TOKEN = await enrollmentToken();
  start('relay', 'relay/main.ts', relayEnv);
  await waitForHealth(relayUrl, 'relay');
  const pairLink = floorTabletLink(relayEnv);
  await startControl();
  listenForKeys();
  const keys = process.stdin.isTTY
    ? '  The outage     o cuts the uplink · r restores it · q quits   (keys, here)\n                '
    : '  The outage    ';
  console.log(`
  Hearth demo venue "Demo Bistro" (venue id demo-bistro) is running.

  cloud origin   ${cloudUrl}      (API document: ${cloudUrl}/openapi.json)
  venue relay    ${relayPublicUrl}     (the same API on the venue LAN; works with the cloud down)
  its uplink     ${uplinkUrl}      (the relay's line to the cloud, cut on demand)
  card payments  ${processorUrl}      (test processor: test cards only; script it with
                 curl -X POST ${processorUrl}/_control/script -d '{"networkDown":true}')
${
  PLAIN
    ? '  HTTPS          off (HEARTH_PLAIN_HTTP=1): only this machine gets the offline outbox'
    : `  Onboarding     ${onboardingUrl}   (trust the venue CA on a device, then open the relay)
                 CA file ${caFile}`
}

  The app        ${relayPublicUrl}/ops/ · /kitchen/ · /guest/?table=5   (installable PWA)
  Guests (cloud) http://localhost:${CLOUD_PORT}/guest/?venue=demo-bistro&table=5   (mobile data)

  Pair a tablet  ${pairLink}
                 (open it on the floor tablet first: staff sign in only on a paired device;
                 single use, 10 minutes; a manager pairs more in Floor › Devices)
  Staff PINs     server 1111 · kitchen 2222 · manager 3333 · owner 4444
  Guest tables   1 … 12         (POST /v1/auth/guest {"venueId":"demo-bistro","table":"5"})

  Try it: curl -s ${PLAIN ? '' : `--cacert ${caFile} `}${relayPublicUrl}/v1/auth/guest -H 'content-type: application/json' \\
            -d '{"venueId":"demo-bistro","table":"5"}'      (staff PINs need a paired device)

${keys} npm run outage · npm run restore      (from another terminal)

  Data lives in ${dataDir} (delete it to start over). Ctrl-C stops everything.
`);
} catch (error) {
  console.error(`npm start failed: ${error instanceof Error ? error.message : String(error)}`);
  shutdown(1);
}
