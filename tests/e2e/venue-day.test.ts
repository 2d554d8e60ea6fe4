import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeReport } from '../venue-day/report.ts';
import type { VenueDayResult } from '../venue-day/result.ts';
import { runVenueDay } from '../venue-day/run.ts';

// The short day of service (`npm run venue-day -- --variant short`): real cloud, relay, card
// processor and fault proxies, ~50 scripted devices and four Chromium pages, the three
// outages; every invariant must be 0 and the report must be written. The full day and the 10×
// day run on demand (tests/venue-day/cli.ts).

const DAY_TIMEOUT_MS = 9 * 60_000;

describe('a short day of service through three outages', () => {
  it(
    'loses nothing, doubles nothing, keeps each device’s order, converges and balances',
    async () => {
      const lines: string[] = [];
      const result: VenueDayResult = await runVenueDay({
        variant: 'short',
        compression: 360,
        rate: 0.5,
        seed: 1,
        browsers: true,
        log: (line) => {
          lines.push(line);
          console.log(`[venue-day] ${line}`);
        },
      });
      const dir = join('reports', `venue-day-${result.startedAt.slice(0, 10)}-short`);
      mkdirSync(dir, { recursive: true });
      const written = await writeReport(result, dir);

      for (const invariant of result.invariants)
        expect(invariant.value, `${invariant.name}: ${invariant.examples.join('\n')}`).toBe(0);
      expect(result.invariants.map((i) => i.name)).toEqual([
        'ops lost',
        'ops applied twice',
        'per-device order violations',
        'entities differing from the cloud',
        'money totals differing',
      ]);
      // The day happened: orders, payments and every outage with ops made through it.
      expect(result.totals.ops).toBeGreaterThan(500);
      expect(result.totals.money.checksTotal).toBeGreaterThan(0);
      expect(result.totals.money.card).toBeGreaterThan(0);
      expect(result.totals.money.cash).toBeGreaterThan(0);
      expect(result.totals.browserPages).toEqual({ floor: 1, kitchen: 2, guest: 1 });
      expect(result.outages).toHaveLength(3);
      for (const outage of result.outages) {
        expect(outage.opsDuring, outage.name).toBeGreaterThan(0);
        expect(outage.replaySeconds, outage.name).not.toBeNull();
      }
      expect(existsSync(written.html)).toBe(true);
      expect(written.pngs).toHaveLength(5);
    },
    DAY_TIMEOUT_MS,
  );
});
