import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build as esbuild } from 'esbuild';
import { type Browser, chromium, type Page } from 'playwright-core';
import { newUlid, type Operation, Ticket, ticketIdFor } from '#protocol';
import { giveDeviceCookie, type VenueHarness, venueHarness } from '../e2e/support/relay-process.ts';
import {
  buildWeb,
  CHROMIUM,
  CHROMIUM_ARGS,
  REPO_ROOT,
  WEB_DIST,
  webDistIsStale,
} from '../e2e/support/web-build.ts';
import { opAs, post, type Staff, signIn, VENUE } from '../support/kitchen-orders.ts';
import { guardRun } from '../support/run-guard.ts';
import { quickOr, reportFigures } from './bench-figures.ts';
import { percentile } from './bench-stats.ts';
import { textTable } from './text-table.ts';

// The kitchen display's figures, each beside its target. A script, not a test:
//   npm run bench:kds        (or: npx bun tests/bench/kds-bench.ts)
//
//   (1) one ticket update applied and painted with 1,000 tickets on the board: p50/p99 over
//       ≥ 200 updates, <hearth-kds-board> in Chromium (tests/bench/kds-bench/page.js, bundled
//       here with esbuild); beside it, in the same page and run, Lit's floor: a minimal
//       LitElement rendering 1,000 items with `repeat`, one item changed per update
//   (2) op accepted by the relay → card painted on a kitchen display on the LAN: a real cloud,
//       a real relay serving web/dist, a real kitchen page (signed in, grill, live); the time
//       the relay answered the `order.sendToKitchen` POST against the time the page had painted
//       the new card (Date.now() on both sides: one machine, one clock)
//   (3) the display's JavaScript before first paint, gzip -9: the kitchen entry's module script
//       and its modulepreload links in web/dist/kitchen/index.html (the build holds the same
//       budget: scripts/build-web.mjs)

// Under `npm run bench` (HEARTH_BENCH_QUICK=1) fewer updates and sends.
const PAINT = {
  tickets: 1_000,
  updates: quickOr(300, 200),
  warmups: quickOr(30, 20),
  rawItems: 1_000,
} as const;
const LAN = { sends: quickOr(120, 60), warmups: 5, gapMs: 150 } as const;
const TARGET = { paintP99Ms: 8, lanP99Ms: 50, jsGzipBytes: 35 * 1024 } as const;
const VIEWPORT = { width: 1920, height: 1080 } as const;
const DEADLINE_MS = 10 * 60_000;
const STATION_KEY = 'hearth.kitchen.station';

const began = performance.now();
/** Progress on stderr, so the table on stdout stays clean. */
const progress = (what: string) =>
  console.error(`bench: ${((performance.now() - began) / 1000).toFixed(1)} s ${what}`);

// ---------------------------------------------------------------------------------------------
// Figures

const ms = (n: number, digits = 1) => `${n.toFixed(digits)} ms`;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const yes = (ok: boolean) => (ok ? 'yes' : 'NO');

interface Row {
  readonly name: string;
  readonly result: string;
  readonly target: string;
  readonly met: string;
  readonly note: string;
}

function table(rows: readonly Row[]): string {
  return textTable(
    ['measure', 'result', 'target', 'met', 'note'],
    rows.map((r) => [r.name, r.result, r.target, r.met, r.note]),
  );
}

// ---------------------------------------------------------------------------------------------
// (1) fixtures: 1,000 grill tickets of a lunch rush, each checked by the wire schema

const SETTINGS = {
  kitchenTimers: { warnAfterSec: 480, lateAfterSec: 900 },
  stations: [
    { id: 'grill', name: 'Grill' },
    { id: 'fry', name: 'Fry' },
    { id: 'cold', name: 'Cold' },
    { id: 'bar', name: 'Bar' },
  ],
};
const DISHES = [
  { name: 'Bistro burger', modifiers: ['Medium rare', 'Extra cheese'] },
  { name: 'Steak frites', modifiers: ['Medium rare'] },
  { name: 'Half chicken', modifiers: [] },
  { name: 'Grilled salmon', modifiers: [] },
  { name: 'Mushroom risotto', modifiers: [] },
  { name: 'Veggie burger', modifiers: ['Gluten-free bun'] },
  { name: 'Steak frites', modifiers: ['Well done', 'No béarnaise'] },
] as const;
const NOTES = [
  undefined,
  undefined,
  undefined,
  'nut allergy — no croutons',
  'sauce on the side',
  undefined,
  'coeliac',
];
const SERVERS = ['Ana', 'Marco', 'Priya', 'Tom'];

