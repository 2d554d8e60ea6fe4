import type { Settings, Ticket, TicketLine } from '#protocol';
import {
  allLinesReady,
  courseOf,
  isAllergyNote,
  onThePass,
  RECALL_WINDOW_MS,
  RECENTLY_BUMPED_LIMIT,
  standingLines,
  ticketNumber,
} from '#protocol/domain/kitchen-rules.ts';

/*
 * What the kitchen display shows, pure: the cached tickets (with this device's own unsent
 * actions already applied by the local view), the station, and the venue time now → the cards
 * in arrival order, their clocks and colours, the all-day counts and the recently bumped list.
 *
 *   prep station: its tickets still to cook (held, queued, in progress). Its bump marks the
 *                 ticket ready: done here, off this screen, ticked on expo.
 *   expo:         one card per order with anything not yet handed out, every station's share
 *                 in it; green when all are ready. Its bump hands the order out (bumped).
 */

/** The display's station: a prep station's id, or expo. */
export type StationChoice =
  | { readonly kind: 'prep'; readonly id: string }
  | { readonly kind: 'expo' };

export type Tone = 'held' | 'ok' | 'warn' | 'late' | 'ready';

export interface CardLine {
  readonly ticketId: string;
  readonly lineId: string;
  readonly name: string;
  readonly quantity: number;
  readonly modifiers: readonly string[];
  readonly note: string | undefined;
  readonly allergy: boolean;
  readonly ready: boolean;
  readonly voided: boolean;
  /** Joined an open ticket after it was fired. */
  readonly addOn: boolean;
}

export interface CardSection {
  /** The station whose share this is (expo shows one section per station). */
  readonly station: string;
  readonly stationName: string;
  readonly ticketId: string;
  readonly status: Ticket['status'];
  /** Server time (ms) the ticket was fired (sent, for a held one). */
  readonly firedAt: number;
  readonly lines: readonly CardLine[];
}

export interface Card {
  /** `ticket:<id>` on a prep screen, `order:<id>` on expo. */
  readonly key: string;
  readonly orderId: string;
  /** The tickets the card's actions apply to. */
  readonly ticketIds: readonly string[];
  readonly number: string;
  readonly table: string | null;
  readonly server: string | null;
  readonly covers: number | null;
  readonly course: number;
  readonly status: Ticket['status'];
  readonly held: boolean;
  /** Every share ready (expo) or the ticket ready (prep). */
  readonly allReady: boolean;
  readonly firedAt: number;
  readonly startedAt: number | null;
  /** ms since fired / since started, at `now`. */
  readonly sinceFiredMs: number;
  readonly sinceStartedMs: number | null;
  readonly tone: Tone;
  readonly sections: readonly CardSection[];
  /** Other stations cooking for the same order (prep screens). */
  readonly alsoAt: readonly string[];
  /** VOID across the card, or CHANGED, until acknowledged. */
  readonly attention: 'void' | 'change' | null;
  readonly voided: boolean;
  /** Line ids on the card: what a new-ticket or add-on flash is about. */
  readonly lineKeys: readonly string[];
}

export interface AllDayCount {
  readonly name: string;
  readonly quantity: number;
}

export interface RecentEntry {
  readonly key: string;
  readonly ticketIds: readonly string[];
  readonly number: string;
  readonly table: string | null;
  readonly at: number;
  readonly summary: string;
}

export interface Board {
  readonly cards: readonly Card[];
  readonly allDay: readonly AllDayCount[];
  /** Newest first, at most RECENTLY_BUMPED_LIMIT, within RECALL_WINDOW_MS. */
  readonly recent: readonly RecentEntry[];
}

export interface BoardInput {
  readonly tickets: readonly Ticket[];
  readonly station: StationChoice;
  readonly settings: Pick<Settings, 'kitchenTimers' | 'stations'> | undefined;
  /** Venue time now (device clock + measured offset), ms. */
  readonly now: number;
}

/** Used when the settings have not reached the device yet (common defaults). */
export const DEFAULT_TIMERS = { warnAfterSec: 480, lateAfterSec: 900 } as const;

const ms = (iso: string | null | undefined): number | null => {
  if (!iso) return null;
  const parsed = Date.parse(iso);
  return Number.isNaN(parsed) ? null : parsed;
};

/** Green until warn, orange until late, then red; held and ready are their own. */
export function toneOf(
  sinceFiredMs: number,
  timers: { readonly warnAfterSec: number; readonly lateAfterSec: number },
): Tone {
  if (sinceFiredMs >= timers.lateAfterSec * 1000) return 'late';
  if (sinceFiredMs >= timers.warnAfterSec * 1000) return 'warn';
  return 'ok';
}

