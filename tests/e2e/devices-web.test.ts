import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importCloudKeys, loadKeysFile } from '../../cloud/auth/keys.ts';
import { setupPairingCode } from '../../cloud/devices/setup-code.ts';
import { TENANT, VENUE } from '../support/kitchen-orders.ts';
import { waitFor } from '../support/wait-for.ts';
import { PINS } from './support/cloud-client.ts';
import { enterPin, showView, signIn } from './support/floor-steps.ts';
import { type CloudProcess, startCloud, stopAllChildren } from './support/processes.ts';
import {
  BUILD_TIMEOUT_MS,
  buildWeb,
  CHROMIUM,
  CHROMIUM_ARGS,
  WEB_DIST,
  webDistIsStale,
} from './support/web-build.ts';

// Paired devices as a venue's staff meet them, in Chromium against a real cloud serving the
// built app: the operator's setup link pairs the manager's tablet through the pair page; the
// manager's Devices view lists it, shows a kitchen display's pairing code whose link pairs a
// second browser, and revokes that display through the outbox; an unpaired browser's PIN is
// refused as a device to pair, not as a wrong PIN.

const STEP_TIMEOUT_MS = 20_000;

describe('pairing and revoking devices on the floor app, in Chromium', () => {
  let dataDir: string;
  let cloud: CloudProcess;
  let browser: Browser;
  let tablet: Page;
  let kitchen: Page;
  let kitchenId = '';
  const pageErrors: string[] = [];

  async function newPage(): Promise<Page> {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    return page;
  }

  const deviceRow = (name: string) =>
    tablet.locator('hearth-floor-devices li[data-device]', {
      hasText: name,
    });

  beforeAll(async () => {
    if (webDistIsStale()) await buildWeb();
    dataDir = mkdtempSync(join(tmpdir(), 'hearth-e2e-devices-web-'));
    cloud = await startCloud({ dataDir, env: { HEARTH_WEB_DIR: WEB_DIST } });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [...CHROMIUM_ARGS],
      timeout: 60_000,
    });
  }, BUILD_TIMEOUT_MS + 60_000);

  afterAll(async () => {
    await browser?.close();
    await cloud?.stop();
    await stopAllChildren();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('a setup link pairs the manager’s tablet through the pair page; then the PIN signs in', async () => {
    const keys = await importCloudKeys(await loadKeysFile(cloud.keysFile));
    const { pairUrl } = await setupPairingCode(keys.signer, {
      tenantId: TENANT,
      venueId: VENUE,
      role: 'floor',
      origin: cloud.url,
      nowMs: Date.now(),
    });
    tablet = await newPage();
    await tablet.goto(pairUrl);
    const name = tablet.locator('hearth-pair-page input[name="device-name"]');
    expect(await name.inputValue()).toBe('Floor tablet');
    // The one-time code is gone from the address bar.
    expect(new URL(tablet.url()).hash).toBe('');
    await name.fill('Manager tablet');
    await tablet.locator('hearth-pair-page [data-action="pair"]').click();
    await tablet
      .locator('hearth-pair-page [data-message]', { hasText: 'This tablet is now paired' })
      .waitFor();
    // The credential is an HttpOnly cookie: the page cannot read it.
    expect(await tablet.evaluate('document.cookie')).not.toContain('hearth_device');
    await tablet.waitForURL(`${cloud.url}/ops/`);
    await signIn(tablet, PINS.manager);
  }, 60_000);

  it('the Devices view lists the tablet; a kitchen display’s code pairs a second browser', async () => {
    await showView(tablet, 'devices');
    await deviceRow('Manager tablet').locator('[data-status]', { hasText: 'Paired' }).waitFor();
    // The local view's row may come first ("unknown"); the server's list says when.
    await deviceRow('Manager tablet').locator('[data-seen]', { hasText: 'just now' }).waitFor();

    await tablet.locator('hearth-floor-devices [data-pair="kitchen"]').click();
    await tablet.locator('hearth-floor-devices [data-qr] svg').waitFor();
    const countdown = await tablet.locator('hearth-floor-devices [data-countdown]').textContent();
    expect(countdown).toMatch(/^(10:00|9:[0-5]\d)$/);
    const link =
      (await tablet.locator('hearth-floor-devices [data-link]').getAttribute('href')) ?? '';
    expect(link.startsWith(`${cloud.url}/pair#code=`)).toBe(true);

    kitchen = await newPage();
    await kitchen.goto(link);
    expect(await kitchen.locator('hearth-pair-page input[name="device-name"]').inputValue()).toBe(
      'Kitchen display',
    );
    await kitchen.locator('hearth-pair-page [data-action="pair"]').click();
    await kitchen.waitForURL(`${cloud.url}/kitchen/`);

    // The same code again is refused as used.
    const again = await newPage();
    await again.goto(link);
    await again.locator('hearth-pair-page [data-action="pair"]').click();
    await again
      .locator('hearth-pair-page [data-message]', { hasText: 'already been used' })
      .waitFor();

    await tablet.locator('hearth-floor-devices [data-action="done"]').click();
    await deviceRow('Kitchen display').waitFor();
    kitchenId = (await deviceRow('Kitchen display').getAttribute('data-device')) ?? '';
    expect(kitchenId).not.toBe('');
  }, 60_000);

  it('Revoke, confirmed: device.revoke reaches the cloud, and the display can sign no one in', async () => {
    // Before: the display signs the cook in.
    const before = await kitchen.evaluate(
      (pin) =>
        fetch('/v1/auth/staff', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          credentials: 'same-origin',
          body: JSON.stringify({ venueId: 'demo-bistro', pin }),
        }).then((r) => r.status),
      PINS.kitchen,
    );
    expect(before).toBe(200);
    // A cook signed in on the display, its cache live from the cloud.
    await kitchen
      .locator('hearth-kitchen-page hearth-sign-in-form input[name="pin"]')
      .fill(PINS.kitchen);
    await kitchen.locator('hearth-kitchen-page hearth-sign-in-form button[type="submit"]').click();
    await kitchen.locator('hearth-kitchen-page [data-station]').first().waitFor();

    await tablet.locator(`hearth-floor-devices [data-revoke="${kitchenId}"]`).click();
    await tablet
      .locator('hearth-floor-devices dialog', { hasText: 'Revoke Kitchen display?' })
      .waitFor();
    await tablet.locator('hearth-floor-devices [data-action="confirm-revoke"]').click();
    await deviceRow('Kitchen display').locator('[data-status]', { hasText: 'Revoked' }).waitFor();
    // Synced: the op's words go once the cloud has it; the list then says revoked itself.
    await waitFor(
      'the revoke synced',
      async () => (await deviceRow('Kitchen display').locator('[data-sync]').count()) === 0,
    );
    await tablet.locator('hearth-floor-devices [data-action="refresh"]').click();
    await deviceRow('Kitchen display').locator('[data-status]', { hasText: 'Revoked' }).waitFor();

    const after = await kitchen.evaluate(
      (pin) =>
        fetch('/v1/auth/staff', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          credentials: 'same-origin',
          body: JSON.stringify({ venueId: 'demo-bistro', pin }),
        }).then(async (r) => ({
          status: r.status,
          code: ((await r.json()) as { code?: string }).code,
        })),
      PINS.kitchen,
    );
    expect(after).toEqual({ status: 403, code: 'DEVICE_REVOKED' });

    // The display heard it (its live socket closed 4401): the cook is signed out, and it says why.
    const form = kitchen.locator('hearth-kitchen-page hearth-sign-in-form');
    await form
      .locator('[role="alert"]', { hasText: 'removed from the venue by a manager' })
      .waitFor();
    await form.locator('[data-device-problem="DEVICE_REVOKED"]').waitFor();
  }, 60_000);

  it('a pairing link opened offline opens the pair page, which says pairing needs a connection', async () => {
    const keys = await importCloudKeys(await loadKeysFile(cloud.keysFile));
    const { pairUrl } = await setupPairingCode(keys.signer, {
      tenantId: TENANT,
      venueId: VENUE,
      role: 'floor',
      origin: cloud.url,
      nowMs: Date.now(),
    });
    // The tablet's browser keeps the app: its service worker serves the pair page's shell.
    await tablet.waitForFunction('navigator.serviceWorker.controller !== null');
    const context = tablet.context();
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await context.setOffline(true);
    try {
      await page.goto(pairUrl);
      expect(await page.title()).toBe('Hearth — pair this device');
      await page.locator('hearth-pair-page [data-action="pair"]').click();
      await page
        .locator('hearth-pair-page [data-message]', { hasText: 'No connection to the venue' })
        .waitFor();
    } finally {
      await context.setOffline(false);
      await page.close();
    }
  }, 60_000);

  it('an unpaired browser’s PIN pad says the device is not paired and how to pair it', async () => {
    const stranger = await newPage();
    await stranger.goto(`${cloud.url}/ops/`);
    await enterPin(stranger, PINS.manager);
    const status = stranger.locator('hearth-pin-pad [data-status]');
    await stranger.locator('hearth-pin-pad [data-device-problem="DEVICE_NOT_PAIRED"]').waitFor();
    expect(await status.textContent()).toMatch(/not paired/i);
    expect(await status.textContent()).not.toMatch(/wrong/i);
    expect(pageErrors).toEqual([]);
  }, 60_000);
});
