import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type Browser, chromium, type Page } from 'playwright-core';
import { type CloudProcess, startCloud } from '../e2e/support/processes.ts';
import {
  buildWeb,
  CHROMIUM,
  CHROMIUM_ARGS,
  WEB_DIST,
  webDistIsStale,
} from '../e2e/support/web-build.ts';
import { guardRun } from '../support/run-guard.ts';
import { quickOr, reportFigures } from './bench-figures.ts';
import { percentile } from './bench-stats.ts';
import { textTable } from './text-table.ts';

// The guest app's figures, each beside its target. A script, not a test:
//   npm run bench:guest        (or: npx bun tests/bench/guest-bench.ts)
//
//   (1) cold start from the service worker's cache with the network off → menu painted: a real
//       cloud serving web/dist, the guest page opened once online (signed in, menu cached), then
//       the browser offline and every service worker stopped before each load (the page loaded
//       again in its tab); the time from navigation start to the page's `hearth:menu-painted`
//       mark. Beside it, from the same browser and run, a blank page's load in a tab of its own
//       (an empty `data:` document: the browser's floor for any navigation)
//   (2) the JavaScript fetched before the menu painted, gzip -9: every script resource the page
//       had received before the mark (entry, preloads and lazy chunks alike), read from web/dist

/** Under `npm run bench` (HEARTH_BENCH_QUICK=1) fewer loads. */
const RUNS = { loads: quickOr(40, 25), warmups: 5 } as const;
const TARGET = { coldStartP50Ms: 300, jsGzipBytes: 35 * 1024 } as const;
const VIEWPORT = { width: 390, height: 844 } as const;
const DEADLINE_MS = 5 * 60_000;
const MARK = 'hearth:menu-painted';
const TABLE = '5';

const began = performance.now();
/** Progress on stderr, so the table on stdout stays clean. */
const progress = (what: string) =>
  console.error(`bench: ${((performance.now() - began) / 1000).toFixed(1)} s ${what}`);

const ms = (n: number) => `${n.toFixed(0)} ms`;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const yes = (ok: boolean) => (ok ? 'yes' : 'NO');

/** The menu-painted mark's time after navigation start, once the page has set it. */
async function menuPaintedAt(page: Page): Promise<number> {
  await page.waitForFunction(
    (mark) => performance.getEntriesByName(mark, 'mark').length > 0,
    MARK,
    { timeout: 15_000 },
  );
  return page.evaluate(
    (mark) => performance.getEntriesByName(mark, 'mark')[0]?.startTime ?? Number.NaN,
    MARK,
  );
}

/** Script resources received before the mark, as paths under web/dist. */
async function scriptsBeforeMark(page: Page): Promise<string[]> {
  return page.evaluate((mark) => {
    const at = performance.getEntriesByName(mark, 'mark')[0]?.startTime ?? Infinity;
    return performance
      .getEntriesByType('resource')
      .filter(
        (r) =>
          (r as unknown as { responseEnd: number }).responseEnd <= at &&
          new URL(r.name).pathname.endsWith('.js'),
      )
      .map((r) => new URL(r.name).pathname);
  }, MARK);
}

interface ColdStart {
  readonly menu: number[];
  readonly blank: number[];
  readonly scripts: string[];
}

async function coldStarts(browser: Browser, cloud: CloudProcess): Promise<ColdStart> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  try {
    const page = await context.newPage();
    const url = `${cloud.url}/guest/?venue=demo-bistro&table=${TABLE}`;
    await page.goto(url);
    await page.waitForFunction('navigator.serviceWorker.ready.then(() => true)');
    // The first load ran before the worker controlled the page: load once more under it, so
    // the session, the menu's cache and the precache are all in place before going offline.
    await page.reload();
    await page.waitForFunction('navigator.serviceWorker.controller !== null');
    await menuPaintedAt(page);
    const cdp = await context.newCDPSession(page);
    // The blank page has its own tab: going between a data: document and the venue's origin
    // in one tab would start a renderer process each way, and measure that instead.
    const blankPage = await context.newPage();
    await context.setOffline(true);
    const menu: number[] = [];
    const blank: number[] = [];
    let scripts: string[] = [];
    for (let run = 0; run < RUNS.warmups + RUNS.loads; run += 1) {
      // Cold: no worker running, so each load starts the service worker from nothing.
      await cdp.send('ServiceWorker.enable');
      await cdp.send('ServiceWorker.stopAllWorkers');
      await page.goto(url);
      const painted = await menuPaintedAt(page);
      if (run === RUNS.warmups) scripts = await scriptsBeforeMark(page);
      await blankPage.goto(`data:text/html,<!doctype html><title>blank ${run}</title>`);
      await blankPage.waitForFunction(
        "performance.getEntriesByType('navigation')[0]?.loadEventEnd > 0",
      );
      const loaded = Number(
        await blankPage.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd"),
      );
      if (run < RUNS.warmups) continue;
      menu.push(painted);
      blank.push(loaded);
    }
    return { menu, blank, scripts };
  } finally {
    await context.close();
  }
}

