import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { newUlid, type OpResult } from '#protocol';
import { pairWithCloud } from './support/cloud-client.ts';
import { findFreePort } from './support/processes.ts';
import {
  call,
  describeHttp,
  type Http,
  httpsCall,
  json,
  PINS,
  type RelayHealth,
  venueOp,
  venuePath,
} from './support/relay-process.ts';

// `npm start`'s demo as a user runs it: scripts/start.mjs on free ports (the cloud, the relay,
// the relay's uplink gate, the control port), the uplink cut and restored with
// scripts/demo-control.mjs (what `npm run outage` / `npm run restore` run), and the relay seen
// going offline, taking an op on its own, and reconciling its journal to empty. The relay
// serves HTTPS with its venue CA, as at a venue: the test trusts that CA and nothing else.

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const STATE_WITHIN_MS = 20_000;

let demo: ChildProcess;
let output = '';
let dataDir: string;
const ports = { cloud: 0, relay: 0, uplink: 0, control: 0, onboarding: 0 };
const relayUrl = () => `https://127.0.0.1:${ports.relay}`;
const caFile = () => join(dataDir, 'relay', 'tls', 'venue-ca.crt');
/** A request to the relay from a device that trusts the venue CA. */
const relayCall = (path: string, init: Parameters<typeof httpsCall>[2] = {}): Promise<Http> =>
  httpsCall(`${relayUrl()}${path}`, readFileSync(caFile(), 'utf8'), init);
const env = () => ({
  ...process.env,
  HEARTH_CLOUD_PORT: String(ports.cloud),
  HEARTH_RELAY_PORT: String(ports.relay),
  HEARTH_UPLINK_PORT: String(ports.uplink),
  HEARTH_CONTROL_PORT: String(ports.control),
  HEARTH_ONBOARDING_PORT: String(ports.onboarding),
  HEARTH_DEMO_DIR: dataDir,
  HEARTH_DEMO_STATUS_MS: '500',
  // The relay notices the cut and the return within a second.
  HEARTH_PROBE_INTERVAL_MS: '200',
});

function control(command: 'outage' | 'restore'): { status: number | null; stdout: string } {
  const run = spawnSync(process.execPath, ['scripts/demo-control.mjs', command], {
    cwd: REPO_ROOT,
    env: env(),
    encoding: 'utf8',
    timeout: 10_000,
  });
  return { status: run.status, stdout: run.stdout };
}

async function health(): Promise<RelayHealth | undefined> {
  if (!existsSync(caFile())) return undefined;
  const http = await relayCall('/healthz').catch(() => undefined);
  return http?.status === 200 ? json<RelayHealth>(http) : undefined;
}

async function waitForHealth(
  what: string,
  check: (h: RelayHealth) => boolean,
): Promise<RelayHealth> {
  let last: RelayHealth | undefined;
  await vi
    .waitFor(
      async () => {
        last = await health();
        expect(last !== undefined && check(last), what).toBe(true);
      },
      { timeout: STATE_WITHIN_MS, interval: 50 },
    )
    .catch((error: unknown) => {
      throw new Error(`${String(error)} (last /healthz: ${JSON.stringify(last)})\n${output}`);
    });
  return last as RelayHealth;
}

const demoLines = () => output.split('\n').filter((line) => line.startsWith('[demo '));

