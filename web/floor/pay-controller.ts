import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Order, StaffRole } from '#protocol';
import { afterPaint } from '../app/after-paint.ts';
import { apiUrl } from '../app/api-url.ts';
import { parseTendered } from './cash-tender.ts';
import type { Submit } from './order-pad-controller.ts';
import { openDrawerOf, type PayContext } from './pay-context.ts';
import type { AmountCheck, AmountChoice, CardAnswer, TipChoice } from './pay-rules.ts';

type PayRules = typeof import('./pay-rules.ts');

/** The reader the venue's counter tablet charges on. */
export const READER = 'counter-1';

/** One card attempt: its paymentId is made once and sent again, unchanged, until it settles. */
export interface CardAttempt {
  readonly paymentId: string;
  readonly orderId: string;
  readonly tableId: string | null;
  readonly amount: number;
  /** 0 when the guest chooses the tip on the reader. */
  readonly tip: number;
  /** The guest chooses the tip on the reader; the answer says which. Absent: not. */
  readonly tipOnReader?: boolean;
  readonly deviceId: string;
}

/** The tip a card attempt charged: its own, or the one the guest chose on the reader. */
export const tipCharged = (attempt: CardAttempt, answer: CardAnswer | undefined): number =>
  attempt.tipOnReader
    ? answer?.kind === 'approved' || answer?.kind === 'stored'
      ? (answer.tip ?? 0)
      : 0
    : attempt.tip;

/** Where a card attempt is: waiting for the reader, or what the card route answered. */
export interface CardPhase {
  readonly attempt: CardAttempt;
  readonly answer: CardAnswer | undefined;
  /** Device ms the last POST left. */
  readonly since: number;
}

/** A card answered approved or stored, until the local view brings its payment. */
export interface Answered {
  readonly paymentId: string;
  readonly orderId: string;
  readonly amount: number;
  readonly tip: number;
  readonly kind: 'approved' | 'stored';
  readonly brand: string | null;
  readonly last4: string | null;
}

/** An answer that settles the attempt: the next one may be a new charge. */
export const settles = (answer: CardAnswer | undefined): boolean =>
  answer !== undefined && answer.kind !== 'timed_out' && answer.kind !== 'unknown';

/**
 * Card attempts by order, in this page's memory only (never storage): a pad that is taken down
 * (a manager's PIN, the back button) finds its attempt again, and a POST in flight lands here
 * whether or not its panel is still on screen.
 */
export class CardAttempts {
  readonly #phases = new Map<string, CardPhase>();
  readonly #answered: Answered[] = [];
  readonly #listeners = new Set<() => void>();

  phaseOf(orderId: string): CardPhase | undefined {
    return this.#phases.get(orderId);
  }

  answeredFor(orderId: string): readonly Answered[] {
    return this.#answered.filter((a) => a.orderId === orderId);
  }

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** POSTs the attempt (again, with the same paymentId when it is the kept one). */
  async run(
    attempt: CardAttempt,
    post: (attempt: CardAttempt) => Promise<CardAnswer>,
    now: number,
  ): Promise<CardAnswer> {
    const kept = this.#phases.get(attempt.orderId);
    // Never a second charge while one is unsettled: only its own paymentId may go again.
    if (kept && !settles(kept.answer) && kept.attempt.paymentId !== attempt.paymentId)
      return kept.answer ?? { kind: 'unknown', reason: 'busy', detail: null };
    if (kept && kept.answer === undefined && kept.attempt.paymentId === attempt.paymentId)
      return { kind: 'unknown', reason: 'busy', detail: null };
    this.#set(attempt.orderId, { attempt, answer: undefined, since: now });
    const answer = await post(attempt);
    if (answer.kind === 'approved' || answer.kind === 'stored') {
      this.#answered.push({
        paymentId: attempt.paymentId,
        orderId: attempt.orderId,
        amount: attempt.amount,
        tip: tipCharged(attempt, answer),
        kind: answer.kind,
        brand: answer.brand,
        last4: answer.last4,
      });
    }
    this.#set(attempt.orderId, { attempt, answer, since: now });
    return answer;
  }

  /** Forgets a settled attempt (the status line goes; the form is back). */
  dismiss(orderId: string): void {
    const kept = this.#phases.get(orderId);
    if (!kept || !settles(kept.answer)) return;
    this.#phases.delete(orderId);
    this.#emit();
  }

  #set(orderId: string, phase: CardPhase): void {
    this.#phases.set(orderId, phase);
    this.#emit();
  }

  #emit(): void {
    for (const listener of this.#listeners) listener();
  }
}

