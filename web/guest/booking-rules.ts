import type { BookingStatus } from '#protocol';

/*
 * The booking form's rules, pure: what the guest typed → a `booking.create` payload (without its
 * id), or a message in words per field; the chosen day and time in the venue's time zone → an
 * instant; the booking's status in words.
 */

/** The form as typed. */
export interface BookingFields {
  /** `YYYY-MM-DD` (an `<input type="date">`). */
  readonly date: string;
  /** `HH:MM` (an `<input type="time">`). */
  readonly time: string;
  readonly partySize: string;
  readonly name: string;
  readonly phone: string;
  readonly note: string;
}

export const EMPTY_FIELDS: BookingFields = {
  date: '',
  time: '',
  partySize: '2',
  name: '',
  phone: '',
  note: '',
};

/** `booking.create`'s payload less its bookingId (protocol/ops/payloads/booking-create.ts). */
export interface BookingRequest {
  readonly guestName: string;
  readonly partySize: number;
  /** ISO instant. */
  readonly startsAt: string;
  readonly phone?: string;
  readonly note?: string;
}

export type FieldErrors = Partial<Record<keyof BookingFields, string>>;

export type Checked =
  | { readonly ok: true; readonly request: BookingRequest }
  | { readonly ok: false; readonly errors: FieldErrors };

export const MAX_PARTY = 20;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^(\d{2}):(\d{2})$/;
const PHONE = /^[0-9+()\-.\s]*$/;

/** The zone's offset from UTC at an instant, ms (wall clock minus UTC). */
function offsetAt(ms: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(ms);
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(
    part('year'),
    part('month') - 1,
    part('day'),
    part('hour'),
    part('minute'),
    part('second'),
  );
  return wall - (ms - (((ms % 1000) + 1000) % 1000));
}

/**
 * A day and time on the venue's wall clock as an instant (ms), or undefined when the text is not
 * a date and time. A time the clocks skip (spring forward) moves on by the gap; a time that
 * happens twice (fall back) is the first of the two — as Temporal's 'compatible' does.
 *
 * @example
 * zonedInstant('2026-07-01', '19:30', 'Europe/London'); // Date.parse('2026-07-01T18:30:00Z')
 */
export function zonedInstant(date: string, time: string, timeZone: string): number | undefined {
  const d = DATE.exec(date);
  const t = TIME.exec(time);
  if (!d || !t) return undefined;
  const [y, mo, day, h, mi] = [d[1], d[2], d[3], t[1], t[2]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const wall = Date.UTC(y, mo - 1, day, h, mi);
  const check = new Date(wall);
  if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== day || h > 23 || mi > 59) {
    return undefined;
  }
  // The offsets a day either side: at most one change of the clocks lies between them.
  const before = offsetAt(wall - 86_400_000, timeZone);
  const after = offsetAt(wall + 86_400_000, timeZone);
  const fits = [wall - before, wall - after].filter((ms) => ms + offsetAt(ms, timeZone) === wall);
  return fits.length > 0 ? Math.min(...fits) : wall - before;
}

/** Today's date on the venue's wall clock, `YYYY-MM-DD`. */
export function todayIn(timeZone: string, now: number): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(now);
}

/**
 * The form → the request, or what to fix in words. The time must be ahead of `now`; the party
 * 1–20 people; a name; phone and note optional (blank ones are left out).
 */
export function checkBooking(fields: BookingFields, timeZone: string, now: number): Checked {
  const errors: FieldErrors = {};
  const guestName = fields.name.trim();
  const phone = fields.phone.trim();
  const note = fields.note.trim();
  const size = Number(fields.partySize.trim());
  let startsAt: number | undefined;
  if (!fields.date) errors.date = 'Choose a date.';
  else if (!DATE.test(fields.date)) errors.date = 'Enter the date as year-month-day.';
  if (!fields.time) errors.time = 'Choose a time.';
  else if (!TIME.test(fields.time)) errors.time = 'Enter the time as hours:minutes.';
  if (!errors.date && !errors.time) {
    startsAt = zonedInstant(fields.date, fields.time, timeZone);
    if (startsAt === undefined) errors.date = 'That date does not exist.';
    else if (startsAt <= now) errors.time = 'That time has passed — choose a later one.';
  }
  if (!fields.partySize.trim()) errors.partySize = 'Say how many people.';
  else if (!Number.isInteger(size) || size < 1 || size > MAX_PARTY)
    errors.partySize = `Party size must be a whole number from 1 to ${MAX_PARTY}.`;
  if (!guestName) errors.name = 'Enter a name for the booking.';
  else if (guestName.length > 120) errors.name = 'The name can be at most 120 characters.';
  if (phone.length > 32 || !PHONE.test(phone))
    errors.phone = 'A phone number has digits, spaces and + ( ) - only, at most 32.';
  if (note.length > 500) errors.note = 'The note can be at most 500 characters.';
  if (Object.keys(errors).length > 0 || startsAt === undefined) return { ok: false, errors };
  return {
    ok: true,
    request: {
      guestName,
      partySize: size,
      startsAt: new Date(startsAt).toISOString(),
      ...(phone ? { phone } : {}),
      ...(note ? { note } : {}),
    },
  };
}

/** The fields in the order the form shows them (the first with an error takes the focus). */
export const FIELD_ORDER: readonly (keyof BookingFields)[] = [
  'date',
  'time',
  'partySize',
  'name',
  'phone',
  'note',
];

/** A booking's status as the guest reads it. */
export const BOOKING_STATUS_WORDS: Readonly<Record<BookingStatus, string>> = {
  held: 'Requested — the venue will confirm',
  confirmed: 'Confirmed',
  seated: 'Seated',
  completed: 'Completed',
  cancelled: 'Cancelled',
  no_show: 'Marked as not attended',
};

/** When the booking starts, on the venue's clock: "Friday 3 July 2026 at 19:30". */
export function formatStartsAt(iso: string, timeZone: string, locale = 'en-GB'): string {
  return new Intl.DateTimeFormat(locale, {
    timeZone,
    dateStyle: 'full',
    timeStyle: 'short',
  }).format(Date.parse(iso));
}
