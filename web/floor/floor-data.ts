import type {
  MenuCategory,
  MenuItem,
  MenuModifier,
  Order,
  ServiceRequest,
  Settings,
  Table,
  TeamMember,
  TeamSection,
  Ticket,
  Venue,
} from '#protocol';
import type { LocalSnapshot } from '../app/local-view-controller.ts';
import type { ItemBadge } from '../device/local-overlay.ts';

// What the floor page reads from one local-view snapshot, pure: every panel's entities, each
// list in the order people look for it. Types only from the protocol (no zod in the first paint).

export interface FloorData {
  readonly venue: Venue | undefined;
  readonly settings: Settings | undefined;
  /** In label order ("2" before "10"). */
  readonly tables: readonly Table[];
  readonly orders: readonly Order[];
  readonly orderBadges: ReadonlyMap<string, ItemBadge>;
  readonly tickets: readonly Ticket[];
  readonly requests: readonly ServiceRequest[];
  readonly sections: readonly TeamSection[];
  readonly members: readonly TeamMember[];
  readonly items: readonly MenuItem[];
  readonly categories: readonly MenuCategory[];
  readonly modifiers: readonly MenuModifier[];
}

const byLabel = (a: Table, b: Table): number =>
  a.label.localeCompare(b.label, undefined, { numeric: true });

const entities = <K extends Parameters<LocalSnapshot['items']>[0]>(s: LocalSnapshot, kind: K) =>
  s.items(kind).map(({ entity }) => entity);

/** `previous` itself when `next` holds the same entity objects in the same order. */
function kept<T>(previous: readonly T[] | undefined, next: T[]): readonly T[] {
  if (!previous || previous.length !== next.length) return next;
  return next.every((entity, i) => entity === previous[i]) ? previous : next;
}

/**
 * Every panel's entities from a snapshot. Given the data of the snapshot before, each list whose
 * entities did not change is that list itself, so what the panels compute from a list (the
 * pad's totals, the menu as pricing reads it) is not computed again when another kind changed.
 */
export function floorDataOf(snapshot: LocalSnapshot, previous?: FloorData): FloorData {
  const orders = snapshot.items('order');
  const p = previous;
  return {
    venue: entities(snapshot, 'venue')[0],
    settings: entities(snapshot, 'settings')[0],
    tables: kept(p?.tables, entities(snapshot, 'table').sort(byLabel)),
    orders: kept(
      p?.orders,
      orders.map(({ entity }) => entity),
    ),
    orderBadges: new Map(orders.map(({ entity, badge }) => [entity.id, badge])),
    tickets: kept(p?.tickets, entities(snapshot, 'ticket')),
    requests: kept(p?.requests, entities(snapshot, 'serviceRequest')),
    sections: kept(
      p?.sections,
      entities(snapshot, 'teamSection').sort((a, b) => a.name.localeCompare(b.name)),
    ),
    members: kept(
      p?.members,
      entities(snapshot, 'teamMember').sort((a, b) => a.name.localeCompare(b.name)),
    ),
    items: kept(p?.items, entities(snapshot, 'menuItem')),
    categories: kept(p?.categories, entities(snapshot, 'menuCategory')),
    modifiers: kept(p?.modifiers, entities(snapshot, 'menuModifier')),
  };
}

const isOpen = (order: Order) => order.status === 'open' || order.status === 'sent';

/**
 * The order a table's pad continues: the one this device opened there if still open, else the
 * table's oldest open order (the one a guest's order joins), else none (the pad starts one).
 */
export function tableOrder(
  orders: readonly Order[],
  tableId: string,
  opened: string | undefined,
): Order | undefined {
  const mine = opened ? orders.find((o) => o.id === opened && isOpen(o)) : undefined;
  if (mine && mine.tableId === tableId) return mine;
  return orders
    .filter((o) => o.tableId === tableId && isOpen(o))
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id))[0];
}

/** Calls, bill requests and guest orders waiting for staff: the Requests tab's count. */
export function waitingCount(data: FloorData): number {
  const calls = data.requests.filter((r) => r.status === 'open').length;
  const approval = data.settings?.guestOrdering?.approval === true;
  const guestOrders = approval
    ? data.orders.filter(
        (o) =>
          o.source === 'guest' &&
          isOpen(o) &&
          o.lines.some((l) => l.sentAt === null && !l.voidedAt),
      ).length
    : 0;
  return calls + guestOrders;
}

/** Names an op's ids read as: staff by member id, tables and their orders as "Table 5", dishes. */
export function namesForOps(
  data: FloorData,
  staff: ReadonlyMap<string, string>,
): ReadonlyMap<string, string> {
  const names = new Map(staff);
  const tables = new Map(data.tables.map((t) => [t.id, `Table ${t.label}`]));
  for (const [id, name] of tables) names.set(id, name);
  for (const order of data.orders) {
    const table = order.tableId ? tables.get(order.tableId) : undefined;
    if (table) names.set(order.id, table);
  }
  for (const item of data.items) names.set(item.id, item.name);
  return names;
}

/**
 * Where table QR codes point: the cloud's origin as the venue relay's `/healthz` names it (the
 * cloud serves the guest app), else this page's own origin (the page is on the cloud).
 */
export function guestOriginOf(health: unknown, fallback: string): string {
  const named = (health as { cloudOrigin?: unknown } | null)?.cloudOrigin;
  if (typeof named !== 'string') return fallback;
  try {
    const url = new URL(named);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.origin : fallback;
  } catch {
    return fallback;
  }
}
