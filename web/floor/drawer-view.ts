import { css, html, LitElement, nothing } from 'lit';
import type { Drawer, Settings, StaffRole } from '#protocol';
import type { TrackedOp } from '../app/op-controller.ts';
import { ITEM_BADGE_LABEL, OP_STATUS_LABEL, WAITING_LABEL } from '../app/sync-labels.ts';
import type { ItemBadge } from '../device/local-overlay.ts';
import { Announcer } from '../guest/announcer.ts';
import { type MoneyFormat, minorPerMajor, moneyFormat } from '../guest/money-format.ts';
import {
  amountEntry,
  cashSalesOf,
  closeCheck,
  differenceWords,
  expectationOf,
  lastClosedOf,
  payoutCheck,
} from './drawer-rules.ts';
import { floorStyles } from './floor-styles.ts';
import type { Submit } from './order-pad-controller.ts';
import { type Marked, openDrawerOf, type PayContext } from './pay-context.ts';

/**
 * `<hearth-drawer-view>`: this tablet's cash drawer for a shift. Open it with a float
 * (`drawer.open`); the cash sales into it and payouts from it (`drawer.payout`, with why); what
 * it should hold (the protocol's `drawerExpected`); close it with the count, the difference
 * (over or short) and a reason whenever they differ (`drawer.close`). Every op goes through the
 * outbox, so it works offline, and every figure is provisional until the cloud has the ops:
 * their sync marks say so.
 */
export class DrawerView extends LitElement {
  static override styles = [
    floorStyles,
    css`
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
      .big {
        font-weight: 700;
        font-size: 1.15rem;
      }
      .row {
        display: flex;
        justify-content: space-between;
        gap: 0.5rem;
      }
      p {
        margin: 0;
      }
      .ok {
        color: var(--floor-ok);
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
    context: { attribute: false },
    settings: { attribute: false },
    locale: { attribute: false },
    staffRole: { attribute: false },
    names: { attribute: false },
    ops: { attribute: false },
    submit: { attribute: false },
    _float: { state: true },
    _payout: { state: true },
    _payoutReason: { state: true },
    _counted: { state: true },
    _closeReason: { state: true },
    _tried: { state: true },
  };

  declare context: PayContext | undefined;
  declare settings: Settings | undefined;
  declare locale: string | undefined;
  declare staffRole: StaffRole | undefined;
  /** Staff names by member id ("opened by Sam"). */
  declare names: ReadonlyMap<string, string>;
  declare ops: readonly TrackedOp[];
  declare submit: Submit | undefined;
  declare _float: string;
  declare _payout: string;
  declare _payoutReason: string;
  declare _counted: string;
  declare _closeReason: string;
  /** Which form's button was pressed: its problems show from then on. */
  declare _tried: 'open' | 'payout' | 'close' | undefined;

  readonly #announcer = new Announcer(this);
  #busy = false;

  constructor() {
    super();
    this.context = undefined;
    this.settings = undefined;
    this.locale = undefined;
    this.staffRole = undefined;
    this.names = new Map();
    this.ops = [];
    this.submit = undefined;
    this._float = '';
    this._payout = '';
    this._payoutReason = '';
    this._counted = '';
    this._closeReason = '';
    this._tried = undefined;
  }

  get #money(): MoneyFormat {
    return moneyFormat(this.locale, this.settings?.currency ?? 'EUR');
  }

  get #scale(): number {
    return minorPerMajor(this.settings?.currency ?? 'EUR');
  }

  override render() {
    const context = this.context;
    if (!context?.deviceId)
      return html`<p class="muted" role="status">Reading this tablet’s cash drawer…</p>`;
    const open = openDrawerOf(context.drawers, context.deviceId);
    const closed = lastClosedOf(context.drawers, context.deviceId);
    return html`<h2>Cash drawer</h2>
      ${open ? this.#open(open, context) : this.#openForm()}
      ${!open && closed ? this.#closedSummary(closed) : nothing}
      <p class="sr-only" aria-live="polite">${this.#announcer.text}</p>`;
  }

  /** Words for a sync mark; null once the cloud has it. */
  #syncWords(badge: ItemBadge | undefined): string | null {
    if (!badge || badge.state === 'synced') return null;
    if (badge.state === 'failed') return `${ITEM_BADGE_LABEL.failed}: ${badge.reason}`;
    return ITEM_BADGE_LABEL[badge.state];
  }

  #sync(badge: ItemBadge | undefined) {
    const words = this.#syncWords(badge);
    return words
      ? html`<p class="sync ${badge?.state ?? ''}" data-sync=${badge?.state ?? ''}>Sync: ${words}</p>`
      : nothing;
  }

  /** The op that made a payout, by its payoutId, as this screen follows it. */
  #payoutOp(payoutId: string): TrackedOp | undefined {
    return this.ops.find(
      (op) =>
        op.op?.type === 'drawer.payout' &&
        (op.op.payload as { payoutId?: string } | undefined)?.payoutId === payoutId,
    );
  }

