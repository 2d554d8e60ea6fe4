import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VENUE } from '../support/kitchen-orders.ts';
import { CloudClient } from './support/cloud-client.ts';
import { type CloudProcess, startCloud, stopAllChildren } from './support/processes.ts';
import {
  BUILD_TIMEOUT_MS,
  buildWeb,
  CHROMIUM,
  CHROMIUM_ARGS,
  WEB_DIST,
  webDistIsStale,
} from './support/web-build.ts';

// A guest on mobile data: the guest app and its service worker come from the cloud's origin
// (`bun cloud/main.ts` serving the built web/dist), opened in Debian's Chromium.

const STEP_TIMEOUT_MS = 20_000;
const GUEST_PATH = `/guest/?venue=${VENUE}&table=5`;

describe('the guest app from the cloud’s origin, in Chromium', () => {
  let dataDir: string;
  let cloud: CloudProcess;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (webDistIsStale()) await buildWeb();
    dataDir = mkdtempSync(join(tmpdir(), 'hearth-e2e-cloud-web-'));
    cloud = await startCloud({ dataDir, env: { HEARTH_WEB_DIR: WEB_DIST } });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [...CHROMIUM_ARGS],
      timeout: 60_000,
    });
    context = await browser.newContext();
    page = await context.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    page.on('pageerror', (error) => pageErrors.push(error.message));
  }, BUILD_TIMEOUT_MS + 60_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await cloud?.stop();
    await stopAllChildren();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('serves the worker no-cache and hashed assets immutable, both with ETags', async () => {
    const worker = await fetch(`${cloud.url}/sw.js`);
    expect(worker.status).toBe(200);
    expect(worker.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(worker.headers.get('cache-control')).toBe('no-cache');
    const etag = worker.headers.get('etag') ?? '';
    expect(etag).not.toBe('');
    const again = await fetch(`${cloud.url}/sw.js`, { headers: { 'If-None-Match': etag } });
    expect(again.status).toBe(304);

    const html = await (await fetch(`${cloud.url}${GUEST_PATH}`)).text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script, html).toBeDefined();
    const asset = await fetch(`${cloud.url}${script}`);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');

    const api = await fetch(`${cloud.url}/v1/no-such-route`);
    expect(api.status).toBe(404);
    expect(api.headers.get('content-type')).toBe('application/problem+json');
  });

  it('opens the guest page, and its service worker takes control on the cloud’s origin', async () => {
    await page.goto(`${cloud.url}${GUEST_PATH}`);
    await page.waitForFunction('navigator.serviceWorker.ready.then(() => true)');
    // The worker claims open pages on activation; a reload covers a worker that did not yet.
    if (!(await page.evaluate('navigator.serviceWorker.controller !== null'))) await page.reload();
    await page.waitForFunction('navigator.serviceWorker.controller !== null');
    expect(await page.evaluate('navigator.serviceWorker.controller.scriptURL')).toBe(
      `${cloud.url}/sw.js`,
    );
  }, 60_000);

  it('opens table 5 from the URL alone and orders through the outbox to the cloud', async () => {
    await page.goto(`${cloud.url}${GUEST_PATH}`);
    await page.waitForFunction('navigator.serviceWorker.controller !== null');
    await page.locator('hearth-guest-page header', { hasText: 'Table 5' }).waitFor();
    await page
      .locator('hearth-resilience-banner [role="status"]', { hasText: 'Connected to the cloud' })
      .waitFor();
    await page.locator('[data-item="fries"]').click();
    await page.locator('hearth-item-sheet button.add').click();
    await page.locator('hearth-guest-basket button.place').click();
    // Sent, then on the table's tab as the feed brings it back.
    await page.locator('hearth-guest-status [data-order] li', { hasText: 'Fries' }).waitFor();
    // At the cloud, staff sign in on a paired tablet (decision 034).
    const manager = await (await CloudClient.paired(cloud.url, cloud.keysFile)).signIn('manager');
    const snapshot = await fetch(`${cloud.url}/v1/venues/${VENUE}/snapshot?scopes=order`, {
      headers: { Authorization: `Bearer ${manager}` },
    });
    expect(snapshot.status, await snapshot.clone().text()).toBe(200);
    const { records } = (await snapshot.json()) as {
      records: { entity: string; data: { tableId?: string; source?: string } }[];
    };
    const orders = records.filter((r) => r.entity === 'order' && r.data.tableId === 'table-5');
    expect(orders.map((r) => r.data.source)).toEqual(['guest']);
    expect(pageErrors).toEqual([]);
  }, 60_000);
});
