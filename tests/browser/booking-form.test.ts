import { expect } from '@esm-bundle/chai';
import type { Principal } from '#protocol';
import {
  type BookingAttempt,
  memoryAttemptStore,
  OFFLINE_MESSAGE,
} from '../../web/guest/booking-attempt.ts';
import type { BookingServices } from '../../web/guest/booking-controller.ts';
import '../../web/guest/booking-form.ts';
import type { BookingForm } from '../../web/guest/booking-form.ts';
import { waitFor } from '../support/wait-for.ts';
import { phoneFrame, serious, text, unmountFrames } from './guest-support.ts';

// `<hearth-booking-form>` in Chromium, its fetch a small stand-in of the cloud's ops route
// passed in as a dependency: it keeps each Idempotency-Key with the body first sent under it,
// answers a repeat with the first answer and another body under a used key with 422
// IDEMPOTENCY_KEY_REUSED (cloud/ops/op-responses.ts), and can lose an answer on the way back —
// the request reached it, the phone heard nothing.

const GUEST: Principal = {
  kind: 'guest',
  tenantId: 'demo',
  venueId: 'demo-bistro',
  sessionId: 'session-1',
  tableId: 'table-4',
};
const NOW = Date.parse('2026-07-01T12:00:00.000Z');

interface Call {
  readonly url: string;
  readonly key: string | null;
  readonly body: string;
}

/** The cloud's ops route in miniature. */
class StandInServer {
  readonly calls: Call[] = [];
  readonly bookings: string[] = [];
  readonly #keys = new Map<string, { body: string; status: number; answer: string }>();
  /** Decide the next request, then fail as if the answer never came back. */
  loseNextAnswer = false;
  /** Fail the next request before it reaches the server. */
  unreachable = false;

  readonly fetch: typeof fetch = async (input, init) => {
    const call: Call = {
      url: String(input),
      key: new Headers(init?.headers).get('Idempotency-Key'),
      body: String(init?.body),
    };
    this.calls.push(call);
    if (this.unreachable) {
      this.unreachable = false;
      throw new TypeError('Failed to fetch');
    }
    const response = this.#decide(call);
    if (this.loseNextAnswer) {
      this.loseNextAnswer = false;
      throw new TypeError('Failed to fetch');
    }
    return response;
  };

  #decide(call: Call): Response {
    const key = call.key ?? '';
    const op = JSON.parse(call.body) as { opId: string; payload: { bookingId: string } };
    const seen = this.#keys.get(key);
    if (seen && seen.body !== call.body) {
      return problem(
        422,
        'IDEMPOTENCY_KEY_REUSED',
        `op ${key} was already sent with a different payload`,
      );
    }
    if (seen)
      return new Response(seen.answer, {
        status: seen.status,
        headers: { 'Idempotent-Replayed': 'true' },
      });
    this.bookings.push(op.payload.bookingId);
    const answer = JSON.stringify({
      opId: op.opId,
      status: 'applied',
      seq: this.bookings.length,
      changed: [],
      at: new Date(NOW).toISOString(),
    });
    this.#keys.set(key, { body: call.body, status: 201, answer });
    return new Response(answer, { status: 201, headers: { 'Content-Type': 'application/json' } });
  }
}

const problem = (status: number, code: string, detail: string) =>
  new Response(
    JSON.stringify({
      type: 'about:blank',
      title: 'Idempotency key reused',
      status,
      code,
      kind: 'fix_request',
      detail,
    }),
    {
      status,
      headers: { 'Content-Type': 'application/problem+json' },
    },
  );

async function mount(options: { online?: boolean; kept?: BookingAttempt } = {}) {
  const server = new StandInServer();
  const network = { isOnline: options.online ?? true };
  const services: BookingServices = {
    fetch: server.fetch,
    device: { deviceId: async () => 'device-1' },
    network: { online: () => network.isOnline },
    clock: () => NOW,
  };
  const store = memoryAttemptStore(options.kept);
  const el = document.createElement('hearth-booking-form');
  el.principal = GUEST;
  el.timeZone = 'Europe/London';
  el.services = services;
  el.store = store;
  phoneFrame().append(el);
  await el.updateComplete;
  return { el, server, network, store };
}

