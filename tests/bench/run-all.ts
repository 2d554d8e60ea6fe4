import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem, type } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { buildWeb, CHROMIUM, REPO_ROOT, webDistIsStale } from '../e2e/support/web-build.ts';
import {
  type BenchResult,
  type BenchRun,
  benchStatus,
  type MachineInfo,
  parseFigureLines,
  renderMarkdown,
  runFailed,
} from './bench-report.ts';

// Every benchmark, several runs each, into BENCHMARKS.md at the repository's root:
//   npm run bench                                  (or: npx bun tests/bench/run-all.ts)
//   npm run bench -- --runs 5 --only kds,guest     (some benches, more runs)
//   npm run bench -- --full                        (each bench at its own counts: slower)
// Each bench runs as a child process, as it runs alone, with HEARTH_BENCH_JSON naming the file
// its figures go to (and HEARTH_BENCH_QUICK=1 unless --full). Rounds are interleaved (every
// bench's run 1, then every bench's run 2, …) so that a busy spell of a shared machine spreads
// over the benches. Progress goes to stderr; each run's output and figures are kept under
// reports/bench-<time>/. Exit code 1 only when a bench crashed, never for a time.

interface BenchSpec {
  readonly name: string;
  readonly file: string;
  /** What HEARTH_BENCH_QUICK=1 changes in it, for the "how measured" paragraph. */
  readonly quick?: string;
  /** At most this many runs, whatever --runs asks (the heaviest benches). */
  readonly maxRuns?: number;
}

const BENCHES: readonly BenchSpec[] = [
  { name: 'cloud', file: 'tests/bench/cloud-bench.ts' },
  {
    name: 'relay',
    file: 'tests/bench/relay-bench.ts',
    quick: 'fan-out for 5 s instead of 10 (1 million samples), ingest lanes stop at 10 s',
  },
  {
    name: 'pwa',
    file: 'tests/bench/pwa-bench.ts',
    quick: '6 drains instead of 10, 3 bootstraps instead of 5',
  },
  {
    name: 'kds',
    file: 'tests/bench/kds-bench.ts',
    quick: '200 board updates instead of 300, 60 LAN sends instead of 120',
  },
  { name: 'guest', file: 'tests/bench/guest-bench.ts', quick: '25 cold starts instead of 40' },
  {
    name: 'floor',
    file: 'tests/bench/floor-bench.ts',
    quick: '100 sends instead of 200, 12 toggles instead of 20, 1 s after each view instead of 3',
    maxRuns: 2,
  },
  {
    name: 'pg-driver',
    file: 'tests/bench/pg-driver-bench.ts',
    quick: '2 rounds per driver (one each order) instead of 5',
  },
  {
    name: 'cloud-pg',
    file: 'tests/bench/cloud-pg-bench.ts',
    quick: '8 s of load per phase instead of 15',
    maxRuns: 2,
  },
  // Each of these repeats its own measure within one run (~1.5 min), so one run fits the budget.
  { name: 'relay-rss', file: 'tests/bench/relay-rss-bench.ts', maxRuns: 1 },
  { name: 'outage', file: 'tests/bench/outage-bench.ts', maxRuns: 1 },
  { name: 'cold-start', file: 'tests/bench/cold-start-bench.ts', maxRuns: 1 },
];

/** A run still going after this long is killed and reported as failed. */
const RUN_LIMIT_MS = 10 * 60_000;
const HEARTBEAT_MS = 20_000;
const TAIL_LINES = 30;

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    only: { type: 'string' },
    full: { type: 'boolean', default: false },
    out: { type: 'string', default: join(REPO_ROOT, 'BENCHMARKS.md') },
  },
  strict: true,
});
const RUNS = Number(args.runs);
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error(`--runs must be a whole number ≥ 1`);
const only = args.only?.split(',').map((name) => name.trim());
const unknown = only?.filter((name) => !BENCHES.some((b) => b.name === name)) ?? [];
if (unknown.length > 0)
  throw new Error(
    `--only: no bench ${unknown.join(', ')} (benches: ${BENCHES.map((b) => b.name).join(', ')})`,
  );
const selected = BENCHES.filter((b) => !only || only.includes(b.name));
const QUICK = !args.full;

