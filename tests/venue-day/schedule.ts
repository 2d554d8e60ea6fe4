import { mulberry32, type Rng } from '../sim/prng.ts';
import type { ServiceMinute } from './result.ts';

// The plan of a day of service, pure and seeded: who arrives when, at which table, what they
// order round by round, when they call for staff, what is voided or sold out, and how each
// check is paid. The driver (run.ts) plays it against real processes; the same seed and rate
// give the same day.
//
// Shape of the day (rate 1): the kitchen opens at 17:00 and the last party sits down by
// 21:45; ~300 covers in parties of 2–3 at 32 tables in 4 sections; 3–4 items per guest over 3–5
// rounds; about a fifth of parties order by QR from their phones. The evening peaks around
// 19:30–20:30. A hotel breakfast runs in the morning (07:00–08:45) before the next day begins.

export const OPENS: ServiceMinute = 17 * 60;
export const LAST_SEATING: ServiceMinute = 21 * 60 + 45;
export const CLOSES: ServiceMinute = 23 * 60;
/** 04:00 the next morning: where one business day ends and the next begins. */
export const DAY_ENDS: ServiceMinute = 28 * 60;
export const BREAKFAST: { from: ServiceMinute; to: ServiceMinute } = {
  from: 31 * 60,
  to: 32 * 60 + 45,
};
/** 09:00 the next morning: when the overnight outage ends. */
export const MORNING: ServiceMinute = 33 * 60;

/** The three outages of the day. */
export const OUTAGES = [
  { name: 'Wi-Fi blip', link: 'wifi', from: 19 * 60 + 5, to: 19 * 60 + 5.75 },
  { name: 'WAN down at the payment peak', link: 'wan', from: 19 * 60 + 40, to: 19 * 60 + 52 },
  {
    name: 'Overnight WAN outage across the end of day',
    link: 'wan',
    from: 21 * 60 + 30,
    to: MORNING,
  },
] as const;

export const SECTIONS = 4;
export const TABLES_PER_RATE = 32;

/** What the plan needs of a menu item (the demo menu's items, as the cloud seeds them). */
export interface PlanItem {
  readonly id: string;
  readonly categoryId: string;
  readonly price: number;
  readonly station: string;
}

export interface PlannedLine {
  readonly itemId: string;
  readonly quantity: number;
}

export interface Round {
  readonly at: ServiceMinute;
  readonly lines: readonly PlannedLine[];
}

export type PayMethod = 'cash' | 'card';

export interface Party {
  /** `p<index>`: stable for the seed and rate. */
  readonly id: string;
  /** Table label, '1'…; the section is the table's quarter of the room. */
  readonly table: string;
  readonly section: number;
  readonly guests: number;
  readonly seatedAt: ServiceMinute;
  /** 'qr': the first round comes from a guest's phone on mobile data, at the cloud. */
  readonly channel: 'staff' | 'qr';
  readonly rounds: readonly Round[];
  /** A service request from the table (a phone's "call a server", or water). */
  readonly call: { readonly at: ServiceMinute; readonly kind: 'call_waiter' | 'water' } | null;
  /** A line of this round voided a little after it was sent (index into rounds). */
  readonly voidRound: number | null;
  readonly pays: {
    readonly at: ServiceMinute;
    readonly method: PayMethod;
    readonly tipPercent: number;
  };
}

/** An item sold out ("86") and later back on, by the manager. */
export interface SoldOut {
  readonly itemId: string;
  readonly from: ServiceMinute;
  readonly to: ServiceMinute;
}

export interface DayPlan {
  readonly seed: number;
  readonly rate: number;
  readonly tables: readonly string[];
  readonly parties: readonly Party[];
  readonly soldOut: readonly SoldOut[];
  /** Breakfast checks the next morning (after the end of day), taken by staff and paid in cash. */
  readonly breakfasts: readonly Party[];
}

/** Arrivals per minute across the evening: a ramp, a peak around 19:30–20:30, a tail. */
function arrivalWeight(minute: ServiceMinute): number {
  const hour = minute / 60;
  if (hour < 18) return 0.5;
  if (hour < 19) return 1;
  if (hour < 20.5) return 1.6;
  if (hour < 21.25) return 0.9;
  return 0.35;
}

function inSection(table: number, tables: number): number {
  return Math.min(SECTIONS - 1, Math.floor(((table - 1) * SECTIONS) / tables));
}

const CATEGORY_ROUNDS = [['drinks'], ['starters'], ['mains', 'sides'], ['desserts'], ['drinks']];

function roundLines(
  rng: Rng,
  items: readonly PlanItem[],
  round: number,
  guests: number,
): PlannedLine[] {
  const categories = CATEGORY_ROUNDS[round] ?? ['drinks'];
  const choices = items.filter((item) => categories.includes(item.categoryId));
  const pool = choices.length > 0 ? choices : items;
  // Drinks and mains: about one each per guest; starters and desserts shared.
  const wanted = round === 1 || round === 3 ? Math.max(1, Math.round(guests / 2)) : guests;
  const byItem = new Map<string, number>();
  for (let i = 0; i < wanted; i++) {
    const item = rng.pick(pool);
    byItem.set(item.id, (byItem.get(item.id) ?? 0) + 1);
  }
  return [...byItem].map(([itemId, quantity]) => ({ itemId, quantity }));
}