const control = (el: BookingForm, name: string) => {
  const found = el.shadowRoot?.querySelector<HTMLInputElement>(`[data-field="${name}"]`);
  if (!found) throw new Error(`no ${name} field`);
  return found;
};

async function fill(el: BookingForm, values: Record<string, string>): Promise<void> {
  for (const [name, value] of Object.entries(values)) {
    const input = control(el, name);
    input.value = value;
    input.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
  }
  await el.updateComplete;
}

const FORM = {
  date: '2026-07-03',
  time: '19:30',
  partySize: '4',
  name: 'Ana Lima',
  phone: '+44 7700 900123',
  note: 'window seat',
};

/** Submits as the guest does (the form's button) and waits for the answer to be shown. */
async function submit(el: BookingForm): Promise<void> {
  submitButton(el)?.click();
  // The click marks the button busy at once (rendered by the next update) until the answer.
  await waitFor('the answer shown (the button no longer busy)', async () => {
    await el.updateComplete;
    return submitButton(el)?.getAttribute('aria-disabled') !== 'true';
  });
}

const submitButton = (el: BookingForm) => el.shadowRoot?.querySelector<HTMLButtonElement>('button');
/** The booking as shown: each term with its description. */
const details = (el: BookingForm): Record<string, string> =>
  Object.fromEntries(
    [...(el.shadowRoot?.querySelectorAll('dt') ?? [])].map((dt) => [
      text(dt),
      text(dt.nextElementSibling),
    ]),
  );
const notice = (el: BookingForm) => text(el.shadowRoot?.querySelector('[role="status"]'));
const values = (el: BookingForm) =>
  Object.fromEntries(Object.keys(FORM).map((name) => [name, control(el, name).value]));

async function clean(el: BookingForm): Promise<void> {
  const found = await serious(el.parentElement as HTMLElement);
  expect(found, found.join('\n\n')).to.deep.equal([]);
}

afterEach(unmountFrames);

