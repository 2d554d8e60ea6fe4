import { html, nothing } from 'lit';
import type { OperationType, Order, Principal, Table } from '#protocol';
import type { AppServices } from '../app/app-services.ts';
import type { TrackedOp } from '../app/op-controller.ts';
import type { LocalDevice } from './devices-panel.ts';
import type { FloorData } from './floor-data.ts';
import type { PayContext } from './pay-context.ts';

// The floor page's panels as templates: what each view shows, given the page's data, ops and
// submit. The components themselves load lazily (floor-page.ts); Lit upgrades them in place.

export interface PanelContext {
  readonly principal: Extract<Principal, { kind: 'staff' }>;
  readonly data: FloorData;
  /** Staff names by member id. */
  readonly names: ReadonlyMap<string, string>;
  readonly ops: readonly TrackedOp[];
  readonly submit: (
    label: string,
    type: OperationType,
    payload: (newId: () => string) => unknown,
  ) => Promise<TrackedOp | undefined>;
}

/** What the table view's order pad tells the page. */
export interface TableHandlers {
  readonly retry: (opId: string) => void;
  readonly opened: (orderId: string) => void;
  readonly managerNeeded: (why: string) => void;
}

export function floorPlan(data: FloorData, open: (tableId: string) => void) {
  return html`<hearth-floor-plan
    .tables=${data.tables}
    .orders=${data.orders}
    .tickets=${data.tickets}
    .requests=${data.requests}
    .sections=${data.sections}
    ?approval=${data.settings?.guestOrdering?.approval === true}
    @hearth-open-table=${(e: CustomEvent<string>) => open(e.detail)}
  ></hearth-floor-plan>`;
}

/** A table: its order pad, and beside it the kitchen's progress on its order. */
export function tablePanel(
  ctx: PanelContext,
  table: Table,
  order: Order | undefined,
  on: TableHandlers,
  pay?: PayContext,
) {
  const { data, principal } = ctx;
  return html`<div class="table-view">
    <hearth-order-pad
      .order=${order}
      .orderBadge=${order ? data.orderBadges.get(order.id) : undefined}
      .tableId=${table.id}
      .tableLabel=${table.label}
      .items=${data.items}
      .categories=${data.categories}
      .modifiers=${data.modifiers}
      .settings=${data.settings}
      .locale=${data.venue?.locale}
      .tickets=${data.tickets}
      .staffRole=${principal.role}
      .ops=${ctx.ops}
      .submit=${ctx.submit}
      .payContext=${pay}
      @hearth-retry=${(e: CustomEvent<string>) => on.retry(e.detail)}
      @hearth-order-opened=${(e: CustomEvent<string>) => on.opened(e.detail)}
      @hearth-manager-needed=${(e: CustomEvent<string>) => on.managerNeeded(e.detail)}
    ></hearth-order-pad>
    ${
      order
        ? html`<hearth-kitchen-progress
            .orderId=${order.id}
            .orders=${data.orders}
            .tickets=${data.tickets}
            .members=${data.members}
            .stations=${data.settings?.stations ?? []}
            .staffRole=${principal.role}
            .submit=${ctx.submit}
            .ops=${ctx.ops}
          ></hearth-kitchen-progress>`
        : nothing
    }
  </div>`;
}

export function qrPanel(ctx: PanelContext, guestOrigin: string) {
  return html`<hearth-table-qr
    .tables=${ctx.data.tables}
    guestOrigin=${guestOrigin}
    venueId=${ctx.principal.venueId}
  ></hearth-table-qr>`;
}

/**
 * The venue's devices (a manager's): the list is fetched by the panel itself, every 15 s while
 * it is on screen and whenever the local view's devices change; revoking goes through the
 * outbox like any op.
 */
export function devicesPanel(
  ctx: PanelContext,
  services: AppServices,
  localDevices: readonly LocalDevice[],
) {
  return html`<hearth-floor-devices
    .services=${services}
    .staffRole=${ctx.principal.role}
    .localDevices=${localDevices}
    .submit=${ctx.submit}
    .ops=${ctx.ops}
  ></hearth-floor-devices>`;
}

/** The requests, kitchen, menu and team views. */
export function panelFor(view: 'requests' | 'kitchen' | 'menu' | 'team', ctx: PanelContext) {
  const { data, principal, ops, submit } = ctx;
  switch (view) {
    case 'requests':
      return html`<hearth-service-requests
        .requests=${data.requests}
        .orders=${data.orders}
        .tables=${data.tables}
        .settings=${data.settings}
        .staffRole=${principal.role}
        .names=${ctx.names}
        .submit=${submit}
        .ops=${ops}
      ></hearth-service-requests>`;
    case 'kitchen':
      // Every open order on the floor, grouped as one section.
      return html`<hearth-kitchen-progress
        .section=${{ id: 'all', name: 'All tables', tableIds: data.tables.map((t) => t.id) }}
        .orders=${data.orders}
        .tickets=${data.tickets}
        .members=${data.members}
        .stations=${data.settings?.stations ?? []}
        .staffRole=${principal.role}
        .submit=${submit}
        .ops=${ops}
      ></hearth-kitchen-progress>`;
    case 'menu':
      return html`<hearth-menu-availability
        .items=${data.items}
        .categories=${data.categories}
        .staffRole=${principal.role}
        .submit=${submit}
        .ops=${ops}
      ></hearth-menu-availability>`;
    case 'team':
      return html`<hearth-team-admin
        .sections=${data.sections}
        .members=${data.members}
        .tables=${data.tables}
        .staffRole=${principal.role}
        .submit=${submit}
        .ops=${ops}
      ></hearth-team-admin>`;
  }
}
