import type { BookingFields, BookingRequest } from './booking-rules.ts';

/*
 * A booking request's attempt, pure. A booking goes straight to the server (it needs a
 * connection), never through the outbox, so this is what keeps it from booking twice: the
 * attempt — its opId (the Idempotency-Key) and the exact body sent — stays until a definite
 * answer. Sent again it goes with the same key and the same bytes, and the server answers the
 * first decision again.
 *
 *   no attempt ──submit──▶ new attempt (new opId and bookingId) ──POST──▶ answer
 *   answer: applied / replayed / rejected / another 4xx  → definite: the attempt ends
 *           no answer, 409 (in flight), 429, 5xx         → kept: "Try again" sends it again
 *   submit with an attempt kept:
 *     same request        → the same body, the same key
 *     the guest edited it → the edited body under the same key: the server refuses it if the
 *                           first reached it (same key, other body: 422 IDEMPOTENCY_KEY_REUSED),
 *                           shown as an error; the next submit starts afresh
 */

export interface BookingAttempt {
  readonly opId: string;
  readonly bookingId: string;
  readonly venueId: string;
  readonly request: BookingRequest;
  /** The op exactly as sent: sent again byte for byte. */
  readonly body: string;
  /** The form as it was, to fill it again after a reload. */
  readonly fields: BookingFields;
}

export type SendPlan =
  | { readonly kind: 'new' }
  | { readonly kind: 'resend'; readonly attempt: BookingAttempt }
  /** Another body under the kept attempt's key and booking id. */
  | { readonly kind: 'edited'; readonly opId: string; readonly bookingId: string };

const sameRequest = (a: BookingRequest, b: BookingRequest): boolean =>
  a.guestName === b.guestName &&
  a.partySize === b.partySize &&
  a.startsAt === b.startsAt &&
  (a.phone ?? '') === (b.phone ?? '') &&
  (a.note ?? '') === (b.note ?? '');

/** What a submit sends, given the attempt kept (if any). */
export function planSend(kept: BookingAttempt | undefined, request: BookingRequest): SendPlan {
  if (!kept) return { kind: 'new' };
  if (sameRequest(kept.request, request)) return { kind: 'resend', attempt: kept };
  return { kind: 'edited', opId: kept.opId, bookingId: kept.bookingId };
}

/** The server's answer to the POST, as the form acts on it. */
export type BookingAnswer =
  /** Booked: applied now, or the first answer replayed; `local` when a venue relay holds it. */
  | { readonly kind: 'booked'; readonly local: boolean }
  /** Same key, other body: the first request reached the server and was decided. */
  | { readonly kind: 'key_reused'; readonly message: string }
  /** Decided against, or a request the server will never take: sending again changes nothing. */
  | { readonly kind: 'refused'; readonly message: string }
  /** Not decided: the attempt is kept for "Try again". */
  | { readonly kind: 'retry'; readonly offline: boolean; readonly message: string };

export const OFFLINE_MESSAGE =
  'Booking needs a connection — you’re offline. Your details are kept; try again when you’re back online.';

const record = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value ? value : undefined;

/**
 * Reads the answer to `POST /v1/venues/:venueId/ops` (protocol/ops/op-http.ts; problems from
 * cloud/ops/op-responses.ts): 201 applied, 202 accepted_local, 422 rejected or
 * IDEMPOTENCY_KEY_REUSED, 409 in flight, 429, 5xx, or no answer at all.
 */
export function answerOf(status: number | 'no-answer', body: unknown): BookingAnswer {
  if (status === 'no-answer') return { kind: 'retry', offline: true, message: OFFLINE_MESSAGE };
  const said = record(body);
  const result = said.status === 'duplicate' ? record(said.first) : said;
  if (status >= 200 && status < 300) {
    if (result.status === 'rejected') return refused(text(result.message));
    return { kind: 'booked', local: result.status === 'accepted_local' || status === 202 };
  }
  if (said.code === 'IDEMPOTENCY_KEY_REUSED') {
    return {
      kind: 'key_reused',
      message:
        'Not booked with these details: the venue already has this request as you first sent it, and a sent request cannot be changed. Book again to send a new request — and ask the venue to cancel the first one if you no longer want it.',
    };
  }
  const why = text(said.detail) ?? text(said.title);
  if (status === 409 || status === 429 || status >= 500) {
    return {
      kind: 'retry',
      offline: false,
      message:
        status === 409
          ? 'Your booking is still being processed. Your details are kept; try again in a moment.'
          : `The booking service could not answer just now${why ? ` (${why})` : ''}. Your details are kept; try again in a moment.`,
    };
  }
  return refused(why ?? `the answer was HTTP ${status}`);
}

const refused = (why: string | undefined): BookingAnswer => ({
  kind: 'refused',
  message: `The venue could not take this booking${why ? `: ${why}` : ''}.`,
});

/** The attempt kept after an answer: only an undecided one stays. */
export const keptAfter = (
  attempt: BookingAttempt,
  answer: BookingAnswer,
): BookingAttempt | undefined => (answer.kind === 'retry' ? attempt : undefined);

/** Where the attempt is kept between page loads. */
export interface AttemptStore {
  load(): BookingAttempt | undefined;
  save(attempt: BookingAttempt | undefined): void;
}

const KEY = 'hearth.guest.booking-attempt';

const isFields = (value: unknown): value is BookingFields =>
  ['date', 'time', 'partySize', 'name', 'phone', 'note'].every(
    (k) => typeof record(value)[k] === 'string',
  );

/** A kept attempt from its stored text; anything else is none. */
export function parseAttempt(stored: string | null): BookingAttempt | undefined {
  if (!stored) return undefined;
  let value: Record<string, unknown>;
  try {
    value = record(JSON.parse(stored));
  } catch {
    return undefined;
  }
  const request = record(value.request);
  const ok =
    ['opId', 'bookingId', 'venueId', 'body'].every((k) => typeof value[k] === 'string') &&
    typeof request.guestName === 'string' &&
    typeof request.partySize === 'number' &&
    typeof request.startsAt === 'string' &&
    isFields(value.fields);
  return ok ? (value as unknown as BookingAttempt) : undefined;
}

/**
 * The attempt in sessionStorage: a reload (or the phone dropping the tab and bringing it back)
 * between a POST that got no answer and "Try again" must send the same key, or the booking the
 * server did take would be made twice. This tab only, gone when it closes; plain data — the
 * guest's own name, phone and note, and the op — never a token (the session is a cookie).
 */
export function sessionAttemptStore(storage: Storage = window.sessionStorage): AttemptStore {
  return {
    load: () => parseAttempt(storage.getItem(KEY)),
    save(attempt) {
      try {
        if (attempt) storage.setItem(KEY, JSON.stringify(attempt));
        else storage.removeItem(KEY);
      } catch {
        // Storage full or refused (private mode): the attempt is still kept in memory.
      }
    },
  };
}

export function memoryAttemptStore(initial?: BookingAttempt): AttemptStore {
  let kept = initial;
  return {
    load: () => kept,
    save(attempt) {
      kept = attempt;
    },
  };
}
