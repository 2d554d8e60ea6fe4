import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import type { Order, PaymentRecord, Settings, StaffRole } from '#protocol';
import type { TrackedOp } from '../app/op-controller.ts';
import { ITEM_BADGE_LABEL } from '../app/sync-labels.ts';
import { Announcer } from '../guest/announcer.ts';
import { type MoneyFormat, minorPerMajor, moneyFormat } from '../guest/money-format.ts';
import { checkTender, parseTendered, quickTenders } from './cash-tender.ts';
import { floorStyles } from './floor-styles.ts';
import type { Submit } from './order-pad-controller.ts';
import { type Marked, openDrawerOf, type PayContext } from './pay-context.ts';
import {
  type Answered,
  type CardAttempts,
  type CardPhase,
  cardAttempts,
  PayController,
  type PayPlan,
  tipCharged,
} from './pay-controller.ts';
import type { TipChoice } from './pay-rules.ts';

type PayRules = NonNullable<PayController['rules']>;

const isManager = (role: StaffRole | undefined): boolean => role === 'manager' || role === 'owner';

const TIPS: readonly TipChoice[] = ['none', 10, 15, 20, 'custom'];
/** A card may leave the tip to the guest, on the reader. */
const CARD_TIPS: readonly TipChoice[] = [...TIPS, 'reader'];

const tipLabel = (t: TipChoice): string =>
  t === 'none'
    ? 'No tip'
    : t === 'custom'
      ? 'Custom'
      : t === 'reader'
        ? 'Tip on the reader'
        : `${t} %`;

/**
 * `<hearth-pay-panel>`: paying one check on the floor. The balance left and what was paid so
 * far (each payment's method, amount, tip, card, state and sync mark), then a payment of all or
 * part of it: the balance, a split share or a typed amount; a tip; cash (tendered, quick
 * amounts, change due; a `payment.cash` op through the outbox, into this tablet's open drawer)
 * or card (`POST …/payments/card` on the counter reader, its status shown until it settles).
 * Events: `hearth-retry` (a failed cash op's id) and `hearth-manager-needed` (a card over the
 * offline limit: a manager's PIN allows it).
 */
export class PayPanel extends LitElement {
  static override styles = [
    floorStyles,
    css`
      :host {
        padding: 0;
        background: transparent;
      }
      section {
        display: grid;
        gap: 0.75rem;
      }
      dl {
        display: grid;
        grid-template-columns: 1fr auto;
        gap: 0.25rem 1rem;
        margin: 0;
      }
      dd {
        margin: 0;
        text-align: right;
        font-variant-numeric: tabular-nums;
      }
      .balance {
        font-size: 1.25rem;
        font-weight: 700;
      }
      .row {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: center;
      }
      fieldset {
        display: grid;
        gap: 0.5rem;
        margin: 0;
        padding: 0.5rem 0.75rem 0.75rem;
        border: 2px solid var(--floor-line);
        border-radius: 0.5rem;
      }
      legend {
        font-weight: 700;
        padding: 0 0.25rem;
      }
      button[aria-pressed='false'] {
        background: var(--floor-raised);
        color: var(--floor-fg);
      }
      button:disabled {
        opacity: 0.6;
        cursor: not-allowed;
      }
      .payment {
        display: grid;
        gap: 0.15rem;
        padding: 0.5rem 0.75rem;
        border: 2px solid var(--floor-line);
        border-radius: 0.5rem;
        background: var(--floor-surface);
      }
      .payment .top {
        display: flex;
        justify-content: space-between;
        gap: 0.5rem;
        font-weight: 700;
      }
      .state-ok {
        color: var(--floor-ok);
      }
      .state-warn {
        color: var(--floor-warn);
      }
      .state-bad,
      .problem {
        color: var(--floor-bad);
        font-weight: 700;
      }
      .paid {
        color: var(--floor-ok);
        font-weight: 700;
        font-size: 1.2rem;
        margin: 0;
      }
      .status-box {
        display: grid;
        gap: 0.5rem;
        padding: 0.75rem;
        border: 2px solid var(--floor-accent);
        border-radius: 0.5rem;
        background: var(--floor-surface);
      }
      .status-box:empty {
        display: none;
      }
      .status-box p {
        margin: 0;
      }
      .spinner {
        display: inline-block;
        width: 1.25rem;
        height: 1.25rem;
        margin-right: 0.5rem;
        vertical-align: middle;
        border: 3px solid var(--floor-line);
        border-top-color: var(--floor-accent);
        border-radius: 50%;
        animation: spin 0.9s linear infinite;
      }
      @keyframes spin {
        to {
          transform: rotate(360deg);
        }
      }
      @media (prefers-reduced-motion: reduce) {
        .spinner {
          animation: none;
        }
      }
      progress {
        width: 100%;
        height: 0.75rem;
      }
      p {
        margin: 0;
      }
      .sr-only {
        position: absolute;
        width: 1px;
        height: 1px;
        overflow: hidden;
        clip: rect(0 0 0 0);
        white-space: nowrap;
      }
    `,
  ];

