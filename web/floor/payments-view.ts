import { css, html, LitElement, nothing } from 'lit';
import type {
  DayReport,
  Drawer,
  OfflineCardPolicy,
  Order,
  PaymentRecord,
  Refund,
  Settings,
  StaffRole,
  Table,
  Venue,
} from '#protocol';
import type { LocalSnapshot } from '../app/local-view-controller.ts';
import type { Timers } from '../app/timers.ts';
import { Announcer } from '../guest/announcer.ts';
import { minorPerMajor, moneyFormat } from '../guest/money-format.ts';
import { type FloorOpState, type FloorSubmit, OpMarks } from './floor-ops.ts';
import { floorStyles } from './floor-styles.ts';
import { PaymentsController } from './payments-controller.ts';
import {
  checkRefund,
  type Money,
  type OfflineCardsView,
  offlineCardsView,
  type PaymentRow,
  type PolicyField,
  type PolicyForm,
  paymentNames,
  paymentRowsOf,
  policyForm,
  policyFromForm,
  provisionalWords,
  reportOf,
  signedMoney,
  todayOf,
  venueTime,
  zoneOf,
} from './payments-state.ts';

/** What the view reads from one local-view snapshot. */
interface Read {
  readonly payments: readonly PaymentRecord[];
  readonly refunds: readonly Refund[];
  readonly drawers: readonly Drawer[];
  readonly orders: readonly Order[];
  readonly tables: readonly Table[];
  readonly devices: readonly { readonly id: string; readonly name: string }[];
  readonly settings: Settings | undefined;
  readonly venue: Venue | undefined;
  /** This device's changes the cloud does not have yet. */
  readonly waiting: number;
}

const EMPTY: Read = {
  payments: [],
  refunds: [],
  drawers: [],
  orders: [],
  tables: [],
  devices: [],
  settings: undefined,
  venue: undefined,
  waiting: 0,
};

function readOf(s: LocalSnapshot): Read {
  const all = <K extends Parameters<LocalSnapshot['items']>[0]>(kind: K) =>
    s.items(kind).map(({ entity }) => entity);
  return {
    payments: all('payment'),
    refunds: all('refund'),
    drawers: all('drawer'),
    orders: all('order'),
    tables: all('table'),
    devices: all('device'),
    settings: all('settings')[0],
    venue: all('venue')[0],
    waiting: s.pendingCount + s.savedLocalCount,
  };
}

interface RefundDraft {
  readonly paymentId: string;
  amount: string;
  reason: string;
  error: { field: 'amount' | 'reason'; message: string } | null;
}

const POLICY_FIELDS: readonly { key: PolicyField; label: string; money: boolean }[] = [
  { key: 'perTransaction', label: 'Largest payment, before tip', money: true },
  { key: 'withManagerApproval', label: 'Largest with a manager’s PIN', money: true },
  { key: 'perDevice', label: 'Held per device, tips included', money: true },
  { key: 'perVenue', label: 'Held by the venue, tips included', money: true },
  { key: 'alertAfterHours', label: 'Alert after (hours)', money: false },
  { key: 'noNewAfterHours', label: 'No new ones after (hours)', money: false },
  { key: 'absoluteHours', label: 'Deadline (hours)', money: false },
];

/**
 * `<hearth-floor-payments>`: the manager's and owner's Payments view, from the local view.
 * Card payments stored offline with a live countdown to each one's deadline, when new ones stop,
 * a banner at the 4 h and 12 h alerts (and for expired ones) and the totals held against the
 * limits; today's payments with a Refund for each (`refund.request` through the outbox: sent
 * when online) and their refunds; the end-of-day report for a chosen date (provisional while
 * changes wait); the offline card limits, a form for the owner (`settings.offlineCard.set`).
 *
 * ```ts
 * html`<hearth-floor-payments .snapshot=${snapshot} .names=${staffNames} .staffRole=${role}
 *   .services=${services} .submit=${submit} .ops=${ops}></hearth-floor-payments>`
 * ```
 */
