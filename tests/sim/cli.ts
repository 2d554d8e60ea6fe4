import { runSimulation, type SimResult } from './simulation.ts';

// npm run sim -- [--seeds N] [--from S] [--seed S] [--trace]
// Runs seeds from S (default 1) and prints every failing seed with the invariants it broke.
function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function report(result: SimResult, showTrace: boolean): void {
  for (const v of result.violations)
    console.log(`seed ${result.seed} FAILED [${v.invariant}] at step ${v.step}: ${v.detail}`);
  if (showTrace) for (const line of result.trace) console.log(`  ${line}`);
  console.log(`  replay: npm run sim -- --seed ${result.seed} --trace`);
}

async function main(): Promise<void> {
  const one = arg('seed');
  const showTrace = process.argv.includes('--trace');
  const seeds =
    one === undefined
      ? Array.from({ length: Number(arg('seeds') ?? 1000) }, (_, i) => Number(arg('from') ?? 1) + i)
      : [Number(one)];
  const started = performance.now();
  let failed = 0;
  let ops = 0;
  for (const seed of seeds) {
    const result = await runSimulation({ seed });
    ops += result.ops;
    if (result.violations.length > 0) {
      failed++;
      report(result, showTrace);
    } else if (showTrace) {
      for (const line of result.trace) console.log(`  ${line}`);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `${seeds.length} seed(s), ${failed} failed, ${ops} ops, ${seconds.toFixed(1)} s (${((seconds * 1000) / seeds.length).toFixed(1)} ms/seed)`,
  );
  process.exit(failed > 0 ? 1 : 0);
}

await main();
