import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Problem, type TokenResponse } from '#protocol';
import { startFaultProxy } from '../faults/fault-proxy.ts';
import {
  call,
  describeHttp,
  json,
  PINS,
  pairAtRelay,
  REQUEST_TIMEOUT_MS,
  startRelay,
  VENUE,
  type VenueHarness,
  venueHarness,
  venuePath,
} from './support/relay-process.ts';

// A relay that comes back from a power cut while the cloud is down signs staff in at once
// from the staff list it kept on disk: no "Wrong PIN" while it waits for the cloud. One that
// never received a list says it is starting, and counts no wrong guess.

const HEARTBEAT = `POST ${venuePath('/edge/heartbeat')}`;
const STAFF_LIST = `GET ${venuePath('/edge/staff')}`;
/** How long a wait for the relay's next uplink request may take: a bound, not a latency claim. */
const POLL = { timeout: REQUEST_TIMEOUT_MS, interval: 20 };

/** A staff sign-in at `url` on the paired device whose header is `device`. */
const signInAt = (url: string, pin: string, device: Readonly<Record<string, string>>) =>
  call(`${url}/v1/auth/staff`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...device },
    body: JSON.stringify({ venueId: VENUE, pin }),
  });

let h: VenueHarness;

beforeAll(async () => {
  h = await venueHarness();
}, 60_000);

afterAll(async () => {
  await h?.close();
});

describe('a relay that never received the staff list', () => {
  it('answers "starting" with Retry-After, counts no guess, and decides once the list arrives', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'hearth-e2e-relay-new-'));
    const proxy = await startFaultProxy({ target: { host: '127.0.0.1', port: h.cloud.port } });
    try {
      const node = await call(`${h.cloud.url}${venuePath('/edge/nodes')}`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Authorization: `Bearer ${h.cloudTokens.manager}`,
        },
        body: JSON.stringify({ name: 'e2e relay, new' }),
      });
      expect(node.status, describeHttp(node)).toBe(201);
      // The cloud is reachable but the staff list never arrives, then the uplink goes down.
      proxy.failRequests([STAFF_LIST]);
      const relay = await startRelay({
        cloudUrl: proxy.url,
        dataDir,
        enrollToken: json<{ enrollmentToken: string }>(node).enrollmentToken,
      });
      await relay.waitForConnectivity(['online', 'recovered'], 15_000);
      await vi.waitFor(
        () =>
          expect(proxy.stats().requests[STAFF_LIST] ?? 0, 'staff list fetches').toBeGreaterThan(0),
        POLL,
      );
      proxy.cut();
      await relay.waitForConnectivity('offline_local', 15_000);
      // Paired with the relay's setup command, which works with the uplink down.
      const tablet = (await pairAtRelay(relay, 'tablet-new-relay')).header;

      // More tries than the wrong-PIN limit of one address (10 a minute).
      for (let i = 0; i < 12; i++) {
        const starting = await signInAt(relay.url, PINS.server, tablet);
        expect(starting.status, describeHttp(starting)).toBe(503);
        expect(starting.headers.get('retry-after')).toBe('2');
        expect(Problem.parse(json(starting))).toMatchObject({
          code: 'RELAY_STARTING',
          kind: 'retry_later',
        });
      }

      // The list is stored before the heartbeat of the same round (none got through so far).
      expect(proxy.stats().requests[HEARTBEAT] ?? 0).toBe(0);
      proxy.restore();
      await vi.waitFor(
        () => expect(proxy.stats().requests[HEARTBEAT] ?? 0, 'heartbeats').toBeGreaterThan(0),
        POLL,
      );
      proxy.cut();
      await relay.waitForConnectivity('offline_local', 15_000);
      const signedIn = await signInAt(relay.url, PINS.server, tablet);
      expect(signedIn.status, describeHttp(signedIn)).toBe(200);
      await relay.kill9();
    } finally {
      await proxy.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('relay restarted with the cloud down', () => {
  it('takes a PIN at once from the staff list it kept', async () => {
    // The uplink stores the staff list before the heartbeat of the same round: a heartbeat at
    // the cloud means the list is on the relay's disk.
    await vi.waitFor(
      () => expect(h.proxy.stats().requests[HEARTBEAT] ?? 0, 'heartbeats').toBeGreaterThan(0),
      POLL,
    );

    await h.relay.kill9();
    await h.cloud.kill9();
    const relay = await h.restartRelay();

    const signIn = await signInAt(relay.url, PINS.server, h.tablet.header);
    expect(signIn.status, describeHttp(signIn)).toBe(200);
    const { token, principal } = json<TokenResponse>(signIn);
    expect(principal).toMatchObject({ kind: 'staff', venueId: VENUE, role: 'server' });
    // Decided by the relay itself: the cloud is gone, and the relay says it is offline.
    expect((await relay.health()).connectivity).toBe('offline_local');

    const snapshot = await call(`${relay.url}${venuePath('/snapshot')}`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(snapshot.status, describeHttp(snapshot)).toBe(200);
  }, 60_000);
});
