import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import type { Order } from '#protocol';
import {
  browserPayPage,
  GuestPayController,
  type PayPage,
  type PayServices,
} from './guest-pay-controller.ts';
import { guestStyles } from './guest-styles.ts';
import { DEFAULT_LOCALE, type MoneyFormat, moneyFormat } from './money-format.ts';
import {
  amountToPay,
  type Bill,
  balanceOf,
  percentOf,
  receiptViewOf,
  TIP_PERCENTS,
  type TipChoice,
} from './pay-rules.ts';

/** What the page hands over: its reading of the local view (GuestData fits). */
export interface PayData {
  readonly orders: readonly Order[];
  readonly locale: string;
  readonly venue: { readonly timezone: string } | undefined;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const ulid = async () => (await import('#protocol/ids/ulid.ts')).newUlid();

/**
 * `<hearth-guest-pay .data=${guestData} .services=${appServices()}>`: "Pay the bill" while the
 * table owes something, and the pay sheet (a modal dialog) it opens: the bill line by line,
 * a tip, and "Pay <amount>", which starts a checkout at the cloud and goes to the card
 * processor's own page — the card is typed there, never here. Back from it (`?checkout=` in
 * the address) the sheet confirms the payment and shows the receipt. Loaded after the first
 * paint; hidden while it has nothing to show. Tests give `page`, `wait` and `newId`.
 */
export class GuestPay extends LitElement {
  static override properties = {
    data: { attribute: false },
    services: { attribute: false },
    page: { attribute: false },
    wait: { attribute: false },
    newId: { attribute: false },
  };

  declare data: PayData | undefined;
  declare services: PayServices | undefined;
  declare page: PayPage;
  declare wait: (ms: number) => Promise<void>;
  declare newId: () => Promise<string>;