/** "0:42", "7 min", "1 h 05": the age in words a cook reads at a glance. */
export function formatAge(msAge: number): string {
  const seconds = Math.max(0, Math.floor(msAge / 1000));
  if (seconds < 60) return `0:${String(seconds).padStart(2, '0')}`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')}`;
}

/**
 * What a ticket contributes to the board that does not depend on the time or its neighbours,
 * worked out once per ticket object: the board is rebuilt on every change and every second,
 * and of 1,000 tickets one has changed. Entities are immutable, so identity is the cache key.
 */
interface TicketFacts {
  readonly firedAt: number;
  readonly startedAt: number | null;
  readonly number: string;
  /** Card lines as the first send of a card, and as an ADD-ON. */
  readonly lines: readonly CardLine[];
  readonly addOnLines: readonly CardLine[];
}

const facts = new WeakMap<Ticket, TicketFacts>();

function factsOf(ticket: Ticket): TicketFacts {
  let known = facts.get(ticket);
  if (!known) {
    known = {
      firedAt: ms(ticket.firedAt) ?? 0,
      startedAt: ms(ticket.startedAt),
      number: ticketNumber(ticket.orderId),
      lines: ticket.lines.map((line) => lineOf(ticket, line, false)),
      addOnLines: ticket.lines.map((line) => lineOf(ticket, line, true)),
    };
    facts.set(ticket, known);
  }
  return known;
}

function lineOf(ticket: Ticket, line: TicketLine, addOn: boolean): CardLine {
  return {
    ticketId: ticket.id,
    lineId: line.lineId,
    name: line.name,
    quantity: line.quantity,
    modifiers: line.modifiers,
    note: line.note,
    allergy: isAllergyNote(line.note),
    ready: Boolean(line.readyAt) || ticket.status === 'ready' || ticket.status === 'bumped',
    voided: Boolean(line.voidedAt) || Boolean(ticket.voidedAt),
    addOn,
  };
}

const byArrival = (a: Ticket, b: Ticket): number =>
  factsOf(a).firedAt - factsOf(b).firedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Station names by id; the same map while the settings object is the same. */
function stationNames(settings: BoardInput['settings']): Map<string, string> {
  if (memoNames && memoNames.settings === settings) return memoNames.names;
  const names = new Map((settings?.stations ?? []).map((s) => [s.id, s.name]));
  memoNames = { settings, names };
  return names;
}

/** One ticket's share on a card; an add-on when the card already has this station's share. */
function sectionOf(ticket: Ticket, names: Map<string, string>, addOn: boolean): CardSection {
  return {
    station: ticket.station,
    stationName: names.get(ticket.station) ?? ticket.station,
    ticketId: ticket.id,
    status: ticket.status,
    firedAt: factsOf(ticket).firedAt,
    lines: addOn ? factsOf(ticket).addOnLines : factsOf(ticket).lines,
  };
}

/**
 * Sections for a card's tickets in arrival order: a later send to a station already on the card
 * is its ADD-ON. Decided here, on the screen, and not by merging tickets in the protocol: a
 * send's tickets never depend on the state of earlier ones, so a replay decides them the same.
 */
function sectionsOf(tickets: readonly Ticket[], names: Map<string, string>): CardSection[] {
  const seen = new Set<string>();
  return tickets.map((t) => {
    const addOn = seen.has(t.station);
    seen.add(t.station);
    return sectionOf(t, names, addOn);
  });
}

/** Groups tickets (already in arrival order) by key, keeping first-arrival order of groups. */
function groupBy(tickets: readonly Ticket[], keyOf: (t: Ticket) => string): Ticket[][] {
  const groups = new Map<string, Ticket[]>();
  for (const t of tickets) {
    const key = keyOf(t);
    const group = groups.get(key);
    if (group) group.push(t);
    else groups.set(key, [t]);
  }
  return [...groups.values()];
}

const earliest = (values: readonly (number | null)[]): number | null => {
  const known = values.filter((v): v is number => v !== null);
  return known.length > 0 ? Math.min(...known) : null;
};

function clocks(firedAt: number, startedAt: number | null, now: number) {
  return {
    sinceFiredMs: Math.max(0, now - firedAt),
    sinceStartedMs: startedAt === null ? null : Math.max(0, now - startedAt),
  };
}

/**
 * The cards of the last board, by key, with what they were built from: a card whose tickets
 * (the same objects), time, timers, station names and ALSO AT are unchanged is reused, so an
 * update of one ticket among 1,000 builds one card. Swapped on every board: never grows.
 */
interface Memo {
  readonly card: Card;
  readonly tickets: readonly Ticket[];
  readonly now: number;
  readonly timers: object;
  readonly names: object;
  readonly alsoAtKey: string;
}
let memoCards = new Map<string, Memo>();
let nextMemo = new Map<string, Memo>();
let memoNames: { readonly settings: unknown; readonly names: Map<string, string> } | undefined;

