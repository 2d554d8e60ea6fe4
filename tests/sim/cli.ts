import { diagnose } from './diagnose.ts';
import { runSimulation, type SimResult } from './simulation.ts';

// npm run sim -- [--seeds N] [--from S] [--seed S] [--trace]
// Runs N seeds from S (default 1000 from 1), prints every failing seed with the invariants it
// broke, then which seeds broke which invariant. Exit code 1 when any seed failed.
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
  const from = Number(arg('from') ?? 1);
  const seeds =
    one === undefined
      ? Array.from({ length: Number(arg('seeds') ?? 1000) }, (_, i) => from + i)
      : [Number(one)];
  const started = performance.now();
  const byInvariant = new Map<string, number[]>();
  let failed = 0;
  let ops = 0;
  for (const seed of seeds) {
    const result = await runSimulation({ seed });
    ops += result.ops;
    if (result.violations.length > 0) {
      failed++;
      report(result, showTrace);
      const names = result.violations.flatMap((v) => [v.invariant, diagnose(v) ?? []].flat());
      for (const name of new Set(names))
        byInvariant.set(name, [...(byInvariant.get(name) ?? []), seed]);
    } else if (showTrace) {
      for (const line of result.trace) console.log(`  ${line}`);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  for (const [invariant, list] of byInvariant)
    console.log(`[${invariant}] ${list.length} seed(s): ${list.slice(0, 20).join(' ')}`);
  console.log(
    `${seeds.length} seed(s), ${failed} failed, ${ops} ops, ${seconds.toFixed(1)} s (${((seconds * 1000) / seeds.length).toFixed(1)} ms/seed)`,
  );
  process.exit(failed > 0 ? 1 : 0);
}

await main();