/** The page's card attempts (one page, one memory). */
export const cardAttempts = new CardAttempts();

/** What the controller reads from its panel. */
export interface PayHost extends ReactiveControllerHost {
  readonly order: Order | undefined;
  readonly tableLabel: string;
  readonly context: PayContext | undefined;
  readonly cashIncrement: number;
  readonly currencyScale: number;
  readonly shares: readonly { readonly label: string; readonly amount: number }[];
  readonly staffRole: StaffRole | undefined;
  readonly submit: Submit | undefined;
  /** Lines on the pad not on the order yet: paying waits for them. */
  readonly unsentLines: number;
  readonly attempts: CardAttempts;
  readonly clock: () => number;
  /** Minor units in the venue's currency, as the panel shows them. */
  price(minor: number): string;
}

/** What the server is about to take. */
export interface PayPlan {
  readonly amount: AmountCheck;
  readonly tip: number;
  readonly tipProblem: string | null;
  /** Cash only: what is due in cash (amount + tip), tendered, change. */
  readonly due: number;
}

/**
 * The pay panel's state: the amount (balance, a share, typed), the tip, the method, the cash
 * tendered, and the card attempt (kept in `CardAttempts`). Cash is a `payment.cash` op through
 * the outbox; a card is `POST …/payments/card` with a paymentId made once per attempt.
 */
export class PayController implements ReactiveController {
  readonly #host: PayHost;
  readonly #say: (text: string) => void;
  #rules: PayRules | undefined;
  #stop: (() => void) | undefined;
  #busy = false;
  method: 'cash' | 'card' = 'cash';
  amountChoice: AmountChoice = { kind: 'balance' };
  typedAmount = '';
  tipChoice: TipChoice = 'none';
  customTip = '';
  tendered = '';
  /** A pay button was pressed: problems are shown from now on. */
  tried = false;

  constructor(host: PayHost, say: (text: string) => void) {
    this.#host = host;
    this.#say = say;
    host.addController(this);
  }

  get rules(): PayRules | undefined {
    return this.#rules;
  }

  get busy(): boolean {
    return this.#busy;
  }

