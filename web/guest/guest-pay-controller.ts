import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Order } from '#protocol';
import { apiUrl } from '../app/api-url.ts';
import { minorPerMajor } from './money-format.ts';
import {
  type Bill,
  billOf,
  CANCELLED_WORDS,
  type CheckoutState,
  checkoutAnswerOf,
  checkoutOfUrl,
  checkoutStateOf,
  NO_TIP,
  OFFLINE_WORDS,
  POLL_DELAYS_MS,
  payableOrders,
  type Receipt,
  type TipChoice,
  type TipResult,
  tipOf,
  UNAVAILABLE_WORDS,
  withoutCheckout,
} from './pay-rules.ts';

/** What paying calls the cloud with (the page's `AppServices` fits). */
export interface PayServices {
  readonly venueId: string;
  readonly fetch: typeof fetch;
  readonly network: { online(): boolean };
  /** Controlled pages call `/api/v1/…` (the worker passes it through, never into the outbox). */
  readonly serviceWorker: { controlled(): boolean };
}

/** The browser's address bar, as a port: tests give their own. */
export interface PayPage {
  /** The page's URL now. */
  href(): string;
  /** Leaves for the processor's page. */
  navigate(url: string): void;
  /** Changes the address bar without a load (the `?checkout=` taken off). */
  replace(url: string): void;
}

export const browserPayPage: PayPage = {
  href: () => window.location.href,
  navigate: (url) => window.location.assign(url),
  replace: (url) => window.history.replaceState(window.history.state, '', url),
};

export interface PayInputs {
  /** The table's open tab (GuestData's orders). */
  readonly orders: readonly Order[];
  readonly services: PayServices | undefined;
  readonly page: PayPage;
  readonly wait: (ms: number) => Promise<void>;
  /** A new checkout id (a ULID). */
  readonly newId: () => Promise<string>;
}

/**
 * bill: the sheet shows the bill, the tip and Pay · starting: the POST is out · leaving: off to
 * the processor's page · confirming: back from it, asking how it went · paid: the receipt ·
 * cancelled · unconfirmed: no final answer yet ("Check again") · gone: no such checkout.
 */
export type PayPhase =
  | 'bill'
  | 'starting'
  | 'leaving'
  | 'confirming'
  | 'paid'
  | 'cancelled'
  | 'unconfirmed'
  | 'gone';

export interface PayNotice {
  readonly tone: 'info' | 'error';
  readonly text: string;
}

/** One checkout attempt: its id is kept while the same bill and tip are paid again. */
interface Attempt {
  readonly checkoutId: string;
  readonly orderId: string;
  readonly tip: number;
}

/**
 * The pay sheet's state: which bill is open, the tip, the checkout POST and the asks after the
 * guest comes back from the processor's page. Nothing here is queued: paying needs the cloud
 * now, and a phone without a connection is told to ask the server.
 */
export class GuestPayController implements ReactiveController {
  readonly #host: ReactiveControllerHost;
  readonly #inputs: () => PayInputs;
  open = false;
  phase: PayPhase = 'bill';
  tip: TipChoice = NO_TIP;
  notice: PayNotice | undefined;
  receipt: Receipt | undefined;
  #orderId: string | undefined;
  #attempt: Attempt | undefined;
  #returned: string | undefined;
  /** The address was read for `?checkout=` since the element was last connected. */
  #checked = false;
  /** Bumped when a confirmation is dropped or restarted: a stale loop stops. */
  #run = 0;

  constructor(host: ReactiveControllerHost, inputs: () => PayInputs) {
    this.#host = host;
    this.#inputs = inputs;
    host.addController(this);
  }

