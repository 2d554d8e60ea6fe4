import type { Drawer } from '../entities/drawer.ts';
import type { Order, OrderLine } from '../entities/order.ts';
import type { PaymentRecord } from '../entities/payment.ts';
import type { Refund } from '../entities/refund.ts';
import { lineAmount } from '../money/totals.ts';

/*
 * The end-of-day report, pure: a business day's sales, tips, refunds, voids, later declines,
 * drawer counts and checks, from the venue's entities. A business day runs from the venue's
 * day start (04:00 by default) to the next one in the venue's own zone, so a night that runs
 * past midnight belongs to the day it started. A payment belongs to the day it was taken
 * (`takenAt`, the deciding server's time: an offline payment replayed hours later keeps its
 * night), an order to the day it was closed or voided. Money is integer minor units; zones
 * are converted with Intl alone.
 */

/** What the report reads: the venue's entities, as the local view or a store holds them. */
export interface DayReportInput {
  readonly orders: readonly Order[];
  readonly payments: readonly PaymentRecord[];
  readonly refunds: readonly Refund[];
  readonly drawers: readonly Drawer[];
}

export interface DayReportOptions {
  /** The business day, `YYYY-MM-DD`. */
  readonly date: string;
  /** The venue's IANA zone (`Venue.timezone`). */
  readonly timezone: string;
  /** Minutes after local midnight the business day starts; 240 (04:00) when absent. */
  readonly dayStartsAtMinutes?: number;
  /**
   * The venue's cash increment (`Settings.cashRoundingIncrement`): a check closed by cash may
   * be off its total by up to half of it, written off as cash rounding. 1 when absent.
   */
  readonly cashRoundingIncrement?: number;
}

/** Amounts by how they were paid. `card` is approved online; stored ones are not yet charged. */
export interface ByMethod {
  readonly cash: number;
  readonly card: number;
  /** Card payments stored offline that the processor has not authorised yet. */
  readonly cardStored: number;
  /** Stored card payments the processor authorised later. */
  readonly approvedLater: number;
  readonly total: number;
}

export interface DrawerLine {
  readonly drawerId: string;
  readonly deviceId: string;
  readonly closedAt: string;
  readonly closedBy: string | null;
  readonly expected: number;
  readonly counted: number;
  /** counted − expected: negative is cash missing. */
  readonly difference: number;
  readonly reason: string | null;
}

export interface DeclinedLater {
  readonly paymentId: string;
  readonly orderId: string;
  readonly tableId: string | null;
  readonly amount: number;
  readonly tip: number;
  readonly declineCode: string | null;
}

export interface DayReport {
  readonly date: string;
  readonly timezone: string;
  /** The business day's bounds, ISO instants (23 or 25 hours apart on a clock-change day). */
  readonly startsAt: string;
  readonly endsAt: string;
  /** The currency of the amounts (the first seen); null for a day with nothing in it. */
  readonly currency: string | null;
  /** Before tip, by method: what was paid towards checks. */
  readonly sales: ByMethod;
  readonly tips: ByMethod;
  readonly paymentCount: number;
  readonly refunds: {
    /** Given back: cash at once, card once the processor confirmed. */
    readonly cash: number;
    readonly card: number;
    readonly refunded: number;
    /** Card refunds approved by a manager and not yet confirmed by the processor. */
    readonly waiting: number;
    readonly failed: number;
    readonly count: number;
  };
  readonly voids: {
    readonly orders: number;
    /** The voided orders' totals. */
    readonly ordersValue: number;
    readonly lines: number;
    /** Voided lines at their menu price (lines of orders not voided whole, and of those too). */
    readonly linesValue: number;
  };
  /** Stored card payments taken this day that the processor declined later: not sales. */
  readonly declinedLater: {
    readonly count: number;
    readonly amount: number;
    readonly tip: number;
    readonly payments: readonly DeclinedLater[];
  };
  readonly drawers: readonly DrawerLine[];
  /** Closed drawers' differences summed. */
  readonly drawerDifference: number;
  readonly checks: { readonly closed: number; readonly total: number };
  /** Paid over (+) or under (−) the checks' totals by cash rounding on checks closed this day. */
  readonly cashRounding: number;
  readonly balance: {
    /** `sales.total`: what the day's payments paid towards checks. */
    readonly payments: number;
    readonly cashRounding: number;
    readonly checks: number;
    /** payments − cashRounding − checks. */
    readonly difference: number;
    /** The day's payments towards checks not closed this day (still open, or closed another day). */
    readonly paidTowardsOtherChecks: number;
    /** Payments taken on another day towards checks closed this day. */
    readonly paidOnOtherDays: number;
  };
  /** payments − cash rounding written off = the checks' totals. */
  readonly balanced: boolean;
}

export const DEFAULT_DAY_START_MINUTES = 240;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

const wallFormats = new Map<string, Intl.DateTimeFormat>();

