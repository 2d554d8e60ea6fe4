import { describe, expect, it } from 'vitest';
import type { BenchFigure } from '../bench/bench-figures.ts';
import {
  type BenchReport,
  type BenchRun,
  benchStatus,
  figureTable,
  formatValue,
  median,
  parseFigureLines,
  renderMarkdown,
  spread,
  summarize,
} from '../bench/bench-report.ts';

// What `npm run bench` makes of its runs (tests/bench/bench-report.ts): medians and spreads
// across runs, ceilings paired run by run, targets judged on the median, BENCHMARKS.md.

const ingest = (value: number): BenchFigure => ({
  id: 'relay.ingest-batch',
  label: 'Durable ingest, batches',
  value,
  unit: 'ops/s',
  better: 'higher',
  target: { op: '>=', value: 10_000 },
  ceilingOf: 'relay.sqlite-group',
});
const sqlite = (value: number): BenchFigure => ({
  id: 'relay.sqlite-group',
  label: 'ceiling: raw bun:sqlite group commit',
  value,
  unit: 'ops/s',
  better: 'higher',
});
const paint = (value: number): BenchFigure => ({
  id: 'kds.paint-p99',
  label: 'Ticket update painted (p99)',
  value,
  unit: 'ms',
  better: 'lower',
  target: { op: '<=', value: 8 },
  ceilingOf: 'kds.lit-p99',
});
const lit = (value: number): BenchFigure => ({
  id: 'kds.lit-p99',
  label: 'ceiling: raw Lit update (p99)',
  value,
  unit: 'ms',
  better: 'lower',
});

const run = (n: number, figures: BenchFigure[], extra: Partial<BenchRun> = {}): BenchRun => ({
  run: n,
  seconds: 30 + n,
  exitCode: 0,
  figures,
  ...extra,
});

describe('median and spread', () => {
  it('takes the middle value, or the mean of the middle two', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
    expect(median([])).toBeNaN();
    expect(median([Number.NaN, 5, 1])).toBe(3);
  });

  it('spreads from the smallest to the largest finite value', () => {
    expect(spread([5, 2, 9])).toEqual({ min: 2, max: 9 });
    expect(spread([Number.NaN])).toEqual({ min: Number.NaN, max: Number.NaN });
  });
});

describe('parseFigureLines', () => {
  it('reads one figure a line, skipping blank and cut-short lines', () => {
    const text = `${JSON.stringify({ bench: 'kds', ...paint(6) })}\n\n{"bench":"kds","id":"kds.x","val\n`;
    expect(parseFigureLines(text)).toEqual([{ bench: 'kds', ...paint(6) }]);
  });
});

describe('summarize', () => {
  it('gives each figure its median and spread across runs, in the order first reported', () => {
    const [first, second] = summarize([
      run(1, [ingest(9_000), sqlite(20_000)]),
      run(2, [ingest(12_000), sqlite(30_000)]),
      run(3, [ingest(11_000), sqlite(22_000)]),
    ]);
    expect(first?.figure.id).toBe('relay.ingest-batch');
    expect(first?.values).toEqual([9_000, 12_000, 11_000]);
    expect(first?.median).toBe(11_000);
    expect([first?.min, first?.max]).toEqual([9_000, 12_000]);
    expect(second?.figure.id).toBe('relay.sqlite-group');
    expect(second?.median).toBe(22_000);
  });

  it('pairs a figure with its ceiling run by run (the median of the per-run ratios)', () => {
    const [summary] = summarize([
      run(1, [ingest(9_000), sqlite(20_000)]),
      run(2, [ingest(12_000), sqlite(10_000)]),
      run(3, [ingest(11_000), sqlite(40_000)]),
    ]);
    // Ratios 0.45, 1.2 and 0.275: their median, not the medians' 11,000 / 20,000 = 0.55.
    expect(summary?.ceiling?.figure.id).toBe('relay.sqlite-group');
    expect(summary?.ceiling?.median).toBe(20_000);
    expect(summary?.ceiling?.ratio).toBe(0.45);
  });

  it('judges the target on the median and counts the runs that missed it alone', () => {
    const [missed] = summarize([
      run(1, [ingest(9_000)]),
      run(2, [ingest(9_500)]),
      run(3, [ingest(12_000)]),
    ]);
    expect(missed?.meets).toBe(false);
    expect(missed?.runsMissed).toBe(2);
    const [met] = summarize([run(1, [paint(7)]), run(2, [paint(9)]), run(3, [paint(6)])]);
    expect(met?.meets).toBe(true);
    expect(met?.runsMissed).toBe(1);
    const [none] = summarize([run(1, [sqlite(1)])]);
    expect(none?.meets).toBeUndefined();
  });

  it('leaves out the ratio when the ceiling is in another unit', () => {
    const other: BenchFigure = { ...lit(4), unit: 'frames' };
    const [summary] = summarize([run(1, [paint(6), other])]);
    expect(summary?.ceiling?.median).toBe(4);
    expect(summary?.ceiling?.ratio).toBeUndefined();
  });
});