  /** Back from the processor's page (`?checkout=` in the address): asks how it went. Read at
   * the first update, once the element's properties (set before it was defined) are in place. */
  hostUpdate(): void {
    if (this.#checked) return;
    this.#checked = true;
    const id = checkoutOfUrl(this.#inputs().page.href());
    if (!id) return;
    this.#returned = id;
    void this.confirm();
  }

  hostDisconnected(): void {
    this.#checked = false;
    this.#run++;
  }

  /** The bills the guest can pay now. */
  payable(): Order[] {
    return payableOrders(this.#inputs().orders);
  }

  /** The open sheet's bill; undefined when it is paid off or gone from the tab. */
  bill(): Bill | undefined {
    const order = this.#inputs().orders.find((o) => o.id === this.#orderId);
    return order ? billOf(order) : undefined;
  }

  /** The tip the choice makes on the open bill. */
  tipResult(bill: Bill | undefined = this.bill()): TipResult {
    if (!bill) return { ok: true, tip: 0 };
    return tipOf(this.tip, bill.balance, digitsOf(bill.currency));
  }

  /** Whether the sheet holds something to show when the table owes nothing. */
  get busy(): boolean {
    return this.open || this.phase !== 'bill';
  }

  show(orderId: string): void {
    this.#orderId = orderId;
    this.open = true;
    this.phase = 'bill';
    this.notice = undefined;
    this.#host.requestUpdate();
  }

  close(): void {
    if (this.phase === 'starting' || this.phase === 'leaving') return;
    this.#run++;
    this.open = false;
    if (this.phase !== 'bill') this.phase = 'bill';
    this.notice = undefined;
    this.receipt = undefined;
    this.#host.requestUpdate();
  }

  /**
   * The browser's Back from the processor's page brings this page back as it was left (the
   * back-forward cache): "Opening the payment page…" would stay for good, so the sheet is the
   * bill again, and Pay sends the same attempt (the same checkoutId: one checkout).
   */
  resumed(): void {
    if (this.phase !== 'leaving') return;
    this.phase = 'bill';
    this.notice = undefined;
    this.#host.requestUpdate();
  }

  chooseTip(tip: TipChoice): void {
    this.tip = tip;
    if (this.notice?.tone === 'error') this.notice = undefined;
    this.#host.requestUpdate();
  }

  /** After a cancelled checkout: the bill again, and a new attempt when Pay is pressed. */
  again(): void {
    const first = this.payable()[0];
    this.#attempt = undefined;
    this.receipt = undefined;
    if (first) this.show(first.id);
    else this.close();
  }

  /** POSTs the checkout and leaves for the processor's page; says why not when it cannot. */
  async pay(): Promise<void> {
    if (this.phase !== 'bill') return;
    const { services, page, newId } = this.#inputs();
    const bill = this.bill();
    if (!services || !bill || bill.balance <= 0) return;
    const tip = this.tipResult(bill);
    if (!tip.ok) return this.#say('error', tip.error);
    // navigator.onLine false is believed: nothing is sent, nothing kept for later.
    if (!services.network.online()) return this.#say('error', OFFLINE_WORDS);
    const kept = this.#attempt;
    const attempt: Attempt =
      kept && kept.orderId === bill.orderId && kept.tip === tip.tip
        ? kept
        : { checkoutId: await newId(), orderId: bill.orderId, tip: tip.tip };
    this.#attempt = attempt;
    this.phase = 'starting';
    this.#say('info', 'Opening the secure payment page…');
    const answer = await this.#post(services, {
      checkoutId: attempt.checkoutId,
      orderId: attempt.orderId,
      tip: attempt.tip,
      returnUrl: withoutCheckout(page.href()),
    });
    if (answer.kind === 'go') {
      this.phase = 'leaving';
      this.#host.requestUpdate();
      page.navigate(answer.url);
      return;
    }
    this.phase = 'bill';
    if (answer.kind === 'offline') return this.#say('error', OFFLINE_WORDS);
    this.#attempt = answer.kind === 'failed' && answer.retry ? attempt : undefined;
    this.#say('error', answer.kind === 'unavailable' ? UNAVAILABLE_WORDS : answer.message);
  }

  /** Asks how the checkout the guest came back from went, backing off between asks. */
  async confirm(): Promise<void> {
    const id = this.#returned;
    if (!id) return;
    const run = ++this.#run;
    this.open = true;
    this.phase = 'confirming';
    this.#say('info', 'Confirming your payment…');
    const { wait, page } = this.#inputs();
    let state: CheckoutState = { kind: 'unknown', offline: false };
    for (const delay of POLL_DELAYS_MS) {
      if (delay > 0) await wait(delay);
      if (run !== this.#run) return;
      state = await this.#get(id);
      if (run !== this.#run) return;
      if (state.kind === 'paid' || state.kind === 'cancelled' || state.kind === 'gone') break;
    }
    switch (state.kind) {
      case 'paid':
        this.receipt = state.receipt;
        this.phase = 'paid';
        this.#say('info', 'Payment received — thank you');
        break;
      case 'cancelled':
        this.phase = 'cancelled';
        this.#say('info', CANCELLED_WORDS);
        break;
      case 'gone':
        this.phase = 'gone';
        this.#say('error', state.message);
        break;
      default:
        // No final word yet: the address keeps ?checkout=, so a reload asks again too.
        this.phase = 'unconfirmed';
        this.#say(
          'error',
          state.kind === 'unknown' && state.offline
            ? 'We can’t confirm your payment while your phone is offline — check again when you’re back online.'
            : 'Your payment isn’t confirmed yet — the card provider hasn’t answered. Check again in a moment.',
        );
        return;
    }
    page.replace(withoutCheckout(page.href()));
  }

  async #post(
    services: PayServices,
    body: { checkoutId: string; orderId: string; tip: number; returnUrl: string },
  ) {
    const path = `/v1/venues/${encodeURIComponent(services.venueId)}/payments/checkout` as const;
    try {
      const response = await services.fetch(apiUrl(path, services.serviceWorker.controlled()), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        credentials: 'same-origin',
        body: JSON.stringify(body),
      });
      return checkoutAnswerOf(response.status, await response.json().catch(() => undefined));
    } catch {
      return checkoutAnswerOf('no-answer', undefined);
    }
  }

  async #get(checkoutId: string): Promise<CheckoutState> {
    const { services } = this.#inputs();
    if (!services) return { kind: 'unknown', offline: false };
    if (!services.network.online()) return { kind: 'unknown', offline: true };
    const path =
      `/v1/venues/${encodeURIComponent(services.venueId)}/payments/checkout/${encodeURIComponent(checkoutId)}` as const;
    try {
      const response = await services.fetch(apiUrl(path, services.serviceWorker.controlled()), {
        credentials: 'same-origin',
        cache: 'no-store',
      });
      return checkoutStateOf(response.status, await response.json().catch(() => undefined));
    } catch {
      return checkoutStateOf('no-answer', undefined);
    }
  }

  #say(tone: PayNotice['tone'], text: string): void {
    // The same words again are read out again: a trailing no-break space makes them new.
    const said = this.notice?.text === text ? `${text}\u00a0` : text;
    this.notice = { tone, text: said };
    this.#host.requestUpdate();
  }
}

/** The currency's decimals (2 for EUR, 0 for JPY). */
export const digitsOf = (currency: string): number =>
  Math.round(Math.log10(minorPerMajor(currency)));