  hostConnected(): void {
    this.#stop = this.#host.attempts.subscribe(() => this.#host.requestUpdate());
    if (this.#rules) return;
    void this.#host.updateComplete
      .then(afterPaint)
      .then(() => import('./pay-rules.ts'))
      .then((rules) => {
        this.#rules = rules;
        this.#host.requestUpdate();
      })
      .catch((error: unknown) => console.error('pay: the rules did not load', error));
  }

  hostDisconnected(): void {
    this.#stop?.();
    this.#stop = undefined;
  }

  /** Resets the form for another payment (a new table, a payment made). */
  reset(): void {
    this.amountChoice = { kind: 'balance' };
    this.typedAmount = '';
    this.tipChoice = 'none';
    this.customTip = '';
    this.tendered = '';
    this.tried = false;
    this.#host.requestUpdate();
  }

  /** The card attempt of this order, if any. */
  get phase(): CardPhase | undefined {
    const order = this.#host.order;
    return order ? this.#host.attempts.phaseOf(order.id) : undefined;
  }

  /** What is left to pay, less cards answered but not in the local view yet. */
  balance(): number {
    const rules = this.#rules;
    const order = this.#host.order;
    if (!rules || !order) return 0;
    const known = (this.#host.context?.payments ?? []).map((p) => p.entity);
    return rules.balanceLeft(order, known, this.#host.attempts.answeredFor(order.id));
  }

  plan(): PayPlan | undefined {
    const rules = this.#rules;
    if (!rules) return undefined;
    const scale = this.#host.currencyScale;
    const balance = this.balance();
    const amount = rules.amountOf({
      choice: this.amountChoice,
      method: this.method,
      balance,
      cashIncrement: this.#host.cashIncrement,
      shares: this.#host.shares,
      typed: parseTendered(this.typedAmount, scale),
      typedText: this.typedAmount,
    });
    const custom = parseTendered(this.customTip, scale);
    const tipProblem =
      this.tipChoice === 'custom' && this.customTip.trim() !== '' && custom === undefined
        ? `“${this.customTip}” is not an amount`
        : null;
    const tip = amount.ok ? rules.tipOf(amount.amount, this.tipChoice, custom) : 0;
    return { amount, tip, tipProblem, due: amount.ok ? amount.amount + tip : 0 };
  }

  /** Why paying cannot go ahead now, in words; null when it can. */
  blocker(plan: PayPlan): string | null {
    const unsent = this.#host.unsentLines;
    if (unsent > 0)
      return `Send or remove the ${unsent} new ${unsent === 1 ? 'line' : 'lines'} before paying`;
    if (!plan.amount.ok) return plan.amount.reason;
    return plan.tipProblem;
  }

  /** Cash towards the check: `payment.cash` through the outbox, into this tablet's drawer. */
  async payCash(): Promise<boolean> {
    this.tried = true;
    this.#host.requestUpdate();
    const plan = this.plan();
    const order = this.#host.order;
    const submit = this.#host.submit;
    const context = this.#host.context;
    if (!plan || !order || !submit || this.#busy) return false;
    const blocker = this.blocker(plan);
    const tendered = parseTendered(this.tendered, this.#host.currencyScale);
    if (blocker || !plan.amount.ok) {
      this.#say(blocker ?? 'Check the amount');
      return false;
    }
    if (tendered === undefined || tendered < plan.due) {
      this.#say(
        tendered === undefined
          ? 'Type the cash received, or tap an amount'
          : 'That is less than the cash due',
      );
      return false;
    }
    const drawer = openDrawerOf(context?.drawers ?? [], context?.deviceId);
    const amount = plan.amount.amount;
    const tip = plan.tip;
    this.#busy = true;
    try {
      const made = await submit(
        `Table ${this.#host.tableLabel}: cash ${plan.amount.last ? 'paid in full' : 'part payment'}`,
        'payment.cash',
        (newId) => ({
          paymentId: newId(),
          orderId: order.id,
          amount,
          tip,
          tendered,
          ...(drawer ? { drawerId: drawer.entity.id } : {}),
        }),
      );
      if (!made) return false;
      if (order.tableId) context?.keep(order.tableId, order.id);
      this.#say(
        plan.amount.last ? 'Paid in cash — the check is closed' : 'Cash part payment taken',
      );
      this.reset();
      return true;
    } finally {
      this.#busy = false;
      this.#host.requestUpdate();
    }
  }

  /** A new card attempt for what the form says: a new paymentId. */
  async payCard(): Promise<void> {
    this.tried = true;
    this.#host.requestUpdate();
    const plan = this.plan();
    if (!plan) return;
    const blocker = this.blocker(plan);
    if (blocker || !plan.amount.ok) {
      this.#say(blocker ?? 'Check the amount');
      return;
    }
    await this.#newAttempt(plan.amount.amount, plan.tip, this.tipChoice === 'reader');
  }

  /** After a decline, or a refusal a manager may lift: the same amount under a new paymentId. */
  async again(): Promise<void> {
    const phase = this.phase;
    if (!phase || !settles(phase.answer)) return;
    await this.#newAttempt(
      phase.attempt.amount,
      phase.attempt.tip,
      phase.attempt.tipOnReader === true,
    );
  }

  /** Timed out or no answer: asks about the SAME paymentId (the same body) again. */
  async checkAgain(): Promise<void> {
    const phase = this.phase;
    if (!phase || settles(phase.answer)) return;
    this.#say('Asking the reader about this payment again');
    await this.#run(phase.attempt);
  }

  /** Drops a settled attempt's status (the form comes back). */
  dismiss(): void {
    const order = this.#host.order;
    if (order) this.#host.attempts.dismiss(order.id);
    this.reset();
  }

  async #newAttempt(amount: number, tip: number, tipOnReader: boolean): Promise<void> {
    const rules = this.#rules;
    const order = this.#host.order;
    const deviceId = this.#host.context?.deviceId;
    if (!rules || !order) return;
    if (!deviceId) {
      this.#say('This tablet’s id is still being read — try again in a moment');
      return;
    }
    const kept = this.phase;
    if (kept && !settles(kept.answer)) return;
    await this.#run({
      paymentId: rules.newPaymentId(),
      orderId: order.id,
      tableId: order.tableId,
      amount,
      tip: tipOnReader ? 0 : tip,
      tipOnReader,
      deviceId,
    });
  }

  async #run(attempt: CardAttempt): Promise<void> {
    const context = this.#host.context;
    const rules = this.#rules;
    if (!context || !rules) return;
    this.#say(
      attempt.tipOnReader
        ? 'The guest chooses a tip on the reader, then taps, inserts or swipes'
        : 'Waiting for the card reader — tap, insert or swipe',
    );
    const answer = await this.#host.attempts.run(
      attempt,
      (a) => postCard(context, a, rules.readCardAnswer),
      this.#host.clock(),
    );
    if ((answer.kind === 'approved' || answer.kind === 'stored') && attempt.tableId)
      context.keep(attempt.tableId, attempt.orderId);
    if (answer.kind === 'approved' || answer.kind === 'stored') this.reset();
    this.#say(
      answerSaid(answer, rules, attempt.tipOnReader ? (m) => this.#host.price(m) : undefined),
    );
  }
}

