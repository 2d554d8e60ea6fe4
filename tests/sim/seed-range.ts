import { expect, it } from 'vitest';
import { diagnose } from './diagnose.ts';
import { runSimulation } from './simulation.ts';

const CHUNK = 100;

/**
 * One vitest test per hundred seeds from `from`: each fails with its seeds, the invariants they
 * broke and the known defect when it is one. Replay a seed with `npm run sim -- --seed S --trace`.
 */
export function testSeeds(from: number, count: number): void {
  for (let start = from; start < from + count; start += CHUNK) {
    const end = Math.min(start + CHUNK, from + count) - 1;
    it(`holds every invariant for seeds ${start}..${end}`, { timeout: 300_000 }, async () => {
      const failures: string[] = [];
      for (let seed = start; seed <= end; seed++) {
        const result = await runSimulation({ seed });
        for (const v of result.violations) {
          const known = diagnose(v);
          failures.push(
            `seed ${seed} [${v.invariant}]${known ? ` (${known})` : ''} at step ${v.step}: ${v.detail}`,
          );
        }
      }
      expect(failures, failures.slice(0, 10).join('\n')).toEqual([]);
    });
  }
}