function remember(key: string, memo: Memo): void {
  nextMemo.set(key, memo);
}

function sameInputs(
  memo: Memo,
  tickets: readonly Ticket[],
  now: number,
  timers: object,
  names: object,
  alsoAtKey: string,
): boolean {
  return (
    memo.now === now &&
    memo.timers === timers &&
    memo.names === names &&
    memo.alsoAtKey === alsoAtKey &&
    memo.tickets.length === tickets.length &&
    memo.tickets.every((t, i) => t === tickets[i])
  );
}

/** What every card says of its order, from its first ticket. */
function headerOf(first: Ticket) {
  return {
    orderId: first.orderId,
    number: factsOf(first).number,
    table: first.tableLabel,
    server: first.server ?? null,
    covers: first.covers ?? null,
    course: courseOf(first),
  };
}

/** VOID over CHANGED: what the card asks the kitchen to acknowledge, if anything. */
function attentionOf(tickets: readonly Ticket[]): Card['attention'] {
  if (tickets.some((t) => t.attention === 'void')) return 'void';
  return tickets.some((t) => t.attention === 'change') ? 'change' : null;
}

/** A prep station's cards: its tickets still to cook, in arrival order. */
function prepCards(input: BoardInput, station: string, names: Map<string, string>): Card[] {
  const timers = input.settings?.kitchenTimers ?? DEFAULT_TIMERS;
  const openByOrder = new Map<string, Set<string>>();
  for (const t of input.tickets) {
    if (!onThePass(t) || t.status === 'ready' || t.voidedAt) continue;
    const set = openByOrder.get(t.orderId) ?? new Set<string>();
    set.add(t.station);
    openByOrder.set(t.orderId, set);
  }
  const mine = input.tickets
    .filter((t) => t.station === station && onThePass(t) && (t.status !== 'ready' || t.attention))
    .sort(byArrival);
  // One card per order and course: a later send to this station is the card's ADD-ON.
  return groupBy(mine, (t) => `${t.orderId}#${courseOf(t)}#${t.status === 'held'}`).map((group) => {
    const first = group[0] as Ticket;
    const alsoAtKey = [...(openByOrder.get(first.orderId) ?? [])].join(' ');
    const memo = memoCards.get(`prep:${first.id}`);
    if (memo && sameInputs(memo, group, input.now, timers, names, alsoAtKey)) {
      nextMemo.set(`prep:${first.id}`, memo);
      return memo.card;
    }
    const firedAt = factsOf(first).firedAt;
    const startedAt = earliest(group.map((t) => factsOf(t).startedAt));
    const held = first.status === 'held';
    const live = group.filter((t) => !t.voidedAt);
    const allReady = live.length > 0 && live.every((t) => t.status === 'ready' || allLinesReady(t));
    const time = clocks(firedAt, startedAt, input.now);
    const others = [...(openByOrder.get(first.orderId) ?? [])].filter((s) => s !== station);
    const statusOrder: Ticket['status'][] = ['queued', 'in_progress', 'held', 'ready', 'bumped'];
    const status = statusOrder.find((s) => live.some((t) => t.status === s)) ?? first.status;
    const card: Card = {
      key: `ticket:${first.id}`,
      ...headerOf(first),
      ticketIds: group.map((t) => t.id),
      status,
      held,
      allReady,
      firedAt,
      startedAt,
      ...time,
      tone: held ? 'held' : allReady ? 'ready' : toneOf(time.sinceFiredMs, timers),
      sections: sectionsOf(group, names),
      alsoAt: others.map((s) => names.get(s) ?? s).sort(),
      attention: attentionOf(group),
      voided: live.length === 0,
      lineKeys: group.flatMap((t) => t.lines.map((l) => `${t.id}/${l.lineId}`)),
    };
    remember(`prep:${first.id}`, {
      card,
      tickets: group,
      now: input.now,
      timers,
      names,
      alsoAtKey,
    });
    return card;
  });
}

