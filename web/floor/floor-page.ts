import { html, LitElement, nothing } from 'lit';
import type { OperationType, Principal } from '#protocol';
import { afterPaint } from '../app/after-paint.ts';
import { type AppServices, appServices } from '../app/app-services.ts';
import { CacheSyncController } from '../app/cache-sync-controller.ts';
import { type LocalSnapshot, LocalViewController } from '../app/local-view-controller.ts';
import { OpController } from '../app/op-controller.ts';
import '../app/resilience-banner.ts';
import { browserHeldOutbox, type HeldOutbox } from '../app/held-outbox.ts';
import { ResilienceController } from '../app/resilience-controller.ts';
import { SessionController, type SignInInput } from '../app/session-controller.ts';
import type { LocalDevice } from './devices-panel.ts';
import {
  type FloorData,
  floorDataOf,
  guestOriginOf,
  namesForOps,
  tableOrder,
  waitingCount,
} from './floor-data.ts';
import { FloorNavController, type FloorView, viewsFor } from './floor-nav.ts';
import { floorPageStyles } from './floor-page-styles.ts';
import {
  devicesPanel,
  floorPlan,
  type PanelContext,
  panelFor,
  qrPanel,
  tablePanel,
} from './floor-panels.ts';
import { PayContextController } from './pay-context.ts';
import { StaffSwitchController } from './staff-switch-controller.ts';

type Staff = Extract<Principal, { kind: 'staff' }>;

interface Parts {
  readonly session: SessionController;
  readonly resilience: ResilienceController;
  readonly ops: OpController;
  readonly sync: CacheSyncController;
  readonly view: LocalViewController;
  readonly switcher: StaffSwitchController;
}

function buildParts(
  host: LitElement,
  services: AppServices,
  outbox: HeldOutbox,
  nameOf: (actorId: string) => string | undefined,
): Parts {
  const session = new SessionController(host, {
    ...services,
    accepts: (principal) => principal.kind === 'staff',
  });
  return {
    session,
    resilience: new ResilienceController(host, services),
    ops: new OpController(host, services),
    sync: new CacheSyncController(host, { ...services, scopes: [] }),
    // Every kind: the floor's own orders are decided on top of the cache, menu and settings too.
    view: new LocalViewController(host, services),
    switcher: new StaffSwitchController(host, {
      session,
      sessionStore: services.session,
      outbox,
      broadcasts: services.broadcasts,
      nameOf,
    }),
  };
}

const VIEW_LABEL: Readonly<Record<FloorView, string>> = {
  floor: 'Floor',
  table: 'Table',
  requests: 'Requests',
  kitchen: 'Kitchen',
  menu: 'Menu',
  team: 'Team',
  qr: 'QR codes',
  devices: 'Devices',
  payments: 'Payments',
  sync: 'Sync',
  drawer: 'Drawer',
};

/** Each view's components, loaded the first time it is shown: the floor plan paints alone. */
const VIEW_MODULES: Partial<Record<FloorView, () => Promise<unknown>>> = {
  floor: () => import('./floor-plan.ts'),
  // The pad first; the kitchen's progress beside it once the pad has painted.
  table: () =>
    import('./order-pad.ts').then(afterPaint).then(() => import('./kitchen-progress.ts')),
  requests: () => import('./service-requests.ts'),
  kitchen: () => import('./kitchen-progress.ts'),
  menu: () => import('./menu-availability.ts'),
  team: () => import('./team-admin.ts'),
  qr: () => import('./table-qr.ts'),
  devices: () => import('./devices-panel.ts'),
  payments: () => import('./payments-view.ts'),
  sync: () => import('./floor-sync.ts'),
  drawer: () => import('./drawer-view.ts'),
};

/**
 * `<hearth-floor-page>`: the floor app. Sign in by PIN; then the floor plan (tap a table to
 * open or continue its order), the order pad, service requests and guest orders to approve,
 * kitchen progress, the menu's 86 list, the team, the tables' QR codes and the sync view —
 * each from the local cache with this device's own ops on top, offline or not. The route is in
 * the URL's hash (`floor-nav.ts`); everything a panel does goes through the outbox
 * (`OpController`), and each panel shows its ops' sync state beside the control that made it.
 */
export class FloorPage extends LitElement {
  static override styles = floorPageStyles;

  static override properties = {
    services: { attribute: false },
    heldOutbox: { attribute: false },
  };