export class FloorPayments extends LitElement {
  static override properties = {
    snapshot: { attribute: false },
    names: { attribute: false },
    staffRole: { attribute: false },
    services: { attribute: false },
    timers: { attribute: false },
    submit: { attribute: false },
    ops: { attribute: false },
    _date: { state: true },
    _refund: { state: true },
    _form: { state: true },
    _formErrors: { state: true },
  };

  declare snapshot: LocalSnapshot | undefined;
  /** Staff names by member id. */
  declare names: ReadonlyMap<string, string>;
  declare staffRole: StaffRole | undefined;
  /** The device clock and a fetch for the server's time; the device's clock alone without. */
  declare services: { readonly clock?: () => number; readonly fetch?: typeof fetch } | undefined;
  declare timers: Timers | undefined;
  declare submit: FloorSubmit | undefined;
  declare ops: readonly FloorOpState[];
  /** The report's date; today's business day when empty. */
  declare _date: string;
  declare _refund: RefundDraft | undefined;
  declare _form: PolicyForm | undefined;
  declare _formErrors: Partial<Record<PolicyField, string>>;

  #clock: PaymentsController | undefined;
  readonly #announcer = new Announcer(this);
  readonly #marks = new OpMarks();
  #read: { readonly snapshot: LocalSnapshot; readonly read: Read } | undefined;
  /** The banner's level last said, so a screen reader hears it when it changes, not every second. */
  #bannerSaid = '';
  /** The last report and today's payments, kept while the snapshot and the day are the same. */
  #reportMemo: { key: string; snapshot: LocalSnapshot | undefined; report: DayReport } | undefined;
  #rowsMemo: { key: string; snapshot: LocalSnapshot | undefined; rows: PaymentRow[] } | undefined;

  static override styles = [
    floorStyles,
    css`
      :host {
        display: grid;
        gap: 1rem;
      }
      p,
      h2,
      h3 {
        margin: 0;
      }
      section {
        display: grid;
        gap: 0.5rem;
      }
      .banner {
        padding: 0.75rem;
        border-radius: 0.5rem;
        border: 2px solid var(--floor-warn);
        font-weight: 700;
      }
      .banner.urgent,
      .banner.expired {
        border-color: var(--floor-bad);
        color: var(--floor-bad);
      }
      .row {
        display: flex;
        flex-wrap: wrap;
        align-items: baseline;
        justify-content: space-between;
        gap: 0.25rem 0.75rem;
      }
      .countdown {
        font-size: 1.4rem;
        font-weight: 700;
        font-variant-numeric: tabular-nums;
      }
      .expired-tag {
        color: var(--floor-bad);
        font-weight: 700;
      }
      dl {
        display: grid;
        grid-template-columns: auto auto;
        justify-content: start;
        gap: 0.15rem 1rem;
        margin: 0;
      }
      dt {
        color: var(--floor-muted);
      }
      dd {
        margin: 0;
        font-variant-numeric: tabular-nums;
      }
      .over {
        color: var(--floor-bad);
        font-weight: 700;
      }
      .refunds {
        padding-left: 1rem;
        border-left: 2px solid var(--floor-line);
      }
      form {
        display: grid;
        gap: 0.5rem;
      }
      label {
        display: grid;
        gap: 0.25rem;
      }
      label.check {
        display: flex;
        align-items: center;
        gap: 0.5rem;
        min-height: 44px;
      }
      .bad {
        color: var(--floor-bad);
        font-weight: 700;
      }
      .ok {
        color: var(--floor-ok);
        font-weight: 700;
      }
      .provisional {
        color: var(--floor-warn);
        font-weight: 700;
      }
    `,
  ];

  constructor() {
    super();
    this.snapshot = undefined;
    this.names = new Map();
    this.staffRole = undefined;
    this.services = undefined;
    this.timers = undefined;
    this.submit = undefined;
    this.ops = [];
    this._date = '';
    this._refund = undefined;
    this._form = undefined;
    this._formErrors = {};
  }

