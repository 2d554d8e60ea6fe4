import { execFileSync, spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect as tlsConnect } from 'node:tls';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DeviceListing, FeedEntry, FeedPage, Snapshot } from '#protocol';
import { DEFAULT_DRAIN_MS as DRAIN_MS } from '../../relay/tls/tls-listener.ts';
import {
  certificatePem,
  createVenueCa,
  issueServerCertificate,
  privateKeyPem,
  type VenueCa,
  venueMdnsName,
} from '../../relay/tls/venue-ca.ts';
import { type FaultProxy, startFaultProxy } from '../faults/fault-proxy.ts';
import { CloudClient } from './support/cloud-client.ts';
import { opList, orderAndSend, showView, signIn, tiles } from './support/floor-steps.ts';
import { type CloudProcess, startCloud, stopAllChildren } from './support/processes.ts';
import {
  call,
  describeHttp,
  httpsCall,
  json,
  PINS,
  type RelayProcess,
  type RelayTlsMode,
  startRelay,
  stopAllRelays,
  VENUE,
  venuePath,
} from './support/relay-process.ts';
import {
  BUILD_TIMEOUT_MS,
  buildWeb,
  CHROMIUM,
  CHROMIUM_ARGS,
  REPO_ROOT,
  WEB_DIST,
  webDistIsStale,
} from './support/web-build.ts';

// The PWA over the relay's HTTPS as a tablet on the venue's Wi-Fi meets it: Debian's Chromium
// opens the relay at this machine's LAN address (not localhost, which browsers treat as secure
// whatever the scheme), each with a fresh profile and HOME. A profile "trusts the venue CA" the
// way a Linux device does: the CA is added to the NSS database in $HOME/.pki/nssdb with
// certutil (libnss3-tools), which Chromium reads at start.
//
//   Chromium ──▶ relay (HTTPS, serves web/dist) ──▶ fault proxy ──▶ cloud
//
// (a) a trusted profile: the service worker controls the page, Chromium calls it installable,
//     an order made offline waits in the outbox and reaches the relay once when back online;
// (b) an untrusted profile: the HTTPS page fails with a certificate error; the onboarding page
//     on the plain-HTTP port shows the fingerprint, the QR code and the steps, passes axe, and
//     its check says "not trusted"; the trusted profile's check sends it on to HTTPS;
// (c) the operator's certificate files replaced while a device has ops queued: the relay
//     serves the new certificate without a restart and every queued op arrives once;
// (d) plain HTTP (HEARTH_PLAIN_HTTP=1): every screen says offline use is off.

const STEP_TIMEOUT_MS = 20_000;
const POLL = { timeout: STEP_TIMEOUT_MS, interval: 100 } as const;
const MDNS_NAME = venueMdnsName(VENUE);

/**
 * The address other devices reach this machine at: its first non-internal IPv4 address. A
 * machine with none gets the relay's mDNS name, resolved to loopback by Chromium's host rules.
 */
const LAN_IP = Object.values(networkInterfaces())
  .flatMap((list) => list ?? [])
  .find((info) => info.family === 'IPv4' && !info.internal)?.address;
const LAN_HOST = LAN_IP ?? MDNS_NAME;
const HOST_RULES = LAN_IP ? [] : [`--host-resolver-rules=MAP ${MDNS_NAME} 127.0.0.1`];

/** `https://127.0.0.1:<port>` → `https://<LAN host>:<port>`. */
const onLan = (url: string): string => {
  const u = new URL(url);
  u.hostname = LAN_HOST;
  return u.origin;
};

// ---------------------------------------------------------------------------------------------
// Chromium profiles

interface Browser {
  readonly context: BrowserContext;
  readonly page: Page;
  readonly console: string[];
}

const opened: { context: BrowserContext; home: string }[] = [];

