import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Principal } from '#protocol';
import {
  type AttemptStore,
  answerOf,
  type BookingAttempt,
  keptAfter,
  OFFLINE_MESSAGE,
  planSend,
} from './booking-attempt.ts';
import {
  type BookingFields,
  type BookingRequest,
  checkBooking,
  EMPTY_FIELDS,
  type FieldErrors,
} from './booking-rules.ts';

/** What a booking is sent with (the page's `AppServices` fits). */
export interface BookingServices {
  readonly fetch: typeof fetch;
  readonly device: { deviceId(): Promise<string> };
  readonly network: { online(): boolean };
  /** Device time, ms. */
  readonly clock: () => number;
}

export interface BookingInputs {
  readonly principal: Principal | undefined;
  /** The venue's IANA zone (`Venue.timezone`). */
  readonly timeZone: string;
  readonly services: BookingServices | undefined;
  readonly store: AttemptStore;
}

export type BookingPhase = 'editing' | 'sending' | 'booked';

export interface Notice {
  readonly tone: 'info' | 'error';
  readonly text: string;
  /** The attempt is kept: the button says "Try again". */
  readonly retry?: boolean;
}

export interface Booked {
  readonly bookingId: string;
  readonly request: BookingRequest;
  /** A venue relay holds it; the cloud has not decided it yet. */
  readonly local: boolean;
}

/**
 * The booking form's state: the fields (kept through failures), their errors, the attempt kept
 * until a definite answer (booking-attempt.ts) and the POST itself — straight to
 * `/v1/venues/:venueId/ops`, not `/api/…`, which the service worker would queue: a booking
 * needs the server's answer now.
 */
export class BookingController implements ReactiveController {
  readonly #host: ReactiveControllerHost;
  readonly #inputs: () => BookingInputs;
  fields: BookingFields = EMPTY_FIELDS;
  errors: FieldErrors = {};
  phase: BookingPhase = 'editing';
  notice: Notice | undefined;
  booked: Booked | undefined;
  #kept: BookingAttempt | undefined;

  constructor(host: ReactiveControllerHost, inputs: () => BookingInputs) {
    this.#host = host;
    this.#inputs = inputs;
    host.addController(this);
  }

  hostConnected(): void {
    const kept = this.#inputs().store.load();
    if (!kept || this.#kept) return;
    this.#kept = kept;
    this.fields = kept.fields;
    this.notice = {
      tone: 'info',
      retry: true,
      text: 'Your last booking request got no answer. Your details are kept; send it again — it cannot book twice.',
    };
    this.#host.requestUpdate();
  }

  edit(name: keyof BookingFields, value: string): void {
    this.fields = { ...this.fields, [name]: value };
    if (this.errors[name]) {
      const { [name]: _fixed, ...rest } = this.errors;
      this.errors = rest;
    }
    this.#host.requestUpdate();
  }

  /** A new, empty form after a booking. */
  again(): void {
    this.fields = EMPTY_FIELDS;
    this.phase = 'editing';
    this.booked = undefined;
    this.notice = undefined;
    this.#host.requestUpdate();
  }

  async submit(): Promise<void> {
    if (this.phase === 'sending') return;
    const { principal, timeZone, services, store } = this.#inputs();
    if (!principal || !services) return this.#show('editing', 'error', 'Sign in first.');
    const checked = checkBooking(this.fields, timeZone, services.clock());
    this.errors = checked.ok ? {} : checked.errors;
    if (!checked.ok) {
      const n = Object.keys(checked.errors).length;
      return this.#show(
        'editing',
        'error',
        `Please check the form: ${n} ${n === 1 ? 'field needs' : 'fields need'} attention.`,
      );
    }
    if (!services.network.online())
      return this.#show('editing', 'error', OFFLINE_MESSAGE, !!this.#kept);
    this.#show('sending', 'info', 'Sending your booking…');
    let attempt: BookingAttempt;
    try {
      attempt = await this.#attemptFor(checked.request, principal, services);
    } catch {
      return this.#show(
        'editing',
        'error',
        'This booking could not be prepared. Please check the form.',
      );
    }
    this.#kept = attempt;
    store.save(attempt);
    const answer = await this.#post(attempt, services);
    this.#kept = keptAfter(attempt, answer);
    store.save(this.#kept);
    if (answer.kind === 'booked') {
      this.booked = { bookingId: attempt.bookingId, request: attempt.request, local: answer.local };
      return this.#show('booked', 'info', 'Booking requested — the venue will confirm.');
    }
    this.#show('editing', 'error', answer.message, answer.kind === 'retry');
  }

  async #attemptFor(
    request: BookingRequest,
    principal: Principal,
    services: BookingServices,
  ): Promise<BookingAttempt> {
    // An attempt kept for another venue (another QR code in this tab) is not this one's.
    const kept = this.#kept?.venueId === principal.venueId ? this.#kept : undefined;
    const plan = planSend(kept, request);
    if (plan.kind === 'resend') return { ...plan.attempt, fields: this.fields };
    // zod and the schemas load on the first booking, not with the page.
    const [{ makeOperation }, { newUlid }, deviceId] = await Promise.all([
      import('#protocol/ops/make-operation.ts'),
      import('#protocol/ids/ulid.ts'),
      services.device.deviceId(),
    ]);
    const bookingId = plan.kind === 'edited' ? plan.bookingId : newUlid();
    const op = await makeOperation({
      type: 'booking.create',
      payload: { bookingId, ...request },
      deviceId,
      tenantId: principal.tenantId,
      venueId: principal.venueId,
      actorId: principal.kind === 'guest' ? principal.sessionId : principal.actorId,
      ...(plan.kind === 'edited' ? { opId: plan.opId } : {}),
    });
    const { venueId } = principal;
    return {
      opId: op.opId,
      bookingId,
      venueId,
      request,
      body: JSON.stringify(op),
      fields: this.fields,
    };
  }

  async #post(attempt: BookingAttempt, services: BookingServices) {
    try {
      const response = await services.fetch(
        `/v1/venues/${encodeURIComponent(attempt.venueId)}/ops`,
        {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'Idempotency-Key': attempt.opId },
          credentials: 'same-origin',
          body: attempt.body,
        },
      );
      return answerOf(response.status, await response.json().catch(() => undefined));
    } catch {
      return answerOf('no-answer', undefined);
    }
  }

  #show(phase: BookingPhase, tone: Notice['tone'], text: string, retry = false): void {
    this.phase = phase;
    // The same words twice (offline again) are read out again: a no-break space makes them new.
    const said = this.notice?.text === text ? `${text}\u00a0` : text;
    this.notice = { tone, text: said, ...(retry ? { retry } : {}) };
    this.#host.requestUpdate();
  }
}
