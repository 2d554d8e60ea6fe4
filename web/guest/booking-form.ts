import { html, LitElement, type TemplateResult } from 'lit';
import type { Principal } from '#protocol';
import { OP_STATUS_LABEL } from '../app/sync-labels.ts';
import { type AttemptStore, sessionAttemptStore } from './booking-attempt.ts';
import { type Booked, BookingController, type BookingServices } from './booking-controller.ts';
import { bookingFormStyles } from './booking-form-styles.ts';
import {
  BOOKING_STATUS_WORDS,
  type BookingFields,
  FIELD_ORDER,
  formatStartsAt,
  MAX_PARTY,
  todayIn,
} from './booking-rules.ts';

const LABELS: Readonly<Record<keyof BookingFields, string>> = {
  date: 'Date',
  time: 'Time',
  partySize: 'Number of people',
  name: 'Name for the booking',
  phone: 'Phone (optional)',
  note: 'Note for the venue (optional)',
};

/**
 * `<hearth-booking-form>`: book a table. The request goes straight to the server with the op's
 * id as its Idempotency-Key (a booking needs a connection; offline it says so and keeps the
 * form), and a request that got no answer is sent again under the same key. Properties only:
 *
 * ```ts
 * html`<hearth-booking-form
 *   .principal=${principal}
 *   .timeZone=${venue.timezone}
 *   .locale=${venue.locale ?? 'en-GB'}
 *   .services=${appServices()}
 * ></hearth-booking-form>`
 * ```
 */
export class BookingForm extends LitElement {
  static override properties = {
    principal: { attribute: false },
    timeZone: { attribute: false },
    locale: { attribute: false },
    services: { attribute: false },
    store: { attribute: false },
  };

  declare principal: Principal | undefined;
  declare timeZone: string;
  declare locale: string;
  declare services: BookingServices | undefined;
  /** Where a request awaiting its answer is kept (this tab's sessionStorage). */
  declare store: AttemptStore;

  readonly #booking = new BookingController(this, () => ({
    principal: this.principal,
    timeZone: this.timeZone,
    services: this.services,
    store: this.store,
  }));

  constructor() {
    super();
    this.principal = undefined;
    this.timeZone = 'UTC';
    this.locale = 'en-GB';
    this.services = undefined;
    this.store = sessionAttemptStore();
  }

  static override styles = bookingFormStyles;

  override render() {
    const { phase, booked, notice } = this.#booking;
    // One live region, in the same place whatever shows above it, so every change is read out.
    return html`${phase === 'booked' && booked ? this.#summary(booked) : this.#form()}
      <p class="notice ${notice?.tone ?? ''}" role="status">${notice?.text ?? ''}</p>`;
  }

  #form() {
    const b = this.#booking;
    const sending = b.phase === 'sending';
    const today = todayIn(this.timeZone, this.services?.clock() ?? Date.now());
    return html`<form novalidate aria-busy=${sending} @submit=${this.#submit} @input=${this.#input}>
      <div class="row">
        ${this.#label('date', html`<input type="date" data-field="date" min=${today} required />`)}
        ${this.#label('time', html`<input type="time" data-field="time" required />`)}
      </div>
      ${this.#label(
        'partySize',
        html`<input type="number" data-field="partySize" inputmode="numeric" min="1" max=${MAX_PARTY} required />`,
      )}
      ${this.#label('name', html`<input data-field="name" autocomplete="name" maxlength="120" required />`)}
      ${this.#label('phone', html`<input type="tel" data-field="phone" autocomplete="tel" maxlength="32" />`)}
      ${this.#label('note', html`<textarea data-field="note" maxlength="500"></textarea>`)}
      <button type="submit" aria-disabled=${sending}>
        ${sending ? 'Sending…' : b.notice?.retry ? 'Try again' : 'Request booking'}
      </button>
    </form>`;
  }

  #label(name: keyof BookingFields, control: TemplateResult) {
    const error = this.#booking.errors[name];
    return html`<label
      >${LABELS[name]} ${control}
      ${error ? html`<p class="field-error" id="error-${name}">${error}</p>` : null}</label
    >`;
  }

  /** Each control's value and error state from the controller, in one place after render. */
  protected override updated(): void {
    const { fields, errors } = this.#booking;
    for (const name of FIELD_ORDER) {
      const control = this.#control(name);
      if (!control) continue;
      if (control.value !== fields[name]) control.value = fields[name];
      control.setAttribute('aria-invalid', errors[name] ? 'true' : 'false');
      if (errors[name]) control.setAttribute('aria-describedby', `error-${name}`);
      else control.removeAttribute('aria-describedby');
    }
  }

  #input(event: Event): void {
    const control = event.target as HTMLInputElement | HTMLTextAreaElement;
    const name = control.dataset.field as keyof BookingFields | undefined;
    if (name) this.#booking.edit(name, control.value);
  }

  #control(name: keyof BookingFields): HTMLInputElement | HTMLTextAreaElement | null {
    return this.renderRoot.querySelector(`[data-field="${name}"]`);
  }

  #summary({ request, local }: Booked) {
    const status = `${BOOKING_STATUS_WORDS.held}${local ? ` (${OP_STATUS_LABEL.delivered_local})` : ''}`;
    const rows: [string, string | number | undefined][] = [
      ['When', formatStartsAt(request.startsAt, this.timeZone, this.locale)],
      ['People', request.partySize],
      ['Name', request.guestName],
      ['Phone', request.phone],
      ['Note', request.note],
      ['Status', status],
    ];
    return html`<section aria-labelledby="booked">
      <h3 id="booked" tabindex="-1">Your booking</h3>
      <dl>
        ${rows.map(([term, value]) =>
          value === undefined ? null : html`<div><dt>${term}</dt><dd>${value}</dd></div>`,
        )}
      </dl>
      <button type="button" @click=${() => this.#booking.again()}>Book another table</button>
    </section>`;
  }

  async #submit(event: Event): Promise<void> {
    event.preventDefault();
    await this.#booking.submit();
    await this.updateComplete;
    const first = FIELD_ORDER.find((name) => this.#booking.errors[name]);
    if (first) this.#control(first)?.focus();
    else if (this.#booking.phase === 'booked')
      this.renderRoot.querySelector<HTMLElement>('#booked')?.focus();
  }
}

customElements.define('hearth-booking-form', BookingForm);

declare global {
  interface HTMLElementTagNameMap {
    'hearth-booking-form': BookingForm;
  }
}