describe('markdown', () => {
  it('formats values with their unit, fewer decimals the larger they are', () => {
    expect(formatValue(11_843.6, 'ops/s')).toBe('11,844 ops/s');
    expect(formatValue(12.345, 'ms')).toBe('12.3 ms');
    expect(formatValue(3.456, 'ms')).toBe('3.46 ms');
    expect(formatValue(1.52, '×')).toBe('1.52×');
    expect(formatValue(Number.NaN, 'ms')).toBe('– ms');
  });

  it('puts a missed target plainly, and a rate as a share of its ceiling, a time as a multiple', () => {
    const rates = figureTable(
      summarize([run(1, [ingest(9_000), sqlite(18_000)]), run(2, [ingest(8_000), sqlite(16_000)])]),
      2,
    );
    expect(rates).toContain(
      '| Durable ingest, batches ↑ | 8,500 ops/s | 8,000–9,000 ops/s | ceiling: raw bun:sqlite group commit: 17,000 ops/s (50.0% of it) | ≥ 10,000 ops/s | **MISSED** |',
    );
    const times = figureTable(summarize([run(1, [paint(6), lit(4)])]), 1);
    expect(times).toContain(
      '| Ticket update painted (p99) ↓ | 6.00 ms | one run | ceiling: raw Lit update (p99): 4.00 ms (1.50× it) | ≤ 8.00 ms | meets |',
    );
  });

  it('says which runs failed and why', () => {
    const bench = {
      name: 'kds',
      file: 'tests/bench/kds-bench.ts',
      runs: [
        run(1, [paint(6)]),
        run(2, [], { exitCode: 1, tail: 'Error: boom' }),
        run(3, [], { exitCode: 0 }),
      ],
    };
    expect(benchStatus(bench)).toBe(
      '**FAILED** in 2 of 3 runs (run 2: exit code 1; run 3: exited 0 but reported no figures)',
    );
    expect(benchStatus({ ...bench, runs: [], skipped: 'tests/bench/x.ts not found' })).toBe(
      'skipped: tests/bench/x.ts not found',
    );
  });

  it('writes the machine, how to reproduce, a summary and one table per bench', () => {
    const report: BenchReport = {
      startedAt: '2026-12-07T17:00:00.000Z',
      totalSeconds: 754,
      runs: 3,
      machine: {
        cpuModel: 'AMD EPYC',
        cores: 2,
        memoryBytes: 24 * 1024 ** 3,
        os: 'Linux 6.1',
        versions: { Bun: '1.4.5', Node: '20.20.2', Chromium: '156.0' },
        loadAverage: [0.5, 0.4, 0.3],
      },
      reproduce: ['npm run bench'],
      howMeasured: 'Each bench runs as a child process.',
      benches: [
        {
          name: 'relay',
          file: 'tests/bench/relay-bench.ts',
          runs: [run(1, [ingest(12_000), sqlite(24_000)])],
          env: { HEARTH_BENCH_QUICK: '1' },
        },
        {
          name: 'kds',
          file: 'tests/bench/kds-bench.ts',
          runs: [run(1, [], { exitCode: 1, tail: 'Error: boom' })],
        },
        { name: 'outage', file: 'tests/bench/outage-bench.ts', runs: [], skipped: 'not found' },
      ],
    };
    const markdown = renderMarkdown(report);
    expect(markdown).toContain('on 2026-12-07 17:00:00 UTC; the whole run took 12 min 34 s');
    expect(markdown).toContain('- CPU: AMD EPYC, 2 cores');
    expect(markdown).toContain('- Memory: 24.0 GiB');
    expect(markdown).toContain('- Bun 1.4.5, Node 20.20.2, Chromium 156.0');
    expect(markdown).toContain('```sh\nnpm run bench\n```');
    expect(markdown).toContain('| relay | `tests/bench/relay-bench.ts` | 1 | 31 s | 1 of 1 | ok |');
    expect(markdown).toContain('1 run with `HEARTH_BENCH_QUICK=1`; 31 s.');
    expect(markdown).toContain('**Run 1 FAILED: exit code 1.**\n\n```text\nError: boom\n```');
    expect(markdown).toContain('Not run: not found.');
  });
});
