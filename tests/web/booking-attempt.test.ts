import { describe, expect, it } from 'vitest';
import {
  answerOf,
  type BookingAttempt,
  keptAfter,
  memoryAttemptStore,
  OFFLINE_MESSAGE,
  parseAttempt,
  planSend,
} from '../../web/guest/booking-attempt.ts';
import { type BookingRequest, EMPTY_FIELDS } from '../../web/guest/booking-rules.ts';

// A booking is never booked twice: the attempt (its key and exact body) stays until a definite
// answer, a retry sends the same key and bytes, an edit under a kept key is sent with that key
// (and refused by the server if the first arrived), and only then does a fresh key start.

const REQUEST: BookingRequest = {
  guestName: 'Ana Lima',
  partySize: 4,
  startsAt: '2026-07-03T18:30:00.000Z',
  phone: '+44 7700 900123',
};

const ATTEMPT: BookingAttempt = {
  opId: '01JD0000000000000000000001',
  bookingId: '01JD0000000000000000000002',
  venueId: 'demo-bistro',
  request: REQUEST,
  body: '{"opId":"01JD0000000000000000000001"}',
  fields: { ...EMPTY_FIELDS, name: 'Ana Lima' },
};

describe('planSend', () => {
  it('nothing kept: a new attempt', () => {
    expect(planSend(undefined, REQUEST)).toEqual({ kind: 'new' });
  });

  it('kept, the same request: the same attempt, byte for byte', () => {
    expect(planSend(ATTEMPT, { ...REQUEST })).toEqual({ kind: 'resend', attempt: ATTEMPT });
  });

  it('kept, the request edited: the same key and booking id with the new body', () => {
    for (const edit of [
      { partySize: 5 },
      { guestName: 'Ana L.' },
      { startsAt: '2026-07-03T19:00:00.000Z' },
      { phone: undefined },
      { note: 'high chair' },
    ]) {
      expect(planSend(ATTEMPT, { ...REQUEST, ...edit }), JSON.stringify(edit)).toEqual({
        kind: 'edited',
        opId: ATTEMPT.opId,
        bookingId: ATTEMPT.bookingId,
      });
    }
  });
});

describe('answerOf and what is kept', () => {
  const applied = { opId: ATTEMPT.opId, status: 'applied', seq: 7, changed: [], at: 'x' };

  it('applied (first time or replayed): booked, the attempt ends', () => {
    const answer = answerOf(201, applied);
    expect(answer).toEqual({ kind: 'booked', local: false });
    expect(keptAfter(ATTEMPT, answer)).toBe(undefined);
    expect(answerOf(201, { opId: ATTEMPT.opId, status: 'duplicate', first: applied })).toEqual({
      kind: 'booked',
      local: false,
    });
    expect(answerOf(202, { ...applied, status: 'accepted_local' })).toEqual({
      kind: 'booked',
      local: true,
    });
  });

  it('rejected (422 with the result): refused in words, the attempt ends', () => {
    const answer = answerOf(422, {
      status: 422,
      code: 'VALIDATION',
      title: 'Operation rejected',
      detail: 'no tables that evening',
    });
    expect(answer).toEqual({
      kind: 'refused',
      message: 'The venue could not take this booking: no tables that evening.',
    });
    expect(keptAfter(ATTEMPT, answer)).toBe(undefined);
  });

  it('same key, other body (422 IDEMPOTENCY_KEY_REUSED): an error, never a success; the attempt ends', () => {
    const answer = answerOf(422, {
      status: 422,
      code: 'IDEMPOTENCY_KEY_REUSED',
      kind: 'fix_request',
      title: 'Idempotency key reused',
    });
    expect(answer.kind).toBe('key_reused');
    expect(answer.kind === 'key_reused' && answer.message).toMatch(
      /^Not booked with these details/,
    );
    expect(keptAfter(ATTEMPT, answer)).toBe(undefined);
  });

  it('another 4xx problem is definite', () => {
    for (const status of [400, 401, 403, 404]) {
      const answer = answerOf(status, { status, code: 'X', title: 'Nope' });
      expect(answer, String(status)).toEqual({
        kind: 'refused',
        message: 'The venue could not take this booking: Nope.',
      });
      expect(keptAfter(ATTEMPT, answer)).toBe(undefined);
    }
    expect(answerOf(418, undefined)).toEqual({
      kind: 'refused',
      message: 'The venue could not take this booking: the answer was HTTP 418.',
    });
  });

  it('no answer: offline, in plain words, the attempt kept', () => {
    const answer = answerOf('no-answer', undefined);
    expect(answer).toEqual({ kind: 'retry', offline: true, message: OFFLINE_MESSAGE });
    expect(OFFLINE_MESSAGE).toBe(
      'Booking needs a connection — you’re offline. Your details are kept; try again when you’re back online.',
    );
    expect(keptAfter(ATTEMPT, answer)).toBe(ATTEMPT);
  });

  it('409 in flight, 429, 5xx: not decided, the attempt kept', () => {
    for (const status of [409, 429, 500, 502, 503]) {
      const answer = answerOf(status, { status, code: 'X', title: 'Try again shortly' });
      expect(answer.kind, String(status)).toBe('retry');
      expect(keptAfter(ATTEMPT, answer)).toBe(ATTEMPT);
    }
    expect(answerOf(503, undefined)).toEqual({
      kind: 'retry',
      offline: false,
      message:
        'The booking service could not answer just now. Your details are kept; try again in a moment.',
    });
  });

  it('a 2xx whose result is a rejection (a replayed batch answer): refused', () => {
    const answer = answerOf(200, {
      status: 'duplicate',
      first: { status: 'rejected', code: 'ALREADY_EXISTS', message: 'booking exists' },
    });
    expect(answer).toEqual({
      kind: 'refused',
      message: 'The venue could not take this booking: booking exists.',
    });
  });
});

describe('the kept attempt across a reload', () => {
  it('round-trips through its stored text; anything else is none', () => {
    expect(parseAttempt(JSON.stringify(ATTEMPT))).toEqual(ATTEMPT);
    for (const text of [
      null,
      '',
      'not json',
      '42',
      JSON.stringify({ ...ATTEMPT, opId: 7 }),
      JSON.stringify({ ...ATTEMPT, request: { ...REQUEST, partySize: '4' } }),
      JSON.stringify({ ...ATTEMPT, fields: { name: 'x' } }),
    ]) {
      expect(parseAttempt(text), String(text)).toBe(undefined);
    }
  });

  it('a memory store keeps and forgets', () => {
    const store = memoryAttemptStore();
    expect(store.load()).toBe(undefined);
    store.save(ATTEMPT);
    expect(store.load()).toBe(ATTEMPT);
    store.save(undefined);
    expect(store.load()).toBe(undefined);
  });
});