/** A fresh Chromium with its own HOME; `trust` (a CA's PEM) goes into its NSS database first. */
async function launch(trust?: string): Promise<Browser> {
  const home = mkdtempSync(join(tmpdir(), 'hearth-https-home-'));
  if (trust !== undefined) {
    const nssdb = `sql:${join(home, '.pki', 'nssdb')}`;
    mkdirSync(join(home, '.pki', 'nssdb'), { recursive: true });
    writeFileSync(join(home, 'venue-ca.crt'), trust);
    execFileSync('certutil', ['-d', nssdb, '-N', '--empty-password']);
    execFileSync('certutil', [
      ...['-d', nssdb, '-A', '-t', 'C,,', '-n', 'hearth-venue'],
      ...['-i', join(home, 'venue-ca.crt')],
    ]);
  }
  const context = await chromium.launchPersistentContext(join(home, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_ARGS, ...HOST_RULES],
    env: { ...process.env, HOME: home },
    timeout: 60_000,
  });
  opened.push({ context, home });
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
  const lines: string[] = [];
  page.on('console', (message) => lines.push(`${message.type()}: ${message.text()}`));
  page.on('pageerror', (error) => lines.push(`pageerror: ${error.message}`));
  return { context, page, console: lines };
}

async function closeBrowsers(): Promise<void> {
  for (const { context, home } of opened.splice(0)) {
    await context.close().catch(() => undefined);
    rmSync(home, { recursive: true, force: true });
  }
}

/** Waits until a service worker controls the page (a reload covers one that claimed late). */
async function controlled(page: Page): Promise<void> {
  await page
    .waitForFunction('navigator.serviceWorker.ready.then(() => true)')
    .catch(async (error: unknown) => {
      // Say where the worker got to: installing (its precache), or no registration at all.
      const state = await page.evaluate(
        `navigator.serviceWorker.getRegistration().then((r) => r ? JSON.stringify({ installing: r.installing && r.installing.state, waiting: Boolean(r.waiting), active: r.active && r.active.state }) : 'none')`,
      );
      throw new Error(`${String(error)}; registration: ${String(state)}`);
    });
  if (!(await page.evaluate('navigator.serviceWorker.controller !== null'))) await page.reload();
  await page.waitForFunction('navigator.serviceWorker.controller !== null');
}

async function bannerText(page: Page): Promise<string> {
  const text = await page.locator('hearth-resilience-banner [role="status"]').textContent();
  return (text ?? '').replace(/\s+/g, ' ').trim();
}

async function noticeText(page: Page): Promise<string> {
  const text = await page.locator('hearth-offline-notice [role="status"]').textContent();
  return (text ?? '').replace(/\s+/g, ' ').trim();
}

/**
 * One read of the page's IndexedDB: every record of `store`, their count, or the record at a
 * key (null when absent). Browser code, as text: this file's tsconfig has no DOM.
 */
function idb<T>(
  page: Page,
  name: string,
  store: string,
  how: 'all' | 'count' | { get: string },
): Promise<T> {
  return page.evaluate(`new Promise((resolve, reject) => {
    const open = indexedDB.open(${JSON.stringify(name)});
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const records = db.transaction(${JSON.stringify(store)}).objectStore(${JSON.stringify(store)});
      const how = ${JSON.stringify(how)};
      const read = how === 'all' ? records.getAll() : how === 'count' ? records.count() : records.get(how.get);
      read.onerror = () => reject(read.error);
      read.onsuccess = () => {
        db.close();
        resolve(read.result ?? null);
      };
    };
  })`) as Promise<T>;
}

/** The page's outbox entries (opId, status). */
async function outboxOf(page: Page): Promise<{ opId: string; status: string }[]> {
  const entries = await idb<{ opId: string; status: string }[]>(
    page,
    'hearth-outbox',
    'ops',
    'all',
  );
  return entries.map(({ opId, status }) => ({ opId, status }));
}

/**
 * Waits until the Sync view shows each op synced. Ops that failed while the device was offline
 * go again when their backoff ends (outbox-due.ts), however soon the network is back: the wait
 * runs until the latest of those times, plus a step.
 */
