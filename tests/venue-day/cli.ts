import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeReport } from './report.ts';
import { invariantsHold } from './result.ts';
import { runVenueDay } from './run.ts';

// `npm run venue-day` — a day of service through real processes, three outages, a report.
//
//   npm run venue-day                       the full day (compression 60: about 9 minutes)
//   npm run venue-day -- --variant short    the short day `npm test` runs (about 3 minutes)
//   npm run venue-day -- --variant ten-x    the same day at 10× the load
//   options: --compression N (simulated seconds per real second), --rate N, --seed N,
//            --no-browsers (scripted devices only), --out DIR,
//            --relay-log FILE (the relay's log lines, for a post-mortem)
//
// Writes reports/venue-day-<date>[-variant]/index.html with its charts and result.json, and
// exits non-zero when any invariant is not 0.

const VARIANTS = {
  short: { compression: 360, rate: 0.5 },
  full: { compression: 60, rate: 1 },
  'ten-x': { compression: 60, rate: 10 },
} as const;

const { values } = parseArgs({
  options: {
    variant: { type: 'string', default: 'full' },
    compression: { type: 'string' },
    rate: { type: 'string' },
    seed: { type: 'string', default: '1' },
    'no-browsers': { type: 'boolean', default: false },
    out: { type: 'string' },
    'relay-log': { type: 'string' },
  },
});

const variant = values.variant as keyof typeof VARIANTS;
if (!(variant in VARIANTS)) {
  console.error(
    `--variant must be one of ${Object.keys(VARIANTS).join(', ')}, got ${values.variant}`,
  );
  process.exit(2);
}
const numberOf = (raw: string | undefined, fallback: number, name: string): number => {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!(n > 0)) {
    console.error(`--${name} must be a positive number, got ${raw}`);
    process.exit(2);
  }
  return n;
};
const compression = numberOf(values.compression, VARIANTS[variant].compression, 'compression');
const rate = numberOf(values.rate, VARIANTS[variant].rate, 'rate');
const seed = Math.floor(numberOf(values.seed, 1, 'seed'));

const began = performance.now();
const log = (line: string) =>
  console.log(
    `[venue-day ${((performance.now() - began) / 1000).toFixed(0).padStart(4)} s] ${line}`,
  );

const result = await runVenueDay({
  variant,
  compression,
  rate,
  seed,
  browsers: !values['no-browsers'],
  log,
  ...(values['relay-log'] ? { relayLog: values['relay-log'] } : {}),
});
const date = result.startedAt.slice(0, 10);
const dir =
  values.out ?? join('reports', `venue-day-${date}${variant === 'full' ? '' : `-${variant}`}`);
mkdirSync(dir, { recursive: true });
const written = await writeReport(result, dir);
console.log('');
for (const invariant of result.invariants) {
  console.log(`  ${invariant.value === 0 ? 'ok  ' : 'FAIL'} ${invariant.name}: ${invariant.value}`);
  for (const example of invariant.examples) console.log(`         ${example}`);
}
for (const outage of result.outages)
  console.log(
    `  ${outage.name}: ${outage.opsDuring} ops during it, replayed in ${outage.replaySeconds === null ? 'never' : `${outage.replaySeconds.toFixed(1)} s`}`,
  );
console.log(`\nreport: ${written.html}`);
process.exit(invariantsHold(result) ? 0 : 1);
