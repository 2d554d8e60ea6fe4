import type { Order, OrderLine, ServiceRequest, Table } from '#protocol';

/*
 * What the floor's requests panel shows, pure: the venue's open and acknowledged calls, oldest
 * first, each with its table, kind in words, note and age (a call waiting over 3 minutes is
 * flagged in words, not by colour alone); and the guest orders that wait for staff approval.
 */

/** A request as the panel reads it (a protocol `ServiceRequest` fits). */
export type FloorRequest = Pick<
  ServiceRequest,
  'id' | 'tableId' | 'kind' | 'note' | 'status' | 'createdAt' | 'acknowledgedBy'
>;

export type TableLabel = Pick<Table, 'id' | 'label'>;

/** An order as the approval list reads it. */
export type ApprovalOrder = Pick<Order, 'id' | 'tableId' | 'status' | 'source' | 'createdAt'> & {
  readonly lines: readonly Pick<
    OrderLine,
    'id' | 'name' | 'quantity' | 'modifiers' | 'note' | 'sentAt' | 'voidedAt'
  >[];
};

/** The part of the settings the approval list needs (protocol `Settings` fits). */
export interface ApprovalSettings {
  readonly guestOrdering?: { readonly approval: boolean } | undefined;
}

/** A call is "waiting long" after this: flagged in words and weight. */
export const LATE_AFTER_MS = 3 * 60_000;

export const KIND_WORDS: Readonly<Record<FloorRequest['kind'], string>> = {
  call_waiter: 'Waiter called',
  bill: 'Bill requested',
  water: 'Water requested',
  other: 'Help requested',
};

export interface RequestRow {
  readonly id: string;
  readonly tableLabel: string;
  readonly kind: FloorRequest['kind'];
  readonly kindText: string;
  readonly note: string | null;
  readonly acknowledged: boolean;
  /** "Waiting" or "On the way (Sam)". */
  readonly statusText: string;
  readonly ageMs: number;
  /** "just now", "4 min", "1 h 5 min". */
  readonly ageText: string;
  readonly late: boolean;
}

const createdMs = (at: string): number => Date.parse(at) || 0;

/** Table id → label, the id itself when the table is unknown. */
export const labelOf = (tables: readonly TableLabel[], id: string | null): string =>
  id === null ? 'no table' : (tables.find((t) => t.id === id)?.label ?? id);

