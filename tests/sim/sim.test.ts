import { describe, expect, it } from 'vitest';
import { testSeeds } from './seed-range.ts';
import { runSimulation } from './simulation.ts';

// The deterministic simulation over seeds 1..600 (SIM_FROM and SIM_SEEDS change the range;
// `npm run sim -- --seeds 5000` searches further). Each defect it has found showed in 1.5% of
// seeds or more, which 600 seeds all but never miss, except the ghost ticket (one seed in
// 3,000): defects that rare are for the longer runs on demand (README.md).
const FROM = Number(process.env.SIM_FROM ?? 1);
const SEEDS = Number(process.env.SIM_SEEDS ?? 600);

describe('deterministic simulation of the sync core', () => {
  it('replays a seed exactly', async () => {
    const a = await runSimulation({ seed: 424242 });
    const b = await runSimulation({ seed: 424242 });
    expect(a.trace.length).toBeGreaterThan(100);
    expect(b.trace).toEqual(a.trace);
    expect(b.violations).toEqual(a.violations);
  });

  testSeeds(FROM, SEEDS);
});
