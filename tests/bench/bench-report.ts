import { type BenchFigure, meetsTarget } from './bench-figures.ts';

// What `npm run bench` makes of its runs: per figure the median and the spread across runs,
// each beside the ceiling or peer measured in the same runs, and BENCHMARKS.md. Pure: the runner
// (run-all.ts) collects the runs and writes the file.

/** One line of HEARTH_BENCH_JSON: a figure and the bench that reported it. */
export type ReportedFigure = BenchFigure & { readonly bench: string };

/** One run of one bench as the runner saw it. */
export interface BenchRun {
  /** 1-based. */
  readonly run: number;
  readonly seconds: number;
  /** Null when the process was killed by a signal. */
  readonly exitCode: number | null;
  readonly signal?: string | undefined;
  /** Set when the runner killed it past its time limit. */
  readonly timedOut?: boolean | undefined;
  readonly figures: readonly BenchFigure[];
  /** The last lines of its output, kept for a failed run. */
  readonly tail?: string | undefined;
}

export interface BenchResult {
  /** Short name, e.g. `kds`. */
  readonly name: string;
  /** Repository path of its script. */
  readonly file: string;
  readonly runs: readonly BenchRun[];
  /** Why it did not run at all (e.g. its file is missing). */
  readonly skipped?: string | undefined;
  /** Environment the runner set for it besides HEARTH_BENCH_JSON (e.g. quick mode). */
  readonly env?: Readonly<Record<string, string>> | undefined;
}

export interface FigureSummary {
  readonly figure: BenchFigure;
  /** Its value in each run that reported it, in run order. */
  readonly values: readonly number[];
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly ceiling?:
    | {
        readonly figure: BenchFigure;
        readonly median: number;
        /**
         * The figure against its ceiling, the median of the per-run ratios (same-run pairs):
         * value / ceiling. Only where both share a unit.
         */
        readonly ratio?: number | undefined;
      }
    | undefined;
  /** Whether the median meets the target; undefined without one. */
  readonly meets?: boolean | undefined;
  /** Runs whose own value missed the target. */
  readonly runsMissed: number;
}

export interface MachineInfo {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryBytes: number;
  readonly os: string;
  /** e.g. { Bun: '1.4.2', Node: 'v20.19.4', Chromium: '131.0.6778.85' }. */
  readonly versions: Readonly<Record<string, string>>;
  /** 1-, 5- and 15-minute load averages when the runner started. */
  readonly loadAverage: readonly number[];
}

export interface BenchReport {
  /** When the runner started (ISO). */
  readonly startedAt: string;
  readonly totalSeconds: number;
  readonly runs: number;
  readonly machine: MachineInfo;
  /** Shell commands, one a line, that reproduce the report. */
  readonly reproduce: readonly string[];
  /** The "how measured" paragraph(s). */
  readonly howMeasured: string;
  readonly benches: readonly BenchResult[];
}

// ---------------------------------------------------------------------------------------------
// Aggregation

/** The median of `values` (the mean of the middle two for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Min and max of the finite `values`; NaN for both when there are none. */
export function spread(values: readonly number[]): { min: number; max: number } {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return { min: Number.NaN, max: Number.NaN };
  return { min: Math.min(...finite), max: Math.max(...finite) };
}

/** Parses HEARTH_BENCH_JSON's lines (blank and unreadable lines are skipped). */
export function parseFigureLines(text: string): ReportedFigure[] {
  const figures: ReportedFigure[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const parsed = JSON.parse(line) as Partial<ReportedFigure>;
      if (typeof parsed.id === 'string' && typeof parsed.value === 'number')
        figures.push(parsed as ReportedFigure);
    } catch {
      // A line cut short by a crash: the rest still count.
    }
  }
  return figures;
}

/** A run failed when it crashed, was killed, or ended without reporting a figure. */
export function runFailed(run: BenchRun): boolean {
  return run.exitCode !== 0 || run.timedOut === true || run.figures.length === 0;
}

/** Why `run` failed, in a few words; undefined when it did not. */
export function failureOf(run: BenchRun): string | undefined {
  if (run.timedOut) return `killed after ${Math.round(run.seconds)} s (over the runner's limit)`;
  if (run.exitCode === null) return `killed by ${run.signal ?? 'a signal'}`;
  if (run.exitCode !== 0) return `exit code ${run.exitCode}`;
  if (run.figures.length === 0) return 'exited 0 but reported no figures';
  return undefined;
}

