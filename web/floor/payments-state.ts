import type {
  DayReport,
  Drawer,
  OfflineCardPolicy,
  Order,
  PaymentRecord,
  Refund,
  Table,
} from '#protocol';
import { businessDateOf, dayReport } from '#protocol/domain/day-report.ts';
import {
  expiredOfflinePayments,
  type OutstandingOfflineCard,
  offlineCardAlerts,
} from '#protocol/domain/offline-card-limits.ts';
import { declineWords } from '../app/card-words.ts';
import { parseTendered } from './cash-tender.ts';
import { cardText } from './failed-ops-state.ts';

/*
 * The manager's Payments view, pure: card payments stored offline with their countdowns and
 * alerts, the day's payments and refunds in words, what may still be refunded, the end-of-day
 * report from the local view, and the owner's offline card limits as a form. Times are shown in
 * the venue's zone; money is integer minor units, formatted by the caller's `money`.
 */

const MIN = 60_000;
const HOUR = 60 * MIN;

export type Money = (minor: number) => string;

/** The venue's zone for display; the device's own when the venue names none it can read. */
export function zoneOf(timezone: string | undefined): string {
  if (!timezone) return Intl.DateTimeFormat().resolvedOptions().timeZone;
  try {
    new Intl.DateTimeFormat('en', { timeZone: timezone });
    return timezone;
  } catch {
    return Intl.DateTimeFormat().resolvedOptions().timeZone;
  }
}

const timeFormats = new Map<string, Intl.DateTimeFormat>();

/** One formatter per zone and shape: building one costs far more than using it. */
function timeFormat(timezone: string, withDay: boolean): Intl.DateTimeFormat {
  const key = `${timezone}|${withDay}`;
  let format = timeFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', {
      timeZone: timezone,
      ...(withDay ? { weekday: 'short' } : {}),
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    timeFormats.set(key, format);
  }
  return format;
}

/** "23:50" in the venue's zone, with the day ("Sat 23:50") when it is not on `nowMs`'s date. */
export function venueTime(ms: number, timezone: string, nowMs?: number): string {
  const withDay = nowMs !== undefined && localDate(ms, timezone) !== localDate(nowMs, timezone);
  return timeFormat(timezone, withDay).format(ms);
}

/** The calendar date in the zone, `YYYY-MM-DD`. */
export function localDate(ms: number, timezone: string): string {
  return businessDateOf(ms, timezone, 0);
}

// Offline card payments

/** Stored card payments not yet authorised or declined, as the limits count them. */
export function outstandingOf(payments: readonly PaymentRecord[]): OutstandingOfflineCard[] {
  return payments
    .filter((p) => p.status === 'stored')
    .map((p) => ({
      paymentId: p.id,
      deviceId: p.deviceId,
      amount: p.amount,
      tip: p.tip,
      currency: p.currency,
      storedAtMs: Date.parse(p.takenAt),
    }));
}