async function syncedAll(page: Page, opIds: readonly string[]): Promise<void> {
  const entries = await idb<{ opId: string; nextAttemptAt: number }[]>(
    page,
    'hearth-outbox',
    'ops',
    'all',
  );
  const due = Math.max(
    Date.now(),
    ...entries.filter((e) => opIds.includes(e.opId)).map((e) => e.nextAttemptAt),
  );
  for (const opId of opIds) {
    await vi.waitFor(
      async () =>
        expect(
          await page.locator(`hearth-op-list li[data-op="${opId}"]`).getAttribute('data-status'),
        ).toBe('synced'),
      { ...POLL, timeout: due - Date.now() + STEP_TIMEOUT_MS },
    );
  }
}

/** What the page's cache holds: entity buckets, whether a cursor, the device id. */
async function cacheOf(
  page: Page,
): Promise<{ buckets: number; cursor: boolean; deviceId: string | null }> {
  const [buckets, sync, device] = await Promise.all([
    idb<number>(page, 'hearth-cache', 'buckets', 'count'),
    idb<unknown>(page, 'hearth-cache', 'meta', { get: 'sync' }),
    idb<{ deviceId: string } | null>(page, 'hearth-cache', 'meta', { get: 'device' }),
  ]);
  return { buckets, cursor: sync !== null, deviceId: device?.deviceId ?? null };
}

/**
 * axe-core's findings within `selector` (through shadow roots), evaluated in the page: a page's
 * CSP allows no injected script tag.
 */
async function axeOn(
  page: Page,
  selector: string,
): Promise<{ passes: number; violations: string[] }> {
  await page.evaluate(
    readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8'),
  );
  return page.evaluate(`axe.run(${JSON.stringify(selector)}).then((results) => ({
    passes: results.passes.length,
    violations: results.violations.map((v) => v.id + ' (' + v.nodes.length + ')'),
  }))`);
}

/**
 * A one-time setup pairing code for `relay` (`bun relay/main.ts pair`, as an operator runs it
 * on the box), for a device that reaches the relay at `origin`: its /pair#code= link.
 */
function setupPairLink(relay: RelayProcess, origin: string): string {
  const run = spawnSync(
    join(REPO_ROOT, 'node_modules/.bin/bun'),
    ['relay/main.ts', 'pair', '--role', 'floor', '--origin', origin],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, HEARTH_DATA_DIR: relay.dataDir },
      encoding: 'utf8',
      timeout: 15_000,
    },
  );
  const link = /\S+\/pair#code=[\w.-]+/.exec(run.stdout ?? '')?.[0];
  if (!link) throw new Error(`relay pair printed no link (exit ${run.status}): ${run.stderr}`);
  return link;
}

/**
 * Pairs the browser with the relay the way a manager does: its pair page, then Pair; done once
 * the relay lists the install's device (the pairing reaches the relay's view through the
 * cloud's feed while the uplink is up).
 */
async function pairBrowser(
  page: Page,
  relay: RelayProcess,
  origin: string,
  api: RelayApi,
): Promise<void> {
  await page.goto(setupPairLink(relay, origin));
  await page.locator('hearth-pair-page [data-action="pair"]').click();
  await page.locator('hearth-pair-page [data-screen]').waitFor();
  const { deviceId } = await cacheOf(page);
  await vi.waitFor(async () => expect(await api.devices()).toContain(deviceId), POLL);
}

/** Makes `count` orders offline on the floor plan; answers their opIds, each pending. */
async function ordersOffline(page: Page, first: number, count: number): Promise<string[]> {
  for (let i = 0; i < count; i++) await orderAndSend(page, first + i);
  await showView(page, 'sync');
  await expect.poll(() => opList(page).count(), POLL).toBeGreaterThanOrEqual(count);
  const opIds: string[] = [];
  for (const badge of (await opList(page).all()).slice(0, count)) {
    await vi.waitFor(
      async () => expect(await badge.getAttribute('data-status')).toBe('pending'),
      POLL,
    );
    opIds.push((await badge.getAttribute('data-op')) ?? '');
  }
  const queued = await outboxOf(page);
  for (const opId of opIds) expect(queued).toContainEqual({ opId, status: 'pending' });
  return opIds;
}

// ---------------------------------------------------------------------------------------------
// The relay, as the test sees it over TLS

