import { describe, expect, it } from 'vitest';
import { testSeeds } from './seed-range.ts';
import { runSimulation } from './simulation.ts';

// The deterministic simulation over seeds 1..1500 (SIM_FROM and SIM_SEEDS change the range).
const FROM = Number(process.env.SIM_FROM ?? 1);
const SEEDS = Number(process.env.SIM_SEEDS ?? 1500);

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