/** One formatter per zone: building one costs far more than using it. */
function wallFormat(timezone: string): Intl.DateTimeFormat {
  let format = wallFormats.get(timezone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    wallFormats.set(timezone, format);
  }
  return format;
}

/** The wall clock in `timezone` at `ms`, as if it were UTC (ms since the epoch, whole seconds). */
function wallAsUtc(ms: number, timezone: string): number {
  const parts: Record<string, number> = {};
  for (const part of wallFormat(timezone).formatToParts(ms))
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  return Date.UTC(
    parts.year ?? 1970,
    (parts.month ?? 1) - 1,
    parts.day ?? 1,
    parts.hour ?? 0,
    parts.minute ?? 0,
    parts.second ?? 0,
  );
}

const isoDate = (utcMs: number): string => new Date(utcMs).toISOString().slice(0, 10);

function checkDate(date: string): number {
  const m = DATE.exec(date);
  const ms = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : Number.NaN;
  if (Number.isNaN(ms) || isoDate(ms) !== date)
    throw new RangeError(`not a date (YYYY-MM-DD): ${date}`);
  return ms;
}

function checkStart(minutes: number): number {
  if (!Number.isInteger(minutes) || minutes < 0 || minutes >= 24 * 60)
    throw new RangeError('dayStartsAtMinutes must be a whole number of minutes in a day');
  return minutes;
}

/**
 * The business day an instant belongs to in the venue's zone: its local date, or the day before
 * when it is earlier than the day start (00:20 with a 04:00 start is the night before).
 */
export function businessDateOf(
  at: string | number,
  timezone: string,
  dayStartsAtMinutes: number = DEFAULT_DAY_START_MINUTES,
): string {
  const ms = typeof at === 'number' ? at : Date.parse(at);
  const wall = wallAsUtc(ms, timezone);
  return isoDate(wall - checkStart(dayStartsAtMinutes) * 60_000);
}

/**
 * The instant the local wall clock in `timezone` reads `wall` (as UTC ms). A time the clocks
 * skip (spring forward) is taken as the moment after the gap.
 */
function instantOfWall(wall: number, timezone: string): number {
  let guess = wall;
  for (let i = 0; i < 3; i += 1) {
    const offset = wallAsUtc(guess, timezone) - guess;
    const next = wall - offset;
    if (next === guess) break;
    guess = next;
  }
  // In a gap no instant reads `wall`: the guess lands an hour off; the later side wins.
  const landed = wallAsUtc(guess, timezone);
  return landed < wall ? guess + (wall - landed) : guess;
}

/** The business day's first and last instants (the next day's start), ISO. */
export function businessDayBounds(
  date: string,
  timezone: string,
  dayStartsAtMinutes: number = DEFAULT_DAY_START_MINUTES,
): { startsAt: string; endsAt: string } {
  const day = checkDate(date);
  const start = checkStart(dayStartsAtMinutes) * 60_000;
  return {
    startsAt: new Date(instantOfWall(day + start, timezone)).toISOString(),
    endsAt: new Date(instantOfWall(day + DAY_MS + start, timezone)).toISOString(),
  };
}

type Bucket = 'cash' | 'card' | 'cardStored' | 'approvedLater';

/** Where a payment counts, or null when it pays nothing (declined, declined later). */
function bucketOf(p: Pick<PaymentRecord, 'method' | 'status'>): Bucket | null {
  if (p.status === 'approved') return p.method === 'cash' ? 'cash' : 'card';
  if (p.status === 'stored') return 'cardStored';
  if (p.status === 'approved_later') return 'approvedLater';
  return null;
}

function byMethod(amounts: Record<Bucket, number>): ByMethod {
  return {
    ...amounts,
    total: amounts.cash + amounts.card + amounts.cardStored + amounts.approvedLater,
  };
}

const voidedValue = (lines: readonly OrderLine[], inDay: (at: string) => boolean) =>
  lines.filter((l) => l.voidedAt && inDay(l.voidedAt));

/**
 * The report for one business day.
 *
 * @example
 * dayReport({ orders, payments, refunds, drawers },
 *   { date: '2026-12-05', timezone: 'Europe/Paris' }).sales.total
 */