/** A relay behind a fault proxy to the cloud, enrolled, serving the built PWA. */
async function relayWith(tls: RelayTlsMode): Promise<{ relay: RelayProcess; uplink: FaultProxy }> {
  const manager = await cloudTablet.signIn('manager');
  const node = await call(`${cloud.url}${venuePath('/edge/nodes')}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${manager}` },
    body: JSON.stringify({ name: 'https e2e relay' }),
  });
  if (node.status !== 201) throw new Error(`create edge node: ${describeHttp(node)}`);
  const uplink = await startFaultProxy({ target: { host: '127.0.0.1', port: cloud.port } });
  proxies.push(uplink);
  const relay = await startRelay({
    cloudUrl: uplink.url,
    dataDir: mkdtempSync(join(root, 'relay-')),
    enrollToken: json<{ enrollmentToken: string }>(node).enrollmentToken,
    tls,
    env: { HEARTH_WEB_DIR: WEB_DIST },
  });
  await relay.waitForConnectivity(['online', 'recovered'], 15_000);
  return { relay, uplink };
}

type RelayApi = ReturnType<typeof relayApi>;

/** The relay's LAN API with the CA a trusting device has, as a manager on a paired device. */
function relayApi(relay: RelayProcess) {
  const ca = relay.ca() ?? '';
  let token: string | undefined;
  const authorized = async () => {
    if (token) return token;
    const code = setupPairLink(relay, relay.url).split('#code=')[1];
    const paired = await httpsCall(`${relay.url}/v1/devices/pair`, ca, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ code, deviceId: `e2e-https-${Date.now()}`, name: 'E2e script' }),
    });
    const secret = /hearth_device=([^;]+)/.exec(paired.headers.get('set-cookie') ?? '')?.[1];
    if (paired.status !== 201 || !secret)
      throw new Error(`pairing at the relay: ${describeHttp(paired)}`);
    // Paired through the cloud: the relay knows the device once the cloud's feed brings it.
    const http = await vi.waitFor(async () => {
      const answer = await httpsCall(`${relay.url}/v1/auth/staff`, ca, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Hearth-Device': secret },
        body: JSON.stringify({ venueId: VENUE, pin: PINS.manager }),
      });
      expect(answer.text).not.toContain('DEVICE_NOT_PAIRED');
      return answer;
    }, POLL);
    if (http.status !== 200) throw new Error(`sign-in at the relay: ${describeHttp(http)}`);
    token = json<{ token: string }>(http).token;
    return token;
  };
  const get = async <T>(path: string): Promise<T> => {
    const http = await httpsCall(`${relay.url}${venuePath(path)}`, ca, {
      headers: { Authorization: `Bearer ${await authorized()}` },
    });
    if (http.status !== 200) throw new Error(`GET ${path}: ${describeHttp(http)}`);
    return json<T>(http);
  };
  return {
    cursor: async () => (await get<Snapshot>('/snapshot')).cursor,
    /** The ids of the devices the relay lists for the venue. */
    devices: async () => (await get<DeviceListing>('/devices')).devices.map((d) => d.id),
    /** The relay's feed after `cursor`: every entry it wrote since. */
    async feedSince(cursor: string): Promise<FeedEntry[]> {
      const entries: FeedEntry[] = [];
      for (let at = cursor; ; ) {
        const page = await get<FeedPage>(`/feed?${new URLSearchParams({ cursor: at })}`);
        entries.push(...page.entries);
        at = page.cursor;
        if (!page.hasMore) return entries;
      }
    },
  };
}

/**
 * Each op applied at the relay exactly once: it wrote entries, and no entity twice (a second
 * application would write its entities again, as new versions).
 */
function expectOnce(entries: readonly FeedEntry[], opIds: readonly string[]): void {
  for (const opId of opIds) {
    const mine = entries.filter((entry) => entry.opId === opId);
    expect(mine.length, `feed entries of ${opId}`).toBeGreaterThan(0);
    const keys = mine.map((entry) => `${entry.entity}/${entry.id}`);
    expect(new Set(keys).size, `entities written by ${opId}: ${keys.join(', ')}`).toBe(keys.length);
  }
}

