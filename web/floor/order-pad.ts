import { html, LitElement, nothing, type PropertyValues } from 'lit';
import type {
  MenuCategory,
  MenuItem,
  MenuModifier,
  Order,
  Settings,
  StaffRole,
  Ticket,
} from '#protocol';
import type { TrackedOp } from '../app/op-controller.ts';
import { ITEM_BADGE_LABEL, OP_STATUS_LABEL, WAITING_LABEL } from '../app/sync-labels.ts';
import type { ItemBadge } from '../device/local-overlay.ts';
import { Announcer } from '../guest/announcer.ts';
import { type MoneyFormat, moneyFormat } from '../guest/money-format.ts';
import {
  heldCourses,
  lineOpOf,
  type PadLine,
  padLinesOf,
  STAGE_WORDS,
  seatsOf,
  unsentCourses,
} from './order-draft.ts';
import { OrderPadController, type PadHost, type Submit } from './order-pad-controller.ts';
import { orderPadStyles } from './order-pad-styles.ts';
import type { PadTotals, ShareView } from './pad-rules.ts';
import { categoryTabs, itemsIn, searchItems } from './pad-search.ts';
import type { PayContext } from './pay-context.ts';

/** The quick course buttons; a line's course may be 1–3 from the pad. */
const COURSES = [1, 2, 3] as const;

const isManager = (role: StaffRole | undefined): boolean => role === 'manager' || role === 'owner';

/**
 * `<hearth-order-pad>`: one table's order on a server's tablet or phone. Dishes by category or
 * by search (the item sheet for modifier groups), each line with its seat, course, kitchen
 * stage and sync badge; send, hold and fire courses; totals and a split; the pay panel
 * (`pay-panel.ts`: cash or card, all or part, with a tip); void
 * (a server before anything is sent, a manager after). Reads what the page gives it (the order from the local view, the menu, settings,
 * the order's tickets, the page's ops) and makes ops through `submit`. Events: `hearth-retry`
 * (a failed line's badge: the op's id, for OpController.retry) and `hearth-order-opened` (the
 * id of the order a new pad just created, so the page can pass that order in as `order`) and
 * `hearth-manager-needed` (a server asked for a manager's PIN to void a sent order).
 */
export class OrderPad extends LitElement implements PadHost {
  static override styles = orderPadStyles;

  static override properties = {
    order: { attribute: false },
    orderBadge: { attribute: false },
    tableId: { attribute: false },
    tableLabel: { attribute: false },
    covers: { attribute: false },
    items: { attribute: false },
    categories: { attribute: false },
    modifiers: { attribute: false },
    settings: { attribute: false },
    locale: { attribute: false },
    tickets: { attribute: false },
    staffRole: { attribute: false },
    ops: { attribute: false },
    submit: { attribute: false },
    _query: { state: true },
    _highlight: { state: true },
    _category: { state: true },
    _split: { state: true },
    _parts: { state: true },
    payContext: { attribute: false },
    _reason: { state: true },
    _voidTried: { state: true },
  };

  /** The table's order from the local view; undefined for a new order. */
  declare order: Order | undefined;
  /** The order's sync mark from the local view. */
  declare orderBadge: ItemBadge | undefined;
  declare tableId: string | null;
  declare tableLabel: string;
  /** Covers: a new order's guest count (the order's own once it exists); seats are 1…covers. */
  declare covers: number;
  declare items: readonly MenuItem[];
  declare categories: readonly MenuCategory[];
  declare modifiers: readonly MenuModifier[];
  declare settings: Settings | undefined;
  /** The venue's locale for money (Venue.locale). */
  declare locale: string | undefined;
  /** The order's tickets, for each sent line's kitchen stage. */
  declare tickets: readonly Ticket[];
  /** The signed-in member's role: only a manager or owner voids. */
  declare staffRole: StaffRole | undefined;
  /** The page's OpController.ops: each line's sync badge. */
  declare ops: readonly TrackedOp[];
  declare submit: Submit | undefined;
  /** Payments, drawers and the card route, from the page (the pay panel's inputs). */
  declare payContext: PayContext | undefined;
  declare _query: string;
  declare _highlight: number;
  declare _category: string | undefined;
  declare _split: 'none' | 'even' | 'seat';
  declare _parts: number;
  declare _reason: string;
  declare _voidTried: boolean;