function fixtureTickets(count: number, now: number): Ticket[] {
  return Array.from({ length: count }, (_, i) => {
    const lines = Array.from({ length: 1 + (i % 4) }, (_, j) => {
      const dish = DISHES[(i + j * 3) % DISHES.length] as (typeof DISHES)[number];
      const note = NOTES[(i + j) % NOTES.length];
      return {
        lineId: `l${i}-${j}`,
        name: dish.name,
        quantity: 1 + ((i + j) % 3),
        modifiers: [...dish.modifiers],
        ...(note ? { note } : {}),
      };
    });
    // Fired over the last 20 minutes, oldest first: green, orange and red cards.
    const firedAt = now - 20 * 60_000 + i * 1_200;
    return Ticket.parse({
      id: `bench-${String(i).padStart(4, '0')}-grill`,
      orderId: `order-${String(i).padStart(4, '0')}`,
      tableLabel: String(1 + (i % 12)),
      station: 'grill',
      status: 'queued',
      lines,
      assigneeId: null,
      firedAt: new Date(firedAt).toISOString(),
      startedAt: null,
      readyAt: null,
      bumpedAt: null,
      course: 1,
      covers: 2 + (i % 5),
      server: SERVERS[i % SERVERS.length],
      voidedAt: null,
      attention: null,
      version: 1,
    });
  });
}

async function bundlePage(): Promise<string> {
  const result = await esbuild({
    entryPoints: [join(REPO_ROOT, 'tests/bench/kds-bench/page.js')],
    bundle: true,
    write: false,
    format: 'esm',
    target: 'es2022',
    // Readable names in a profile; minified as the app is otherwise.
    minify: !PROFILE,
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'warning',
    absWorkingDir: REPO_ROOT,
  });
  const code = result.outputFiles[0]?.text;
  if (!code) throw new Error('esbuild produced nothing for the bench page');
  return code;
}

interface Run {
  readonly times: number[];
  readonly applied: number[];
  readonly boardOf: number[];
  readonly inDom: number;
}

/**
 * `HEARTH_BENCH_PROFILE=1`: part (1) alone, its page unminified, with a CPU profile of the
 * board's updates (the top self times on stderr).
 */
const PROFILE = process.env.HEARTH_BENCH_PROFILE === '1';

interface CpuProfile {
  readonly nodes: {
    readonly id: number;
    readonly callFrame: { functionName: string; url: string; lineNumber: number };
  }[];
  readonly samples: number[];
  readonly timeDeltas: number[];
}

function topSelfTime(profile: CpuProfile, count: number): string[] {
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let total = 0;
  for (const [i, id] of profile.samples.entries()) {
    const node = byNode.get(id);
    const dt = profile.timeDeltas[i] ?? 0;
    total += dt;
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const name = `${functionName || '(anonymous)'}${url ? ` ${url.split('/').pop()}:${lineNumber}` : ''}`;
    self.set(name, (self.get(name) ?? 0) + dt);
  }
  return [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, us]) => `${((100 * us) / total).toFixed(1).padStart(5)} %  ${name}`);
}