function gzipOf(paths: readonly string[]): { file: string; gzip: number }[] {
  return [...new Set(paths)].map((path) => ({
    file: path,
    gzip: gzipSync(readFileSync(join(WEB_DIST, path.replace(/^\//, ''))), { level: 9 }).length,
  }));
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'hearth-guest-bench-'));
  let cloud: CloudProcess | undefined;
  let browser: Browser | undefined;
  const stop = async () => {
    await browser?.close().catch(() => undefined);
    await cloud?.kill9().catch(() => undefined);
    rmSync(root, { recursive: true, force: true });
  };
  const disarm = guardRun('bench', DEADLINE_MS, stop);
  try {
    if (webDistIsStale()) {
      progress('building web/dist');
      await buildWeb();
    }
    cloud = await startCloud({ dataDir: root, env: { HEARTH_WEB_DIR: WEB_DIST } });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS] });
    const userAgent = String(await (await browser.newPage()).evaluate('navigator.userAgent'));
    progress(`(1) ${RUNS.loads} cold starts offline`);
    const cold = await coldStarts(browser, cloud);
    const js = gzipOf(cold.scripts);
    const jsSum = js.reduce((total, f) => total + f.gzip, 0);
    const p50 = percentile(cold.menu, 50);
    const rows = [
      [
        '(1) cold start offline → menu painted',
        `p50 ${ms(p50)}`,
        `≤ ${TARGET.coldStartP50Ms} ms`,
        yes(p50 <= TARGET.coldStartP50Ms),
        `${cold.menu.length} loads at ${VIEWPORT.width}×${VIEWPORT.height}, service workers stopped before each: p90 ${ms(percentile(cold.menu, 90))}, max ${ms(Math.max(...cold.menu))}`,
      ],
      [
        '    blank page, same run',
        `p50 ${ms(percentile(cold.blank, 50))}`,
        '',
        '',
        `an empty data: document, navigation start → load end: p90 ${ms(percentile(cold.blank, 90))}`,
      ],
      [
        '(2) JS before the menu paints, gz -9',
        kb(jsSum),
        `≤ ${kb(TARGET.jsGzipBytes)}`,
        yes(jsSum > 0 && jsSum <= TARGET.jsGzipBytes),
        `${jsSum.toLocaleString('en-US')} B in ${js.length} files: ${js.map((f) => `${f.file} ${f.gzip.toLocaleString('en-US')} B`).join(', ')}`,
      ],
    ];
    console.log(
      `hearth guest app bench — ${navigator.hardwareConcurrency} cores (load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(
          ' ',
        )}), Bun ${Bun.version}, ${userAgent.match(/HeadlessChrome\/[\d.]+/)?.[0] ?? 'Chromium'}`,
    );
    console.log(textTable(['measure', 'result', 'target', 'met', 'note'], rows));
    reportFigures('guest', [
      {
        id: 'guest.cold-start-p50',
        label: 'Cold start offline → menu painted (p50)',
        value: p50,
        unit: 'ms',
        better: 'lower',
        target: { op: '<=', value: TARGET.coldStartP50Ms },
        ceilingOf: 'guest.blank-p50',
      },
      {
        id: 'guest.cold-start-p90',
        label: 'Cold start offline → menu painted (p90)',
        value: percentile(cold.menu, 90),
        unit: 'ms',
        better: 'lower',
        ceilingOf: 'guest.blank-p90',
      },
      {
        id: 'guest.blank-p50',
        label: 'peer: an empty page loaded in the same browser (p50)',
        value: percentile(cold.blank, 50),
        unit: 'ms',
        better: 'lower',
      },
      {
        id: 'guest.blank-p90',
        label: 'peer: an empty page loaded (p90)',
        value: percentile(cold.blank, 90),
        unit: 'ms',
        better: 'lower',
      },
      {
        id: 'guest.js-gzip',
        label: 'JS received before the menu paints, gzip -9',
        value: jsSum,
        unit: 'B',
        better: 'lower',
        target: { op: '<=', value: TARGET.jsGzipBytes },
      },
    ]);
  } finally {
    disarm();
    await stop();
  }
}

await main();