export function dayReport(input: DayReportInput, options: DayReportOptions): DayReport {
  const { date, timezone } = options;
  const startMinutes = checkStart(options.dayStartsAtMinutes ?? DEFAULT_DAY_START_MINUTES);
  const increment = options.cashRoundingIncrement ?? 1;
  const { startsAt, endsAt } = businessDayBounds(date, timezone, startMinutes);
  const inDay = (at: string | null | undefined): boolean =>
    typeof at === 'string' && businessDateOf(at, timezone, startMinutes) === date;

  let currency: string | null = null;
  const seen = (c: string) => {
    currency ??= c;
  };

  // Checks closed this day.
  const closed = input.orders.filter((o) => o.status === 'closed' && inDay(o.closedAt));
  const closedIds = new Set(closed.map((o) => o.id));
  for (const o of closed) seen(o.totals.currency);

  // Payments taken this day.
  const sales: Record<Bucket, number> = { cash: 0, card: 0, cardStored: 0, approvedLater: 0 };
  const tips: Record<Bucket, number> = { cash: 0, card: 0, cardStored: 0, approvedLater: 0 };
  let paymentCount = 0;
  let paidTowardsOtherChecks = 0;
  const declined: DeclinedLater[] = [];
  for (const p of input.payments) {
    if (!inDay(p.takenAt)) continue;
    seen(p.currency);
    if (p.status === 'declined_later')
      declined.push({
        paymentId: p.id,
        orderId: p.orderId,
        tableId: p.tableId,
        amount: p.amount,
        tip: p.tip,
        declineCode: p.declineCode,
      });
    const bucket = bucketOf(p);
    if (!bucket) continue;
    paymentCount += 1;
    sales[bucket] += p.amount;
    tips[bucket] += p.tip;
    if (!closedIds.has(p.orderId)) paidTowardsOtherChecks += p.amount;
  }
  // A check settled whole by `order.close` carries its payment on the order.
  for (const o of closed) {
    if (!o.payment) continue;
    paymentCount += 1;
    sales[o.payment.method] += o.payment.amount;
  }

  // Cash rounding, and payments of other days, on the checks closed this day.
  const counting = new Map<string, PaymentRecord[]>();
  for (const p of input.payments) {
    if (!closedIds.has(p.orderId) || !bucketOf(p)) continue;
    const list = counting.get(p.orderId) ?? [];
    list.push(p);
    counting.set(p.orderId, list);
  }
  let cashRounding = 0;
  let paidOnOtherDays = 0;
  for (const o of closed) {
    if (o.payment) {
      if (o.payment.method === 'cash') cashRounding += o.payment.amount - o.totals.total;
      continue;
    }
    const paid = counting.get(o.id) ?? [];
    for (const p of paid) if (!inDay(p.takenAt)) paidOnOtherDays += p.amount;
    const last = [...paid].sort((a, b) => a.takenAt.localeCompare(b.takenAt)).at(-1);
    const over = paid.reduce((sum, p) => sum + p.amount, 0) - o.totals.total;
    // Within half an increment of the total, by a cash payment last: the rounding written off.
    if (last?.method === 'cash' && over !== 0 && Math.abs(over) * 2 <= increment)
      cashRounding += over;
  }
  const checksTotal = closed.reduce((sum, o) => sum + o.totals.total, 0);

  // Refunds asked for this day.
  const refunds = { cash: 0, card: 0, refunded: 0, waiting: 0, failed: 0, count: 0 };
  for (const r of input.refunds) {
    if (!inDay(r.requestedAt)) continue;
    seen(r.currency);
    refunds.count += 1;
    if (r.status === 'refunded') {
      refunds[r.method] += r.amount;
      refunds.refunded += r.amount;
    } else if (r.status === 'approved') refunds.waiting += r.amount;
    else refunds.failed += r.amount;
  }

  // Voids: orders voided this day, and lines voided this day on any order.
  const voidedOrders = input.orders.filter((o) => o.status === 'voided' && inDay(o.closedAt));
  const voidedLines = input.orders.flatMap((o) => voidedValue(o.lines, inDay));

  // Drawers closed this day.
  const drawers: DrawerLine[] = input.drawers
    .filter((d) => d.status === 'closed' && inDay(d.closedAt))
    .sort((a, b) => (a.closedAt ?? '').localeCompare(b.closedAt ?? '') || a.id.localeCompare(b.id))
    .map((d) => {
      const expected = d.expected ?? 0;
      const counted = d.counted ?? 0;
      return {
        drawerId: d.id,
        deviceId: d.deviceId,
        closedAt: d.closedAt ?? '',
        closedBy: d.closedBy,
        expected,
        counted,
        difference: d.difference ?? counted - expected,
        reason: d.reason,
      };
    });

  const salesTotal = byMethod(sales);
  const difference = salesTotal.total - cashRounding - checksTotal;
  return {
    date,
    timezone,
    startsAt,
    endsAt,
    currency,
    sales: salesTotal,
    tips: byMethod(tips),
    paymentCount,
    refunds,
    voids: {
      orders: voidedOrders.length,
      ordersValue: voidedOrders.reduce((sum, o) => sum + o.totals.total, 0),
      lines: voidedLines.length,
      linesValue: voidedLines.reduce((sum, l) => sum + lineAmount(l), 0),
    },
    declinedLater: {
      count: declined.length,
      amount: declined.reduce((sum, p) => sum + p.amount, 0),
      tip: declined.reduce((sum, p) => sum + p.tip, 0),
      payments: declined,
    },
    drawers,
    drawerDifference: drawers.reduce((sum, d) => sum + d.difference, 0),
    checks: { closed: closed.length, total: checksTotal },
    cashRounding,
    balance: {
      payments: salesTotal.total,
      cashRounding,
      checks: checksTotal,
      difference,
      paidTowardsOtherChecks,
      paidOnOtherDays,
    },
    balanced: difference === 0,
  };
}