async function paintBench(browser: Browser): Promise<{ ours: Run; raw: Run }> {
  const page = await browser.newPage({ viewport: VIEWPORT });
  try {
    page.setDefaultTimeout(120_000);
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.setContent(
      '<!doctype html><html><head><meta charset="utf-8"><style>html,body{margin:0;height:100%;background:#101010;font-family:sans-serif}</style></head><body></body></html>',
    );
    await page.addScriptTag({ content: await bundlePage(), type: 'module' });
    await page.waitForFunction('globalThis.kdsBench !== undefined');
    const now = Date.now();
    const tickets = fixtureTickets(PAINT.tickets, now);
    const profiling = PROFILE ? await page.context().newCDPSession(page) : undefined;
    if (profiling) {
      await profiling.send('Profiler.enable');
      await profiling.send('Profiler.setSamplingInterval', { interval: 100 });
      await profiling.send('Profiler.start');
    }
    const ours = (await page.evaluate(
      ([tickets, settings, now, updates, warmups]) =>
        (
          globalThis as unknown as { kdsBench: { ours: (...a: unknown[]) => Promise<Run> } }
        ).kdsBench.ours(tickets, settings, now, updates, warmups),
      [tickets, SETTINGS, now, PAINT.updates, PAINT.warmups] as const,
    )) as Run;
    if (profiling) {
      const { profile } = (await profiling.send('Profiler.stop')) as { profile: CpuProfile };
      console.error(`bench: (1) where <hearth-kds-board>'s time goes (self time, top 15):`);
      for (const line of topSelfTime(profile, 15)) console.error(`  ${line}`);
      await profiling.detach();
    }
    const raw = (await page.evaluate(
      ([count, updates, warmups]) =>
        (
          globalThis as unknown as { kdsBench: { raw: (...a: unknown[]) => Promise<Run> } }
        ).kdsBench.raw(count, updates, warmups),
      [PAINT.rawItems, PAINT.updates, PAINT.warmups] as const,
    )) as Run;
    if (errors.length > 0) throw new Error(`bench page: ${errors.join('; ')}`);
    return { ours, raw };
  } finally {
    await page.close();
  }
}

// ---------------------------------------------------------------------------------------------
// (2) op accepted by the relay → card painted on the LAN

/**
 * In the kitchen page, every frame: each card key new to the board's cards gets `seen` (the
 * frame it first appears in) and, once its <hearth-ticket-card> is in the DOM, `painted`: the
 * time of a macrotask posted from that frame's rAF callback, i.e. after the frame's paint.
 */
const WATCHER = `
window.__kds = { seen: {}, painted: {} };
(() => {
  const known = new Set();
  const waiting = new Set();
  const tick = () => {
    const board = document.querySelector('hearth-kitchen-page')?.shadowRoot?.querySelector('hearth-kds-board');
    if (board) {
      const now = Date.now();
      for (const card of board.board.cards) {
        if (known.has(card.key)) continue;
        known.add(card.key);
        window.__kds.seen[card.key] = now;
        waiting.add(card.key);
      }
      if (waiting.size > 0) {
        const inDom = new Set([...board.shadowRoot.querySelectorAll('hearth-ticket-card')].map((c) => c.card?.key));
        const done = [...waiting].filter((key) => inDom.has(key));
        if (done.length > 0) {
          for (const key of done) waiting.delete(key);
          const channel = new MessageChannel();
          channel.port1.onmessage = () => {
            const at = Date.now();
            for (const key of done) window.__kds.painted[key] = at;
          };
          channel.port2.postMessage(null);
        }
      }
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})();
`;

interface LanResult {
  readonly latencies: number[];
  /** Answer → the card in the board's cards (before its frame was painted). */
  readonly seen: number[];
  /** Answer → the ticket's feed entry at a websocket client of the relay's live feed (Bun). */
  readonly fanOut: number[];
  readonly missing: number;
}