/** The serial of the certificate a fresh TLS connection to `port` is shown. */
function servedSerial(port: number, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, ca, servername: 'localhost' }, () => {
      const serial = socket.getPeerCertificate().serialNumber;
      socket.end();
      resolve(serial.toLowerCase());
    });
    socket.setTimeout(5_000, () => socket.destroy(new Error('TLS handshake timed out')));
    socket.once('error', reject);
  });
}

/** An operator's certificate pair from `ca`, for the LAN address and the mDNS name. */
async function operatorLeaf(ca: VenueCa) {
  return issueServerCertificate(ca, {
    dnsNames: [MDNS_NAME],
    ipAddresses: ['127.0.0.1', ...(LAN_IP ? [LAN_IP] : [])],
    now: new Date(),
  });
}

/** Replaces a file the way an operator's tooling should: written beside it, then renamed. */
function replaceFile(path: string, text: string): void {
  writeFileSync(`${path}.new`, text, { mode: 0o600 });
  renameSync(`${path}.new`, path);
}

// ---------------------------------------------------------------------------------------------

let root: string;
let cloud: CloudProcess;
/** A device paired with the cloud, where the test signs in to create each relay's edge node. */
let cloudTablet: CloudClient;
const proxies: FaultProxy[] = [];

describe('the PWA over the relay’s HTTPS, in Chromium', () => {
  beforeAll(async () => {
    if (webDistIsStale()) await buildWeb();
    root = mkdtempSync(join(tmpdir(), 'hearth-e2e-https-'));
    cloud = await startCloud({ dataDir: join(root, 'cloud') });
    cloudTablet = await CloudClient.paired(cloud.url, cloud.keysFile);
  }, BUILD_TIMEOUT_MS + 60_000);

  afterEach(async () => {
    await closeBrowsers();
  }, 30_000);

  afterAll(async () => {
    await closeBrowsers();
    // Processes first, so no relay holds a connection to a proxy being closed; each step
    // bounded, and a stuck one does not keep the others from running.
    for (const step of [
      stopAllRelays,
      stopAllChildren,
      () => Promise.all(proxies.splice(0).map((proxy) => proxy.close())),
    ]) {
      await Promise.race([step().catch(() => undefined), sleep(5_000)]);
    }
    if (root) rmSync(root, { recursive: true, force: true });
  }, 30_000);

  let venueRelay: RelayProcess;

  it('(a) a device that trusts the venue CA: a secure context, installable, the outbox through an outage', async () => {
    ({ relay: venueRelay } = await relayWith('venue-ca'));
    const ca = venueRelay.ca();
    expect(ca, 'the venue CA in the data directory').toBeDefined();
    const origin = onLan(venueRelay.url);
    const { page, context, console: lines } = await launch(ca);

    await page.goto(`${origin}/ops/`);
    expect(await page.evaluate('window.isSecureContext')).toBe(true);
    await controlled(page);
    expect(await page.evaluate('navigator.serviceWorker.controller.scriptURL')).toBe(
      `${origin}/sw.js`,
    );
    expect(await page.locator('hearth-offline-notice').count()).toBe(0);
    const cdp = await context.newCDPSession(page);
    await vi.waitFor(
      async () => {
        const answer = (await cdp.send('Page.getInstallabilityErrors')) as unknown as {
          installabilityErrors: unknown[];
        };
        expect(answer.installabilityErrors, 'installability errors').toEqual([]);
      },
      { timeout: STEP_TIMEOUT_MS, interval: 250 },
    );
    await cdp.detach();

    const api = relayApi(venueRelay);
    const before = await api.cursor();
    // Staff sign in only on a paired device: this one pairs through its pair page.
    await pairBrowser(page, venueRelay, origin, api);
    await page.goto(`${origin}/ops/`);
    await signIn(page, PINS.server);
    await vi.waitFor(
      async () => expect(await bannerText(page)).toMatch(/^Connected to the venue relay/),
      POLL,
    );
    await tiles(page).first().waitFor();

    await context.setOffline(true);
    let opIds: string[];
    try {
      await vi.waitFor(async () => expect(await bannerText(page)).toMatch(/^Offline/), POLL);
      opIds = await ordersOffline(page, 0, 1);
      const meanwhile = await api.feedSince(before);
      for (const opId of opIds) expect(meanwhile.filter((e) => e.opId === opId)).toEqual([]);
    } finally {
      await context.setOffline(false);
    }
    await syncedAll(page, opIds);
    expectOnce(await api.feedSince(before), opIds);
    expect(await outboxOf(page)).not.toContainEqual(expect.objectContaining({ status: 'pending' }));

    // Signing out drops the venue data cached here; the device id and the outbox stay, and a
    // reload shows the PIN pad over an empty cache.
    const synced = await cacheOf(page);
    expect(synced.buckets).toBeGreaterThan(0);
    const outbox = await outboxOf(page);
    await page.locator('hearth-floor-page [data-action="sign-out"]').click();
    await page.locator('hearth-pin-pad [data-sign-in]').waitFor();
    // The pad shows at once; the drop follows (the hydrator stops first).
    await vi.waitFor(async () => expect((await cacheOf(page)).buckets).toBe(0), POLL);
    await page.reload();
    await page.locator('hearth-pin-pad [data-sign-in]').waitFor();
    expect(await cacheOf(page)).toEqual({ buckets: 0, cursor: false, deviceId: synced.deviceId });
    expect(await outboxOf(page)).toEqual(outbox);
    const errors = lines.filter((line) => line.startsWith('pageerror'));
    expect(errors, errors.join('\n')).toEqual([]);
  }, 60_000);

  it('(b) a device that does not trust it: a certificate error, and the onboarding page', async () => {
    const ca = venueRelay.ca() ?? '';
    const origin = onLan(venueRelay.url);
    const onboarding = onLan(venueRelay.onboardingUrl ?? '');
    const { page, context } = await launch();

    const refused = await context.newPage();
    await expect(refused.goto(`${origin}/ops/`)).rejects.toThrow(/ERR_CERT_AUTHORITY_INVALID/);
    await refused.close();

    await page.goto(`${onboarding}/`);
    expect(await page.title()).toBe('Set up this device for Hearth');
    const fingerprint = new X509Certificate(ca).fingerprint256.replaceAll(':', '');
    const shown = (await page.locator('.fingerprint code').textContent()) ?? '';
    expect(shown.replace(/[\s:]/g, '')).toBe(fingerprint);
    await expect.poll(() => page.locator('figure.qr svg').count()).toBe(1);
    expect(
      await page.locator('section[aria-labelledby="trust"] ol li').count(),
    ).toBeGreaterThanOrEqual(3);

    const axeResult = await axeOn(page, 'html');
    expect(axeResult.passes, 'axe checked something').toBeGreaterThan(0);
    expect(axeResult.violations, axeResult.violations.join('\n')).toEqual([]);

    await page.locator('#check-button').click();
    await vi.waitFor(
      async () =>
        expect(await page.locator('#check-result').textContent()).toMatch(
          /does not trust the venue certificate/,
        ),
      POLL,
    );

    // A device that does trust it: the check passes and the page goes on to HTTPS.
    const trusted = await launch(ca);
    await trusted.page.goto(`${onboarding}/`);
    await trusted.page.locator('#check-button').click();
    await trusted.page.waitForURL(`${origin}/`);
    expect(await trusted.page.evaluate('window.isSecureContext')).toBe(true);
  }, 60_000);

  it('(c) the operator’s certificate replaced while a device is connected, then while it has ops queued: served without a restart, every op once', async () => {
    const operatorCa = await createVenueCa({ venueId: 'operator-test', now: new Date() });
    const caPem = certificatePem(operatorCa.certificate);
    const dir = mkdtempSync(join(root, 'operator-'));
    const cert = join(dir, 'server.crt');
    const key = join(dir, 'server.key');
    const first = await operatorLeaf(operatorCa);
    writeFileSync(cert, first.certPem);
    writeFileSync(key, first.keyPem, { mode: 0o600 });
    const { relay } = await relayWith({ cert, key, ca: caPem });
    const firstSerial = first.certificate.serialNumber.toLowerCase();
    expect(await servedSerial(relay.port, caPem)).toBe(firstSerial);

    const origin = onLan(relay.url);
    const { page, context } = await launch(caPem);
    await page.goto(`${origin}/ops/`);
    await controlled(page);
    const api = relayApi(relay);
    const before = await api.cursor();
    await pairBrowser(page, relay, origin, api);
    await page.goto(`${origin}/ops/`);
    await signIn(page, PINS.server);
    await vi.waitFor(
      async () => expect(await bannerText(page)).toMatch(/^Connected to the venue relay/),
      POLL,
    );
    await tiles(page).first().waitFor();

    // Replaced while the page is connected: its live socket stays on the old listener until the
    // drain ends (10 s), is closed (1001), and the page reconnects to the new listener.
    const middle = await operatorLeaf(operatorCa);
    replaceFile(key, await privateKeyPem(middle.privateKey));
    replaceFile(cert, middle.certPem);
    const middleSerial = middle.certificate.serialNumber.toLowerCase();
    await vi.waitFor(
      async () => expect(await servedSerial(relay.port, caPem)).toBe(middleSerial),
      POLL,
    );
    await sleep(DRAIN_MS + 1_000);
    await vi.waitFor(
      async () => expect((await relay.health()).connectedDevices).toBeGreaterThanOrEqual(1),
      POLL,
    );
    await vi.waitFor(
      async () => expect(await bannerText(page)).toMatch(/^Connected to the venue relay/),
      POLL,
    );

    await context.setOffline(true);
    let opIds: string[];
    try {
      opIds = await ordersOffline(page, 0, 2);
      // The new pair, key first: the relay reloads when both have changed and match.
      const second = await operatorLeaf(operatorCa);
      replaceFile(key, await privateKeyPem(second.privateKey));
      replaceFile(cert, second.certPem);
      const secondSerial = second.certificate.serialNumber.toLowerCase();
      await vi.waitFor(
        async () => expect(await servedSerial(relay.port, caPem)).toBe(secondSerial),
        POLL,
      );
      // The same process throughout: one listener swap per new serial, no restart. (The log is
      // written asynchronously: the line may follow the new listener by a moment.)
      expect(relay.exited()).toBe(false);
      await vi.waitFor(() => {
        const rotated = relay.logLines().filter((line) => line.msg === 'tls certificate rotated');
        expect(rotated.map((line) => String(line.serial).toLowerCase())).toEqual([
          middleSerial,
          secondSerial,
        ]);
      }, POLL);
    } finally {
      await context.setOffline(false);
    }
    await syncedAll(page, opIds);
    expectOnce(await api.feedSince(before), opIds);
    // The page reaches the relay again on the new certificate: its socket and its reload.
    await vi.waitFor(
      async () => expect(await bannerText(page)).toMatch(/^Connected to the venue relay/),
      POLL,
    );
    // Its live socket is open again, on the new listener (the old one takes no connection).
    await vi.waitFor(
      async () => expect((await relay.health()).connectedDevices).toBeGreaterThanOrEqual(1),
      POLL,
    );
    await page.reload();
    expect(await page.evaluate('window.isSecureContext')).toBe(true);
  }, 90_000);

  it('(d) plain HTTP on the LAN: the floor, guest, kitchen and home screens say offline use is off', async () => {
    const { relay } = await relayWith('plain');
    const origin = onLan(relay.url);
    const { page } = await launch();
    for (const path of ['/ops/', `/guest/?venue=${VENUE}`, '/kitchen/', '/']) {
      await page.goto(`${origin}${path}`);
      expect(await page.evaluate('window.isSecureContext')).toBe(false);
      await vi.waitFor(
        async () => expect(await noticeText(page)).toMatch(/^Offline use is off on this device/),
        POLL,
      );
      expect(await noticeText(page)).toContain('trust the venue certificate');
    }
    const notice = await axeOn(page, 'hearth-offline-notice');
    expect(notice.passes, 'axe checked the notice').toBeGreaterThan(0);
    expect(notice.violations, notice.violations.join('\n')).toEqual([]);
  }, 60_000);
});
