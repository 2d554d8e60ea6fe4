import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureVenueDay } from '../venue-day/fixture.ts';
import { chartsOf, reportHtml, writeReport } from '../venue-day/report.ts';
import { CHROMIUM, CHROMIUM_ARGS } from './support/web-build.ts';

// The venue-day report written from a made-up day: five real PNG charts (drawn with uPlot in
// Chromium), a page that says in words whether the day held, its tables, and no axe finding.

const CHARTS = [
  'ops-per-minute.png',
  'latency.png',
  'depths.png',
  'connectivity.png',
  'replay.png',
];

/** A PNG's width and height, read from its signature and IHDR chunk (not the report's reader). */
function pngHeader(file: string): { width: number; height: number } {
  const bytes = readFileSync(file);
  expect(bytes.subarray(0, 8).toString('hex'), `${basename(file)} is a PNG`).toBe(
    '89504e470d0a1a0a',
  );
  expect(bytes.subarray(12, 16).toString('latin1')).toBe('IHDR');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

describe('the venue-day report', () => {
  const result = fixtureVenueDay();
  let dir: string;
  let written: { html: string; pngs: string[] };
  let writeMs: number;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hearth-venue-day-report-'));
    const started = performance.now();
    written = await writeReport(result, join(dir, 'venue-day-2026-12-07'));
    writeMs = performance.now() - started;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [...CHROMIUM_ARGS],
      timeout: 60_000,
    });
    page = await browser.newPage();
    await page.goto(pathToFileURL(written.html).href);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('writes index.html, result.json and five PNG charts of about 1200×420', () => {
    console.log(`report written in ${Math.round(writeMs)} ms`);
    const out = join(dir, 'venue-day-2026-12-07');
    expect(written.html).toBe(join(out, 'index.html'));
    expect(written.pngs.map((png) => basename(png))).toEqual(CHARTS);
    expect(JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'))).toEqual(result);
    for (const png of written.pngs) {
      const { width, height } = pngHeader(png);
      expect(width, basename(png)).toBeGreaterThanOrEqual(1100);
      expect(width, basename(png)).toBeLessThanOrEqual(1300);
      expect(height, basename(png)).toBeGreaterThanOrEqual(300);
      expect(height, basename(png)).toBeLessThanOrEqual(560);
      // A blank canvas compresses to a few kB; a drawn chart with text does not.
      expect(statSync(png).size, basename(png)).toBeGreaterThan(15_000);
    }
  });

  it('says the day held, and lists every check with its count', async () => {
    expect(await page.locator('#verdict').textContent()).toContain('Every check held');
    const rows = await page.locator('#invariants tbody tr').allTextContents();
    expect(rows).toHaveLength(result.invariants.length);
    result.invariants.forEach((invariant, i) => {
      expect(rows[i]).toContain(invariant.name);
      expect(rows[i]).toContain(`${invariant.value}held`);
      expect(rows[i]).toContain(invariant.means);
    });
  });

  it('shows the money formatted in its currency, and the day’s totals', async () => {
    const text = (id: string) => page.locator(`#${id} td`).textContent();
    expect(await text('money-checks')).toBe('€15,234.50');
    expect(await text('money-report')).toBe('€15,234.50 — agrees with the closed checks');
    expect(await text('money-cash')).toBe('€3,120.40');
    expect(await text('money-card')).toBe('€12,114.10');
    expect(await text('money-tips')).toBe('€1,412.75');
    const numbers = await page.locator('#numbers').textContent();
    expect(numbers).toContain('306');
    expect(numbers).toContain('4 (1 floor, 2 kitchen, 1 guest)');
  });

  it('has a row per outage with clock times, ops made meanwhile and replay time', async () => {
    const rows = await page
      .locator('#outages tbody tr')
      .evaluateAll((trs) =>
        trs.map((tr) => [...tr.querySelectorAll('th, td')].map((cell) => cell.textContent)),
      );
    expect(rows).toEqual([
      [
        'Wi-Fi blip',
        'Wi-Fi (devices ↔ relay)',
        '19:05–19:05:45',
        '45 s',
        expect.any(String),
        '2.4 s',
      ],
      [
        'WAN down at the payment peak',
        'WAN (relay ↔ cloud)',
        '19:40–19:52',
        '12 min',
        expect.any(String),
        '12 s',
      ],
      [
        'Overnight',
        'WAN (relay ↔ cloud)',
        '21:30 → 09:00 next day',
        '11 h 30 min',
        expect.any(String),
        '46 s',
      ],
    ]);
    for (const [i, outage] of result.outages.entries())
      expect(rows[i]?.[4]).toBe(outage.opsDuring.toLocaleString('en-GB'));
  });

  it('shows each chart as an image of its written PNG, with alt text and a caption', async () => {
    // No DOM types here: an <img> as far as this test reads it.
    interface Img {
      readonly alt: string;
      readonly complete: boolean;
      readonly naturalWidth: number;
      getAttribute(name: string): string | null;
      closest(selector: string): {
        querySelector(selector: string): { textContent: string | null } | null;
      } | null;
    }
    const images = await page.locator('figure img').evaluateAll((imgs) =>
      (imgs as unknown as Img[]).map((img) => ({
        src: img.getAttribute('src') ?? '',
        alt: img.alt,
        loaded: img.complete && img.naturalWidth > 0,
        caption: img.closest('figure')?.querySelector('figcaption')?.textContent ?? '',
      })),
    );
    expect(images.map((image) => image.src)).toEqual(CHARTS);
    // The night with no op is drawn shortened on the time charts, and their captions say so.
    expect(images[0]?.caption).toContain('The quiet night, 00:00–08:00, is drawn shortened');
    for (const image of images) {
      expect(existsSync(join(dir, 'venue-day-2026-12-07', image.src)), image.src).toBe(true);
      expect(image.loaded, image.src).toBe(true);
      expect(image.alt.length, image.src).toBeGreaterThan(40);
      expect(image.caption.length, image.src).toBeGreaterThan(40);
    }
    // Self-contained: nothing is fetched from the network.
    expect(readFileSync(written.html, 'utf8')).not.toMatch(/(src|href)="(https?:)?\/\//);
  });

  it('passes axe', async () => {
    await page.evaluate(
      readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8'),
    );
    const axe: { passes: number; violations: string[] } = await page.evaluate(`axe.run('html')
      .then((results) => ({
        passes: results.passes.length,
        violations: results.violations.map((v) => v.id + ' (' + v.nodes.length + '): ' + v.help),
      }))`);
    expect(axe.passes, 'axe checked something').toBeGreaterThan(0);
    expect(axe.violations, axe.violations.join('\n')).toEqual([]);
  }, 30_000);

  it('says which checks failed, in red, and an outage never replayed', () => {
    const failing = fixtureVenueDay({ failing: true, neverReplayed: true });
    const html = reportHtml(failing, chartsOf(failing), new Map());
    expect(html).not.toContain('Every check held');
    expect(html).toMatch(
      /<div class="verdict failed" id="verdict"><p><strong>The day did not hold: 1 of 5 checks failed<\/strong> — ops duplicated \(2\)/,
    );
    expect(html).toMatch(
      /<tr class="failed"><th scope="row">ops duplicated<\/th><td class="num">2<\/td><td class="bad">FAILED<\/td>/,
    );
    expect(html).toContain('<li>floor-3 op 01JF…A7 order.item.add ×2</li>');
    expect(html).toMatch(/21:30 → 09:00 next day<\/td>.*<td class="num bad">never<\/td><\/tr>/);
  });
});