/** An age as staff say it: "just now" under a minute, "4 min", "1 h 5 min". */
export function ageTextOf(ms: number): string {
  const minutes = Math.floor(Math.max(0, ms) / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min`;
  const rest = minutes % 60;
  return rest === 0 ? `${Math.floor(minutes / 60)} h` : `${Math.floor(minutes / 60)} h ${rest} min`;
}

/** Open and acknowledged requests, oldest first (ties by id, so the order is stable). */
export function requestRowsOf(
  requests: readonly FloorRequest[],
  tables: readonly TableLabel[],
  now: number,
  /** Staff names by actor id: who is on the way. */
  names: ReadonlyMap<string, string> = new Map(),
): RequestRow[] {
  return requests
    .filter((r) => r.status === 'open' || r.status === 'acknowledged')
    .sort((a, b) => createdMs(a.createdAt) - createdMs(b.createdAt) || a.id.localeCompare(b.id))
    .map((r) => {
      const ageMs = Math.max(0, now - createdMs(r.createdAt));
      const acknowledged = r.status === 'acknowledged';
      return {
        id: r.id,
        tableLabel: labelOf(tables, r.tableId),
        kind: r.kind,
        kindText: KIND_WORDS[r.kind],
        note: r.note?.trim() ? r.note.trim() : null,
        acknowledged,
        statusText: acknowledged
          ? r.acknowledgedBy
            ? `On the way (${names.get(r.acknowledgedBy) ?? r.acknowledgedBy})`
            : 'On the way'
          : 'Waiting',
        ageMs,
        ageText: ageTextOf(ageMs),
        late: ageMs > LATE_AFTER_MS,
      };
    });
}

export interface WaitingLine {
  readonly id: string;
  /** "2 × Burger". */
  readonly text: string;
  /** "Cheddar, no onion" and the guest's note, or null. */
  readonly detail: string | null;
}

export interface ApprovalRow {
  readonly orderId: string;
  readonly tableLabel: string;
  readonly lines: readonly WaitingLine[];
  readonly ageMs: number;
  readonly ageText: string;
}

/**
 * Guest orders waiting for staff: when the venue approves guest orders, each open guest order's
 * lines not yet sent (nor voided), oldest order first. A server's own order is left out: its
 * unsent lines cannot be told from the server's own still being composed.
 */
export function approvalsOf(
  orders: readonly ApprovalOrder[],
  tables: readonly TableLabel[],
  settings: ApprovalSettings | undefined,
  now: number,
): ApprovalRow[] {
  if (!settings?.guestOrdering?.approval) return [];
  return orders
    .filter((o) => o.source === 'guest' && (o.status === 'open' || o.status === 'sent'))
    .map((o) => ({ order: o, waiting: o.lines.filter((l) => l.sentAt === null && !l.voidedAt) }))
    .filter(({ waiting }) => waiting.length > 0)
    .sort(
      (a, b) =>
        createdMs(a.order.createdAt) - createdMs(b.order.createdAt) ||
        a.order.id.localeCompare(b.order.id),
    )
    .map(({ order, waiting }) => {
      const ageMs = Math.max(0, now - createdMs(order.createdAt));
      return {
        orderId: order.id,
        tableLabel: labelOf(tables, order.tableId),
        lines: waiting.map((l) => {
          const parts = [...l.modifiers.map((m) => m.name), ...(l.note ? [`“${l.note}”`] : [])];
          return {
            id: l.id,
            text: `${l.quantity} × ${l.name}`,
            detail: parts.length > 0 ? parts.join(', ') : null,
          };
        }),
        ageMs,
        ageText: ageTextOf(ageMs),
      };
    });
}

/** The `serviceRequest.transition` payload. */
export const transitionPayload = (requestId: string, action: 'acknowledge' | 'complete') => ({
  requestId,
  action,
});

/** What the live region says after a press. */
export const ACTION_WORDS = {
  acknowledge: (row: Pick<RequestRow, 'tableLabel' | 'kindText'>) =>
    `Table ${row.tableLabel}: ${row.kindText.toLowerCase()} — marked on the way`,
  complete: (row: Pick<RequestRow, 'tableLabel' | 'kindText'>) =>
    `Table ${row.tableLabel}: ${row.kindText.toLowerCase()} — marked done`,
  approve: (row: Pick<ApprovalRow, 'tableLabel' | 'lines'>) =>
    `Table ${row.tableLabel}: ${row.lines.length} ${row.lines.length === 1 ? 'dish' : 'dishes'} sent to the kitchen`,
  reject: (tableLabel: string, line: Pick<WaitingLine, 'text'>) =>
    `Table ${tableLabel}: ${line.text} removed from the guest’s order`,
};

/** Said beside Reject: what it does, since `order.removeLine` carries no reason. */
export const REJECT_EXPLAINED =
  'Reject takes a dish off before the kitchen sees it; the guest’s phone shows it removed by staff. Tell the table why.';

/** Counts for the live region when the lists change: new calls and orders are news. */
export function arrivalsOf(
  before: { readonly requests: readonly string[]; readonly orders: readonly string[] } | undefined,
  rows: readonly RequestRow[],
  approvals: readonly ApprovalRow[],
): string | undefined {
  if (!before) return undefined;
  const calls = rows.filter((r) => !before.requests.includes(r.id));
  const orders = approvals.filter((a) => !before.orders.includes(a.orderId));
  const news = [
    ...calls.map((r) => `Table ${r.tableLabel}: ${r.kindText.toLowerCase()}`),
    ...orders.map((a) => `Table ${a.tableLabel}: guest order waiting for approval`),
  ];
  return news.length > 0 ? `${news.join('. ')}.` : undefined;
}
