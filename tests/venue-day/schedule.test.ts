import { describe, expect, it } from 'vitest';
import { demoItems } from '../../cloud/seed/demo-menu.ts';
import {
  BREAKFAST,
  CLOSES,
  coversOf,
  DAY_ENDS,
  LAST_SEATING,
  MORNING,
  OPENS,
  OUTAGES,
  planDay,
  SECTIONS,
} from './schedule.ts';

const ITEMS = demoItems.map(({ id, categoryId, price, station }) => ({
  id,
  categoryId,
  price,
  station,
}));

describe('the plan of a day of service', () => {
  it('is the same day for the same seed and rate, another for another seed', () => {
    expect(planDay(7, 1, ITEMS)).toEqual(planDay(7, 1, ITEMS));
    expect(planDay(8, 1, ITEMS).parties).not.toEqual(planDay(7, 1, ITEMS).parties);
  });

  it('seats about 300 covers in parties of 2–3 at 32 tables in 4 sections, a fifth by QR', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const plan = planDay(seed, 1, ITEMS);
      expect(plan.tables).toHaveLength(32);
      expect(coversOf(plan)).toBeGreaterThanOrEqual(250);
      expect(coversOf(plan)).toBeLessThanOrEqual(350);
      for (const party of plan.parties) {
        expect([2, 3]).toContain(party.guests);
        expect(party.rounds.length).toBeGreaterThanOrEqual(3);
        expect(party.rounds.length).toBeLessThanOrEqual(5);
        expect(party.section).toBeGreaterThanOrEqual(0);
        expect(party.section).toBeLessThan(SECTIONS);
        expect(party.seatedAt).toBeGreaterThanOrEqual(OPENS);
        expect(party.seatedAt).toBeLessThan(LAST_SEATING);
        const items = party.rounds.flatMap((r) => r.lines).reduce((n, l) => n + l.quantity, 0);
        expect(items / party.guests).toBeGreaterThanOrEqual(1.5);
        for (const [i, round] of party.rounds.entries())
          expect(round.at).toBeGreaterThan(party.rounds[i - 1]?.at ?? party.seatedAt);
        expect(party.pays.at).toBeGreaterThan(party.rounds[party.rounds.length - 1]?.at ?? 0);
      }
      const qr = plan.parties.filter((p) => p.channel === 'qr').length / plan.parties.length;
      expect(qr).toBeGreaterThan(0.1);
      expect(qr).toBeLessThan(0.3);
      expect(new Set(plan.parties.map((p) => p.section)).size).toBe(SECTIONS);
    }
  });

  it('never seats two parties at one table at once', () => {
    const plan = planDay(3, 1, ITEMS);
    const byTable = new Map<string, { from: number; to: number }[]>();
    for (const p of plan.parties) {
      const list = byTable.get(p.table) ?? [];
      list.push({ from: p.seatedAt, to: p.pays.at });
      byTable.set(p.table, list);
    }
    for (const visits of byTable.values()) {
      visits.sort((a, b) => a.from - b.from);
      for (let i = 1; i < visits.length; i++)
        expect(visits[i]?.from).toBeGreaterThan(visits[i - 1]?.to ?? 0);
    }
  });

  it('is busiest at the evening peak, and ten times the covers at ten times the rate', () => {
    const plan = planDay(1, 1, ITEMS);
    const seatedIn = (from: number, to: number) =>
      plan.parties.filter((p) => p.seatedAt >= from && p.seatedAt < to).length;
    expect(seatedIn(19 * 60, 20 * 60)).toBeGreaterThan(seatedIn(17 * 60, 18 * 60));
    const ten = planDay(1, 10, ITEMS);
    expect(ten.tables).toHaveLength(320);
    expect(coversOf(ten) / coversOf(plan)).toBeGreaterThan(8);
    expect(coversOf(ten) / coversOf(plan)).toBeLessThan(12);
  });

  it('sells out two mains for a while, and serves breakfast after the end of the day', () => {
    const plan = planDay(2, 1, ITEMS);
    expect(plan.soldOut).toHaveLength(2);
    for (const s of plan.soldOut) {
      expect(ITEMS.find((i) => i.id === s.itemId)?.categoryId).toBe('mains');
      expect(s.to).toBeGreaterThan(s.from);
    }
    expect(plan.breakfasts.length).toBeGreaterThanOrEqual(2);
    for (const b of plan.breakfasts) {
      expect(b.seatedAt).toBeGreaterThanOrEqual(BREAKFAST.from);
      expect(b.pays.at).toBeGreaterThan(DAY_ENDS);
      expect(b.pays.at).toBeLessThan(MORNING);
      expect(b.pays.method).toBe('cash');
    }
  });

  it('breaks the network at 19:05 (Wi-Fi, 45 s), 19:40–19:52 (WAN) and 21:30 → 09:00 (WAN)', () => {
    expect(OUTAGES.map((o) => [o.link, o.from, o.to])).toEqual([
      ['wifi', 19 * 60 + 5, 19 * 60 + 5.75],
      ['wan', 19 * 60 + 40, 19 * 60 + 52],
      ['wan', 21 * 60 + 30, 33 * 60],
    ]);
    expect(CLOSES).toBeLessThan(DAY_ENDS);
  });

  it('refuses a rate that is not positive and an empty menu', () => {
    expect(() => planDay(1, 0, ITEMS)).toThrow(/rate/);
    expect(() => planDay(1, 1, [])).toThrow(/menu/);
  });
});