const began = performance.now();
const clock = (ms: number): string => {
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s` : `${s} s`;
};
const say = (line: string) => console.error(`bench: [${clock(performance.now() - began)}] ${line}`);

/** The first line a command prints, or undefined when it cannot run. */
function firstLine(command: string, commandArgs: string[]): string | undefined {
  const run = spawnSync(command, commandArgs, { encoding: 'utf8', timeout: 10_000 });
  if (run.status !== 0) return undefined;
  return run.stdout.trim().split('\n')[0]?.trim() || undefined;
}

function machine(): MachineInfo {
  const versions: Record<string, string> = { Bun: Bun.version };
  const node = firstLine('node', ['--version']);
  if (node) versions.Node = node.replace(/^v/, '');
  const chromium = firstLine(CHROMIUM, ['--version'])?.match(/[\d.]+\d/)?.[0];
  if (chromium) versions.Chromium = chromium;
  const postgres = firstLine('psql', [
    '-h',
    '127.0.0.1',
    '-U',
    'postgres',
    '-d',
    'test',
    '-tAc',
    'SHOW server_version',
  ])?.split(' ')[0];
  if (postgres) versions.PostgreSQL = postgres;
  return {
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    memoryBytes: totalmem(),
    os: `${type()} ${release()}`,
    versions,
    loadAverage: loadavg(),
  };
}

/** One run of one bench as a child process; its output goes to `log`, its figures to `json`. */
async function runOnce(
  spec: BenchSpec,
  run: number,
  runs: number,
  dir: string,
  env: Record<string, string>,
): Promise<BenchRun> {
  const json = join(dir, `${spec.name}-run${run}.jsonl`);
  const log = join(dir, `${spec.name}-run${run}.log`);
  writeFileSync(json, '');
  const out = createWriteStream(log);
  const started = performance.now();
  const child = spawn(process.execPath, [spec.file], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env, HEARTH_BENCH_JSON: json },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so a run past the limit is stopped with everything it started.
    detached: true,
  });
  const lines: string[] = [];
  let lastProgress = '';
  const keep = (stream: 'out' | 'err') => (chunk: string) => {
    out.write(chunk);
    for (const line of chunk.split('\n')) {
      if (line.trim() === '') continue;
      lines.push(line);
      if (stream === 'err') lastProgress = line.trim();
    }
    if (lines.length > 4 * TAIL_LINES) lines.splice(0, lines.length - TAIL_LINES);
  };
  child.stdout.setEncoding('utf8').on('data', keep('out'));
  child.stderr.setEncoding('utf8').on('data', keep('err'));
  const heartbeat = setInterval(() => {
    const note = lastProgress ? `: ${lastProgress.slice(0, 100)}` : '';
    say(`  ${spec.name} run ${run}/${runs}, ${clock(performance.now() - started)}${note}`);
  }, HEARTBEAT_MS);
  let timedOut = false;
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, signal);
    } catch {
      // Already gone.
    }
  };
  const limit = setTimeout(() => {
    timedOut = true;
    say(`  ${spec.name} run ${run}: over ${clock(RUN_LIMIT_MS)}, stopping it`);
    signalGroup('SIGTERM');
    setTimeout(() => signalGroup('SIGKILL'), 10_000).unref();
  }, RUN_LIMIT_MS);
  // Ctrl-C reaches only the runner's own group: pass it on, let the bench clean up, then stop.
  const interrupted = () => {
    say(`  interrupted: stopping ${spec.name}`);
    signalGroup('SIGTERM');
    child.once('close', () => process.exit(130));
    setTimeout(() => {
      signalGroup('SIGKILL');
      process.exit(130);
    }, 10_000).unref();
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  const { code, signal } = await new Promise<{ code: number | null; signal: string | null }>(
    (resolve) => {
      child.once('error', (error) => {
        lines.push(`could not start: ${error.message}`);
        resolve({ code: 1, signal: null });
      });
      child.once('close', (code, signal) => resolve({ code, signal }));
    },
  );
  clearInterval(heartbeat);
  clearTimeout(limit);
  process.off('SIGINT', interrupted);
  process.off('SIGTERM', interrupted);
  await new Promise<void>((resolve) => out.end(() => resolve()));
  const seconds = (performance.now() - started) / 1000;
  const figures = parseFigureLines(readFileSync(json, 'utf8')).map(({ bench: _, ...f }) => f);
  const result: BenchRun = {
    run,
    seconds,
    exitCode: code,
    signal: signal ?? undefined,
    timedOut,
    figures,
    tail: lines.slice(-TAIL_LINES).join('\n'),
  };
  say(
    `${spec.name} run ${run}/${runs}: ${runFailed(result) ? 'FAILED' : 'done'} in ${clock(seconds * 1000)}, ${figures.length} figures (output: ${relative(REPO_ROOT, log)})`,
  );
  return result;
}

function howMeasured(benches: readonly BenchResult[]): string {
  const ran = selected.filter((s) => benches.some((b) => b.name === s.name && !b.skipped));
  const quick = ran.filter((s) => s.quick);
  const capped = ran.filter((s) => s.maxRuns !== undefined && s.maxRuns < RUNS);
  const parts = [
    `Each bench runs as a child process, exactly as \`npx bun <script>\` runs it alone, ${RUNS} time${RUNS === 1 ? '' : 's'}${capped.length > 0 ? ` (fewer for the heaviest, so that the whole fits in 20 minutes: ${capped.map((s) => `${s.name} ${s.maxRuns}`).join(', ')})` : ''}, in interleaved rounds (every bench's first run, then every bench's second, …) so that a busy spell on a shared machine spreads over the benches; it appends its figures to the file named by \`HEARTH_BENCH_JSON\`. A figure's median and spread (min–max) are over those runs. A ceiling or peer is measured by the same bench in the same run (raw bun:sqlite, a raw Bun websocket server, raw IndexedDB puts, a raw Lit update, raw PostgreSQL inserts, an empty page, the other PostgreSQL driver); "% of it" and "× it" are the median of the per-run ratios, each run's figure against its own run's ceiling. A target is met when the median meets it; runs that missed it on their own are counted beside it.`,
  ];
  if (QUICK && quick.length > 0)
    parts.push(
      `To fit the whole command in under 20 minutes on a 2-core machine, the runner sets \`HEARTH_BENCH_QUICK=1\`, which lowers some benches' counts: ${quick.map((s) => `${s.name}: ${s.quick}`).join('; ')}. With fewer samples a p99 sits nearer a run's worst case (over 100 samples it is the second worst, over 60 the worst), which the runs' spread shows; run a bench alone (\`npm run bench:<name>\`) or this command with \`--full\` for its full counts.`,
    );
  else if (!QUICK) parts.push('Run with `--full`: every bench at its own counts.');
  parts.push(
    "Benchmarks report; none fails on a time. A bench fails here only when it crashed, was killed past the runner's 10-minute limit for one run, or reported no figure; its last output lines are shown.",
  );
  return parts.join('\n\n');
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const stamp = startedAt
    .toISOString()
    .replace(/[:.]/g, '-')
    .replace(/-\d+Z$/, 'Z');
  const dir = join(REPO_ROOT, 'reports', `bench-${stamp}`);
  mkdirSync(dir, { recursive: true });
  const host = machine();
  say(
    `${selected.length} benches × up to ${RUNS} runs${QUICK ? ', quick (HEARTH_BENCH_QUICK=1)' : ', full counts'}; ${host.cores} cores, load average ${host.loadAverage.map((l) => l.toFixed(2)).join(' ')}; output in ${relative(REPO_ROOT, dir)}/`,
  );
  if (webDistIsStale()) {
    say('building web/dist first (the browser benches need it)');
    await buildWeb();
  }
  const env: Record<string, string> = QUICK ? { HEARTH_BENCH_QUICK: '1' } : {};
  const results = new Map<string, { spec: BenchSpec; runs: BenchRun[]; skipped?: string }>();
  for (const spec of selected) {
    const skipped = existsSync(join(REPO_ROOT, spec.file)) ? undefined : `${spec.file} not found`;
    if (skipped) say(`skipping ${spec.name}: ${skipped}`);
    results.set(spec.name, { spec, runs: [], skipped });
  }
  const runsOf = (spec: BenchSpec) => Math.min(RUNS, spec.maxRuns ?? RUNS);
  const total = selected.reduce(
    (sum, spec) => sum + (results.get(spec.name)?.skipped ? 0 : runsOf(spec)),
    0,
  );
  let done = 0;
  for (let run = 1; run <= RUNS; run++) {
    for (const spec of selected) {
      const entry = results.get(spec.name);
      if (!entry || entry.skipped || run > runsOf(spec)) continue;
      done++;
      say(`(${done}/${total}) ${spec.name} run ${run}/${runsOf(spec)}: ${spec.file}`);
      entry.runs.push(await runOnce(spec, run, runsOf(spec), dir, env));
    }
  }
  const benches: BenchResult[] = [...results.values()].map(({ spec, runs, skipped }) => ({
    name: spec.name,
    file: spec.file,
    runs,
    skipped,
    env: runs.length > 0 && spec.quick ? env : undefined,
  }));
  const totalSeconds = (performance.now() - began) / 1000;
  const quickFlag = QUICK ? '' : ' --full';
  const runsFlag = RUNS === 3 ? '' : ` --runs ${RUNS}`;
  const onlyFlag = only ? ` --only ${only.join(',')}` : '';
  const extra = `${runsFlag}${onlyFlag}${quickFlag}`;
  const markdown = renderMarkdown({
    startedAt: startedAt.toISOString(),
    totalSeconds,
    runs: RUNS,
    machine: host,
    reproduce: [
      'npm ci                 # Bun comes with the dev dependencies',
      '# Chromium at /usr/bin/chromium (or CHROME_PATH); PostgreSQL at 127.0.0.1:5432, user postgres, db test',
      `npm run bench${extra ? ` --${extra}` : ''}          # writes BENCHMARKS.md; runs and logs under reports/bench-<time>/`,
      'npm run bench -- --runs 5 --only kds,guest     # some benches, more runs',
      'npm run bench:kds      # one bench alone at its full counts, its own table',
    ],
    howMeasured: howMeasured(benches),
    benches,
  });
  writeFileSync(args.out, markdown);
  writeFileSync(join(dir, 'runs.json'), JSON.stringify({ machine: host, benches }, null, 2));
  say(`wrote ${relative(REPO_ROOT, args.out) || args.out} in ${clock(totalSeconds * 1000)}`);
  for (const bench of benches) say(`  ${bench.name}: ${benchStatus(bench).replace(/\*\*/g, '')}`);
  if (benches.some((b) => b.runs.some(runFailed))) process.exitCode = 1;
}

await main();