describe('npm start: the demo venue with an uplink to cut', () => {
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'hearth-e2e-demo-'));
    const taken = new Set<number>();
    for (const name of Object.keys(ports) as (keyof typeof ports)[]) {
      // Listeners closed one after another: the OS could hand the same port out twice.
      do ports[name] = await findFreePort();
      while (taken.has(ports[name]));
      taken.add(ports[name]);
    }
    demo = spawn(process.execPath, ['scripts/start.mjs'], {
      cwd: REPO_ROOT,
      env: env(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [demo.stdout, demo.stderr])
      stream?.setEncoding('utf8').on('data', (chunk: string) => {
        output += chunk;
      });
    // Up once the banner is printed; a script that gave up (a child failed to start) fails now.
    const gaveUp = new Promise<never>((_, reject) =>
      demo.once('exit', (code, signal) =>
        reject(new Error(`scripts/start.mjs exited (${signal ?? code}) before the banner`)),
      ),
    );
    gaveUp.catch(() => undefined);
    await Promise.race([
      vi.waitFor(() => expect(output.includes('is running'), 'the demo banner').toBe(true), {
        timeout: 60_000,
        interval: 50,
      }),
      gaveUp,
    ]).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${output}`);
    });
  }, 90_000);

  afterAll(async () => {
    if (demo.exitCode === null && demo.signalCode === null) {
      const exited = new Promise((resolve) => demo.once('exit', resolve));
      demo.kill('SIGTERM');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  }, 30_000);

  it('serves HTTPS with the venue CA and says where devices get it', async () => {
    const healthz = await health();
    expect(healthz).toMatchObject({ tls: { mode: 'venue-ca', notAfter: expect.any(String) } });
    expect(output).toContain(`https://localhost:${ports.relay}/`);
    expect(output).toContain(`http://localhost:${ports.onboarding}/`);
    const page = await call(`http://127.0.0.1:${ports.onboarding}/`);
    expect(page.status, describeHttp(page)).toBe(200);
    expect(page.text).toContain('<svg');
  });

  it('prints a setup link that pairs the floor tablet at the relay, once', async () => {
    const link = new RegExp(`https://localhost:${ports.relay}/pair#code=([\\w.-]+)`).exec(output);
    expect(link, output).not.toBeNull();
    const pair = () =>
      relayCall('/v1/devices/pair', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ code: link?.[1], deviceId: 'demo-floor-tablet', name: 'Floor' }),
      });
    const first = await pair();
    expect(first.status, describeHttp(first)).toBe(201);
    expect((await pair()).status).toBe(409);
  });

  it('cut: the relay goes offline and takes an op locally; restored: its journal settles to 0', async () => {
    await waitForHealth('the relay online', (h) =>
      ['online', 'recovered'].includes(h.connectivity),
    );
    // A tablet paired with the demo venue (decision 034), signed in on while online once the
    // relay knows it from the cloud's feed, so the relay can check it alone after the cut.
    const cloudUrl = `http://127.0.0.1:${ports.cloud}`;
    const tablet = await pairWithCloud(cloudUrl, join(dataDir, 'cloud', 'keys.json'));
    const signInOnTablet = () =>
      relayCall('/v1/auth/staff', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...tablet.header },
        body: JSON.stringify({ venueId: 'demo-bistro', pin: PINS.server }),
      });
    await vi.waitFor(async () => expect((await signInOnTablet()).status).toBe(200), {
      timeout: STATE_WITHIN_MS,
      interval: 100,
    });

    const cut = control('outage');
    expect(cut.status, cut.stdout).toBe(0);
    expect(cut.stdout).toContain('uplink cut');
    await waitForHealth('the relay offline', (h) => h.connectivity === 'offline_local');

    const signIn = await signInOnTablet();
    expect(signIn.status, describeHttp(signIn)).toBe(200);
    const { token } = json<{ token: string }>(signIn);
    const op = await venueOp(
      'order.create',
      {
        orderId: newUlid(),
        tableId: 'table-3',
        guestCount: 2,
        lines: [{ lineId: newUlid(), itemId: 'espresso', quantity: 1 }],
      },
      'demo-e2e-tablet',
      'demo-server',
    );
    const posted = await relayCall(venuePath('/ops'), {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Authorization: `Bearer ${token}`,
        'Idempotency-Key': op.opId,
      },
      body: JSON.stringify(op),
    });
    expect(posted.status, describeHttp(posted)).toBe(202);
    expect(json<OpResult>(posted).status).toBe('accepted_local');
    await waitForHealth('the op in the journal', (h) => h.journalDepth >= 1);
    // The demo says what the relay is doing while the uplink is down.
    await vi.waitFor(
      () =>
        expect(
          demoLines().some((l) => l.includes('uplink down') && /journal [1-9]/.test(l)),
          'a status line naming the waiting op',
        ).toBe(true),
      { timeout: STATE_WITHIN_MS, interval: 50 },
    );

    const back = control('restore');
    expect(back.status, back.stdout).toBe(0);
    expect(back.stdout).toContain('uplink restored');
    const settled = await waitForHealth(
      'the relay reconciled',
      (h) => ['online', 'recovered'].includes(h.connectivity) && h.journalDepth === 0,
    );
    expect(settled.journalDepth).toBe(0);
    await vi.waitFor(
      () =>
        expect(
          demoLines().some((l) => l.includes('reconciled')),
          'the demo saying it reconciled',
        ).toBe(true),
      { timeout: STATE_WITHIN_MS, interval: 50 },
    );

    // The op reached the cloud: asked there (on the same tablet), it is applied.
    const cloudSignIn = await call(`${cloudUrl}/v1/auth/staff`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...tablet.header },
      body: JSON.stringify({ venueId: 'demo-bistro', pin: PINS.manager }),
    });
    const cloudToken = json<{ token: string }>(cloudSignIn).token;
    const atCloud = await call(`http://127.0.0.1:${ports.cloud}${venuePath(`/ops/${op.opId}`)}`, {
      headers: { Authorization: `Bearer ${cloudToken}` },
    });
    expect(atCloud.status, describeHttp(atCloud)).toBe(200);
    expect(json<OpResult>(atCloud).status).toBe('applied');
  }, 90_000);

  it('stops the cloud and the relay on SIGTERM and exits 0', async () => {
    const exited = new Promise<number | null>((resolve) =>
      demo.once('exit', (code) => resolve(code)),
    );
    demo.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toContain('relay stopping');
  }, 30_000);
});
