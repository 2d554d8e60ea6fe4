import { appendFileSync } from 'node:fs';

// The figures a benchmark reports, in a form `npm run bench` can collect: when
// HEARTH_BENCH_JSON names a file, each call appends one JSON line per figure to it. A bench run
// alone still prints its own table; this only adds the machine-readable copy.

/** One measured figure of one run. */
export interface BenchFigure {
  /** Stable across runs: `<bench>.<what>`, e.g. `kds.paint-p99`. */
  readonly id: string;
  /** What a reader sees, e.g. "Ticket update painted, 1,000 tickets (p99)". */
  readonly label: string;
  readonly value: number;
  /** `ms`, `ops/s`, `MB`, `B`, `s`, … */
  readonly unit: string;
  /** Which way is better; the report says "higher is better" or "lower is better". */
  readonly better: 'higher' | 'lower';
  /** The figure's target (docs/benchmarks.md, a decision); the report says plainly where it is missed. */
  readonly target?: { readonly op: '<=' | '>='; readonly value: number };
  /**
   * The ceiling or peer measured in the same run (raw bun:sqlite, raw websocket publish, raw
   * IndexedDB puts, raw Lit update, …): its figure id. Ceilings are figures themselves.
   */
  readonly ceilingOf?: string;
}

/** Whether `figure` meets its target (true when it has none). */
export function meetsTarget(figure: Pick<BenchFigure, 'target'>, value: number): boolean {
  if (!figure.target) return true;
  return figure.target.op === '<=' ? value <= figure.target.value : value >= figure.target.value;
}

/** Appends `figures` to HEARTH_BENCH_JSON (one JSON line each); does nothing when it is unset. */
export function reportFigures(bench: string, figures: readonly BenchFigure[]): void {
  const file = process.env.HEARTH_BENCH_JSON;
  if (!file) return;
  const lines = figures.map((figure) => JSON.stringify({ bench, ...figure }));
  appendFileSync(file, `${lines.join('\n')}\n`);
}

/**
 * `HEARTH_BENCH_QUICK=1`, which `npm run bench` sets: a bench lowers its counts so that every
 * bench, several times over, fits the runner's budget, keeping each figure meaningful.
 */
export const BENCH_QUICK = process.env.HEARTH_BENCH_QUICK === '1';

/** `full` run alone, `quick` under `npm run bench` (HEARTH_BENCH_QUICK=1). */
export function quickOr<T>(full: T, quick: T): T {
  return BENCH_QUICK ? quick : full;
}