  static override properties = {
    order: { attribute: false },
    tableLabel: { attribute: false },
    context: { attribute: false },
    settings: { attribute: false },
    locale: { attribute: false },
    shares: { attribute: false },
    staffRole: { attribute: false },
    ops: { attribute: false },
    submit: { attribute: false },
    unsentLines: { attribute: false },
    attempts: { attribute: false },
    clock: { attribute: false },
  };

  declare order: Order | undefined;
  declare tableLabel: string;
  declare context: PayContext | undefined;
  declare settings: Settings | undefined;
  declare locale: string | undefined;
  /** The pad's split of the bill ("Share 2", "Seat 3"): offered as amounts to pay. */
  declare shares: readonly { readonly label: string; readonly amount: number }[];
  declare staffRole: StaffRole | undefined;
  /** The page's OpController.ops: a failed cash payment's op shows with a retry. */
  declare ops: readonly TrackedOp[];
  declare submit: Submit | undefined;
  declare unsentLines: number;
  /** Card attempts by order (the page's memory; tests give their own). */
  declare attempts: CardAttempts;
  declare clock: () => number;

  readonly #announcer = new Announcer(this);
  readonly pay = new PayController(this, (text) => this.#announcer.say(text));

  constructor() {
    super();
    this.order = undefined;
    this.tableLabel = '';
    this.context = undefined;
    this.settings = undefined;
    this.locale = undefined;
    this.shares = [];
    this.staffRole = undefined;
    this.ops = [];
    this.submit = undefined;
    this.unsentLines = 0;
    this.attempts = cardAttempts;
    this.clock = () => Date.now();
  }

  get cashIncrement(): number {
    return this.settings?.cashRoundingIncrement ?? 1;
  }

  get currencyScale(): number {
    return minorPerMajor(this.settings?.currency ?? 'EUR');
  }

  get #money(): MoneyFormat {
    return moneyFormat(this.locale, this.settings?.currency ?? 'EUR');
  }

  price(minor: number): string {
    return this.#money.price(minor);
  }

  override willUpdate(changed: PropertyValues<this>): void {
    const before = changed.get('order') as Order | undefined;
    if (before && this.order && before.id !== this.order.id) this.pay.reset();
  }

  /** The card attempt's state last rendered: a change moves the focus to what to do next. */
  #shownPhase = '';

  /** Ticks each second while the reader is waited for, so the wait shows how long it has been. */
  #tick: ReturnType<typeof setInterval> | undefined;

