import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Snapshot } from '#protocol';
import { waitFor } from '../support/wait-for.ts';
import { CloudClient } from './support/cloud-client.ts';
import { type CloudProcess, startCloud, stopAllChildren } from './support/processes.ts';
import {
  call,
  describeHttp,
  getJson,
  json,
  type RelayProcess,
  signIn,
  startRelay,
  stopAllRelays,
  venuePath,
} from './support/relay-process.ts';

// Both servers as real processes, the relay enrolled straight to the cloud (no proxy), so the
// cloud's origin is the one the relay derives from its cloud URL (decision 029).

const PUBLIC_ORIGIN = 'https://guests.hearth.example';
const FOREIGN = 'https://evil.example';

let root: string;
let cloud: CloudProcess;
let relay: RelayProcess;
const tokens = { cloud: '', relay: '' };

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'hearth-e2e-origin-'));
  cloud = await startCloud({
    dataDir: join(root, 'cloud'),
    env: { HEARTH_PUBLIC_ORIGIN: PUBLIC_ORIGIN, HEARTH_WEB_DIR: join(root, 'no-web') },
  });
  // At the cloud, staff sign in on a paired tablet (decision 034).
  const tablet = await CloudClient.paired(cloud.url, cloud.keysFile);
  tokens.cloud = await tablet.signIn('manager');
  const node = await call(`${cloud.url}${venuePath('/edge/nodes')}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${tokens.cloud}` },
    body: JSON.stringify({ name: 'origin e2e relay' }),
  });
  if (node.status !== 201) throw new Error(`create edge node: ${describeHttp(node)}`);
  relay = await startRelay({
    cloudUrl: cloud.url,
    dataDir: join(root, 'relay'),
    enrollToken: json<{ enrollmentToken: string }>(node).enrollmentToken,
  });
  // Sign-in on the relay answers RELAY_STARTING until it holds the staff list (and
  // DEVICE_NOT_PAIRED until the cloud's feed brings it the tablet).
  tokens.relay = await waitFor(
    'a relay sign-in',
    () => signIn(relay.url, 'manager', tablet.device?.header),
    {
      timeoutMs: 15_000,
      intervalMs: 100,
    },
  );
}, 60_000);

afterAll(async () => {
  await relay?.stop().catch(() => undefined);
  await cloud?.stop().catch(() => undefined);
  await stopAllRelays();
  await stopAllChildren();
  if (root) rmSync(root, { recursive: true, force: true });
});

/** Opens the live socket with `origin` (none when undefined): 101, or the refusal's status and body. */
async function openLive(
  base: string,
  token: string,
  origin: string | undefined,
): Promise<{ status: number; body: string }> {
  const { cursor } = await getJson<Snapshot>(`${base}${venuePath('/snapshot')}`, token);
  const url = `${base.replace(/^http/, 'ws')}${venuePath(`/live?${new URLSearchParams({ cursor })}`)}`;
  const ws = new WebSocket(url, ['hearth.v1', `bearer.${token}`], {
    ...(origin === undefined ? {} : { origin }),
  });
  try {
    return await new Promise((resolve, reject) => {
      ws.once('upgrade', (res) => resolve({ status: res.statusCode ?? 0, body: '' }));
      ws.once('unexpected-response', (_, res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (chunk: string) => {
          body += chunk;
        });
        res.once('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      ws.once('error', (error) => reject(error));
    });
  } finally {
    ws.terminate();
  }
}

describe.each([
  ['cloud', () => cloud.url, () => tokens.cloud],
  ['relay', () => relay.url, () => tokens.relay],
])('the %s’s live socket', (_, base, token) => {
  it('refuses a foreign Origin with 403 ORIGIN_NOT_ALLOWED before the upgrade', async () => {
    const refused = await openLive(base(), token(), FOREIGN);
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body)).toMatchObject({
      status: 403,
      code: 'ORIGIN_NOT_ALLOWED',
      kind: 'stop',
    });
  });

  it('upgrades its own origin and a client sending no Origin', async () => {
    expect((await openLive(base(), token(), base())).status).toBe(101);
    expect((await openLive(base(), token(), undefined)).status).toBe(101);
  });
});

describe('the cloud’s origin', () => {
  it('may open the cloud’s live socket (HEARTH_PUBLIC_ORIGIN) and the relay’s', async () => {
    expect((await openLive(cloud.url, tokens.cloud, PUBLIC_ORIGIN)).status).toBe(101);
    expect((await openLive(relay.url, tokens.relay, cloud.url)).status).toBe(101);
  });
});

const preflight = (origin: string) => ({
  method: 'OPTIONS',
  headers: {
    Origin: origin,
    'Access-Control-Request-Method': 'POST',
    'Access-Control-Request-Headers': 'authorization,content-type,idempotency-key',
    'Access-Control-Request-Private-Network': 'true',
  },
});
const corsHeaders = (headers: Headers) =>
  [...headers.keys()].filter((k) => k.startsWith('access-control-'));

describe('CORS and Private Network Access', () => {
  it('the relay allows the cloud’s origin, Private Network Access included', async () => {
    const res = await call(`${relay.url}/v1/auth/staff`, preflight(cloud.url));
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(cloud.url);
    expect(res.headers.get('access-control-allow-private-network')).toBe('true');
    expect(res.headers.get('access-control-allow-headers')).toContain('Idempotency-Key');
  });

  it('the relay gives another origin no CORS header', async () => {
    const res = await call(`${relay.url}/v1/auth/staff`, preflight(FOREIGN));
    expect(res.status).toBe(404);
    expect(corsHeaders(res.headers)).toEqual([]);
  });

  it('the cloud answers CORS for its public origin only, never `*`', async () => {
    const allowed = await call(`${cloud.url}/v1/auth/staff`, preflight(PUBLIC_ORIGIN));
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(PUBLIC_ORIGIN);
    const other = await call(`${cloud.url}/healthz`, { headers: { Origin: FOREIGN } });
    expect(other.status).toBe(200);
    expect(corsHeaders(other.headers)).toEqual([]);
  });
});