async function createOrders(base: string, server: Staff, count: number): Promise<string[]> {
  const orderIds: string[] = [];
  for (let start = 0; start < count; start += 100) {
    const deviceId = `kds-bench-create-${start}`;
    const ops: Operation[] = [];
    for (let i = start; i < Math.min(count, start + 100); i++) {
      const orderId = newUlid();
      orderIds.push(orderId);
      ops.push(
        await opAs(server, deviceId, 'order.create', {
          orderId,
          tableId: `table-${1 + (i % 12)}`,
          guestCount: 2,
          lines: [
            { lineId: newUlid(), itemId: 'burger', quantity: 1, modifierIds: ['medium-rare'] },
            {
              lineId: newUlid(),
              itemId: 'chicken',
              quantity: 1,
              modifierIds: ['side-fries'],
              note: 'sauce on the side',
            },
          ],
        }),
      );
    }
    const response = await fetch(`${base}/v1/venues/${VENUE}/ops/batch`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${server.token}` },
      body: JSON.stringify({ deviceId, ops }),
      signal: AbortSignal.timeout(30_000),
    });
    const body = (await response.json()) as { results?: { status: string }[] };
    if (!response.ok || body.results?.some((r) => r.status !== 'applied'))
      throw new Error(
        `order.create batch: ${response.status} ${JSON.stringify(body).slice(0, 300)}`,
      );
  }
  return orderIds;
}

async function lanBench(venue: VenueHarness, browser: Browser): Promise<LanResult> {
  const base = venue.relay.url;
  // Staff sign in on the harness's paired tablet, the page on a display given its cookie
  // (decision 034).
  const server = await signIn(base, 'server', venue.tablet.header);
  const kitchen = await signIn(base, 'kitchen', venue.tablet.header);
  const orderIds = await createOrders(base, server, LAN.warmups + LAN.sends);
  await venue.waitSettled(30_000);

  // The pages' CSP (script-src 'self') would refuse the string predicates the bench waits on.
  const context = await browser.newContext({ viewport: VIEWPORT, bypassCSP: true });
  try {
    await giveDeviceCookie(context, base, venue.tablet);
    await context.addInitScript(
      `window.localStorage.setItem(${JSON.stringify(STATION_KEY)}, 'grill');${WATCHER}`,
    );
    const page: Page = await context.newPage();
    page.setDefaultTimeout(60_000);
    page.on('pageerror', (error) => console.error(`kitchen page error: ${error.message}`));
    await page.goto(`${base}/kitchen/`);
    await page.locator('hearth-sign-in-form input[name="pin"]').fill('2222');
    await page.locator('hearth-sign-in-form button[type="submit"]').click();
    await page.waitForFunction(
      `(() => {
        const board = document.querySelector('hearth-kitchen-page')?.shadowRoot?.querySelector('hearth-kds-board');
        return /Live via the venue relay/.test(board?.shadowRoot?.querySelector('.status')?.textContent ?? '');
      })()`,
    );
    // A second subscriber of the relay's live feed, beside the page: when the entry left it.
    const live = await venue.openLive('kitchen', { deviceId: 'kds-bench-listener' });
    const wallOf = (at: number) => performance.timeOrigin + at;
    const latencies: number[] = [];
    const seen: number[] = [];
    const fanOut: number[] = [];
    let missing = 0;
    const device = 'kds-bench-pos';
    for (const [i, orderId] of orderIds.entries()) {
      const send = await opAs(server, device, 'order.sendToKitchen', { orderId });
      await post(base, server, send);
      const answeredAt = Date.now();
      const ticketId = ticketIdFor(send.opId, 'grill');
      const key = `ticket:${ticketId}`;
      const got = await page
        .waitForFunction(
          `(() => { const p = window.__kds.painted[${JSON.stringify(key)}]; return p === undefined ? false : [window.__kds.seen[${JSON.stringify(key)}], p]; })()`,
          undefined,
          { polling: 'raf', timeout: 10_000 },
        )
        .then((handle) => handle.jsonValue() as Promise<[number, number]>)
        .catch(() => undefined);
      if (!got) missing++;
      else if (i >= LAN.warmups) {
        latencies.push(got[1] - answeredAt);
        seen.push(got[0] - answeredAt);
        const heard = live.firstSeen.get(send.opId);
        if (heard !== undefined) fanOut.push(wallOf(heard) - answeredAt);
      }
      // Off the grill's screen again (ready), so new cards land on the page on screen.
      await post(
        base,
        kitchen,
        await opAs(kitchen, 'kds-bench-kitchen', 'ticket.transition', {
          ticketId,
          action: 'ready',
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, LAN.gapMs));
      if ((i + 1) % 20 === 0) progress(`(2) ${i + 1}/${orderIds.length} sends`);
    }
    await live.close();
    return { latencies, seen, fanOut, missing };
  } finally {
    await context.close();
  }
}

// ---------------------------------------------------------------------------------------------
// (3) the display's JavaScript before first paint

function firstPaintJs(): { files: { file: string; bytes: number; gzip: number }[]; sum: number } {
  const html = readFileSync(join(WEB_DIST, 'kitchen/index.html'), 'utf8');
  const paths = [
    ...[...html.matchAll(/<script\b[^>]*type="module"[^>]*\bsrc="([^"]+)"/g)].map((m) => m[1]),
    ...[...html.matchAll(/<link\b[^>]*rel="modulepreload"[^>]*\bhref="([^"]+)"/g)].map((m) => m[1]),
  ].filter((p): p is string => typeof p === 'string');
  if (paths.length === 0) throw new Error('no module script in web/dist/kitchen/index.html');
  const files = paths.map((path) => {
    const bytes = readFileSync(join(WEB_DIST, path.replace(/^\//, '')));
    return { file: path, bytes: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  });
  return { files, sum: files.reduce((total, f) => total + f.gzip, 0) };
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'hearth-kds-bench-'));
  let venue: VenueHarness | undefined;
  let browser: Browser | undefined;
  const stop = async () => {
    await browser?.close().catch(() => undefined);
    await venue?.close().catch(() => undefined);
    rmSync(root, { recursive: true, force: true });
  };
  const disarm = guardRun('bench', DEADLINE_MS, stop);
  try {
    if (webDistIsStale()) {
      progress('building web/dist');
      await buildWeb();
    }
    browser = await chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS] });
    const userAgent = String(await (await browser.newPage()).evaluate('navigator.userAgent'));

    const js = firstPaintJs();
    progress('(1) paint with 1,000 tickets');
    const paint = await paintBench(browser);
    // Profiling is about part (1): part (2) is left out then.
    let lan: LanResult = { latencies: [], seen: [], fanOut: [], missing: 0 };
    if (!PROFILE) {
      progress('(2) relay → display');
      venue = await venueHarness({ relayEnv: { HEARTH_WEB_DIR: WEB_DIST } });
      lan = await lanBench(venue, browser);
    }

    const p = (values: readonly number[], q: number) => percentile(values, q);
    const oursP99 = p(paint.ours.times, 99);
    const lanP99 = p(lan.latencies, 99);
    const rows: Row[] = [
      {
        name: `(1) ticket update painted, ${PAINT.tickets.toLocaleString('en-US')} tickets`,
        result: `p99 ${ms(oursP99)}`,
        target: `≤ ${TARGET.paintP99Ms} ms p99`,
        met: yes(oursP99 <= TARGET.paintP99Ms),
        note: `<hearth-kds-board>, ${paint.ours.times.length} updates: p50 ${ms(p(paint.ours.times, 50))}, max ${ms(Math.max(...paint.ours.times))}; ${paint.ours.inDom} cards in the DOM (one page at ${VIEWPORT.width}×${VIEWPORT.height})`,
      },
      {
        name: '    of which: update applied',
        result: `p99 ${ms(p(paint.ours.applied, 99))}`,
        target: '',
        met: '',
        note: `set tickets → board and cards updated (no style/layout/paint): p50 ${ms(p(paint.ours.applied, 50))}; boardOf() alone on the same 1,000 tickets p50 ${ms(p(paint.ours.boardOf, 50))} / p99 ${ms(p(paint.ours.boardOf, 99))}`,
      },
      {
        name: `    Lit's floor, ${PAINT.rawItems.toLocaleString('en-US')} items`,
        result: `p99 ${ms(p(paint.raw.times, 99))}`,
        target: '',
        met: '',
        note: `minimal LitElement + repeat, same page and run, ${paint.raw.times.length} updates: p50 ${ms(p(paint.raw.times, 50))}, max ${ms(Math.max(...paint.raw.times))}; applied p50 ${ms(p(paint.raw.applied, 50))} / p99 ${ms(p(paint.raw.applied, 99))}; ${paint.raw.inDom} rows in the DOM`,
      },
      {
        name: '(2) relay accepted → card painted (LAN)',
        result: `p99 ${ms(lanP99, 0)}`,
        target: `≤ ${TARGET.lanP99Ms} ms p99`,
        met: yes(lanP99 <= TARGET.lanP99Ms && lan.missing === 0),
        note: `${lan.latencies.length} sends: p50 ${ms(p(lan.latencies, 50), 0)}, max ${ms(Math.max(...lan.latencies), 0)}; at a live-feed client of the relay p50 ${ms(p(lan.fanOut, 50), 0)} / p99 ${ms(p(lan.fanOut, 99), 0)}; in the board's cards p50 ${ms(p(lan.seen, 50), 0)} / p99 ${ms(p(lan.seen, 99), 0)}; ${lan.missing} never painted`,
      },
      {
        name: '(3) display JS before first paint, gz -9',
        result: kb(js.sum),
        target: `≤ ${kb(TARGET.jsGzipBytes)}`,
        met: yes(js.sum <= TARGET.jsGzipBytes),
        note: `${js.sum.toLocaleString('en-US')} B: ${js.files.map((f) => `${f.file} ${f.gzip.toLocaleString('en-US')} B`).join(', ')}`,
      },
    ];
    console.log(
      `hearth kitchen display bench — ${navigator.hardwareConcurrency} cores (load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(
          ' ',
        )}), Bun ${Bun.version}, ${userAgent.match(/HeadlessChrome\/[\d.]+/)?.[0] ?? 'Chromium'}`,
    );
    console.log(table(rows));
    reportFigures('kds', [
      {
        id: 'kds.paint-p99',
        label: `Ticket update painted, ${PAINT.tickets.toLocaleString('en-US')} tickets (p99)`,
        value: oursP99,
        unit: 'ms',
        better: 'lower',
        target: { op: '<=', value: TARGET.paintP99Ms },
        ceilingOf: 'kds.lit-p99',
      },
      {
        id: 'kds.paint-p50',
        label: 'Ticket update painted (p50)',
        value: p(paint.ours.times, 50),
        unit: 'ms',
        better: 'lower',
        ceilingOf: 'kds.lit-p50',
      },
      {
        id: 'kds.lit-p99',
        label: `ceiling: raw Lit update, ${PAINT.rawItems.toLocaleString('en-US')} items with repeat (p99)`,
        value: p(paint.raw.times, 99),
        unit: 'ms',
        better: 'lower',
      },
      {
        id: 'kds.lit-p50',
        label: 'ceiling: raw Lit update (p50)',
        value: p(paint.raw.times, 50),
        unit: 'ms',
        better: 'lower',
      },
      ...(PROFILE
        ? []
        : [
            {
              id: 'kds.lan-p99',
              label: 'Relay accepted → card painted on a display (p99)',
              value: lanP99,
              unit: 'ms',
              better: 'lower' as const,
              target: { op: '<=' as const, value: TARGET.lanP99Ms },
              ceilingOf: 'kds.live-client-p99',
            },
            {
              id: 'kds.lan-p50',
              label: 'Relay accepted → card painted (p50)',
              value: p(lan.latencies, 50),
              unit: 'ms',
              better: 'lower' as const,
              ceilingOf: 'kds.live-client-p50',
            },
            {
              id: 'kds.live-client-p99',
              label: "peer: relay accepted → entry at a Bun client of the relay's live feed (p99)",
              value: p(lan.fanOut, 99),
              unit: 'ms',
              better: 'lower' as const,
            },
            {
              id: 'kds.live-client-p50',
              label: 'peer: relay accepted → entry at a live-feed client (p50)',
              value: p(lan.fanOut, 50),
              unit: 'ms',
              better: 'lower' as const,
            },
            {
              id: 'kds.lan-missing',
              label: 'Cards never painted',
              value: lan.missing,
              unit: 'cards',
              better: 'lower' as const,
              target: { op: '<=' as const, value: 0 },
            },
          ]),
      {
        id: 'kds.js-gzip',
        label: 'Display JS before first paint, gzip -9',
        value: js.sum,
        unit: 'B',
        better: 'lower',
        target: { op: '<=', value: TARGET.jsGzipBytes },
      },
    ]);
    if (lan.missing > 0) process.exitCode = 1;
  } finally {
    disarm();
    await stop();
  }
}

await main();