  readonly #announcer = new Announcer(this);
  readonly pad = new OrderPadController(
    this,
    (text) => this.#announcer.say(text),
    (orderId) =>
      this.dispatchEvent(
        new CustomEvent('hearth-order-opened', { detail: orderId, bubbles: true, composed: true }),
      ),
  );
  /** The last status heard of each op, so a newly failed one is announced once. */
  readonly #heard = new Map<string, TrackedOp['status']>();

  constructor() {
    super();
    this.order = undefined;
    this.orderBadge = undefined;
    this.tableId = null;
    this.tableLabel = '';
    this.covers = 0;
    this.items = [];
    this.categories = [];
    this.modifiers = [];
    this.settings = undefined;
    this.locale = undefined;
    this.tickets = [];
    this.staffRole = undefined;
    this.ops = [];
    this.submit = undefined;
    this._query = '';
    this._highlight = 0;
    this._category = undefined;
    this._split = 'none';
    this._parts = 2;
    this.payContext = undefined;
    this._reason = '';
    this._voidTried = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('keydown', this.#slash);
  }

  override disconnectedCallback(): void {
    window.removeEventListener('keydown', this.#slash);
    super.disconnectedCallback();
  }

  /** "/" anywhere but in a field puts the keyboard in the search. */
  readonly #slash = (event: KeyboardEvent): void => {
    if (event.key !== '/' || event.ctrlKey || event.metaKey || event.altKey) return;
    const path = event.composedPath();
    if (path.some((n) => n instanceof HTMLInputElement || n instanceof HTMLTextAreaElement)) return;
    if (this.pad.sheet) return;
    event.preventDefault();
    this.renderRoot.querySelector<HTMLInputElement>('#search')?.focus();
  };

  get #covers(): number {
    return this.order?.guestCount ?? this.covers;
  }

