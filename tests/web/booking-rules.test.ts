import { describe, expect, it } from 'vitest';
import { BookingCreate } from '../../protocol/ops/payloads/booking-create.ts';
import {
  type BookingFields,
  checkBooking,
  EMPTY_FIELDS,
  formatStartsAt,
  todayIn,
  zonedInstant,
} from '../../web/guest/booking-rules.ts';

// The booking form's rules: the venue's wall-clock day and time → an instant (its zone, not the
// phone's), what the guest typed → booking.create's payload or messages in words.

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

describe('zonedInstant', () => {
  it('the venue’s wall clock, winter and summer', () => {
    expect(iso(zonedInstant('2026-01-15', '19:30', 'Europe/London'))).toBe(
      '2026-01-15T19:30:00.000Z',
    );
    expect(iso(zonedInstant('2026-07-01', '19:30', 'Europe/London'))).toBe(
      '2026-07-01T18:30:00.000Z',
    );
    expect(iso(zonedInstant('2026-07-01', '19:30', 'America/New_York'))).toBe(
      '2026-07-01T23:30:00.000Z',
    );
    expect(iso(zonedInstant('2026-07-01', '00:15', 'Asia/Kolkata'))).toBe(
      '2026-06-30T18:45:00.000Z',
    );
    expect(iso(zonedInstant('2026-12-31', '23:45', 'Pacific/Auckland'))).toBe(
      '2026-12-31T10:45:00.000Z',
    );
    expect(iso(zonedInstant('2026-07-01', '19:30', 'UTC'))).toBe('2026-07-01T19:30:00.000Z');
  });

  it('a time the clocks skip moves on by the gap; a time that happens twice is the first', () => {
    // London springs forward at 01:00 GMT on 29 March 2026: 01:30 does not happen.
    expect(iso(zonedInstant('2026-03-29', '01:30', 'Europe/London'))).toBe(
      '2026-03-29T01:30:00.000Z',
    );
    // and falls back at 02:00 BST on 25 October 2026: 01:30 happens twice (BST, then GMT).
    expect(iso(zonedInstant('2026-10-25', '01:30', 'Europe/London'))).toBe(
      '2026-10-25T00:30:00.000Z',
    );
    expect(iso(zonedInstant('2026-10-25', '02:30', 'Europe/London'))).toBe(
      '2026-10-25T02:30:00.000Z',
    );
  });

  it('not a date or a time: none', () => {
    for (const [date, time] of [
      ['2026-02-30', '19:00'],
      ['2026-13-01', '19:00'],
      ['tomorrow', '19:00'],
      ['2026-07-01', '25:00'],
      ['2026-07-01', '19:60'],
      ['2026-07-01', '7pm'],
    ] as const) {
      expect(zonedInstant(date, time, 'Europe/London'), `${date} ${time}`).toBe(undefined);
    }
  });
});

describe('todayIn', () => {
  it('the venue’s date, not the phone’s', () => {
    const now = Date.parse('2026-07-01T23:30:00.000Z');
    expect(todayIn('Europe/London', now)).toBe('2026-07-02');
    expect(todayIn('America/New_York', now)).toBe('2026-07-01');
  });
});

describe('checkBooking', () => {
  const NOW = Date.parse('2026-07-01T12:00:00.000Z');
  const good: BookingFields = {
    date: '2026-07-03',
    time: '19:30',
    partySize: '4',
    name: '  Ana Lima ',
    phone: '+44 7700 900123',
    note: 'window seat',
  };
  const check = (over: Partial<BookingFields>) =>
    checkBooking({ ...good, ...over }, 'Europe/London', NOW);

  it('a good form → booking.create’s payload (trimmed, the venue’s time as an instant)', () => {
    const checked = check({});
    expect(checked).toEqual({
      ok: true,
      request: {
        guestName: 'Ana Lima',
        partySize: 4,
        startsAt: '2026-07-03T18:30:00.000Z',
        phone: '+44 7700 900123',
        note: 'window seat',
      },
    });
    if (!checked.ok) return;
    const payload = { bookingId: '01JD0000000000000000000000', ...checked.request };
    expect(BookingCreate.parse(payload)).toEqual(payload);
  });

  it('blank phone and note are left out', () => {
    const checked = check({ phone: ' ', note: '' });
    expect(checked.ok && checked.request).toEqual({
      guestName: 'Ana Lima',
      partySize: 4,
      startsAt: '2026-07-03T18:30:00.000Z',
    });
  });

  it('an empty form: a message in words for each required field', () => {
    const checked = checkBooking({ ...EMPTY_FIELDS, partySize: '' }, 'Europe/London', NOW);
    expect(checked).toEqual({
      ok: false,
      errors: {
        date: 'Choose a date.',
        time: 'Choose a time.',
        partySize: 'Say how many people.',
        name: 'Enter a name for the booking.',
      },
    });
  });

  it('party size 1–20, whole', () => {
    for (const size of ['1', '20', ' 7 ']) expect(check({ partySize: size }).ok, size).toBe(true);
    for (const size of ['0', '21', '2.5', 'four', '-1']) {
      expect(check({ partySize: size }), size).toEqual({
        ok: false,
        errors: { partySize: 'Party size must be a whole number from 1 to 20.' },
      });
    }
  });

  it('a time gone by, on the venue’s clock', () => {
    // 12:30 BST is 11:30 UTC: half an hour before NOW.
    expect(check({ date: '2026-07-01', time: '12:30' })).toEqual({
      ok: false,
      errors: { time: 'That time has passed — choose a later one.' },
    });
    expect(check({ date: '2026-07-01', time: '13:30' }).ok).toBe(true);
  });

  it('a day that does not exist, a phone with letters, long texts', () => {
    expect(check({ date: '2026-02-30' })).toEqual({
      ok: false,
      errors: { date: 'That date does not exist.' },
    });
    const bad = check({ phone: 'call me', name: 'x'.repeat(121), note: 'y'.repeat(501) });
    expect(bad.ok === false && Object.keys(bad.errors).sort()).toEqual(['name', 'note', 'phone']);
  });
});

describe('formatStartsAt', () => {
  it('on the venue’s clock, in its locale (ICU’s punctuation aside)', () => {
    const london = formatStartsAt('2026-07-03T18:30:00.000Z', 'Europe/London');
    expect(london).toMatch(/^Friday,? 3 July 2026 at 19:30$/);
    const newYork = formatStartsAt('2026-07-03T18:30:00.000Z', 'America/New_York', 'en-US');
    expect(newYork).toMatch(/^Friday, July 3, 2026 at 2:30\s?PM$/);
  });
});