  #opWords(op: TrackedOp | undefined): string | null {
    if (!op) return null;
    if (op.waiting) return WAITING_LABEL;
    if (op.status === 'synced') return null;
    return op.status === 'failed' && op.detail
      ? `${OP_STATUS_LABEL.failed}: ${op.detail}`
      : OP_STATUS_LABEL[op.status];
  }

  #openForm() {
    const entry = amountEntry(this._float, this.#scale, 'float', true);
    const problem = this._tried === 'open' && !entry.ok ? entry.problem : null;
    return html`<section class="card" aria-labelledby="open-title">
      <h3 id="open-title">Open the drawer</h3>
      <p class="muted">No cash drawer is open on this tablet. Count the float and open it.</p>
      <label
        >Float (cash in the drawer to start)
        <input
          id="float"
          inputmode="decimal"
          autocomplete="off"
          aria-invalid=${problem ? 'true' : 'false'}
          aria-describedby=${problem ? 'float-problem' : nothing}
          .value=${this._float}
          @input=${(e: InputEvent) => {
            this._float = (e.target as HTMLInputElement).value;
          }}
      /></label>
      ${problem ? html`<p id="float-problem" class="error" role="alert">${problem}</p>` : nothing}
      <div class="actions">
        <button type="button" data-action="drawer-open" ?disabled=${!this.submit} @click=${() => void this.#openDrawer()}>
          Open the drawer
        </button>
      </div>
    </section>`;
  }

  async #openDrawer(): Promise<void> {
    this._tried = 'open';
    const entry = amountEntry(this._float, this.#scale, 'float', true);
    const submit = this.submit;
    if (!entry.ok || !submit || this.#busy) {
      if (!entry.ok) this.#announcer.say(entry.problem);
      return;
    }
    this.#busy = true;
    try {
      const made = await submit('Open the cash drawer', 'drawer.open', (newId) => ({
        drawerId: newId(),
        float: entry.amount,
      }));
      if (made) {
        this._float = '';
        this._tried = undefined;
        this.#announcer.say(`Drawer opened with ${this.#money.price(entry.amount)}`);
      }
    } finally {
      this.#busy = false;
    }
  }

  #open(marked: Marked<Drawer>, context: PayContext) {
    const drawer = marked.entity;
    const money = this.#money;
    const sales = cashSalesOf(drawer.id, context.payments);
    const expectation = expectationOf(
      drawer,
      context.payments.map((p) => p.entity),
      context.refunds,
    );
    const opener = this.names.get(drawer.openedBy) ?? drawer.openedBy;
    const provisional =
      marked.badge.state !== 'synced' || sales.some((s) => s.badge.state !== 'synced');
    return html`<section class="card" aria-labelledby="drawer-title" data-drawer=${drawer.id}>
        <h3 id="drawer-title">Open since ${timeOf(drawer.openedAt, this.locale)} · ${opener}</h3>
        ${this.#sync(marked.badge)}
        <dl>
          <dt>Float</dt>
          <dd data-sum="float">${money.price(expectation.float)}</dd>
          <dt>Cash sales (tips included)</dt>
          <dd data-sum="sales">${money.price(expectation.cashSales)}</dd>
          <dt>Payouts</dt>
          <dd data-sum="payouts">−${money.price(expectation.payouts)}</dd>
          ${
            expectation.refunds > 0
              ? html`<dt>Cash refunds</dt><dd data-sum="refunds">−${money.price(expectation.refunds)}</dd>`
              : nothing
          }
          <dt class="big">Expected in the drawer</dt>
          <dd class="big" data-sum="expected">${money.price(expectation.expected)}</dd>
        </dl>
        ${
          provisional
            ? html`<p class="sync" data-provisional>Provisional until the cloud confirms these figures.</p>`
            : nothing
        }
      </section>
      <section class="card" aria-labelledby="sales-title">
        <h3 id="sales-title">Cash sales</h3>
        ${
          sales.length === 0
            ? html`<p class="muted">No cash taken into this drawer yet.</p>`
            : html`<ul aria-labelledby="sales-title" data-sales>
                ${sales.map(
                  ({ entity: p, badge }) => html`<li data-sale=${p.id}>
                    <div class="row">
                      <span>${timeOf(p.takenAt, this.locale)}</span>
                      <span>${money.price(p.amount + p.tip)}${p.tip > 0 ? ` (tip ${money.price(p.tip)})` : ''}</span>
                    </div>
                    ${this.#sync(badge)}
                  </li>`,
                )}
              </ul>`
        }
      </section>
      ${this.#payouts(drawer)} ${this.#closeForm(drawer, expectation.expected)}`;
  }

  #payouts(drawer: Drawer) {
    const money = this.#money;
    const check = payoutCheck(this._payout, this._payoutReason, this.#scale);
    const problem = this._tried === 'payout' && !check.ok ? check.problem : null;
    return html`<section class="card" aria-labelledby="payouts-title">
      <h3 id="payouts-title">Payouts</h3>
      ${
        drawer.payouts.length === 0
          ? html`<p class="muted">No payouts yet.</p>`
          : html`<ul aria-labelledby="payouts-title" data-payouts>
              ${drawer.payouts.map((p) => {
                const words = this.#opWords(this.#payoutOp(p.id));
                return html`<li data-payout=${p.id}>
                  <div class="row"><span>${p.reason}</span><span>−${money.price(p.amount)}</span></div>
                  ${words ? html`<p class="sync">Sync: ${words}</p>` : nothing}
                </li>`;
              })}
            </ul>`
      }
      <label
        >Amount paid out
        <input
          id="payout-amount"
          inputmode="decimal"
          autocomplete="off"
          .value=${this._payout}
          @input=${(e: InputEvent) => {
            this._payout = (e.target as HTMLInputElement).value;
          }}
      /></label>
      <label
        >What for (required)
        <input
          id="payout-reason"
          maxlength="200"
          required
          aria-invalid=${problem ? 'true' : 'false'}
          aria-describedby=${problem ? 'payout-problem' : nothing}
          .value=${this._payoutReason}
          @input=${(e: InputEvent) => {
            this._payoutReason = (e.target as HTMLInputElement).value;
          }}
      /></label>
      ${problem ? html`<p id="payout-problem" class="error" role="alert">${problem}</p>` : nothing}
      <div class="actions">
        <button type="button" class="secondary" data-action="drawer-payout" ?disabled=${!this.submit} @click=${() => void this.#payout(drawer)}>
          Pay out
        </button>
      </div>
    </section>`;
  }

  async #payout(drawer: Drawer): Promise<void> {
    this._tried = 'payout';
    const check = payoutCheck(this._payout, this._payoutReason, this.#scale);
    const submit = this.submit;
    if (!check.ok || !submit || this.#busy) {
      if (!check.ok) this.#announcer.say(check.problem);
      return;
    }
    this.#busy = true;
    try {
      const made = await submit('Cash drawer: payout', 'drawer.payout', (newId) => ({
        drawerId: drawer.id,
        payoutId: newId(),
        amount: check.amount,
        reason: check.reason,
      }));
      if (made) {
        this._payout = '';
        this._payoutReason = '';
        this._tried = undefined;
        this.#announcer.say(`Paid out ${this.#money.price(check.amount)}`);
      }
    } finally {
      this.#busy = false;
    }
  }

  #closeForm(drawer: Drawer, expected: number) {
    const money = this.#money;
    const check = closeCheck(this._counted, this._closeReason, expected, this.#scale);
    const difference = check.ok ? check.difference : check.difference;
    const problem = this._tried === 'close' && !check.ok ? check.problem : null;
    const needsReason = difference !== undefined && difference !== 0;
    return html`<section class="card" aria-labelledby="close-title">
      <h3 id="close-title">Close the drawer</h3>
      <label
        >Cash counted
        <input
          id="counted"
          inputmode="decimal"
          autocomplete="off"
          aria-describedby="difference"
          .value=${this._counted}
          @input=${(e: InputEvent) => {
            this._counted = (e.target as HTMLInputElement).value;
          }}
      /></label>
      <p id="difference" aria-live="polite" data-difference=${difference ?? ''}>
        ${
          difference === undefined
            ? html`<span class="muted">Expected ${money.price(expected)}</span>`
            : html`<span class=${difference === 0 ? 'ok' : 'error'}
                >Counted ${money.price(expected + difference)} · expected ${money.price(expected)} ·
                ${differenceWords(difference, money.price)}</span
              >`
        }
      </p>
      <label
        >Why it differs${needsReason ? ' (required)' : ' (only when it differs)'}
        <input
          id="close-reason"
          maxlength="200"
          ?required=${needsReason}
          aria-invalid=${problem && needsReason ? 'true' : 'false'}
          aria-describedby=${problem ? 'close-problem' : nothing}
          .value=${this._closeReason}
          @input=${(e: InputEvent) => {
            this._closeReason = (e.target as HTMLInputElement).value;
          }}
      /></label>
      ${problem ? html`<p id="close-problem" class="error" role="alert">${problem}</p>` : nothing}
      <div class="actions">
        <button type="button" data-action="drawer-close" ?disabled=${!this.submit} @click=${() => void this.#close(drawer, expected)}>
          Close the drawer
        </button>
      </div>
    </section>`;
  }

  async #close(drawer: Drawer, expected: number): Promise<void> {
    this._tried = 'close';
    const check = closeCheck(this._counted, this._closeReason, expected, this.#scale);
    const submit = this.submit;
    if (!check.ok || !submit || this.#busy) {
      if (!check.ok) this.#announcer.say(check.problem);
      return;
    }
    this.#busy = true;
    try {
      const made = await submit('Close the cash drawer', 'drawer.close', () => ({
        drawerId: drawer.id,
        counted: check.counted,
        ...(check.reason ? { reason: check.reason } : {}),
      }));
      if (made) {
        this._counted = '';
        this._closeReason = '';
        this._tried = undefined;
        this.#announcer.say(
          `Drawer closed: ${differenceWords(check.difference, this.#money.price).toLowerCase()}`,
        );
      }
    } finally {
      this.#busy = false;
    }
  }

  #closedSummary(marked: Marked<Drawer>) {
    const d = marked.entity;
    const money = this.#money;
    const closer = d.closedBy ? (this.names.get(d.closedBy) ?? d.closedBy) : '';
    return html`<section class="card" aria-labelledby="closed-title" data-closed-drawer=${d.id}>
      <h3 id="closed-title">Last drawer, closed ${d.closedAt ? timeOf(d.closedAt, this.locale) : ''}${closer ? ` · ${closer}` : ''}</h3>
      ${this.#sync(marked.badge)}
      <dl>
        <dt>Counted</dt>
        <dd>${money.price(d.counted ?? 0)}</dd>
        <dt>Expected</dt>
        <dd>${money.price(d.expected ?? 0)}</dd>
        <dt>Difference</dt>
        <dd data-sum="difference">${differenceWords(d.difference ?? 0, money.price)}</dd>
      </dl>
      ${d.reason ? html`<p>Why: ${d.reason}</p>` : nothing}
      ${
        marked.badge.state === 'synced'
          ? nothing
          : html`<p class="sync" data-provisional>Provisional until the cloud confirms it.</p>`
      }
    </section>`;
  }
}

/** "19:40" in the venue's locale, on this device's clock. */
function timeOf(iso: string, locale: string | undefined): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return '';
  try {
    return at.toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' });
  } catch {
    return at.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  }
}

customElements.define('hearth-drawer-view', DrawerView);

declare global {
  interface HTMLElementTagNameMap {
    'hearth-drawer-view': DrawerView;
  }
}