function planParty(
  rng: Rng,
  items: readonly PlanItem[],
  index: number,
  table: number,
  tables: number,
  seatedAt: ServiceMinute,
  channel: 'staff' | 'qr',
  stayMinutes: number,
): Party {
  const guests = 2 + rng.int(2);
  const roundCount = 3 + rng.int(3);
  const rounds: Round[] = [];
  const gap = (stayMinutes - 15) / roundCount;
  for (let r = 0; r < roundCount; r++) {
    rounds.push({
      at: seatedAt + 3 + r * gap + rng.next() * Math.min(4, gap / 3),
      lines: roundLines(rng, items, r, guests),
    });
  }
  const last = rounds[rounds.length - 1]?.at ?? seatedAt;
  return {
    id: `p${index}`,
    table: String(table),
    section: inSection(table, tables),
    guests,
    seatedAt,
    channel,
    rounds,
    call: rng.chance(0.6)
      ? {
          at: seatedAt + 5 + rng.next() * (stayMinutes - 20),
          kind: rng.chance(0.5) ? 'water' : 'call_waiter',
        }
      : null,
    voidRound: rng.chance(0.08) ? rng.int(roundCount) : null,
    pays: {
      at: last + 10 + rng.next() * 5,
      method: rng.chance(0.45) ? 'cash' : 'card',
      tipPercent: rng.pick([0, 0, 10, 10, 15, 20]),
    },
  };
}

/**
 * The day for `seed` at `rate` (1: ~300 covers at 32 tables; the tables scale with the rate,
 * so the 10× day is ten rooms' worth of service through one venue's devices).
 */
export function planDay(seed: number, rate: number, items: readonly PlanItem[]): DayPlan {
  if (!(rate > 0)) throw new Error(`rate must be positive, got ${rate}`);
  if (items.length === 0) throw new Error('the plan needs menu items');
  const rng = mulberry32(seed);
  const tableCount = Math.max(SECTIONS, Math.round(TABLES_PER_RATE * Math.max(rate, 0.25)));
  const tables = Array.from({ length: tableCount }, (_, i) => String(i + 1));
  // Each table is free from a minute on; a party sits at the table free soonest near its time.
  const freeAt = new Array<number>(tableCount).fill(OPENS);
  const parties: Party[] = [];
  const perMinute = (150 * rate) / 260;
  let index = 0;
  for (let minute = OPENS; minute < LAST_SEATING; minute++) {
    const expected = perMinute * arrivalWeight(minute);
    let arrivals = Math.floor(expected) + (rng.chance(expected % 1) ? 1 : 0);
    while (arrivals-- > 0) {
      const seatedAt = minute + rng.next();
      let table = -1;
      for (let t = 0; t < tableCount; t++) {
        if ((freeAt[t] ?? 0) <= seatedAt && (table < 0 || rng.chance(0.3))) table = t;
      }
      if (table < 0) continue;
      const stay = 60 + rng.int(35);
      const channel = rng.chance(0.2) ? 'qr' : 'staff';
      const party = planParty(rng, items, index++, table + 1, tableCount, seatedAt, channel, stay);
      parties.push(party);
      freeAt[table] = party.pays.at + 5;
    }
  }
  const soldOut: SoldOut[] = [];
  const mains = items.filter((item) => item.categoryId === 'mains');
  for (const from of [19 * 60 + 20, 20 * 60 + 50]) {
    if (mains.length === 0) break;
    const item = rng.pick(mains);
    soldOut.push({ itemId: item.id, from, to: from + 25 });
  }
  const breakfastCount = Math.max(2, Math.round(6 * rate));
  const breakfasts: Party[] = [];
  for (let b = 0; b < breakfastCount; b++) {
    const seatedAt = BREAKFAST.from + (b * (BREAKFAST.to - 40 - BREAKFAST.from)) / breakfastCount;
    const table = 1 + (b % tableCount);
    breakfasts.push({
      id: `b${b}`,
      table: String(table),
      section: inSection(table, tableCount),
      guests: 1 + rng.int(2),
      seatedAt,
      channel: 'staff',
      rounds: [{ at: seatedAt + 2, lines: roundLines(rng, items, 0, 2) }],
      call: null,
      voidRound: null,
      pays: { at: seatedAt + 30, method: 'cash', tipPercent: 0 },
    });
  }
  return { seed, rate, tables, parties, soldOut, breakfasts };
}

/** Covers (guests) in a plan's evening. */
export const coversOf = (plan: Pick<DayPlan, 'parties'>): number =>
  plan.parties.reduce((sum, party) => sum + party.guests, 0);