/** "71:59:30" to the deadline (hours may pass 24); "0:00:00" at it. */
export function countdownText(leftMs: number): string {
  const s = Math.max(0, Math.floor(leftMs / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return `${h}:${String(m).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

/** "3 h 20 min", "45 min", "2 d 4 h": a duration as people say it. */
export function durationWords(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / MIN));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 100) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days} d` : `${days} d ${hours % 24} h`;
}

const hoursText = (ms: number) =>
  ms % HOUR === 0 ? `${ms / HOUR} h` : `${Math.round(ms / MIN)} min`;

export interface OfflineCardRow {
  readonly paymentId: string;
  readonly where: string;
  readonly device: string;
  readonly who: string;
  readonly amountText: string;
  readonly cardText: string;
  readonly takenText: string;
  readonly deadlineText: string;
  /** "71:59:30" left, or "expired". */
  readonly countdown: string;
  /** Said to a screen reader: "71 h 59 min left". */
  readonly countdownSpoken: string;
  readonly expired: boolean;
}

export interface LimitUse {
  readonly label: string;
  readonly held: number;
  readonly limit: number;
  readonly heldText: string;
  readonly limitText: string;
  readonly over: boolean;
}

export type BannerLevel = 'alert' | 'urgent' | 'expired';

export interface OfflineCardsView {
  readonly enabled: boolean;
  readonly rows: readonly OfflineCardRow[];
  /** The alert at 4 h / 12 h (or past the deadline), or null while none is due. */
  readonly banner: { readonly level: BannerLevel; readonly text: string } | null;
  /** When new offline payments stop, in words; null with nothing outstanding. */
  readonly noNewText: string | null;
  readonly venue: LimitUse;
  readonly devices: readonly LimitUse[];
  readonly expiredCount: number;
}

export interface OfflineCardsInput {
  readonly policy: OfflineCardPolicy;
  readonly currency: string;
  readonly payments: readonly PaymentRecord[];
  /** Names by id: tables ("Table 5"), staff, devices. */
  readonly names: ReadonlyMap<string, string>;
  readonly money: Money;
  readonly timezone: string;
  readonly nowMs: number;
}

/** The stored payments with their countdowns, the alert banner and the totals against the limits. */
export function offlineCardsView(input: OfflineCardsInput): OfflineCardsView {
  const { policy, currency, payments, names, money, timezone, nowMs } = input;
  const limits = { ...policy, currency };
  const outstanding = outstandingOf(payments);
  const alerts = offlineCardAlerts(limits, outstanding, nowMs);
  const expired = expiredOfflinePayments(limits, outstanding, nowMs);
  const byId = new Map(payments.map((p) => [p.id, p]));
  const rows = alerts.payments.map((c): OfflineCardRow => {
    const p = byId.get(c.paymentId) as PaymentRecord;
    return {
      paymentId: c.paymentId,
      where: (p.tableId && names.get(p.tableId)) || 'No table',
      device: names.get(c.deviceId) ?? 'a device',
      who: names.get(p.takenBy) ?? 'someone',
      amountText: p.tip > 0 ? `${money(p.amount)} + ${money(p.tip)} tip` : money(p.amount),
      cardText: cardText(p.card),
      takenText: venueTime(c.storedAtMs, timezone, nowMs),
      deadlineText: venueTime(c.deadlineMs, timezone, nowMs),
      countdown: c.expired ? 'expired' : countdownText(c.leftMs),
      countdownSpoken: c.expired ? 'expired' : `${durationWords(c.leftMs)} left`,
      expired: c.expired,
    };
  });

  let banner: OfflineCardsView['banner'] = null;
  const n = outstanding.length;
  const oldest = alerts.payments[0];
  if (expired.length > 0)
    banner = {
      level: 'expired',
      text:
        `${expired.length === 1 ? '1 offline card payment is' : `${expired.length} offline card payments are`} ` +
        `past the ${hoursText(policy.absoluteMs)} deadline: the processor may no longer take ` +
        `${expired.length === 1 ? 'it' : 'them'}. Follow up with the guest.`,
    };
  else if (alerts.due.length > 0 && oldest) {
    const after = alerts.due[alerts.due.length - 1] as number;
    const urgent = alerts.due.length > 1;
    banner = {
      level: urgent ? 'urgent' : 'alert',
      text:
        `${n === 1 ? 'A card payment taken offline has' : `${n} card payments taken offline; the oldest has`} ` +
        `waited over ${hoursText(after)} for the processor. ` +
        (urgent
          ? 'Get the internet connection back: check the router or call the provider.'
          : 'Check the internet connection.') +
        ` Deadline ${venueTime(oldest.deadlineMs, timezone, nowMs)}.`,
    };
  }

  let noNewText: string | null = null;
  if (alerts.noNewAfterAtMs !== null) {
    const left = alerts.noNewAfterAtMs - nowMs;
    noNewText =
      left >= 0
        ? `New offline card payments stop in ${durationWords(left)} (at ${venueTime(alerts.noNewAfterAtMs, timezone, nowMs)}), until the stored ones are authorised.`
        : `New offline card payments stopped at ${venueTime(alerts.noNewAfterAtMs, timezone, nowMs)}: take cash until the stored ones are authorised.`;
  }

  const use = (label: string, held: number, limit: number): LimitUse => ({
    label,
    held,
    limit,
    heldText: money(held),
    limitText: money(limit),
    over: held > limit,
  });
  const perDevice = new Map<string, number>();
  for (const p of outstanding)
    perDevice.set(p.deviceId, (perDevice.get(p.deviceId) ?? 0) + p.amount + p.tip);
  const total = outstanding.reduce((sum, p) => sum + p.amount + p.tip, 0);
  return {
    enabled: policy.enabled,
    rows,
    banner,
    noNewText,
    venue: use('The venue', total, policy.perVenue),
    devices: [...perDevice]
      .map(([id, held]) => use(names.get(id) ?? id, held, policy.perDevice))
      .sort((a, b) => b.held - a.held || a.label.localeCompare(b.label)),
    expiredCount: expired.length,
  };
}

// The day's payments and refunds

const STATUS: Readonly<Record<PaymentRecord['status'], string>> = {
  approved: 'Approved',
  declined: 'Declined',
  stored: 'Stored offline, not authorised yet',
  approved_later: 'Authorised after the outage',
  declined_later: 'Declined after the outage',
};

/** A payment's status in words: "Paid", "Declined: the card has expired". */
export function paymentStatusWords(
  p: Pick<PaymentRecord, 'method' | 'status' | 'declineCode'>,
): string {
  if (p.method === 'cash') return 'Paid in cash';
  if (p.status === 'declined' || p.status === 'declined_later')
    return `${STATUS[p.status]}: ${declineWords(p.declineCode)}`;
  return STATUS[p.status];
}

const REFUND_STATUS: Readonly<Record<Refund['status'], string>> = {
  approved: 'Approved: the cloud sends it to the card processor',
  refunded: 'Refunded',
  failed: 'Failed',
};

export interface RefundRow {
  readonly id: string;
  readonly amountText: string;
  readonly reason: string;
  readonly who: string;
  readonly whenText: string;
  readonly status: Refund['status'];
  readonly statusText: string;
}

export interface PaymentRow {
  readonly id: string;
  readonly method: 'cash' | 'card';
  readonly methodText: string;
  readonly amountText: string;
  readonly tipText: string;
  readonly cardText: string;
  readonly where: string;
  readonly who: string;
  readonly whenText: string;
  readonly status: PaymentRecord['status'];
  readonly statusText: string;
  /** What may still be refunded (minor units): 0 when nothing can be. */
  readonly refundable: number;
  readonly refundableText: string;
  readonly refunds: readonly RefundRow[];
}

/** What is left to refund on a payment: with its tip, less refunded and refunds still waiting. */
export function refundableOf(
  p: Pick<PaymentRecord, 'id' | 'status' | 'amount' | 'tip' | 'refunded'>,
  refunds: readonly Pick<Refund, 'paymentId' | 'status' | 'amount'>[],
): number {
  if (p.status !== 'approved' && p.status !== 'approved_later') return 0;
  const waiting = refunds
    .filter((r) => r.paymentId === p.id && r.status === 'approved')
    .reduce((sum, r) => sum + r.amount, 0);
  return Math.max(0, p.amount + p.tip - p.refunded - waiting);
}

export interface DayInput {
  readonly payments: readonly PaymentRecord[];
  readonly refunds: readonly Refund[];
  readonly names: ReadonlyMap<string, string>;
  readonly money: Money;
  readonly timezone: string;
  readonly nowMs: number;
  /** Minutes after midnight the business day starts. */
  readonly dayStartsAtMinutes?: number;
}

/** The business day `nowMs` is in, in the venue's zone. */
export function todayOf(nowMs: number, timezone: string, dayStartsAtMinutes?: number): string {
  return businessDateOf(nowMs, timezone, dayStartsAtMinutes);
}

/** The payments taken in today's business day, newest first, each with its refunds. */
export function paymentRowsOf(input: DayInput): PaymentRow[] {
  const { payments, refunds, names, money, timezone, nowMs, dayStartsAtMinutes } = input;
  const today = todayOf(nowMs, timezone, dayStartsAtMinutes);
  const who = (id: string) => names.get(id) ?? 'someone';
  return payments
    .filter((p) => businessDateOf(p.takenAt, timezone, dayStartsAtMinutes) === today)
    .sort((a, b) => b.takenAt.localeCompare(a.takenAt) || b.id.localeCompare(a.id))
    .map((p) => {
      const refundable = refundableOf(p, refunds);
      return {
        id: p.id,
        method: p.method,
        methodText: p.method === 'cash' ? 'Cash' : 'Card',
        amountText: money(p.amount),
        tipText: p.tip > 0 ? money(p.tip) : '—',
        cardText: cardText(p.card),
        where: (p.tableId && names.get(p.tableId)) || 'No table',
        who: who(p.takenBy),
        whenText: venueTime(Date.parse(p.takenAt), timezone, nowMs),
        status: p.status,
        statusText: paymentStatusWords(p),
        refundable,
        refundableText: money(refundable),
        refunds: refunds
          .filter((r) => r.paymentId === p.id)
          .sort((a, b) => a.requestedAt.localeCompare(b.requestedAt))
          .map((r) => ({
            id: r.id,
            amountText: money(r.amount),
            reason: r.reason,
            who: who(r.requestedBy),
            whenText: venueTime(Date.parse(r.requestedAt), timezone, nowMs),
            status: r.status,
            statusText:
              r.status === 'failed' && r.failure
                ? `Failed: ${r.failure}`
                : r.method === 'cash' && r.status === 'refunded'
                  ? 'Refunded in cash'
                  : REFUND_STATUS[r.status],
          })),
      };
    });
}

export type RefundCheck =
  | { readonly ok: true; readonly amount: number; readonly reason: string }
  | { readonly ok: false; readonly field: 'amount' | 'reason'; readonly message: string };

/** Whether a refund form may be sent: an amount from 0.01 up to what is left, and a reason. */
export function checkRefund(
  typedAmount: string,
  typedReason: string,
  refundable: number,
  scale: number,
  money: Money,
): RefundCheck {
  const amount = parseTendered(typedAmount, scale);
  if (typedAmount.trim() === '' || amount === undefined)
    return { ok: false, field: 'amount', message: 'Enter the amount to refund, such as 12.50.' };
  if (amount <= 0)
    return { ok: false, field: 'amount', message: 'The amount must be more than nothing.' };
  if (amount > refundable)
    return {
      ok: false,
      field: 'amount',
      message: `At most ${money(refundable)} is left to refund on this payment.`,
    };
  const reason = typedReason.trim();
  if (reason === '')
    return { ok: false, field: 'reason', message: 'Say why: the guest sees it on the receipt.' };
  if (reason.length > 200)
    return { ok: false, field: 'reason', message: 'Keep the reason to 200 characters.' };
  return { ok: true, amount, reason };
}

// The end-of-day report

export interface ReportInput {
  readonly orders: readonly Order[];
  readonly payments: readonly PaymentRecord[];
  readonly refunds: readonly Refund[];
  readonly drawers: readonly Drawer[];
  readonly date: string;
  readonly timezone: string;
  readonly cashRoundingIncrement?: number;
  readonly dayStartsAtMinutes?: number;
}

/** The protocol's day report over the local view. */
export function reportOf(input: ReportInput): DayReport {
  return dayReport(input, {
    date: input.date,
    timezone: input.timezone,
    ...(input.cashRoundingIncrement ? { cashRoundingIncrement: input.cashRoundingIncrement } : {}),
    ...(input.dayStartsAtMinutes === undefined
      ? {}
      : { dayStartsAtMinutes: input.dayStartsAtMinutes }),
  });
}

/** "Provisional: 3 changes not in the cloud yet"; null when everything is there. */
export function provisionalWords(waiting: number): string | null {
  if (waiting <= 0) return null;
  return `Provisional: ${waiting === 1 ? '1 change' : `${waiting} changes`} not in the cloud yet.`;
}

/** "+€2.00", "−€2.00", "€0.00": a signed difference. */
export function signedMoney(minor: number, money: Money): string {
  if (minor === 0) return money(0);
  return minor > 0 ? `+${money(minor)}` : `−${money(-minor)}`;
}

/** Names for the payments view: tables as "Table 5", staff and devices by theirs. */
export function paymentNames(
  tables: readonly Pick<Table, 'id' | 'label'>[],
  staff: ReadonlyMap<string, string>,
  devices: readonly { readonly id: string; readonly name: string }[],
): Map<string, string> {
  const names = new Map(staff);
  for (const t of tables) names.set(t.id, `Table ${t.label}`);
  for (const d of devices) names.set(d.id, d.name);
  return names;
}

// The owner's offline card limits

export interface PolicyForm {
  readonly enabled: boolean;
  readonly perTransaction: string;
  readonly withManagerApproval: string;
  readonly perDevice: string;
  readonly perVenue: string;
  /** "4, 12": hours, ascending. */
  readonly alertAfterHours: string;
  readonly noNewAfterHours: string;
  readonly absoluteHours: string;
}

export type PolicyField = Exclude<keyof PolicyForm, 'enabled'>;

const major = (minor: number, scale: number): string => {
  const digits = Math.round(Math.log10(scale));
  const whole = Math.floor(minor / scale);
  return digits === 0 ? String(whole) : `${whole}.${String(minor % scale).padStart(digits, '0')}`;
};
const hoursOf = (ms: number) => String(Math.round((ms / HOUR) * 100) / 100);

export function policyForm(policy: OfflineCardPolicy, scale: number): PolicyForm {
  return {
    enabled: policy.enabled,
    perTransaction: major(policy.perTransaction, scale),
    withManagerApproval: major(policy.withManagerApproval, scale),
    perDevice: major(policy.perDevice, scale),
    perVenue: major(policy.perVenue, scale),
    alertAfterHours: policy.alertAfterMs.map(hoursOf).join(', '),
    noNewAfterHours: hoursOf(policy.noNewAfterMs),
    absoluteHours: hoursOf(policy.absoluteMs),
  };
}

export type PolicyCheck =
  | { readonly ok: true; readonly policy: OfflineCardPolicy }
  | { readonly ok: false; readonly errors: Partial<Record<PolicyField, string>> };

/** Whole hours or quarters from 1 to 720 as ms; undefined when it is not. */
function hoursMs(text: string): number | undefined {
  const t = text.trim().replace(',', '.');
  if (!/^\d{1,3}(\.\d{1,2})?$/.test(t)) return undefined;
  const ms = Math.round(Number(t) * 60) * MIN;
  return ms >= HOUR && ms <= 720 * HOUR ? ms : undefined;
}

/** The form as a policy, with the same rules the server applies, each error by its field. */
export function policyFromForm(form: PolicyForm, scale: number): PolicyCheck {
  const errors: Partial<Record<PolicyField, string>> = {};
  const amount = (field: PolicyField): number => {
    const v = parseTendered(form[field], scale);
    if (v === undefined) errors[field] = 'Enter an amount, such as 200.00.';
    return v ?? 0;
  };
  const perTransaction = amount('perTransaction');
  const withManagerApproval = amount('withManagerApproval');
  const perDevice = amount('perDevice');
  const perVenue = amount('perVenue');
  const hours = (field: PolicyField): number => {
    const v = hoursMs(form[field]);
    if (v === undefined) errors[field] = 'Enter hours from 1 to 720.';
    return v ?? 0;
  };
  const noNewAfterMs = hours('noNewAfterHours');
  const absoluteMs = hours('absoluteHours');
  const alertTexts = form.alertAfterHours
    .split(/[,;\s]+/)
    .map((s) => s.trim())
    .filter(Boolean);
  const alertAfterMs = alertTexts.map(hoursMs);
  if (alertTexts.length > 5 || alertAfterMs.some((v) => v === undefined))
    errors.alertAfterHours = 'Up to 5 times in hours, such as 4, 12.';
  else if (!alertAfterMs.every((a, i) => i === 0 || (a ?? 0) > (alertAfterMs[i - 1] ?? 0)))
    errors.alertAfterHours = 'List the alert times from the earliest.';
  if (!errors.withManagerApproval && !errors.perTransaction && withManagerApproval < perTransaction)
    errors.withManagerApproval = 'At least the per-payment limit.';
  if (!errors.noNewAfterHours && !errors.absoluteHours && noNewAfterMs > absoluteMs)
    errors.noNewAfterHours = 'No later than the deadline.';
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    policy: {
      enabled: form.enabled,
      perTransaction,
      withManagerApproval,
      perDevice,
      perVenue,
      alertAfterMs: alertAfterMs as number[],
      noNewAfterMs,
      absoluteMs,
    },
  };
}