/** `POST /v1/venues/:venueId/payments/card`, same-origin with the session cookie. */
async function postCard(
  context: PayContext,
  attempt: CardAttempt,
  read: PayRules['readCardAnswer'],
): Promise<CardAnswer> {
  const url = apiUrl(
    `/v1/venues/${encodeURIComponent(context.venueId)}/payments/card`,
    context.controlled(),
  );
  try {
    const response = await context.fetcher(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': attempt.paymentId },
      credentials: 'same-origin',
      body: JSON.stringify({
        paymentId: attempt.paymentId,
        orderId: attempt.orderId,
        amount: attempt.amount,
        tip: attempt.tip,
        ...(attempt.tipOnReader ? { tipOnReader: true } : {}),
        reader: READER,
        deviceId: attempt.deviceId,
      }),
    });
    const body: unknown = await response.json().catch(() => undefined);
    return read(response.status, body);
  } catch (error) {
    console.warn(`card payment ${attempt.paymentId} got no answer`, error);
    return read('no-answer', undefined);
  }
}

/**
 * What the live region says once the card route answered; `price` (a tip on the reader) adds
 * the tip the guest chose.
 */
function answerSaid(
  answer: CardAnswer,
  rules: PayRules,
  price: ((minor: number) => string) | undefined,
): string {
  const chosen =
    price && (answer.kind === 'approved' || answer.kind === 'stored')
      ? answer.tip
        ? ` — the guest tipped ${price(answer.tip)} on the reader`
        : ' — no tip chosen on the reader'
      : '';
  switch (answer.kind) {
    case 'approved':
      return `Approved — ${rules.cardWords(answer.brand, answer.last4)}${chosen}`;
    case 'stored':
      return `Card taken offline — the processor will authorise it when the internet is back${chosen}`;
    case 'declined':
      return `Declined: ${rules.declineWords(answer.code)}`;
    case 'timed_out':
      return 'No answer from the reader — Check again';
    case 'refused':
      return rules.refusalWords(answer.code, answer.detail ?? undefined);
    case 'unknown':
      return rules.unknownWords(answer.reason);
  }
}