  /** The page's services; `appServices()` when not given (tests give their own). */
  declare services: AppServices | undefined;
  /** The outbox as a manager discards held ops from it; the browser's when not given. */
  declare heldOutbox: HeldOutbox | undefined;
  /** Team members' names by id, from the last snapshot read (staff actorIds are member ids). */
  #names: ReadonlyMap<string, string> = new Map();
  #namesKey = '';
  /** The last snapshot read and its data (floor-data.ts keeps unchanged lists across reads). */
  #read: { readonly snapshot: LocalSnapshot; readonly data: FloorData } | undefined;
  /** The cloud's origin for table QR codes, once the relay's `/healthz` said it. */
  #guestOrigin: string | undefined;
  /** Why the PIN pad is up for a switch, when a manager was asked for. */
  #switchWhy: string | undefined;
  #parts: Parts | undefined;
  /** Payments, drawers and the card route for the pay panel and the drawer view. */
  #pay: PayContextController | undefined;
  readonly #nav = new FloorNavController(this);
  /** The order this device opened per table, until the feed brings it. */
  readonly #opened = new Map<string, string>();
  readonly #loaded = new Set<string>();

  override connectedCallback(): void {
    // Controllers are built on first connection, so a test can hand the page its services.
    this.#parts ??= buildParts(
      this,
      this.services ?? appServices(),
      this.heldOutbox ?? browserHeldOutbox(),
      (actorId) => this.#names.get(actorId),
    );
    this.#pay ??= new PayContextController(this, this.services ?? appServices());
    super.connectedCallback();
  }

  get #session() {
    return (this.#parts as Parts).session;
  }
  get #resilience() {
    return (this.#parts as Parts).resilience;
  }
  get #ops() {
    return (this.#parts as Parts).ops;
  }
  get #sync() {
    return (this.#parts as Parts).sync;
  }
  get #view() {
    return (this.#parts as Parts).view;
  }
  get #switcher() {
    return (this.#parts as Parts).switcher;
  }

  readonly #submit = (
    label: string,
    type: OperationType,
    payload: (newId: () => string) => unknown,
  ) => this.#ops.submit(label, type, payload);

  override render() {
    const principal = this.#session.principal;
    const data = this.#data();
    const staff = principal?.kind === 'staff' ? principal : undefined;
    return html`${this.#header(staff, data)}
      <hearth-resilience-banner .view=${this.#resilience.view}></hearth-resilience-banner>
      ${
        staff && !this.#switcher.switching && !this.#switcher.sessionEnded
          ? this.#signedIn(staff, data)
          : this.#signIn(staff)
      }
      ${this.#sync.error ? html`<p class="error">Offline copy unavailable: ${this.#sync.error}</p>` : nothing}`;
  }

  #data(): FloorData | undefined {
    const status = this.#view.status;
    if (status.status !== 'complete') return undefined;
    // A render for anything but a new snapshot (a route, an op's state, the clock) reuses it.
    if (this.#read?.snapshot === status.value) return this.#read.data;
    const data = floorDataOf(status.value, this.#read?.data);
    this.#read = { snapshot: status.value, data };
    const key = data.members.map((m) => `${m.id}:${m.name}`).join();
    if (key !== this.#namesKey) {
      // The team arrived or changed: held ops can now say whose they are.
      this.#namesKey = key;
      this.#names = new Map(data.members.map((m) => [m.id, m.name]));
      void this.#switcher.refresh();
    }
    return data;
  }

  #header(principal: Staff | undefined, data: FloorData | undefined) {
    const name = principal ? (this.#names.get(principal.actorId) ?? principal.actorId) : undefined;
    return html`<header>
      <h1>${data?.venue?.name ?? 'Floor'}</h1>
      ${
        principal
          ? html`<span class="who" data-signed-in>${name} · ${principal.role}</span>
              <button type="button" data-action="switch" @click=${() => this.#askManager('')}>
                Switch user
              </button>
              <button type="button" data-action="sign-out" @click=${() => void this.#session.signOut()}>
                Sign out
              </button>`
          : nothing
      }
    </header>`;
  }

  /** A manager's PIN for what a server may not do (void a sent order): a switch, with why. */
  #askManager(why: string): void {
    this.#switchWhy = why;
    this.#switcher.start();
  }

  /** The PIN pad: to sign in, or to hand the device to the next person. */
  #signIn(current: Staff | undefined) {
    this.#loadOnce('pin-pad', () => import('./pin-pad.ts'));
    const name = current ? (this.#names.get(current.actorId) ?? current.actorId) : undefined;
    const status = this.#session.status;
    const ended = current !== undefined && this.#switcher.sessionEnded && !this.#switcher.switching;
    if (ended)
      return html`<section class="panel" aria-label="Sign in again">
        <h2>Sign in again, ${name}</h2>
        <p data-why>Your session ended: your changes wait on this tablet and send once you enter your PIN.</p>
        <hearth-pin-pad
          .status=${status}
          .problem=${this.#session.failure?.problem}
          @hearth-sign-in=${(e: CustomEvent<SignInInput>) => void this.#switcher.signIn(e.detail)}
        ></hearth-pin-pad>
      </section>`;
    return html`<section class="panel" aria-label="Sign in">
      <h2>${current ? 'Switch user' : 'Sign in with your PIN'}</h2>
      ${current && this.#switchWhy ? html`<p data-why>A manager’s PIN ${this.#switchWhy}.</p>` : nothing}
      <hearth-pin-pad
        .status=${status}
        .problem=${this.#session.failure?.problem}
        .signedInName=${name}
        @hearth-sign-in=${(e: CustomEvent<SignInInput>) =>
          void (current ? this.#switcher.signIn(e.detail) : this.#session.signIn(e.detail))}
        @hearth-pin-cancel=${() => this.#switcher.cancel()}
      ></hearth-pin-pad>
      ${this.#held(current)}
    </section>`;
  }

  /** Ops queued here by someone else, waiting for that person; a manager may discard them. */
  #held(current: Staff | undefined) {
    const groups = this.#switcher.groups;
    if (groups.length === 0) return nothing;
    this.#loadOnce('held-ops', () => import('./held-ops-list.ts'));
    return html`<hearth-held-ops
        .groups=${groups}
        .staffRole=${current?.role}
        @hearth-discard-held=${(e: CustomEvent<{ actorId: string; opIds: string[] }>) =>
          void this.#switcher.discard(e.detail)}
      ></hearth-held-ops>
      ${this.#switcher.error ? html`<p class="error" role="alert">${this.#switcher.error}</p>` : nothing}`;
  }

  #signedIn(principal: Staff, data: FloorData | undefined) {
    const view = this.#view.status;
    if (view.status === 'error')
      return html`<p class="error" role="alert">The local copy could not be read: ${view.message}</p>`;
    if (!data) return html`<p class="muted">Reading the floor…</p>`;
    if (data.tables.length === 0)
      return html`<p class="muted">No tables on this device yet: they arrive with the first sync.</p>`;
    const route = this.#nav.route;
    this.#load(route.view);
    return html`${this.#tabs(principal, data, route.view)}
      ${route.view === 'floor' || route.view === 'sync' ? this.#held(principal) : nothing}
      <div class="view">${this.#body(principal, data)}</div>
      ${this.#ops.error ? html`<p class="error" role="alert">${this.#ops.error}</p>` : nothing}`;
  }

  #tabs(principal: Staff, data: FloorData, current: FloorView) {
    const waiting = waitingCount(data);
    const failed = this.#ops.ops.filter((op) => op.status === 'failed').length;
    // A manager's Sync count includes card payments declined later, waiting to be followed up.
    const manager = principal.role === 'manager' || principal.role === 'owner';
    const tasks = manager ? this.#paymentTasks(data).payments.filter((p) => p.task === 'open') : [];
    const count = (view: FloorView) =>
      view === 'requests' ? waiting : view === 'sync' ? failed + tasks.length : 0;
    return html`<nav aria-label="Floor views">
      ${viewsFor(principal.role).map((view) => {
        const n = count(view);
        const here = view === current || (view === 'floor' && current === 'table');
        return html`<button
          type="button"
          data-view=${view}
          aria-current=${here ? 'page' : 'false'}
          @click=${() => this.#nav.go({ view })}
        >
          ${VIEW_LABEL[view]}${n > 0 ? html` <span class="count" aria-label=${`, ${n} waiting`}>${n}</span>` : nothing}
        </button>`;
      })}
    </nav>`;
  }

  #body(principal: Staff, data: FloorData) {
    const route = this.#nav.route;
    const ctx: PanelContext = {
      principal,
      data,
      names: this.#names,
      ops: this.#ops.ops,
      submit: this.#submit,
    };
    switch (route.view) {
      case 'table':
        return this.#table(ctx, route.tableId ?? '');
      case 'requests':
      case 'kitchen':
      case 'menu':
      case 'team':
        return panelFor(route.view, ctx);
      case 'qr':
        return qrPanel(ctx, this.#guestOrigin ?? location.origin);
      case 'devices':
        return devicesPanel(ctx, this.services ?? appServices(), this.#localDevices());
      case 'drawer':
        return html`<hearth-drawer-view
          .context=${this.#payContext(principal)}
          .settings=${data.settings}
          .locale=${data.venue?.locale}
          .staffRole=${principal.role}
          .names=${this.#names}
          .ops=${this.#ops.ops}
          .submit=${this.#submit}
        ></hearth-drawer-view>`;
      case 'payments':
        return html`<hearth-floor-payments
          .snapshot=${this.#snapshot()}
          .names=${this.#names}
          .staffRole=${principal.role}
          .services=${this.services ?? appServices()}
          .submit=${this.#submit}
          .ops=${this.#ops.ops}
        ></hearth-floor-payments>`;
      case 'sync':
        return html`<hearth-floor-sync
          .services=${this.services ?? appServices()}
          .staffRole=${principal.role}
          .entries=${this.#switcher.entries}
          .ops=${this.#ops.ops}
          .names=${namesForOps(data, this.#names)}
          .now=${Date.now()}
          .tasks=${this.#paymentTasks(data)}
          .submit=${this.#submit}
          @hearth-open-table=${(e: CustomEvent<string>) => this.#nav.go({ view: 'table', tableId: e.detail })}
          @hearth-retry=${(e: CustomEvent<string>) => void this.#retry(e.detail)}
          @hearth-discard=${(e: CustomEvent<string>) => this.#ops.discard(e.detail)}
        ></hearth-floor-sync>`;
      default:
        return floorPlan(data, (tableId) => this.#nav.go({ view: 'table', tableId }));
    }
  }

  #table(ctx: PanelContext, tableId: string) {
    const table = ctx.data.tables.find((t) => t.id === tableId);
    if (!table) return html`<p class="error">This table is not on the floor any more.</p>`;
    const order =
      tableOrder(ctx.data.orders, table.id, this.#opened.get(table.id)) ??
      this.#pay?.keptOrder(ctx.data.orders, table.id);
    return html`<div class="table-head">
        <button type="button" @click=${() => this.#nav.go({ view: 'floor' })}>← Floor</button>
        <h2>Table ${table.label}</h2>
      </div>
      ${tablePanel(
        ctx,
        table,
        order,
        {
          retry: (opId) => void this.#ops.retry(opId),
          opened: (orderId) => this.#opened.set(table.id, orderId),
          managerNeeded: (why) => this.#askManager(why),
        },
        this.#payContext(ctx.principal),
      )}`;
  }

  /** What the pay panel and the drawer view read: the local view's payments, drawers, refunds. */
  #payContext(principal: Staff) {
    const status = this.#view.status;
    if (status.status !== 'complete' || !this.#pay) return undefined;
    return this.#pay.contextOf(status.value, principal.venueId);
  }

  /** The local view's last snapshot, when read. */
  #snapshot(): LocalSnapshot | undefined {
    const status = this.#view.status;
    return status.status === 'complete' ? status.value : undefined;
  }

  /** Card payments declined later for the Sync view's follow-up tasks, with their checks. */
  #paymentTasks(data: FloorData) {
    const payments = (this.#snapshot()?.items('payment') ?? [])
      .map(({ entity }) => entity)
      .filter((p) => p.task !== null);
    return { payments, orders: data.orders, locale: data.venue?.locale };
  }

  /** The paired devices in the local view (a manager's feed carries them), revoked or not. */
  #localDevices(): readonly LocalDevice[] {
    const status = this.#view.status;
    if (status.status !== 'complete') return [];
    return status.value
      .items('device')
      .map(({ entity: { id, name, role, pairedAt, revoked, revokedAt } }) => ({
        id,
        name,
        role,
        pairedAt,
        revoked,
        revokedAt,
      }));
  }

  /** Retries through the OpController; an op it does not follow (made before a reload) too. */
  async #retry(opId: string): Promise<void> {
    if (this.#ops.ops.some((op) => op.opId === opId)) return this.#ops.retry(opId);
    (this.services ?? appServices()).serviceWorker.post({ type: 'retry', opId });
  }

  async #learnGuestOrigin(): Promise<void> {
    const services = this.services ?? appServices();
    try {
      const answer = await services.fetch('/healthz', { cache: 'no-store' });
      this.#guestOrigin = guestOriginOf(answer.ok ? await answer.json() : null, location.origin);
    } catch {
      this.#guestOrigin = location.origin;
    }
    this.requestUpdate();
  }

  /** Loads a view's components once; Lit upgrades the elements already rendered. */
  #load(view: FloorView): void {
    const load = VIEW_MODULES[view];
    if (load) this.#loadOnce(view, load);
    if (view === 'qr') this.#loadOnce('guest-origin', () => this.#learnGuestOrigin());
  }

  /** Loads a module once (again after a failure); each part's code only when it shows. */
  #loadOnce(key: string, load: () => Promise<unknown>): void {
    if (this.#loaded.has(key)) return;
    this.#loaded.add(key);
    load().catch((error: unknown) => {
      this.#loaded.delete(key);
      console.error(`floor: ${key} did not load`, error);
    });
  }
}

customElements.define('hearth-floor-page', FloorPage);

declare global {
  interface HTMLElementTagNameMap {
    'hearth-floor-page': FloorPage;
  }
}
