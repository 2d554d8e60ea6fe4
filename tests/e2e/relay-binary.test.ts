import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import makeMdns from 'multicast-dns';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CloudClient } from './support/cloud-client.ts';
import { type CloudProcess, findFreePort, startCloud } from './support/processes.ts';
import { type Http, httpsCall } from './support/relay-process.ts';

// The relay as it is installed: the compiled binary from `npm run build:relay`, run from a
// directory with no checkout in it. It must serve the PWA it carries, with its caching headers,
// over HTTPS with the venue CA it makes on its first start (the X.509 code compiled in), and
// answer multicast DNS for the name that certificate carries (node:dgram compiled in).

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BINARY = join(REPO_ROOT, 'dist-bin', 'hearth-relay');
const VENUE = 'demo-bistro';

let root: string;
let cloud: CloudProcess | undefined;
let relay: ChildProcess | undefined;
let relayUrl: string;
let output = '';
/** GET from the relay as a device that trusts the venue CA. */
const get = (path: string, headers: Record<string, string> = {}): Promise<Http> =>
  httpsCall(
    `${relayUrl}${path}`,
    readFileSync(join(root, 'relay', 'tls', 'venue-ca.crt'), 'utf8'),
    {
      headers,
    },
  );

beforeAll(async () => {
  const built = spawnSync(process.execPath, ['scripts/build-relay.mjs', 'host'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  if (built.status !== 0) throw new Error(`build:relay failed:\n${built.stdout}\n${built.stderr}`);
  root = mkdtempSync(join(tmpdir(), 'hearth-e2e-binary-'));
  cloud = await startCloud({ dataDir: join(root, 'cloud') });
  // At the cloud, staff sign in on a paired tablet (decision 034).
  const token = await (await CloudClient.paired(cloud.url, cloud.keysFile)).signIn('manager');
  const node = await fetch(`${cloud.url}/v1/venues/${VENUE}/edge/nodes`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify({ name: 'installed relay' }),
  });
  const { enrollmentToken } = (await node.json()) as { enrollmentToken: string };
  const port = await findFreePort();
  relayUrl = `https://127.0.0.1:${port}`;
  const onboardingPort = await findFreePort();
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      (e): e is [string, string] => e[1] !== undefined && !/^(HEARTH_|PORT$)/.test(e[0]),
    ),
  );
  relay = spawn(BINARY, [], {
    cwd: root,
    env: {
      ...env,
      PORT: String(port),
      HEARTH_DATA_DIR: join(root, 'relay'),
      HEARTH_CLOUD_URL: cloud.url,
      HEARTH_ENROLL_TOKEN: enrollmentToken,
      HEARTH_ONBOARDING_PORT: String(onboardingPort),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  relay.stdout?.on('data', (chunk) => {
    output += String(chunk);
  });
  relay.stderr?.on('data', (chunk) => {
    output += String(chunk);
  });
  await vi.waitFor(
    async () => {
      if (relay?.exitCode !== null) throw new Error(`the relay exited:\n${output}`);
      expect((await get('/healthz')).status).toBe(200);
    },
    { timeout: 20_000, interval: 100 },
  );
}, 120_000);

afterAll(async () => {
  relay?.kill('SIGKILL');
  await cloud?.kill9();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('the compiled relay', () => {
  it('serves the PWA it carries: pages, the service worker never cached, hashed assets immutable', async () => {
    const page = await get('/ops/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = page.text;
    expect(html).toContain('<script');

    const sw = await get('/sw.js');
    expect(sw.status).toBe(200);
    expect(sw.headers.get('cache-control')).toBe('no-cache');
    expect(sw.headers.get('etag')).toBeTruthy();
    const etag = sw.headers.get('etag') ?? '';
    const again = await get('/sw.js', { 'If-None-Match': etag });
    expect(again.status).toBe(304);

    const asset = /\/assets\/[^"']+\.js/.exec(html)?.[0];
    if (!asset) throw new Error(`no hashed script in /ops/:\n${html}`);
    const script = await get(asset);
    expect(script.status).toBe(200);
    expect(script.headers.get('cache-control')).toContain('immutable');
  });

  it('still answers an unknown API path with a problem, not the app shell', async () => {
    const res = await get('/v1/no-such-route');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  it('answers multicast DNS for hearth-demo-bistro.local with this machine’s LAN addresses', async () => {
    const name = 'hearth-demo-bistro.local';
    // Its own log line first: another relay of this venue on the machine would answer too.
    await vi.waitFor(
      () => expect(output).toMatch(/"name":"hearth-demo-bistro.local".*"msg":"mdns responder"/),
      { timeout: 5_000 },
    );
    const querier = makeMdns();
    try {
      const answer = new Promise<string[]>((resolve) => {
        setTimeout(() => resolve([]), 5_000);
        querier.on('response', (response) => {
          const records = response.answers.filter(
            (a) => a.name === name && a.type === 'A' && 'ttl' in a && a.ttl !== 0,
          );
          if (records.length > 0)
            resolve(records.map((a) => ('data' in a ? String(a.data) : '')).sort());
        });
      });
      querier.query({ questions: [{ name, type: 'A' }] });
      const lan = Object.values(networkInterfaces())
        .flatMap((list) => list ?? [])
        .filter((info) => info.family === 'IPv4' && !info.internal)
        .map((info) => info.address)
        .sort();
      expect(await answer).toEqual(lan);
    } finally {
      await new Promise<void>((resolve) => querier.destroy(() => resolve()));
    }
  });
});