/** Expo's cards: one per order (and course) with a share not yet handed out. */
function expoCards(input: BoardInput, names: Map<string, string>): Card[] {
  const timers = input.settings?.kitchenTimers ?? DEFAULT_TIMERS;
  const groups = new Map<string, Ticket[]>();
  for (const t of [...input.tickets].sort(byArrival)) {
    const key = `${t.orderId}#${courseOf(t)}`;
    const group = groups.get(key) ?? [];
    group.push(t);
    groups.set(key, group);
  }
  const cards: Card[] = [];
  for (const [key, group] of groups) {
    const open = group.filter(onThePass);
    if (open.length === 0) continue;
    const first = open[0] as Ticket;
    const memo = memoCards.get(`expo:${key}`);
    if (memo && sameInputs(memo, open, input.now, timers, names, '')) {
      nextMemo.set(`expo:${key}`, memo);
      cards.push(memo.card);
      continue;
    }
    const live = open.filter((t) => !t.voidedAt);
    const held = live.length > 0 && live.every((t) => t.status === 'held');
    const allReady = live.length > 0 && live.every((t) => t.status === 'ready');
    const fired = live.filter((t) => t.status !== 'held').map((t) => factsOf(t).firedAt);
    const firedAt = fired.length > 0 ? Math.min(...fired) : factsOf(first).firedAt;
    const starts = live.map((t) => factsOf(t).startedAt).filter((v): v is number => v !== null);
    const startedAt = starts.length > 0 ? Math.min(...starts) : null;
    const time = clocks(firedAt, startedAt, input.now);
    const attention = attentionOf(open);
    const card: Card = {
      key: `order:${key}`,
      ...headerOf(first),
      ticketIds: open.map((t) => t.id),
      status: allReady ? 'ready' : held ? 'held' : first.status,
      held,
      allReady,
      firedAt,
      startedAt,
      ...time,
      tone: held ? 'held' : allReady ? 'ready' : toneOf(time.sinceFiredMs, timers),
      sections: sectionsOf(open, names),
      alsoAt: [],
      attention,
      voided: live.length === 0,
      lineKeys: open.flatMap((t) => t.lines.map((l) => `${t.id}/${l.lineId}`)),
    };
    remember(`expo:${key}`, { card, tickets: open, now: input.now, timers, names, alsoAtKey: '' });
    cards.push(card);
  }
  return cards;
}

/** Items still to cook, summed by name: on a prep screen its own, on expo every station's. */
function allDayOf(input: BoardInput): AllDayCount[] {
  const counts = new Map<string, number>();
  for (const t of input.tickets) {
    if (t.status !== 'queued' && t.status !== 'in_progress') continue;
    if (t.voidedAt) continue;
    if (input.station.kind === 'prep' && t.station !== input.station.id) continue;
    for (const line of standingLines(t)) {
      if (line.readyAt) continue;
      counts.set(line.name, (counts.get(line.name) ?? 0) + line.quantity);
    }
  }
  return [...counts]
    .map(([name, quantity]) => ({ name, quantity }))
    .sort((a, b) => b.quantity - a.quantity || (a.name < b.name ? -1 : 1));
}

const summaryOf = (tickets: readonly Ticket[]): string =>
  tickets
    .flatMap((t) => standingLines(t).map((l) => `${l.quantity} × ${l.name}`))
    .slice(0, 4)
    .join(', ');

/**
 * What can be brought back: on a prep screen its tickets marked ready (by this station's bump);
 * on expo the orders handed out. Within the recall window, newest first, at most 50.
 */
function recentOf(input: BoardInput): RecentEntry[] {
  const since = input.now - RECALL_WINDOW_MS;
  const entries: RecentEntry[] = [];
  if (input.station.kind === 'prep') {
    const station = input.station.id;
    for (const t of input.tickets) {
      if (t.station !== station || t.status !== 'ready' || t.voidedAt) continue;
      const at = ms(t.readyAt);
      if (at === null || at < since) continue;
      entries.push({
        key: `ticket:${t.id}`,
        ticketIds: [t.id],
        number: ticketNumber(t.orderId),
        table: t.tableLabel,
        at,
        summary: summaryOf([t]),
      });
    }
  } else {
    const byOrder = new Map<string, Ticket[]>();
    for (const t of input.tickets) {
      const group = byOrder.get(t.orderId) ?? [];
      group.push(t);
      byOrder.set(t.orderId, group);
    }
    for (const [orderId, group] of byOrder) {
      const bumped = group.filter((t) => t.status === 'bumped');
      if (bumped.length === 0 || group.some((t) => onThePass(t) && t.status !== 'held')) continue;
      const at = Math.max(...bumped.map((t) => ms(t.bumpedAt) ?? 0));
      if (at < since) continue;
      const first = bumped[0] as Ticket;
      entries.push({
        key: `order:${orderId}`,
        ticketIds: bumped.filter((t) => (ms(t.bumpedAt) ?? 0) >= since).map((t) => t.id),
        number: ticketNumber(orderId),
        table: first.tableLabel,
        at,
        summary: summaryOf(bumped),
      });
    }
  }
  return entries.sort((a, b) => b.at - a.at).slice(0, RECENTLY_BUMPED_LIMIT);
}

/** The board at `now`. Pure: the same input gives the same board. */
export function boardOf(input: BoardInput): Board {
  const names = stationNames(input.settings);
  nextMemo = new Map();
  const cards =
    input.station.kind === 'prep'
      ? prepCards(input, input.station.id, names)
      : expoCards(input, names);
  memoCards = nextMemo;
  return { cards, allDay: allDayOf(input), recent: recentOf(input) };
}