  get #manager(): boolean {
    return this.staffRole === 'manager' || this.staffRole === 'owner';
  }

  protected override willUpdate(): void {
    // Built once the services are known: a test hands its clock, timers and fetch first.
    if (!this.#clock && this.#manager) {
      const s = this.services;
      this.#clock = new PaymentsController(this, {
        ...(s?.clock ? { clock: s.clock } : {}),
        ...(s?.fetch ? { fetch: s.fetch } : {}),
        ...(this.timers ? { timers: this.timers } : {}),
      });
    }
  }

  #data(): Read {
    const snapshot = this.snapshot;
    if (!snapshot) return EMPTY;
    if (this.#read?.snapshot !== snapshot) this.#read = { snapshot, read: readOf(snapshot) };
    return this.#read.read;
  }

  override render() {
    if (!this.#manager)
      return html`<h2>Payments</h2>
        <p class="muted">Only managers and owners see the venue’s payments.</p>`;
    const d = this.#data();
    const now = this.#clock?.now ?? Date.now();
    const zone = zoneOf(d.venue?.timezone);
    const currency = d.settings?.currency ?? 'EUR';
    const format = moneyFormat(d.venue?.locale, currency);
    const money: Money = (minor) => format.price(minor);
    const names = paymentNames(d.tables, this.names, d.devices);
    const offline = d.settings
      ? offlineCardsView({
          policy: d.settings.offlineCard,
          currency,
          payments: d.payments,
          names,
          money,
          timezone: zone,
          nowMs: now,
        })
      : undefined;
    this.#sayBanner(offline);
    return html`<h2>Payments</h2>
      ${offline?.banner ? this.#banner(offline.banner) : nothing}
      ${offline ? this.#offline(offline) : nothing}
      ${this.#today(d, names, money, zone, now)} ${this.#report(d, money, zone, now)}
      ${d.settings ? this.#limits(d.settings.offlineCard, currency, money) : nothing}
      <p class="visually-hidden" role="status" aria-live="polite">${this.#announcer.text}</p>`;
  }

  /** The banner for a screen reader: said when it appears or its level changes, not every tick. */
  #sayBanner(offline: OfflineCardsView | undefined): void {
    const banner = offline?.banner;
    const level = banner?.level ?? '';
    if (level === this.#bannerSaid) return;
    this.#bannerSaid = level;
    if (banner) this.#announcer.say(banner.text);
  }

  #banner(banner: NonNullable<OfflineCardsView['banner']>) {
    return html`<p class="banner ${banner.level}" data-banner=${banner.level}>${banner.text}</p>`;
  }

  // Offline card payments

  #offline(view: OfflineCardsView) {
    const serverTime = this.#clock?.serverTime ?? false;
    return html`<section aria-labelledby="offline-heading" data-offline>
      <h3 id="offline-heading">Card payments taken offline (${view.rows.length})</h3>
      <p class="muted">
        ${view.enabled ? 'Offline card payments are on.' : 'Offline card payments are off.'}
        ${serverTime ? '' : 'Times by this tablet’s clock.'}
      </p>
      ${view.noNewText ? html`<p data-no-new>${view.noNewText}</p>` : nothing}
      ${
        view.rows.length === 0
          ? html`<p data-none>No card payment is waiting for the processor.</p>`
          : html`<ul>
              ${view.rows.map(
                (r) => html`<li class="card" data-stored=${r.paymentId}>
                  <div class="row">
                    <p><strong>${r.where}</strong> · ${r.amountText}${r.cardText ? ` · ${r.cardText}` : ''}</p>
                    ${
                      r.expired
                        ? html`<p class="expired-tag" data-countdown>Expired: follow up</p>`
                        : html`<p>
                            <span class="countdown" data-countdown aria-hidden="true">${r.countdown}</span>
                            <span class="visually-hidden">${r.countdownSpoken}</span>
                          </p>`
                    }
                  </div>
                  <p class="muted">
                    Taken ${r.takenText} by ${r.who} on ${r.device} · deadline ${r.deadlineText}
                  </p>
                </li>`,
              )}
            </ul>`
      }
      <dl data-held>
        <dt>${view.venue.label}</dt>
        <dd class=${view.venue.over ? 'over' : ''}>${view.venue.heldText} of ${view.venue.limitText}</dd>
        ${view.devices.map(
          (u) => html`<dt>${u.label}</dt>
            <dd class=${u.over ? 'over' : ''}>${u.heldText} of ${u.limitText}</dd>`,
        )}
      </dl>
    </section>`;
  }

  // Today's payments

  #today(d: Read, names: ReadonlyMap<string, string>, money: Money, zone: string, now: number) {
    // Computed again for a new snapshot or a new day, not on every tick of the countdowns.
    const key = `${todayOf(now, zone)}|${zone}|${names.size}`;
    const memo = this.#rowsMemo;
    const rows =
      memo && memo.key === key && memo.snapshot === this.snapshot
        ? memo.rows
        : paymentRowsOf({
            payments: d.payments,
            refunds: d.refunds,
            names,
            money,
            timezone: zone,
            nowMs: now,
          });
    this.#rowsMemo = { key, snapshot: this.snapshot, rows };
    return html`<section aria-labelledby="today-heading" data-today>
      <h3 id="today-heading">Payments today (${rows.length})</h3>
      <p class="muted">
        Refunds go through this tablet’s outbox: they are sent when online, and the cloud sends card
        refunds to the processor.
      </p>
      ${
        rows.length === 0
          ? html`<p>No payments yet today.</p>`
          : html`<ul>
              ${rows.map((row) => this.#paymentRow(row, money))}
            </ul>`
      }
    </section>`;
  }

  #paymentRow(row: PaymentRow, money: Money) {
    const draft = this._refund?.paymentId === row.id ? this._refund : undefined;
    const sync = this.#marks.wordsOf(`refund:${row.id}`, this.ops);
    const label = `${row.methodText} ${row.amountText}, ${row.where}`;
    return html`<li class="card" data-payment=${row.id}>
      <div class="row">
        <p><strong>${row.methodText} ${row.amountText}</strong> · tip ${row.tipText}${row.cardText ? ` · ${row.cardText}` : ''}</p>
        <p data-status>${row.statusText}</p>
      </div>
      <p class="muted">${row.where} · ${row.who} · ${row.whenText}</p>
      ${
        row.refunds.length > 0
          ? html`<ul class="refunds" aria-label="Refunds of ${label}">
              ${row.refunds.map(
                (r) => html`<li data-refund=${r.id}>
                  Refund ${r.amountText} · ${r.reason} · ${r.who} ${r.whenText} ·
                  <span class=${r.status === 'failed' ? 'bad' : r.status === 'refunded' ? 'ok' : ''}
                    >${r.statusText}</span
                  >
                </li>`,
              )}
            </ul>`
          : nothing
      }
      ${sync ? html`<p class="sync ${sync.startsWith('failed') ? 'failed' : ''}" data-sync>${sync}</p>` : nothing}
      ${
        draft
          ? this.#refundForm(row, draft, money)
          : row.refundable > 0
            ? html`<div class="actions">
                <button
                  type="button"
                  class="secondary"
                  data-action="refund"
                  aria-label="Refund ${label}"
                  @click=${() => this.#openRefund(row)}
                >
                  Refund
                </button>
              </div>`
            : nothing
      }
    </li>`;
  }

  #openRefund(row: PaymentRow): void {
    const scale = minorPerMajor(this.#data().settings?.currency ?? 'EUR');
    const digits = Math.round(Math.log10(scale));
    const whole = Math.floor(row.refundable / scale);
    const part = String(row.refundable % scale).padStart(digits, '0');
    this._refund = {
      paymentId: row.id,
      amount: digits === 0 ? String(whole) : `${whole}.${part}`,
      reason: '',
      error: null,
    };
    void this.updateComplete.then(() =>
      this.renderRoot.querySelector<HTMLInputElement>(`#refund-amount-${row.id}`)?.focus(),
    );
  }

  #refundForm(row: PaymentRow, draft: RefundDraft, money: Money) {
    const id = row.id;
    const error = draft.error;
    return html`<form
      data-refund-form
      aria-label="Refund ${row.methodText} ${row.amountText}"
      @keydown=${(e: KeyboardEvent) => {
        if (e.key === 'Escape') this.#closeRefund(id);
      }}
      @submit=${(e: Event) => {
        e.preventDefault();
        void this.#sendRefund(row, money);
      }}
    >
      <label for="refund-amount-${id}">Amount (up to ${row.refundableText})</label>
      <input
        id="refund-amount-${id}"
        name="amount"
        inputmode="decimal"
        autocomplete="off"
        .value=${draft.amount}
        aria-invalid=${error?.field === 'amount' ? 'true' : 'false'}
        aria-describedby=${error?.field === 'amount' ? `refund-error-${id}` : nothing}
        @input=${(e: Event) => {
          draft.amount = (e.target as HTMLInputElement).value;
        }}
      />
      <label for="refund-reason-${id}">Reason</label>
      <input
        id="refund-reason-${id}"
        name="reason"
        maxlength="200"
        autocomplete="off"
        .value=${draft.reason}
        aria-invalid=${error?.field === 'reason' ? 'true' : 'false'}
        aria-describedby=${error?.field === 'reason' ? `refund-error-${id}` : nothing}
        @input=${(e: Event) => {
          draft.reason = (e.target as HTMLInputElement).value;
        }}
      />
      ${error ? html`<p class="error" id="refund-error-${id}" role="alert" data-refund-error>${error.message}</p>` : nothing}
      <p class="muted">It is sent when this tablet is online; card refunds go to the processor from the cloud.</p>
      <div class="actions">
        <button type="submit" data-action="send-refund">Refund</button>
        <button type="button" class="secondary" data-action="cancel-refund" @click=${() => this.#closeRefund(id)}>
          Cancel
        </button>
      </div>
    </form>`;
  }

  #closeRefund(paymentId: string): void {
    this._refund = undefined;
    void this.updateComplete.then(() =>
      this.renderRoot
        .querySelector<HTMLElement>(`[data-payment="${paymentId}"] [data-action="refund"]`)
        ?.focus(),
    );
  }

  async #sendRefund(row: PaymentRow, money: Money): Promise<void> {
    const draft = this._refund;
    if (!draft || !this.submit) return;
    const scale = minorPerMajor(this.#data().settings?.currency ?? 'EUR');
    const check = checkRefund(draft.amount, draft.reason, row.refundable, scale, money);
    if (!check.ok) {
      this._refund = { ...draft, error: { field: check.field, message: check.message } };
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLInputElement>(`#refund-${check.field}-${row.id}`)?.focus();
      return;
    }
    this._refund = undefined;
    const state = await this.#marks.track(
      `refund:${row.id}`,
      this.submit,
      `Refund ${money(check.amount)} on ${row.where}`,
      'refund.request',
      (newId) => ({
        refundId: newId(),
        paymentId: row.id,
        amount: check.amount,
        reason: check.reason,
      }),
    );
    this.#announcer.say(
      state?.status === 'synced'
        ? `Refund of ${money(check.amount)} recorded.`
        : `Refund of ${money(check.amount)} saved: it will be sent when online.`,
    );
    this.requestUpdate();
  }

  // The end-of-day report

  #report(d: Read, money: Money, zone: string, now: number) {
    const today = todayOf(now, zone);
    const date = this._date || today;
    let report: DayReport | undefined;
    let problem = '';
    const key = `${date}|${zone}`;
    const memo = this.#reportMemo;
    if (memo && memo.key === key && memo.snapshot === this.snapshot) report = memo.report;
    else
      try {
        report = reportOf({
          orders: d.orders,
          payments: d.payments,
          refunds: d.refunds,
          drawers: d.drawers,
          date,
          timezone: zone,
          ...(d.settings ? { cashRoundingIncrement: d.settings.cashRoundingIncrement } : {}),
        });
        this.#reportMemo = { key, snapshot: this.snapshot, report };
      } catch (error) {
        problem = error instanceof Error ? error.message : String(error);
      }
    const provisional = provisionalWords(d.waiting);
    return html`<section aria-labelledby="report-heading" data-report>
      <h3 id="report-heading">End of day</h3>
      <label for="report-date">Business day</label>
      <input
        id="report-date"
        type="date"
        .value=${date}
        max=${today}
        @change=${(e: Event) => {
          this._date = (e.target as HTMLInputElement).value;
        }}
      />
      ${provisional ? html`<p class="provisional" data-provisional>${provisional}</p>` : nothing}
      ${problem ? html`<p class="error" role="alert">${problem}</p>` : nothing}
      ${report ? this.#reportBody(report, money, zone) : nothing}
    </section>`;
  }

  #reportBody(r: DayReport, money: Money, zone: string) {
    const m = money;
    const from = venueTime(Date.parse(r.startsAt), zone, Date.parse(r.endsAt));
    const to = venueTime(Date.parse(r.endsAt), zone, Date.parse(r.startsAt));
    return html`<p class="muted">From ${from} to ${to} (${zone}).</p>
      <dl data-sales aria-label="Sales by method">
        <dt>Cash</dt><dd>${m(r.sales.cash)}</dd>
        <dt>Card, approved</dt><dd>${m(r.sales.card)}</dd>
        <dt>Card, stored (not authorised yet)</dt><dd>${m(r.sales.cardStored)}</dd>
        <dt>Card, authorised after the outage</dt><dd>${m(r.sales.approvedLater)}</dd>
        <dt>Sales</dt><dd><strong>${m(r.sales.total)}</strong></dd>
        <dt>Tips</dt><dd>${m(r.tips.total)} (cash ${m(r.tips.cash)}, card ${m(r.tips.card + r.tips.cardStored + r.tips.approvedLater)})</dd>
        <dt>Refunded</dt><dd>${m(r.refunds.refunded)}${r.refunds.waiting > 0 ? `, ${m(r.refunds.waiting)} waiting` : ''}${r.refunds.failed > 0 ? `, ${m(r.refunds.failed)} failed` : ''}</dd>
        <dt>Voided checks</dt><dd>${r.voids.orders} (${m(r.voids.ordersValue)})</dd>
        <dt>Voided dishes</dt><dd>${r.voids.lines} (${m(r.voids.linesValue)})</dd>
        <dt>Declined after the outage</dt><dd data-declined>${r.declinedLater.count} (${m(r.declinedLater.amount + r.declinedLater.tip)}, not sales)</dd>
        <dt>Checks closed</dt><dd data-checks>${r.checks.closed} (${m(r.checks.total)})</dd>
        <dt>Cash rounding</dt><dd>${signedMoney(r.cashRounding, m)}</dd>
      </dl>
      ${
        r.balanced
          ? html`<p class="ok" data-balanced>Balanced: payments less cash rounding match the checks closed.</p>`
          : html`<p class="bad" data-balanced>
              Not balanced: payments less cash rounding are ${signedMoney(r.balance.difference, m)} off the
              checks closed${r.balance.paidTowardsOtherChecks > 0 ? ` (${m(r.balance.paidTowardsOtherChecks)} paid towards checks still open or closed another day)` : ''}${r.balance.paidOnOtherDays > 0 ? ` (${m(r.balance.paidOnOtherDays)} of these checks paid on another day)` : ''}.
            </p>`
      }
      ${
        r.drawers.length > 0
          ? html`<ul aria-label="Drawers closed">
              ${r.drawers.map(
                (dr) => html`<li class="card" data-drawer=${dr.drawerId}>
                  <p>
                    Drawer closed ${venueTime(Date.parse(dr.closedAt), zone)}: expected ${m(dr.expected)},
                    counted ${m(dr.counted)},
                    <span class=${dr.difference === 0 ? 'ok' : 'bad'}>difference ${signedMoney(dr.difference, m)}</span>${dr.reason ? ` · ${dr.reason}` : ''}
                  </p>
                </li>`,
              )}
            </ul>`
          : html`<p class="muted">No drawer closed this day.</p>`
      }`;
  }

  // The offline card limits

  #limits(policy: OfflineCardPolicy, currency: string, money: Money) {
    const scale = minorPerMajor(currency);
    if (this.staffRole !== 'owner')
      return html`<section aria-labelledby="limits-heading" data-limits>
        <h3 id="limits-heading">Offline card limits</h3>
        <p class="muted">Only the owner changes them.</p>
        <dl>
          <dt>Offline card payments</dt><dd>${policy.enabled ? 'On' : 'Off'}</dd>
          <dt>Largest payment, before tip</dt><dd>${money(policy.perTransaction)}</dd>
          <dt>Largest with a manager’s PIN</dt><dd>${money(policy.withManagerApproval)}</dd>
          <dt>Held per device</dt><dd>${money(policy.perDevice)}</dd>
          <dt>Held by the venue</dt><dd>${money(policy.perVenue)}</dd>
          <dt>Alerts after</dt><dd>${policy.alertAfterMs.map((ms) => `${ms / 3_600_000} h`).join(', ') || 'none'}</dd>
          <dt>No new ones after</dt><dd>${policy.noNewAfterMs / 3_600_000} h</dd>
          <dt>Deadline</dt><dd>${policy.absoluteMs / 3_600_000} h</dd>
        </dl>
      </section>`;
    const form = this._form ?? policyForm(policy, scale);
    const errors = this._formErrors;
    const sync = this.#marks.wordsOf('limits', this.ops);
    const set = (patch: Partial<PolicyForm>) => {
      this._form = { ...form, ...patch };
    };
    return html`<section aria-labelledby="limits-heading" data-limits>
      <h3 id="limits-heading">Offline card limits</h3>
      <form
        data-limits-form
        novalidate
        @submit=${(e: Event) => {
          e.preventDefault();
          void this.#saveLimits(form, scale);
        }}
      >
        <label class="check">
          <input
            type="checkbox"
            name="enabled"
            .checked=${form.enabled}
            @change=${(e: Event) => set({ enabled: (e.target as HTMLInputElement).checked })}
          />
          Take card payments offline when the internet is down
        </label>
        ${POLICY_FIELDS.map(({ key, label, money: isMoney }) => {
          const error = errors[key];
          return html`<label for="limit-${key}">${label}${isMoney ? ` (${currency})` : ''}</label>
            <input
              id="limit-${key}"
              name=${key}
              inputmode=${isMoney ? 'decimal' : 'text'}
              autocomplete="off"
              .value=${form[key]}
              aria-invalid=${error ? 'true' : 'false'}
              aria-describedby=${error ? `limit-${key}-error` : nothing}
              @input=${(e: Event) => set({ [key]: (e.target as HTMLInputElement).value })}
            />
            ${error ? html`<p class="error" id="limit-${key}-error">${error}</p>` : nothing}`;
        })}
        ${sync ? html`<p class="sync ${sync.startsWith('failed') ? 'failed' : ''}" data-sync>${sync}</p>` : nothing}
        <div class="actions">
          <button type="submit" data-action="save-limits">Save the limits</button>
        </div>
      </form>
    </section>`;
  }

  async #saveLimits(form: PolicyForm, scale: number): Promise<void> {
    const check = policyFromForm(form, scale);
    if (!check.ok) {
      this._formErrors = check.errors;
      await this.updateComplete;
      const first = POLICY_FIELDS.find((f) => check.errors[f.key]);
      if (first) this.renderRoot.querySelector<HTMLInputElement>(`#limit-${first.key}`)?.focus();
      this.#announcer.say('Some limits need fixing.');
      return;
    }
    this._formErrors = {};
    if (!this.submit) return;
    const state = await this.#marks.track(
      'limits',
      this.submit,
      'Change the offline card limits',
      'settings.offlineCard.set',
      () => ({ policy: check.policy }),
    );
    this._form = undefined;
    this.#announcer.say(
      state?.status === 'synced'
        ? 'Offline card limits saved.'
        : 'Offline card limits saved on this tablet: they are sent when online.',
    );
  }
}

customElements.define('hearth-floor-payments', FloorPayments);

declare global {
  interface HTMLElementTagNameMap {
    'hearth-floor-payments': FloorPayments;
  }
}