  readonly #pay = new GuestPayController(this, () => ({
    orders: this.data?.orders ?? [],
    services: this.services,
    page: this.page,
    wait: this.wait,
    newId: this.newId,
  }));

  constructor() {
    super();
    this.data = undefined;
    this.services = undefined;
    this.page = browserPayPage;
    this.wait = sleep;
    this.newId = ulid;
  }

  static override styles = [
    guestStyles,
    css`
      :host([hidden]) {
        display: none;
      }
      .entry {
        display: grid;
        gap: 0.5rem;
      }
      .entry button {
        width: 100%;
        min-height: 52px;
      }
      dialog {
        box-sizing: border-box;
        width: 100%;
        max-width: 34rem;
        max-height: 100dvh;
        margin: auto auto 0;
        padding: 0;
        border: 0;
        border-radius: 1rem 1rem 0 0;
        background: var(--hearth-surface, #fff);
        color: var(--hearth-fg, #231411);
      }
      dialog::backdrop {
        background: rgb(35 20 17 / 0.55);
      }
      .sheet {
        display: grid;
        gap: 1rem;
        padding: 1rem 1rem 0;
      }
      .head {
        display: flex;
        align-items: start;
        justify-content: space-between;
        gap: 0.5rem;
      }
      .close {
        font-size: 1.4rem;
        line-height: 1;
        padding: 0;
      }
      p {
        margin: 0;
      }
      li,
      .sum div,
      dl div {
        display: grid;
        grid-template-columns: 1fr auto;
        gap: 0 0.75rem;
      }
      li {
        padding: 0.35rem 0;
      }
      li + li {
        border-top: 1px solid #e0d8d3;
      }
      .details {
        grid-column: 1 / -1;
        font-size: 0.95rem;
        color: var(--hearth-muted, #6b5a55);
      }
      .amount {
        text-align: end;
        font-variant-numeric: tabular-nums;
      }
      li.voided .what,
      li.voided .amount {
        text-decoration: line-through;
      }
      .sum,
      dl {
        display: grid;
        gap: 0.25rem;
        margin: 0;
      }
      .receipt {
        display: grid;
        gap: 0.75rem;
      }
      .sum .strong,
      dl .strong {
        font-weight: 700;
      }
      dd {
        margin: 0;
        text-align: end;
      }
      fieldset {
        display: grid;
        gap: 0.25rem;
        margin: 0;
        padding: 0.5rem 0 0;
        border: 0;
        border-top: 1px solid #e0d8d3;
      }
      legend {
        padding: 0;
        font-weight: 600;
      }
      label.option {
        display: flex;
        align-items: center;
        gap: 0.75rem;
        min-height: 44px;
        cursor: pointer;
      }
      label.option input {
        width: 1.4rem;
        height: 1.4rem;
        margin: 0;
        accent-color: var(--hearth-accent, #3e1e18);
      }
      label.option .name {
        flex: 1;
      }
      label.custom {
        display: grid;
        gap: 0.25rem;
      }
      label.custom input {
        min-height: 44px;
        padding: 0 0.5rem;
        border-radius: var(--hearth-radius, 0.5rem);
        border: 1px solid var(--hearth-muted, #6b5a55);
      }
      .foot {
        position: sticky;
        bottom: 0;
        display: grid;
        gap: 0.5rem;
        margin: 0 -1rem;
        padding: 0.75rem 1rem calc(0.75rem + env(safe-area-inset-bottom, 0px));
        background: var(--hearth-surface, #fff);
        box-shadow: 0 -1px 0 rgb(0 0 0 / 0.12);
      }
      .foot button {
        width: 100%;
        min-height: 52px;
      }
      .notice.error {
        color: var(--hearth-bad, #a12a1b);
        font-weight: 600;
      }
      .notice:empty {
        display: none;
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

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('pageshow', this.#pageShown);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('pageshow', this.#pageShown);
  }

  readonly #pageShown = (event: PageTransitionEvent): void => {
    if (event.persisted) this.#pay.resumed();
  };

  /** Hidden while there is nothing to pay and no sheet: after the controllers' hostUpdate, so a
   * return from the processor's page, read there, shows at once. */
  protected override update(changed: PropertyValues): void {
    this.hidden = this.#pay.payable().length === 0 && !this.#pay.busy;
    super.update(changed);
  }

  override render() {
    const pay = this.#pay;
    const payable = pay.payable();
    const locale = this.data?.locale ?? DEFAULT_LOCALE;
    return html`${
      payable.length > 0
        ? html`<div class="entry">
            ${payable.map((order, i) => {
              const owed = moneyFormat(locale, order.totals.currency).price(balanceOf(order));
              const which = payable.length > 1 ? ` (bill ${i + 1} of ${payable.length})` : '';
              return html`<button
                type="button"
                class="primary"
                data-pay-order=${order.id}
                @click=${() => pay.show(order.id)}
              >
                Pay the bill${which} · ${owed}
              </button>`;
            })}
          </div>`
        : nothing
    }
      ${
        // Only while open: a closed sheet leaves no dialog in the page.
        pay.open
          ? html`<dialog
              aria-labelledby="pay-title"
              data-phase=${pay.phase}
              @cancel=${this.#cancel}
              @close=${this.#closed}
            >
              ${this.#sheet(locale)}
            </dialog>`
          : nothing
      }`;
  }

  override updated(): void {
    const dialog = this.renderRoot.querySelector('dialog');
    if (!dialog) return;
    if (this.#pay.open && !dialog.open) dialog.showModal();
    else if (!this.#pay.open && dialog.open) dialog.close();
  }

  #sheet(locale: string) {
    const pay = this.#pay;
    const title =
      pay.phase === 'bill' || pay.phase === 'starting' || pay.phase === 'leaving'
        ? 'Your bill'
        : 'Your payment';
    return html`<div class="sheet">
      <div class="head">
        <h2 id="pay-title">${title}</h2>
        <button type="button" class="close" aria-label="Close" @click=${() => pay.close()}>×</button>
      </div>
      ${this.#body(locale)}
      <div class="foot">
        <p class="notice ${pay.notice?.tone ?? ''}" role="status">${pay.notice?.text ?? ''}</p>
        ${this.#action(locale)}
      </div>
    </div>`;
  }

  #body(locale: string) {
    const pay = this.#pay;
    switch (pay.phase) {
      case 'confirming':
        return html`<p aria-busy="true">Confirming your payment with the card provider…</p>`;
      case 'paid': {
        const receipt = pay.receipt;
        if (!receipt) return nothing;
        const view = receiptViewOf(
          receipt,
          moneyFormat(locale, receipt.currency).price,
          locale,
          this.data?.venue?.timezone ?? 'UTC',
        );
        return html`<section class="receipt" aria-label="Receipt">
          <p>Thank you — your payment went through.</p>
          <dl>
            <div><dt>Amount</dt><dd data-receipt="amount">${view.amount}</dd></div>
            <div><dt>Tip</dt><dd data-receipt="tip">${view.tip}</dd></div>
            <div class="strong"><dt>Total</dt><dd data-receipt="total">${view.total}</dd></div>
            <div><dt>Card</dt><dd data-receipt="card">${view.card}</dd></div>
            <div><dt>Reference</dt><dd data-receipt="reference">${view.reference}</dd></div>
            <div><dt>Paid</dt><dd data-receipt="time">${view.time}</dd></div>
          </dl>
        </section>`;
      }
      case 'cancelled':
        return html`<p>You left the payment page without paying. You can pay again, or ask your server.</p>`;
      case 'unconfirmed':
      case 'gone':
        return nothing;
      default: {
        const bill = pay.bill();
        if (!bill || bill.balance <= 0)
          return html`<p>Nothing is left to pay on this bill — thank you.</p>`;
        return this.#bill(bill, moneyFormat(locale, bill.currency));
      }
    }
  }

  #bill(bill: Bill, money: MoneyFormat) {
    return html`<ul aria-label="What you ordered">
        ${bill.lines.map(
          (l) => html`<li class=${l.voided ? 'voided' : ''} data-line=${l.id}>
            <span class="what">${l.quantity} × ${l.name}</span>
            <span class="amount">${money.price(l.amount)}</span>
            ${
              l.modifiers.length > 0 || l.note || l.voided
                ? html`<span class="details">${[
                    ...l.modifiers.map(
                      (m) => `${m.name}${m.priceDelta ? ` ${money.delta(m.priceDelta)}` : ''}`,
                    ),
                    l.note ? `“${l.note}”` : '',
                    l.voided ? 'Removed by staff — not charged' : '',
                  ]
                    .filter(Boolean)
                    .join(', ')}</span>`
                : nothing
            }
          </li>`,
        )}
      </ul>
      <div class="sum">
        <div><span>Subtotal</span><span class="amount" data-sum="subtotal">${money.price(bill.subtotal)}</span></div>
        <div><span>${bill.taxIncluded ? 'Tax (included)' : 'Tax'}</span><span class="amount" data-sum="tax">${money.price(bill.tax)}</span></div>
        <div class="strong"><span>Total</span><span class="amount" data-sum="total">${money.price(bill.total)}</span></div>
        ${
          bill.paid > 0
            ? html`<div><span>Already paid</span><span class="amount" data-sum="paid">−${money.price(bill.paid)}</span></div>
                <div class="strong"><span>Left to pay</span><span class="amount" data-sum="balance">${money.price(bill.balance)}</span></div>`
            : nothing
        }
      </div>
      ${this.#tips(bill, money)}
      <p class="muted">You’ll type your card on the card provider’s secure page — never on this one.</p>`;
  }

  #tips(bill: Bill, money: MoneyFormat) {
    const pay = this.#pay;
    const tip = pay.tip;
    const result = pay.tipResult(bill);
    const option = (choice: TipChoice, key: string, name: string, amount: string) => html`<label
      class="option"
    >
      <input
        type="radio"
        name="tip"
        value=${key}
        .checked=${tipKey(tip) === key}
        @change=${() => pay.chooseTip(choice)}
      />
      <span class="name">${name}</span>
      <span class="amount">${amount}</span>
    </label>`;
    return html`<fieldset>
      <legend>Add a tip?</legend>
      ${option({ kind: 'none' }, 'none', 'No tip', '')}
      ${TIP_PERCENTS.map((percent) =>
        option(
          { kind: 'percent', percent },
          String(percent),
          `${percent} %`,
          money.price(percentOf(bill.balance, percent)),
        ),
      )}
      ${option({ kind: 'custom', text: tip.kind === 'custom' ? tip.text : '' }, 'custom', 'Other amount', '')}
      ${
        tip.kind === 'custom'
          ? html`<label class="custom"
              >Tip amount
              <input
                name="tip-amount"
                inputmode="decimal"
                autocomplete="off"
                placeholder=${money.price(0)}
                .value=${tip.text}
                aria-invalid=${result.ok ? 'false' : 'true'}
                aria-describedby=${result.ok ? nothing : 'tip-error'}
                @input=${(e: Event) =>
                  pay.chooseTip({ kind: 'custom', text: (e.target as HTMLInputElement).value })}
            /></label>
            ${result.ok ? nothing : html`<p class="problem" id="tip-error">${result.error}</p>`}`
          : nothing
      }
    </fieldset>
    <div class="sum">
      <div><span>Tip</span><span class="amount" data-sum="tip">${money.price(result.tip)}</span></div>
      <div class="strong"><span>You pay</span><span class="amount" data-sum="pay">${money.price(amountToPay(bill.balance, result.tip))}</span></div>
    </div>`;
  }

  #action(locale: string) {
    const pay = this.#pay;
    switch (pay.phase) {
      case 'bill':
      case 'starting':
      case 'leaving': {
        const bill = pay.bill();
        if (!bill || bill.balance <= 0)
          return html`<button type="button" @click=${() => pay.close()}>Close</button>`;
        const busy = pay.phase !== 'bill';
        const result = pay.tipResult(bill);
        const amount = moneyFormat(locale, bill.currency).price(
          amountToPay(bill.balance, result.tip),
        );
        return html`<button
          type="button"
          class="primary pay"
          aria-disabled=${busy || !result.ok ? 'true' : 'false'}
          @click=${() => void pay.pay()}
        >
          ${busy ? 'Opening the payment page…' : `Pay ${amount}`}
        </button>`;
      }
      case 'confirming':
        return nothing;
      case 'cancelled':
        return html`<button type="button" class="primary again" @click=${() => pay.again()}>
          Pay again
        </button>`;
      case 'unconfirmed':
        return html`<button type="button" class="primary check" @click=${() => void pay.confirm()}>
          Check again
        </button>`;
      default:
        return html`<button type="button" class="done" @click=${() => pay.close()}>Done</button>`;
    }
  }

  /** Escape closes the sheet, unless a payment is on its way to the processor's page. */
  #cancel(event: Event): void {
    event.preventDefault();
    this.#pay.close();
  }

  /** Closed by the browser itself (a second Escape): the controller follows. */
  #closed(event: Event): void {
    if (this.#pay.open && !(event.currentTarget as HTMLDialogElement).open) {
      this.#pay.close();
      // A payment on its way keeps the sheet: it opens again.
      this.requestUpdate();
    }
  }
}

const tipKey = (tip: TipChoice): string =>
  tip.kind === 'percent' ? String(tip.percent) : tip.kind;

customElements.define('hearth-guest-pay', GuestPay);

declare global {
  interface HTMLElementTagNameMap {
    'hearth-guest-pay': GuestPay;
  }
}