/**
 * Per figure, in the order first reported: its values across runs, median, spread, its ceiling
 * (a figure of the same runs) and whether it meets its target. A figure's id is looked up by run,
 * so a ceiling pairs with the figure of its own run.
 */
export function summarize(runs: readonly BenchRun[]): FigureSummary[] {
  const order: string[] = [];
  const latest = new Map<string, BenchFigure>();
  const perRun = runs.map((run) => {
    const byId = new Map<string, number>();
    for (const figure of run.figures) {
      if (!latest.has(figure.id)) order.push(figure.id);
      latest.set(figure.id, figure);
      byId.set(figure.id, figure.value);
    }
    return byId;
  });
  const valuesOf = (id: string) =>
    perRun.map((byId) => byId.get(id)).filter((v): v is number => v !== undefined);
  return order.map((id) => {
    const figure = latest.get(id) as BenchFigure;
    const values = valuesOf(id);
    const { min, max } = spread(values);
    const m = median(values);
    const ceilingFigure = figure.ceilingOf ? latest.get(figure.ceilingOf) : undefined;
    let ceiling: FigureSummary['ceiling'];
    if (ceilingFigure) {
      const sameUnit = ceilingFigure.unit === figure.unit;
      const ratios = perRun
        .map((byId) => {
          const value = byId.get(id);
          const base = byId.get(ceilingFigure.id);
          return value !== undefined && base !== undefined && base !== 0 ? value / base : NaN;
        })
        .filter((r) => Number.isFinite(r));
      ceiling = {
        figure: ceilingFigure,
        median: median(valuesOf(ceilingFigure.id)),
        ratio: sameUnit && ratios.length > 0 ? median(ratios) : undefined,
      };
    }
    return {
      figure,
      values,
      median: m,
      min,
      max,
      ceiling,
      meets: figure.target && Number.isFinite(m) ? meetsTarget(figure, m) : undefined,
      runsMissed: figure.target ? values.filter((v) => !meetsTarget(figure, v)).length : 0,
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Formatting

/** A number for a reader: thousands separated, fewer decimals the larger it is. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return '–';
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : abs === 0 ? 0 : 3;
  return value.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

/** A value with its unit: `12.3 ms`, `11,840 ops/s`, `1.52×`. */
export function formatValue(value: number, unit: string): string {
  const n = formatNumber(value);
  return unit === '×' || unit === '%' ? `${n}${unit}` : `${n} ${unit}`;
}

const targetText = (figure: BenchFigure): string =>
  figure.target
    ? `${figure.target.op === '<=' ? '≤' : '≥'} ${formatValue(figure.target.value, figure.unit)}`
    : '';

/** The ceiling column: its label and median, and how the figure stands against it. */
function ceilingText(summary: FigureSummary): string {
  const c = summary.ceiling;
  if (!c) return '';
  const base = `${c.figure.label}: ${formatValue(c.median, c.figure.unit)}`;
  if (c.ratio === undefined) return base;
  // A rate is read as a share of its ceiling; a time or a size as a multiple of its floor.
  const against =
    summary.figure.better === 'higher'
      ? `${formatNumber(c.ratio * 100)}% of it`
      : `${c.ratio.toFixed(2)}× it`;
  return `${base} (${against})`;
}

function verdictText(summary: FigureSummary): string {
  if (summary.meets === undefined) return '';
  const n = summary.values.length;
  if (summary.meets)
    return summary.runsMissed > 0
      ? `meets (missed in ${summary.runsMissed} of ${n} runs)`
      : 'meets';
  return summary.runsMissed < n
    ? `**MISSED** (met in ${n - summary.runsMissed} of ${n} runs)`
    : '**MISSED**';
}

/** Escapes what would break a markdown table cell. */
const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The figures of one bench as a markdown table. */
export function figureTable(summaries: readonly FigureSummary[], runs: number): string {
  const rows = summaries.map((s) => {
    const better = s.figure.better === 'higher' ? '↑' : '↓';
    const partial = s.values.length < runs ? ` (${s.values.length} of ${runs} runs)` : '';
    const range =
      s.values.length > 1
        ? `${formatNumber(s.min)}–${formatValue(s.max, s.figure.unit)}`
        : s.values.length === 1
          ? 'one run'
          : '';
    return [
      `${s.figure.label} ${better}`,
      `${formatValue(s.median, s.figure.unit)}${partial}`,
      range,
      ceilingText(s),
      targetText(s.figure),
      verdictText(s),
    ].map(cell);
  });
  return [
    '| figure | median | spread (min–max) | ceiling / peer, same runs | target | |',
    '|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

const minutes = (seconds: number): string =>
  seconds >= 60
    ? `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`
    : `${Math.round(seconds)} s`;

/** The state of a bench in a few words, for the summary table. */
export function benchStatus(bench: BenchResult): string {
  if (bench.skipped) return `skipped: ${bench.skipped}`;
  const failed = bench.runs.filter(runFailed);
  if (failed.length === 0) return 'ok';
  return `**FAILED** in ${failed.length} of ${bench.runs.length} runs (${failed
    .map((r) => `run ${r.run}: ${failureOf(r)}`)
    .join('; ')})`;
}

/** BENCHMARKS.md. */
export function renderMarkdown(report: BenchReport): string {
  const { machine } = report;
  const out: string[] = [];
  out.push('# Benchmarks', '');
  out.push(
    `Written by \`npm run bench\` (tests/bench/run-all.ts) on ${report.startedAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}; the whole run took ${minutes(report.totalSeconds)}. Benchmarks report: none passes or fails on a time, and a missed target is marked **MISSED**.`,
    '',
  );
  out.push('## Machine', '');
  out.push(`- CPU: ${machine.cpuModel}, ${machine.cores} cores`);
  out.push(`- Memory: ${(machine.memoryBytes / 1024 ** 3).toFixed(1)} GiB`);
  out.push(`- OS: ${machine.os}`);
  out.push(
    `- ${Object.entries(machine.versions)
      .map(([name, version]) => `${name} ${version}`)
      .join(', ')}`,
  );
  out.push(
    `- Load average when the run started: ${machine.loadAverage.map((l) => l.toFixed(2)).join(', ')} (1, 5, 15 min)`,
    '',
  );
  out.push('## How to reproduce', '', '```sh', ...report.reproduce, '```', '');
  out.push('## How measured', '', report.howMeasured, '');
  out.push('## Summary', '');
  out.push('| bench | script | runs | time per run (median) | targets met | status |');
  out.push('|---|---|---|---|---|---|');
  const sections: string[] = [];
  for (const bench of report.benches) {
    const summaries = summarize(bench.runs);
    const targeted = summaries.filter((s) => s.meets !== undefined);
    const met = targeted.filter((s) => s.meets).length;
    const time = bench.runs.length > 0 ? minutes(median(bench.runs.map((r) => r.seconds))) : '–';
    out.push(
      `| ${bench.name} | \`${bench.file}\` | ${bench.runs.length} | ${time} | ${
        targeted.length === 0 ? '–' : `${met} of ${targeted.length}`
      } | ${cell(benchStatus(bench))} |`,
    );
    sections.push(`## ${bench.name} — \`${bench.file}\``, '');
    if (bench.skipped) {
      sections.push(`Not run: ${bench.skipped}.`, '');
      continue;
    }
    const env = Object.entries(bench.env ?? {});
    sections.push(
      `${bench.runs.length} run${bench.runs.length === 1 ? '' : 's'}${
        env.length > 0 ? ` with ${env.map(([k, v]) => `\`${k}=${v}\``).join(' ')}` : ''
      }; ${bench.runs.map((r) => `${Math.round(r.seconds)} s`).join(', ')}. ↑ higher is better, ↓ lower is better.`,
      '',
    );
    for (const run of bench.runs.filter(runFailed)) {
      sections.push(`**Run ${run.run} FAILED: ${failureOf(run)}.**`);
      if (run.tail) sections.push('', '```text', run.tail.trimEnd(), '```');
      sections.push('');
    }
    if (summaries.length > 0) sections.push(figureTable(summaries, bench.runs.length), '');
  }
  out.push('', ...sections);
  return `${out.join('\n').trimEnd()}\n`;
}