  override disconnectedCallback(): void {
    clearInterval(this.#tick);
    this.#tick = undefined;
    super.disconnectedCallback();
  }

  override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    const phase = this.pay.phase;
    const waiting = phase !== undefined && phase.answer === undefined;
    if (waiting && !this.#tick) this.#tick = setInterval(() => this.requestUpdate(), 1000);
    if (!waiting && this.#tick) {
      clearInterval(this.#tick);
      this.#tick = undefined;
    }
    const key = phase ? `${phase.attempt.paymentId}:${phase.answer?.kind ?? 'waiting'}` : '';
    if (key === this.#shownPhase) return;
    this.#shownPhase = key;
    if (!phase) return;
    // The pay button is gone with the form: focus goes to the status's first action, or to the
    // status itself while the reader waits, so a keyboard never lands on the page's body.
    const box = this.renderRoot.querySelector<HTMLElement>('[data-card-status]');
    const next = box?.querySelector<HTMLElement>('button') ?? box;
    next?.focus();
  }

  override render() {
    const order = this.order;
    const rules = this.pay.rules;
    if (!order) return nothing;
    if (!rules)
      return html`<section aria-labelledby="pay-title">
        <h2 id="pay-title">Pay</h2>
        <p class="muted" role="status">Reading the payments…</p>
      </section>`;
    const payments = rules.paymentsFor(order.id, this.context?.payments ?? []);
    const state = rules.checkStateOf(
      order,
      payments.map((p) => p.entity),
    );
    const phase = this.pay.phase;
    const closed = order.status === 'closed' || order.status === 'voided';
    return html`<section aria-labelledby="pay-title">
      <h2 id="pay-title">Pay</h2>
      ${
        state === 'paid'
          ? html`<p class="paid" data-check="paid">Paid — closed</p>`
          : state === 'reopened'
            ? html`<p class="problem" data-check="reopened" role="alert">
                Reopened: a card payment stored offline was declined
              </p>`
            : nothing
      }
      ${this.#sums(order)}
      ${this.#paidRows(order, payments, rules)}
      <div class="status-box" data-card-status role="status" aria-live="polite" tabindex="-1">${phase ? this.#phase(phase, rules) : nothing}</div>
      ${closed ? nothing : this.#form(rules, phase)}
      <p class="sr-only" aria-live="polite">${this.#announcer.text}</p>
    </section>`;
  }

  #sums(order: Order) {
    const money = this.#money;
    const balance = this.pay.balance();
    return html`<dl>
      <dt>Total</dt>
      <dd data-sum="total">${money.price(order.totals.total)}</dd>
      <dt>Paid so far</dt>
      <dd data-sum="paid">${money.price(order.totals.total - balance)}</dd>
      ${order.tips ? html`<dt>Tips</dt><dd data-sum="tips">${money.price(order.tips)}</dd>` : nothing}
      <dt class="balance">Balance left</dt>
      <dd class="balance" data-balance>${money.price(balance)}</dd>
    </dl>`;
  }

  #paidRows(order: Order, payments: readonly Marked<PaymentRecord>[], rules: PayRules) {
    const money = this.#money;
    const known = new Set(payments.map((p) => p.entity.id));
    const answered = this.attempts.answeredFor(order.id).filter((a) => !known.has(a.paymentId));
    const failed = this.ops.filter((op) => {
      const payload = op.op?.payload as { orderId?: string; paymentId?: string } | undefined;
      return (
        op.op?.type === 'payment.cash' &&
        op.status === 'failed' &&
        payload?.orderId === order.id &&
        !known.has(payload.paymentId ?? '')
      );
    });
    const rows = payments.length + answered.length + failed.length;
    return html`<h3 id="paid-title">Paid so far</h3>
      ${
        rows === 0
          ? html`<p class="muted" data-no-payments>Nothing paid yet.</p>`
          : html`<ul aria-labelledby="paid-title" data-payments>
              ${payments.map((p) => this.#paymentRow(p, rules))}
              ${answered.map((a) => this.#answeredRow(a, rules))}
              ${failed.map((op) => {
                const payload = op.op.payload as { amount: number; tip: number };
                return html`<li class="payment" data-failed-op=${op.opId}>
                  <span class="top"><span>Cash</span><span>${money.price(payload.amount)}</span></span>
                  ${payload.tip > 0 ? html`<span class="muted">+ ${money.price(payload.tip)} tip</span>` : nothing}
                  ${
                    op.final
                      ? html`<span class="state-bad">Failed: ${op.detail ?? 'refused'} — not paid</span>`
                      : html`<button type="button" class="secondary" data-action="retry" @click=${() => this.#retry(op.opId)}>
                          Sync: failed${op.detail ? ` (${op.detail})` : ''} — tap to retry
                        </button>`
                  }
                </li>`;
              })}
            </ul>`
      }`;
  }

  #paymentRow({ entity: p, badge }: Marked<PaymentRecord>, rules: PayRules) {
    const money = this.#money;
    const tone =
      p.status === 'declined' || p.status === 'declined_later'
        ? 'state-bad'
        : p.status === 'stored'
          ? 'state-warn'
          : 'state-ok';
    const what = p.method === 'cash' ? 'Cash' : rules.cardWords(p.card?.brand, p.card?.last4);
    return html`<li class="payment" data-payment=${p.id} data-method=${p.method}>
      <span class="top"><span>${what}</span><span data-amount>${money.price(p.amount)}</span></span>
      ${p.tip > 0 ? html`<span class="muted" data-tip>+ ${money.price(p.tip)} tip</span>` : nothing}
      ${
        p.cash
          ? html`<span class="muted">${money.price(p.cash.tendered)} received · ${money.price(p.cash.change)} change</span>`
          : nothing
      }
      <span class=${tone} data-status=${p.status}>${rules.statusWords(p)}</span>
      ${
        badge.state === 'synced'
          ? nothing
          : html`<span class="sync ${badge.state}" data-sync=${badge.state}>Sync: ${
              badge.state === 'failed'
                ? `${ITEM_BADGE_LABEL.failed} (${badge.reason})`
                : ITEM_BADGE_LABEL[badge.state]
            }</span>`
      }
    </li>`;
  }

  #answeredRow(a: Answered, rules: PayRules) {
    const money = this.#money;
    return html`<li class="payment" data-payment=${a.paymentId} data-method="card">
      <span class="top"><span>${rules.cardWords(a.brand, a.last4)}</span><span data-amount>${money.price(a.amount)}</span></span>
      ${a.tip > 0 ? html`<span class="muted" data-tip>+ ${money.price(a.tip)} tip</span>` : nothing}
      <span class=${a.kind === 'stored' ? 'state-warn' : 'state-ok'} data-status=${a.kind}
        >${a.kind === 'stored' ? 'Stored offline — not authorised yet' : 'Approved'}</span
      >
      <span class="sync" data-sync="answered">Recorded by the venue server — on its way to this tablet</span>
    </li>`;
  }

  // —— The card attempt's status ——

  #phase(phase: CardPhase, rules: PayRules) {
    const money = this.#money;
    const { attempt, answer } = phase;
    const tip = tipCharged(attempt, answer);
    const settled = answer?.kind === 'approved' || answer?.kind === 'stored';
    // A tip on the reader: the guest's once the answer says it, "tip on the reader" until then.
    const sum = `${money.price(attempt.amount)}${
      attempt.tipOnReader && !settled
        ? ' + a tip on the reader'
        : tip > 0
          ? ` + ${money.price(tip)} tip`
          : ''
    }`;
    const chosen =
      attempt.tipOnReader && settled
        ? html`<p data-reader-tip=${tip}>
            ${tip > 0 ? `The guest tipped ${money.price(tip)} on the reader` : 'The guest chose no tip on the reader'}
          </p>`
        : nothing;
    if (!answer)
      return html`<p data-phase="waiting"><span class="spinner" aria-hidden="true"></span>${
        attempt.tipOnReader
          ? 'The guest chooses a tip on the reader… then taps, inserts or swipes'
          : 'Waiting for the card reader… (tap, insert or swipe)'
      } · ${sum}</p>
        <progress aria-label="Waiting for the card reader"></progress>
        <p class="muted" aria-hidden="true" data-waited>${Math.max(0, Math.floor((this.clock() - phase.since) / 1000))} s</p>`;
    switch (answer.kind) {
      case 'approved':
        return html`<p class="state-ok" data-phase="approved">Approved — ${rules.cardWords(answer.brand, answer.last4)} · ${sum}</p>
          ${chosen}
          <div class="row"><button type="button" class="secondary" data-action="card-done" @click=${() => this.pay.dismiss()}>Done</button></div>`;
      case 'stored':
        return html`<p class="state-warn" data-phase="stored">
            Stored offline — ${rules.cardWords(answer.brand, answer.last4)} · ${sum}: taken offline — the processor will authorise it when the internet is back
          </p>
          ${chosen}
          <div class="row"><button type="button" class="secondary" data-action="card-done" @click=${() => this.pay.dismiss()}>Done</button></div>`;
      case 'declined':
        return html`<p class="state-bad" data-phase="declined">Declined: ${rules.declineWords(answer.code)} · ${sum}</p>
          <div class="row">
            <button type="button" data-action="card-another" @click=${() => void this.pay.again()}>Try another card</button>
            <button type="button" class="secondary" data-action="card-cancel" @click=${() => this.pay.dismiss()}>Change the payment</button>
          </div>`;
      case 'timed_out':
        return html`<p class="state-warn" data-phase="timed_out">No answer from the reader · ${sum}. It may still be charged: Check again asks about this same payment.</p>
          <div class="row"><button type="button" data-action="card-check" @click=${() => void this.pay.checkAgain()}>Check again</button></div>`;
      case 'unknown':
        return html`<p class="state-warn" data-phase="unknown" data-reason=${answer.reason}>${rules.unknownWords(answer.reason)} · ${sum}</p>
          <div class="row"><button type="button" data-action="card-check" @click=${() => void this.pay.checkAgain()}>Check again</button></div>`;
      case 'refused': {
        const overLimit = answer.code === 'OFFLINE_CARD_OVER_TRANSACTION_LIMIT';
        return html`<p class="state-bad" data-phase="refused" data-code=${answer.code}>${sum}: ${rules.refusalWords(answer.code, answer.detail ?? undefined)}. Nothing was charged.</p>
          <div class="row">
            ${
              overLimit && !isManager(this.staffRole)
                ? html`<button type="button" data-action="card-manager" @click=${this.#askManager}>Manager PIN…</button>`
                : overLimit
                  ? html`<button type="button" data-action="card-again" @click=${() => void this.pay.again()}>
                      Charge ${sum} as manager
                    </button>`
                  : nothing
            }
            <button type="button" class="secondary" data-action="card-cancel" @click=${() => this.pay.dismiss()}>Change the payment</button>
          </div>`;
      }
    }
  }

  readonly #askManager = (): void => {
    this.dispatchEvent(
      new CustomEvent('hearth-manager-needed', {
        detail: 'to take this card payment offline above the limit',
        bubbles: true,
        composed: true,
      }),
    );
  };

  #retry(opId: string): void {
    this.dispatchEvent(
      new CustomEvent('hearth-retry', { detail: opId, bubbles: true, composed: true }),
    );
    this.#announcer.say('Sending again');
  }

  // —— A new payment ——

  #form(rules: PayRules, phase: CardPhase | undefined) {
    // A card attempt not settled yet: only "Check again" for it, never a second charge.
    if (
      phase &&
      (!phase.answer || phase.answer.kind === 'timed_out' || phase.answer.kind === 'unknown')
    )
      return nothing;
    // A settled decline or refusal waits for its own buttons.
    if (phase?.answer && (phase.answer.kind === 'declined' || phase.answer.kind === 'refused'))
      return nothing;
    const balance = this.pay.balance();
    if (balance <= 0) return nothing;
    const plan = this.pay.plan();
    if (!plan) return nothing;
    const money = this.#money;
    const pay = this.pay;
    const cashWhole = rules.cashBalance(balance, this.cashIncrement);
    const whole = pay.method === 'cash' ? cashWhole : balance;
    const blocker = pay.blocker(plan);
    const shares = this.shares
      .map((s, index) => ({ ...s, index }))
      .filter((s) => rules.shareFits(s, balance));
    const set = (patch: () => void) => {
      patch();
      this.requestUpdate();
    };
    return html`<h3>Take a payment</h3>
      <div class="row" role="group" aria-label="Method">
        ${(['cash', 'card'] as const).map(
          (m) => html`<button
            type="button"
            data-method=${m}
            aria-pressed=${pay.method === m ? 'true' : 'false'}
            @click=${() =>
              set(() => {
                pay.method = m;
                // Cash has no reader to tip on.
                if (m === 'cash' && pay.tipChoice === 'reader') pay.tipChoice = 'none';
                this.#announcer.say(m === 'cash' ? 'Cash' : 'Card on the counter reader');
              })}
          >
            ${m === 'cash' ? 'Cash' : 'Card'}
          </button>`,
        )}
      </div>
      <fieldset>
        <legend>Amount</legend>
        <div class="row" role="group" aria-label="Amount to pay">
          <button
            type="button"
            data-amount-choice="balance"
            aria-pressed=${pay.amountChoice.kind === 'balance' ? 'true' : 'false'}
            @click=${() => set(() => (pay.amountChoice = { kind: 'balance' }))}
          >
            All ${money.price(whole)}
          </button>
          ${shares.map(
            (s) => html`<button
              type="button"
              data-amount-choice="share"
              data-share=${s.index}
              aria-pressed=${pay.amountChoice.kind === 'share' && pay.amountChoice.index === s.index ? 'true' : 'false'}
              @click=${() => set(() => (pay.amountChoice = { kind: 'share', index: s.index }))}
            >
              ${s.label} ${money.price(s.amount)}
            </button>`,
          )}
          <button
            type="button"
            data-amount-choice="typed"
            aria-pressed=${pay.amountChoice.kind === 'typed' ? 'true' : 'false'}
            @click=${() => set(() => (pay.amountChoice = { kind: 'typed' }))}
          >
            Other amount
          </button>
        </div>
        ${
          pay.amountChoice.kind === 'typed'
            ? html`<label
                >Amount to pay
                <input
                  id="pay-amount"
                  inputmode="decimal"
                  autocomplete="off"
                  .value=${pay.typedAmount}
                  @input=${(e: InputEvent) => set(() => (pay.typedAmount = (e.target as HTMLInputElement).value))}
              /></label>`
            : nothing
        }
      </fieldset>
      <fieldset>
        <legend>Tip${
          plan.tip > 0
            ? html` <span data-tip-amount>${money.price(plan.tip)}</span>`
            : pay.tipChoice === 'reader'
              ? html` <span class="muted">— the guest chooses on the reader</span>`
              : nothing
        }</legend>
        <div class="row" role="group" aria-label="Tip">
          ${(pay.method === 'card' ? CARD_TIPS : TIPS).map(
            (t) => html`<button
              type="button"
              data-tip=${String(t)}
              aria-pressed=${pay.tipChoice === t ? 'true' : 'false'}
              @click=${() => set(() => (pay.tipChoice = t))}
            >
              ${tipLabel(t)}
            </button>`,
          )}
        </div>
        ${
          pay.tipChoice === 'custom'
            ? html`<label
                >Tip amount
                <input
                  id="pay-tip"
                  inputmode="decimal"
                  autocomplete="off"
                  .value=${pay.customTip}
                  @input=${(e: InputEvent) => set(() => (pay.customTip = (e.target as HTMLInputElement).value))}
              /></label>`
            : nothing
        }
      </fieldset>
      ${
        pay.tried && blocker
          ? html`<p id="pay-blocker" class="problem" data-refusal role="alert">${blocker}</p>`
          : nothing
      }
      ${pay.method === 'cash' ? this.#cash(plan, blocker) : this.#card(plan)}`;
  }

  #cash(plan: PayPlan, blocker: string | null) {
    const money = this.#money;
    const pay = this.pay;
    const scale = this.currencyScale;
    const due = plan.due;
    const tendered = parseTendered(pay.tendered, scale);
    const check = checkTender(tendered, pay.tendered, due);
    const drawer = openDrawerOf(this.context?.drawers ?? [], this.context?.deviceId);
    const refusal = check.ok
      ? null
      : check.reason === 'empty'
        ? 'Type the cash received, or tap an amount'
        : check.reason === 'not-an-amount'
          ? `“${pay.tendered}” is not an amount`
          : `That is ${money.price(check.short ?? 0)} short of ${money.price(due)}`;
    return html`<label
        >Cash received
        <input
          id="tendered"
          inputmode="decimal"
          autocomplete="off"
          aria-describedby="tender-note"
          .value=${pay.tendered}
          @input=${(e: InputEvent) => {
            pay.tendered = (e.target as HTMLInputElement).value;
            this.requestUpdate();
          }}
      /></label>
      ${
        due > 0
          ? html`<div class="row" role="group" aria-label="Quick amounts">
              ${quickTenders(due, scale).map(
                (amount, i) => html`<button
                  type="button"
                  class="secondary"
                  data-tender=${amount}
                  @click=${() => {
                    pay.tendered = (amount / scale).toFixed(Math.round(Math.log10(scale)));
                    this.#announcer.say(`${money.price(amount)} received`);
                    this.requestUpdate();
                  }}
                >
                  ${i === 0 ? `Exact ${money.price(amount)}` : money.price(amount)}
                </button>`,
              )}
            </div>`
          : nothing
      }
      <p id="tender-note" aria-live="polite">
        ${
          check.ok && due > 0
            ? html`<span class="state-ok" data-change>Change due: ${money.price(check.change)}</span>`
            : pay.tried && refusal
              ? html`<span class="problem" data-tender-problem>${refusal}</span>`
              : html`<span class="muted">Cash due ${money.price(due)}</span>`
        }
      </p>
      <p class="muted" data-drawer>
        ${drawer ? 'Into this tablet’s cash drawer' : 'No cash drawer open on this tablet'}
      </p>
      <button
        type="button"
        data-action="pay-cash"
        ?disabled=${!this.submit || pay.busy}
        aria-describedby=${pay.tried && blocker ? 'pay-blocker' : nothing}
        @click=${() => void pay.payCash()}
      >
        Take ${money.price(due)} in cash
      </button>`;
  }

  #card(plan: PayPlan) {
    const money = this.#money;
    const ready = this.context !== undefined && this.context.deviceId !== undefined;
    const onReader = this.pay.tipChoice === 'reader';
    return html`<p class="muted">
        On the counter reader. ${onReader ? 'The guest chooses a tip there, then taps, inserts or swipes.' : 'The guest taps, inserts or swipes there.'}
      </p>
      <button type="button" data-action="pay-card" ?disabled=${!ready} @click=${() => void this.pay.payCard()}>
        Charge ${money.price(plan.due)}${onReader ? ' + tip' : ''} on the card reader
      </button>`;
  }
}

customElements.define('hearth-pay-panel', PayPanel);

declare global {
  interface HTMLElementTagNameMap {
    'hearth-pay-panel': PayPanel;
  }
}