  get #money(): MoneyFormat {
    return moneyFormat(this.locale, this.settings?.currency ?? 'EUR');
  }

  #memo?: { key: readonly unknown[]; value: ReturnType<OrderPad['computeView']> };

  /** Lines and totals for this render (recomputed when what they read changes). */
  computeView() {
    const itemById = new Map(this.items.map((i) => [i.id, i]));
    const modifierById = new Map(this.modifiers.map((m) => [m.id, m]));
    const lines = padLinesOf(this.order, this.pad.adding, this.pad.draft, this.tickets, {
      itemById,
      modifierById,
    }).filter((l) => !this.pad.removed.has(l.lineId));
    const rules = this.pad.rules;
    let totals: PadTotals | undefined;
    if (rules && this.settings) {
      const known = new Set((this.order?.lines ?? []).map((l) => l.id));
      totals = rules.padTotalsOf(
        rules.menuEntitiesOf(this.items, this.modifiers),
        this.settings,
        (this.order?.lines ?? []).filter((l) => !this.pad.removed.has(l.id)),
        [...this.pad.adding.filter((l) => !known.has(l.lineId)), ...this.pad.draft],
      );
    }
    return { itemById, modifierById, lines, totals };
  }

  #view() {
    const key = [
      this.order,
      this.items,
      this.modifiers,
      this.tickets,
      this.settings,
      this.pad.draft,
      this.pad.adding,
      this.pad.removed.size,
      this.pad.rules,
    ];
    if (this.#memo?.key.every((k, i) => k === key[i])) return this.#memo.value;
    const value = this.computeView();
    this.#memo = { key, value };
    return value;
  }

  override render() {
    if (!this.settings)
      return html`<p class="muted" role="status">Reading the menu and settings…</p>`;
    const view = this.#view();
    const closed = this.order?.status === 'closed' || this.order?.status === 'voided';
    return html`<div class="layout">
        ${closed ? nothing : this.#menu(view.itemById)}
        <div class="side">
          ${this.#linesSection(view.lines, view.itemById, closed)}
          ${this.#totalsSection(view.totals)}
          ${closed ? this.#closedNote() : html`${this.#paySection(view.totals)} ${this.#voidSection()}`}
        </div>
      </div>
      ${this.#sheet(view.itemById, view.modifierById)}
      <p class="sr-only" role="status" aria-live="polite">${this.#announcer.text}</p>`;
  }

  override willUpdate(changed: PropertyValues<this>): void {
    if (this.hasUpdated && changed.has('tableId')) this.pad.reset();
    if (changed.has('ops')) this.#announceFailures();
  }

  #announceFailures(): void {
    for (const op of this.ops) {
      const before = this.#heard.get(op.opId);
      this.#heard.set(op.opId, op.status);
      if (op.status === 'failed' && before !== undefined && before !== 'failed')
        this.#announcer.say(
          `${op.label} failed${op.detail ? `: ${op.detail}` : ''}${op.final ? '' : ' — tap its badge to retry'}`,
        );
    }
  }

  override updated(changed: PropertyValues): void {
    super.updated(changed);
    const dialog = this.renderRoot.querySelector('dialog');
    if (!dialog) return;
    if (this.pad.sheet && !dialog.open) dialog.showModal();
    else if (!this.pad.sheet && dialog.open) dialog.close();
  }

  // —— Menu: seat and course for the next dish, search, categories ——

  #menu(itemById: ReadonlyMap<string, MenuItem>) {
    const tabs = categoryTabs(this.categories, this.items);
    const category = this._category ?? tabs[0]?.id;
    const results = searchItems(this.items, this._query);
    const searching = this._query.trim() !== '';
    const highlight = Math.min(this._highlight, Math.max(0, results.length - 1));
    return html`<section aria-labelledby="menu-title">
      <h2 id="menu-title">Table ${this.tableLabel} · add dishes</h2>
      ${this.#seatCourse(
        'next',
        this.pad.seat,
        this.pad.course,
        (seat) => {
          this.pad.seat = seat;
          this.requestUpdate();
        },
        (course) => {
          this.pad.course = course;
          this.requestUpdate();
        },
      )}
      <label
        >Find a dish (press /)
        <input
          id="search"
          type="search"
          role="combobox"
          autocomplete="off"
          aria-expanded=${searching ? 'true' : 'false'}
          aria-controls="results"
          aria-activedescendant=${searching && results.length > 0 ? `result-${highlight}` : nothing}
          .value=${this._query}
          @input=${(e: InputEvent) => {
            this._query = (e.target as HTMLInputElement).value;
            this._highlight = 0;
          }}
          @keydown=${(e: KeyboardEvent) => this.#searchKey(e, results, highlight)}
      /></label>
      ${
        searching
          ? html`<ul id="results" role="listbox" aria-label="Dishes found">
                ${results.map(
                  (item, i) => html`<li
                    id=${`result-${i}`}
                    role="option"
                    aria-selected=${i === highlight ? 'true' : 'false'}
                    aria-disabled=${item.available ? 'false' : 'true'}
                    data-item=${item.id}
                    @click=${() => this.#pick(item)}
                  >
                    <span>${item.name}${item.available ? '' : ' — sold out'}</span>
                    <span class="muted">${this.#money.price(item.price)}</span>
                  </li>`,
                )}
              </ul>
              ${results.length === 0 ? html`<p class="muted">No dish called “${this._query}”.</p>` : nothing}`
          : html`<div class="tabs" role="group" aria-label="Categories">
                ${tabs.map(
                  (c) => html`<button
                    type="button"
                    data-category=${c.id}
                    aria-pressed=${c.id === category ? 'true' : 'false'}
                    @click=${() => {
                      this._category = c.id;
                    }}
                  >
                    ${c.name}
                  </button>`,
                )}
              </div>
              <ul class="dishes" aria-label="Dishes">
                ${itemsIn(this.items, category ?? '').map(
                  (item) => html`<li>
                    <button
                      type="button"
                      class="dish ${item.available ? '' : 'out'}"
                      data-item=${item.id}
                      ?disabled=${!item.available}
                      @click=${() => this.#pick(item)}
                    >
                      <span>${item.name}</span>
                      <span class="price"
                        >${item.available ? this.#money.price(item.price) : 'Sold out (86)'}${
                          (item.modifierGroups ?? []).length > 0 ? ' · choices' : ''
                        }</span
                      >
                    </button>
                  </li>`,
                )}
              </ul>`
      }
      ${itemById.size === 0 ? html`<p class="muted">No menu on this device yet.</p>` : nothing}
    </section>`;
  }

  #searchKey(event: KeyboardEvent, results: readonly MenuItem[], highlight: number): void {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const step = event.key === 'ArrowDown' ? 1 : -1;
      this._highlight = Math.min(Math.max(0, highlight + step), Math.max(0, results.length - 1));
    } else if (event.key === 'Enter') {
      event.preventDefault();
      const item = results[highlight];
      if (item) this.#pick(item);
    } else if (event.key === 'Escape') {
      this._query = '';
    }
  }

  #pick(item: MenuItem): void {
    if (!item.available) {
      this.#announcer.say(`${item.name} is sold out`);
      return;
    }
    if (!this.pad.rules) {
      this.#announcer.say('The menu’s rules are still loading — try again in a moment');
      return;
    }
    this.pad.pick(item);
  }

  /** Seat (none, 1…covers) and course (1–3) buttons; `name` keeps the two pads' labels apart. */
  #seatCourse(
    name: string,
    seat: number | undefined,
    course: number,
    onSeat: (seat: number | undefined) => void,
    onCourse: (course: number) => void,
  ) {
    const seats = seatsOf(this.#covers);
    return html`<div class="row" role="group" aria-label=${`Seat for the ${name} dish`}>
        <span aria-hidden="true">Seat</span>
        <button type="button" data-seat="none" aria-pressed=${seat === undefined ? 'true' : 'false'} @click=${() => onSeat(undefined)}>
          No seat
        </button>
        ${seats.map(
          (s) => html`<button
            type="button"
            data-seat=${s}
            aria-label=${`Seat ${s}`}
            aria-pressed=${seat === s ? 'true' : 'false'}
            @click=${() => onSeat(s)}
          >
            ${s}
          </button>`,
        )}
      </div>
      <div class="row" role="group" aria-label=${`Course for the ${name} dish`}>
        <span aria-hidden="true">Course</span>
        ${COURSES.map(
          (c) => html`<button
            type="button"
            data-course=${c}
            aria-label=${`Course ${c}`}
            aria-pressed=${course === c ? 'true' : 'false'}
            @click=${() => onCourse(c)}
          >
            ${c}
          </button>`,
        )}
      </div>`;
  }

  // —— Lines, sending ——

  #linesSection(
    lines: readonly PadLine[],
    itemById: ReadonlyMap<string, MenuItem>,
    closed: boolean,
  ) {
    const courses = unsentCourses(lines);
    const held = heldCourses(this.tickets);
    const unsent = lines.filter((l) => l.stage === 'new').length;
    const busy = this.pad.busy || !this.submit;
    return html`<section aria-labelledby="lines-title">
      <h2 id="lines-title">Order${this.order ? '' : ' (new)'} · ${this.#covers} covers</h2>
      ${this.pad.orderId ? nothing : this.#coversStepper()}
      ${
        lines.length === 0
          ? html`<p class="muted">No dishes yet: pick from the menu.</p>`
          : html`<ul class="lines">
              ${lines.map((line) => this.#line(line, itemById, closed))}
            </ul>`
      }
      ${
        closed || (unsent === 0 && held.length === 0)
          ? nothing
          : html`<div class="row">
              ${
                unsent > 0
                  ? html`<button type="button" class="primary" data-action="send-all" ?disabled=${busy} @click=${() => void this.pad.send()}>
                      Send all new (${unsent})
                    </button>`
                  : nothing
              }
              ${courses.map((c) => this.#courseButtons(c, courses.length > 1, busy))}
              ${held.map(
                (
                  c,
                ) => html`<button type="button" class="primary" data-action="fire" data-course=${c} ?disabled=${busy} @click=${() => void this.pad.fire(c)}>
                  Fire course ${c}
                </button>`,
              )}
            </div>`
      }
    </section>`;
  }

  /** Send (when there is more than one course to choose from) and hold, for one course. */
  #courseButtons(course: number, sendOne: boolean, busy: boolean) {
    return html`${
      sendOne
        ? html`<button
            type="button"
            data-action="send-course"
            data-course=${course}
            ?disabled=${busy}
            @click=${() => void this.pad.send({ course })}
          >
            Send course ${course}
          </button>`
        : nothing
    }
      <button
        type="button"
        data-action="hold-course"
        data-course=${course}
        ?disabled=${busy}
        @click=${() => void this.pad.send({ course, hold: true })}
      >
        Hold course ${course}
      </button>`;
  }

  /** A new order's covers (its guest count, and the seats a line may take). */
  #coversStepper() {
    const set = (covers: number) => {
      this.covers = Math.min(50, Math.max(0, covers));
      this.#announcer.say(`${this.covers} covers`);
    };
    return html`<div class="row" role="group" aria-label="Covers">
      <span aria-hidden="true">Covers</span>
      <button type="button" aria-label="One cover fewer" ?disabled=${this.covers <= 0} @click=${() => set(this.covers - 1)}>−</button>
      <span data-covers>${this.covers}</span>
      <button type="button" aria-label="One cover more" ?disabled=${this.covers >= 50} @click=${() => set(this.covers + 1)}>+</button>
    </div>`;
  }

  #line(line: PadLine, itemById: ReadonlyMap<string, MenuItem>, closed: boolean) {
    const item = itemById.get(line.itemId);
    const changeable = !closed && line.stage === 'new' && line.where !== 'adding';
    return html`<li class="line" data-line=${line.lineId} data-stage=${line.stage} data-where=${line.where}>
      <div class="top">
        <span>${line.quantity} × ${line.name}</span>
        <span>
          ${line.addOn ? html`<span class="tag addon">add-on</span>` : nothing}
          <span class="tag stage">${STAGE_WORDS[line.stage]}</span>
        </span>
      </div>
      ${line.details ? html`<span class="muted">${line.details}</span>` : nothing}
      <span class="muted">${line.seat === undefined ? 'No seat' : `Seat ${line.seat}`} · Course ${line.course}</span>
      ${this.#badge(line)}
      ${
        changeable
          ? html`<div class="row">
              ${
                item
                  ? html`<button type="button" data-action="change" aria-label=${`Change ${line.name}`} @click=${() => this.pad.edit(line, item)}>
                      Change
                    </button>`
                  : nothing
              }
              <button type="button" data-action="remove" aria-label=${`Remove ${line.name}`} @click=${() => void this.pad.remove(line)}>
                Remove
              </button>
            </div>`
          : nothing
      }
    </li>`;
  }

  /** The sync badge as sync-labels words it: the op that carried the line, else the order's. */
  #badge(line: PadLine) {
    if (line.where === 'draft')
      return html`<span class="badge muted">Sync: not added to the order yet</span>`;
    const op = lineOpOf(this.ops, line.lineId);
    if (op?.status === 'failed' && !op.final)
      return html`<button type="button" class="badge failed" data-action="retry" @click=${() => this.#retry(op.opId)}>
        Sync: failed${op.detail ? ` (${op.detail})` : ''} — tap to retry
      </button>`;
    if (op)
      return html`<span class="badge ${op.status}" data-sync=${op.status}
        >Sync: ${op.waiting ? WAITING_LABEL : OP_STATUS_LABEL[op.status]}${op.detail ? ` (${op.detail})` : ''}</span
      >`;
    const badge = this.orderBadge;
    return badge
      ? html`<span class="badge ${badge.state}" data-sync=${badge.state}>Sync: ${ITEM_BADGE_LABEL[badge.state]}</span>`
      : nothing;
  }

  #retry(opId: string): void {
    this.dispatchEvent(
      new CustomEvent('hearth-retry', { detail: opId, bubbles: true, composed: true }),
    );
    this.#announcer.say('Sending again');
  }

  // —— Totals and split ——

  #totalsSection(totals: PadTotals | undefined) {
    if (!totals) return html`<section><p class="muted">Pricing…</p></section>`;
    if (!totals.ok) return html`<section><p class="problem">${totals.reason}</p></section>`;
    const t = totals.totals;
    const money = this.#money;
    let shares: ShareView[] = [];
    const rules = this.pad.rules;
    if (rules && this._split === 'even') shares = rules.evenShares(t.total, this._parts);
    if (rules && this._split === 'seat') shares = rules.seatShares(totals.lines, t);
    return html`<section aria-labelledby="totals-title">
      <h2 id="totals-title">Bill</h2>
      <dl class="totals">
        <dt>Subtotal</dt>
        <dd data-total="subtotal">${money.price(t.subtotal)}</dd>
        <dt>${this.settings?.taxInclusive ? 'Includes tax' : 'Tax'}</dt>
        <dd data-total="tax">${money.price(t.tax)}</dd>
        <dt class="grand">Total</dt>
        <dd class="grand" data-total="total">${money.price(t.total)}</dd>
        <dt>Cash total${t.cashRounding === 0 ? '' : ` (rounded ${money.delta(t.cashRounding)})`}</dt>
        <dd data-total="cash">${money.price(t.cashTotal)}</dd>
      </dl>
      <div class="row" role="group" aria-label="Split the bill">
        ${(['none', 'even', 'seat'] as const).map(
          (mode) => html`<button
            type="button"
            data-split=${mode}
            aria-pressed=${this._split === mode ? 'true' : 'false'}
            @click=${() => {
              this._split = mode;
              this.#announcer.say(
                mode === 'none'
                  ? 'One bill'
                  : mode === 'even'
                    ? `Split evenly in ${this._parts}`
                    : 'Split by seat',
              );
            }}
          >
            ${mode === 'none' ? 'One bill' : mode === 'even' ? 'Split evenly' : 'By seat'}
          </button>`,
        )}
      </div>
      ${
        this._split === 'even'
          ? html`<div class="row" role="group" aria-label="Number of shares">
              <button type="button" aria-label="One share fewer" ?disabled=${this._parts <= 2} @click=${() => this.#parts(-1)}>−</button>
              <span data-parts>${this._parts} shares</span>
              <button type="button" aria-label="One share more" ?disabled=${this._parts >= 12} @click=${() => this.#parts(1)}>+</button>
            </div>`
          : nothing
      }
      ${
        shares.length > 0
          ? html`<ul class="shares" aria-label="Shares">
              ${shares.map((s) => html`<li data-share><span>${s.label}</span> <span>${money.price(s.amount)}</span></li>`)}
            </ul>`
          : nothing
      }
    </section>`;
  }

  #parts(step: number): void {
    this._parts = Math.min(12, Math.max(2, this._parts + step));
    this.#announcer.say(`Split evenly in ${this._parts}`);
  }

  // —— Close in cash, void ——

  /** The pay panel (its own component, loaded the first time a check can be paid). */
  #paySection(totals: PadTotals | undefined) {
    const order = this.order;
    if (!order || !this.payContext) return nothing;
    this.#loadPay();
    return html`<section class="pay">
      <hearth-pay-panel
        .order=${order}
        .tableLabel=${this.tableLabel}
        .context=${this.payContext}
        .settings=${this.settings}
        .locale=${this.locale}
        .shares=${this.#shares(totals)}
        .staffRole=${this.staffRole}
        .ops=${this.ops}
        .submit=${this.submit}
        .unsentLines=${this.pad.draft.length}
      ></hearth-pay-panel>
    </section>`;
  }

  /** The split the server chose, as amounts the pay panel offers. */
  #shares(totals: PadTotals | undefined): ShareView[] {
    const rules = this.pad.rules;
    if (!rules || !totals?.ok) return [];
    if (this._split === 'even') return rules.evenShares(totals.totals.total, this._parts);
    if (this._split === 'seat') return rules.seatShares(totals.lines, totals.totals);
    return [];
  }

  #payLoaded = false;
  #loadPay(): void {
    if (this.#payLoaded) return;
    this.#payLoaded = true;
    import('./pay-panel.ts').catch((error: unknown) => {
      this.#payLoaded = false;
      console.error('order pad: the pay panel did not load', error);
    });
  }

  #voidSection() {
    if (!this.pad.orderId) return nothing;
    // Payments taken on the check are refunded, not voided (the deciders refuse the void).
    if ((this.order?.paid ?? 0) > 0)
      return html`<section aria-labelledby="void-title">
        <h2 id="void-title">Void the order</h2>
        <p class="muted" data-void-note>
          Part of this check is paid: a manager refunds the payments (Payments) before it can be voided.
        </p>
      </section>`;
    // A server voids an order nothing of which went to the kitchen; after that it is a
    // manager's call (the deciders refuse it too): a manager signs in here with their PIN.
    const sent =
      this.tickets.some((t) => t.orderId === this.pad.orderId) ||
      (this.order?.lines ?? []).some((l) => l.sentAt !== null);
    if (sent && !isManager(this.staffRole))
      return html`<section aria-labelledby="void-title">
        <h2 id="void-title">Void the order</h2>
        <p class="muted" data-void-note>Sent to the kitchen: a manager voids it with their PIN.</p>
        <button type="button" data-action="manager" @click=${this.#askManager}>Manager PIN…</button>
      </section>`;
    const missing = this._voidTried && this._reason.trim() === '';
    return html`<section aria-labelledby="void-title">
      <h2 id="void-title">Void the order</h2>
      <label
        >Reason (required)
        <input
          id="void-reason"
          maxlength="200"
          required
          aria-invalid=${missing ? 'true' : 'false'}
          aria-describedby=${missing ? 'void-missing' : nothing}
          .value=${this._reason}
          @input=${(e: InputEvent) => {
            this._reason = (e.target as HTMLInputElement).value;
          }}
      /></label>
      ${missing ? html`<p id="void-missing" class="problem">Say why the order is voided</p>` : nothing}
      <button type="button" data-action="void" ?disabled=${!this.submit} @click=${() => void this.#void()}>Void order</button>
    </section>`;
  }

  /** The page hands the device to a manager (their PIN); the pad then offers the void. */
  readonly #askManager = (): void => {
    this.dispatchEvent(
      new CustomEvent('hearth-manager-needed', {
        detail: 'to void this order',
        bubbles: true,
        composed: true,
      }),
    );
  };

  async #void(): Promise<void> {
    this._voidTried = true;
    if (this._reason.trim() === '') {
      this.#announcer.say('Say why the order is voided');
      return;
    }
    if (await this.pad.voidOrder(this._reason)) {
      this._reason = '';
      this._voidTried = false;
    }
  }

  #closedNote() {
    const order = this.order;
    if (!order) return nothing;
    // Paid by payments: the pay panel says "Paid — closed" with each payment, until the server
    // starts the table's next order.
    if (order.status === 'closed' && !order.payment && this.payContext)
      return html`${this.#paySection(undefined)}
        ${
          order.tableId
            ? html`<button type="button" data-action="next-order" @click=${() => this.#nextOrder(order.tableId)}>
                New order for this table
              </button>`
            : nothing
        }`;
    return html`<section>
      <p data-closed>
        ${
          order.status === 'voided'
            ? `Voided${order.voidReason ? `: ${order.voidReason}` : ''}`
            : order.payment?.method === 'cash'
              ? `Paid in cash: ${this.#money.price(order.payment.tendered)} received, ${this.#money.price(order.payment.change)} change`
              : 'Paid'
        }
      </p>
    </section>`;
  }

  #nextOrder(tableId: string | null): void {
    if (tableId) this.payContext?.forget(tableId);
    this.#announcer.say('A new order for this table');
  }

  // —— The item sheet ——

  #sheet(itemById: ReadonlyMap<string, MenuItem>, modifierById: ReadonlyMap<string, MenuModifier>) {
    const sheet = this.pad.sheet;
    const rules = this.pad.rules;
    const content = () => {
      if (!sheet || !rules) return nothing;
      const v = rules.sheetViewOf(sheet.item, sheet.selection, {
        entities: rules.menuEntitiesOf(this.items, this.modifiers),
        modifierById,
        money: this.#money,
        lineNotes: true,
      });
      const toggle = (groupId: string | null, modifierId: string | null) =>
        this.pad.change({
          selection: {
            ...sheet.selection,
            chosen: rules.toggleModifier(sheet.item, sheet.selection.chosen, groupId, modifierId),
          },
        });
      const option = (
        kind: 'radio' | 'checkbox',
        name: string,
        groupId: string | null,
        o: (typeof v.extras)[number],
      ) =>
        html`<label class="option" data-modifier=${o.id}>
          <input
            type=${kind}
            name=${name}
            .checked=${o.checked}
            ?disabled=${o.disabled}
            @change=${(e: Event) => {
              (e.target as HTMLInputElement).checked = o.checked;
              toggle(groupId, o.id);
            }}
          />
          <span>${o.name}${o.soldOut ? ' — sold out' : ''}</span>
          <span class="delta">${o.delta}</span>
        </label>`;
      return html`<form
        @submit=${(e: SubmitEvent) => {
          e.preventDefault();
          if (v.canAdd) void this.pad.confirmSheet();
        }}
      >
        <div class="row" style="justify-content:space-between">
          <h2 id="sheet-title">${v.name} · ${v.price}</h2>
          <button type="button" aria-label="Close" @click=${() => this.pad.closeSheet()}>×</button>
        </div>
        ${v.allergens ? html`<p class="muted">${v.allergens}</p>` : nothing}
        ${v.groups.map(
          (g) => html`<fieldset data-group=${g.id}>
            <legend>${g.name} · <span class=${g.satisfied ? 'muted' : 'problem'}>${g.rule}</span></legend>
            ${
              g.none
                ? html`<label class="option"
                    ><input type="radio" name=${g.id} .checked=${g.none.checked} @change=${() => toggle(g.id, null)} /> None</label
                  >`
                : nothing
            }
            ${g.options.map((o) => option(g.kind, g.id, g.id, o))}
          </fieldset>`,
        )}
        ${
          v.extras.length > 0
            ? html`<fieldset data-group="extras">
                <legend>Extras · <span class="muted">Optional</span></legend>
                ${v.extras.map((o) => option('checkbox', 'extras', null, o))}
              </fieldset>`
            : nothing
        }
        <div class="row" role="group" aria-label="Quantity">
          <span aria-hidden="true">Quantity</span>
          <button type="button" aria-label="One fewer" ?disabled=${v.quantity <= 1} @click=${() => this.pad.change({ selection: { ...sheet.selection, quantity: v.quantity - 1 } })}>−</button>
          <span data-quantity>${v.quantity}</span>
          <button type="button" aria-label="One more" ?disabled=${v.quantity >= 99} @click=${() => this.pad.change({ selection: { ...sheet.selection, quantity: v.quantity + 1 } })}>+</button>
        </div>
        ${this.#seatCourse(
          'sheet’s',
          sheet.seat,
          sheet.course,
          (seat) => this.pad.change({ seat }),
          (course) => this.pad.change({ course }),
        )}
        <label
          >Note for the kitchen (optional)
          <textarea
            maxlength="200"
            .value=${sheet.selection.note}
            @input=${(e: InputEvent) =>
              this.pad.change({
                selection: { ...sheet.selection, note: (e.target as HTMLTextAreaElement).value },
              })}
          ></textarea>
        </label>
        ${v.reason ? html`<p id="add-reason" class="problem">${v.reason}</p>` : nothing}
        <button type="submit" class="primary" data-action="sheet-add" ?disabled=${!v.canAdd} aria-describedby=${v.reason ? 'add-reason' : nothing}>
          ${sheet.replaces ? 'Save change' : 'Add'} ${v.quantity} · ${v.linePrice}
        </button>
      </form>`;
    };
    void itemById;
    return html`<dialog
      aria-labelledby="sheet-title"
      @cancel=${(e: Event) => {
        e.preventDefault();
        this.pad.closeSheet();
      }}
    >
      ${content()}
    </dialog>`;
  }
}

customElements.define('hearth-order-pad', OrderPad);

declare global {
  interface HTMLElementTagNameMap {
    'hearth-order-pad': OrderPad;
  }
}