describe('<hearth-booking-form>', () => {
  it('labelled fields, targets of 44 px and more, no serious axe finding', async () => {
    const { el } = await mount();
    for (const name of Object.keys(FORM)) {
      const field = control(el, name);
      expect(field.closest('label'), name).to.not.equal(null);
      expect(field.getBoundingClientRect().height, name).to.be.at.least(44);
    }
    expect(submitButton(el)?.getBoundingClientRect().height).to.be.at.least(44);
    expect(text(submitButton(el))).to.equal('Request booking');
    await clean(el);
  });

  it('axe finds low contrast inside the form’s shadow DOM (the check can fail)', async () => {
    const { el } = await mount();
    const faint = document.createElement('p');
    faint.textContent = 'faint';
    faint.setAttribute('style', 'color:#dddddd;background:#ffffff;margin:0');
    el.shadowRoot?.querySelector('form')?.append(faint);
    const found = await serious(el.parentElement as HTMLElement);
    expect(found.map((f) => f.split(' ')[0])).to.deep.equal(['color-contrast']);
  });

  it('says what to fix, in words, and takes the focus to the first field to fix', async () => {
    const { el, server } = await mount();
    await fill(el, { partySize: '30' });
    await submit(el);
    expect(server.calls).to.deep.equal([]);
    expect(notice(el)).to.equal('Please check the form: 4 fields need attention.');
    expect(control(el, 'partySize').getAttribute('aria-invalid')).to.equal('true');
    const described = control(el, 'partySize').getAttribute('aria-describedby') ?? '';
    expect(text(el.shadowRoot?.getElementById(described))).to.equal(
      'Party size must be a whole number from 1 to 20.',
    );
    expect(el.shadowRoot?.activeElement).to.equal(control(el, 'date'));
    await clean(el);
  });

  it('offline: says a booking needs a connection, sends nothing and keeps the form', async () => {
    const { el, server } = await mount({ online: false });
    await fill(el, FORM);
    await submit(el);
    expect(server.calls).to.deep.equal([]);
    expect(notice(el)).to.equal(OFFLINE_MESSAGE);
    expect(values(el)).to.deep.equal(FORM);
    await clean(el);
  });

  it('books: POSTs the op straight to /v1 with its opId as Idempotency-Key, then shows the booking', async () => {
    const { el, server, store } = await mount();
    await fill(el, FORM);
    await submit(el);
    expect(server.calls.length).to.equal(1);
    const [call] = server.calls;
    const op = JSON.parse(call?.body ?? '{}');
    expect(call?.url).to.equal('/v1/venues/demo-bistro/ops');
    expect(call?.key).to.equal(op.opId);
    expect(op).to.deep.include({
      type: 'booking.create',
      actorId: 'session-1',
      deviceId: 'device-1',
      venueId: 'demo-bistro',
    });
    expect(op.payload).to.deep.include({
      guestName: 'Ana Lima',
      partySize: 4,
      startsAt: '2026-07-03T18:30:00.000Z',
      phone: '+44 7700 900123',
      note: 'window seat',
    });
    const shown = details(el);
    expect(shown.When).to.match(/^Friday,? 3 July 2026 at 19:30$/);
    expect(shown).to.deep.include({
      People: '4',
      Name: 'Ana Lima',
      Phone: '+44 7700 900123',
      Note: 'window seat',
      Status: 'Requested — the venue will confirm',
    });
    expect(notice(el)).to.equal('Booking requested — the venue will confirm.');
    expect(el.shadowRoot?.activeElement?.id).to.equal('booked');
    expect(store.load()).to.equal(undefined);
    await clean(el);
  });

  it('a retry after a lost answer re-sends the same op under the same key: one booking', async () => {
    const { el, server, store } = await mount();
    await fill(el, FORM);
    server.loseNextAnswer = true;
    await submit(el);
    expect(notice(el)).to.equal(OFFLINE_MESSAGE);
    expect(text(submitButton(el))).to.equal('Try again');
    expect(values(el)).to.deep.equal(FORM);
    expect(store.load()?.opId).to.equal(server.calls[0]?.key);
    await clean(el);

    await submit(el);
    expect(server.calls.length).to.equal(2);
    expect(server.calls[1]).to.deep.equal(server.calls[0]);
    expect(server.bookings.length).to.equal(1);
    expect(details(el).Status).to.equal('Requested — the venue will confirm');
  });

  it('edited while an attempt is kept: same key, other body → refused in words, then a fresh key', async () => {
    const { el, server } = await mount();
    await fill(el, FORM);
    server.loseNextAnswer = true;
    await submit(el);
    await fill(el, { partySize: '5' });
    await submit(el);
    const [first, edited] = server.calls;
    expect(edited?.key).to.equal(first?.key);
    expect(edited?.body).to.not.equal(first?.body);
    expect(notice(el)).to.match(/^Not booked with these details/);
    expect(el.shadowRoot?.querySelector('section')).to.equal(null);
    expect(values(el)).to.deep.equal({ ...FORM, partySize: '5' });
    expect(text(submitButton(el))).to.equal('Request booking');
    await clean(el);

    await submit(el);
    const third = server.calls[2];
    expect(third?.key).to.not.equal(first?.key);
    expect(JSON.parse(third?.body ?? '{}').payload.partySize).to.equal(5);
    expect(details(el).People).to.equal('5');
  });

  it('a kept attempt survives a reload: the form is filled again and sent with the same key and body', async () => {
    const first = await mount();
    await fill(first.el, FORM);
    first.server.unreachable = true;
    await submit(first.el);
    const kept = first.store.load();
    expect(kept).to.not.equal(undefined);
    unmountFrames();

    const { el, server } = await mount({ kept });
    expect(values(el)).to.deep.equal(FORM);
    expect(text(submitButton(el))).to.equal('Try again');
    expect(notice(el)).to.contain('cannot book twice');
    await submit(el);
    expect(server.calls[0]?.key).to.equal(kept?.opId);
    expect(server.calls[0]?.body).to.equal(kept?.body);
  });
});
