import type {
  Order,
  ServiceRequest,
  ServiceRequestKind,
  Table,
  TeamSection,
  Ticket,
} from '#protocol';

// What the floor plan shows for each table, from the venue's entities and the device's time.
// Types only from the protocol: this module is in the floor's first paint, zod is not.

/** A table's state on the floor plan, the most urgent first. */
export type TableState = 'attention' | 'bill' | 'food_out' | 'ordered' | 'seated' | 'free';

/** The states in the order they win when several hold: attention > bill > food out > … */
export const STATE_PRECEDENCE: readonly TableState[] = [
  'attention',
  'bill',
  'food_out',
  'ordered',
  'seated',
  'free',
];

/** Where the table's sent food is: nothing sent, the kitchen working on it, or all of it out. */
export type KitchenProgress = 'none' | 'working' | 'out';

/** The facts a table's state is decided from (each from the entities, see `factsOf`). */
export interface TableFacts {
  /** An open or sent order at the table. */
  readonly seated: boolean;
  readonly progress: KitchenProgress;
  /** An open 'bill' request. */
  readonly billAsked: boolean;
  /** An open 'call_waiter' request. */
  readonly callWaiter: boolean;
  /** Guest lines waiting for staff to send them (the venue approves guest orders). */
  readonly guestOrderWaiting: boolean;
}

/**
 * The state from the facts. When several hold the most urgent wins:
 * needs attention (a call or a guest order to approve) > bill asked > food out > ordered >
 * seated > free. A call or a bill request shows even on a table with no order.
 */
export function stateOf(facts: TableFacts): TableState {
  if (facts.callWaiter || facts.guestOrderWaiting) return 'attention';
  if (facts.billAsked) return 'bill';
  if (!facts.seated) return 'free';
  if (facts.progress === 'out') return 'food_out';
  if (facts.progress === 'working') return 'ordered';
  return 'seated';
}

/** The venue as the floor plan reads it (the local view's entities). */
export interface FloorEntities {
  readonly tables: readonly Table[];
  readonly orders: readonly Order[];
  readonly tickets: readonly Ticket[];
  readonly requests: readonly ServiceRequest[];
  /** `guestOrderingOf(settings).approval`: guest orders wait for staff to send them. */
  readonly approval: boolean;
}

/** One table on the floor plan. */
export interface TableView {
  readonly table: Table;
  readonly state: TableState;
  /** Device ms the oldest open order was created; null when free. */
  readonly since: number | null;
  /** Whole minutes seated at `now` (never negative: the server's clock may run ahead); null when free. */
  readonly minutes: number | null;
  /** Covers on the open orders (their guestCount). */
  readonly covers: number;
  /** Any open request (call, bill, water, other). */
  readonly waitingRequest: boolean;
  /** The kinds of the open requests, oldest first, each once. */
  readonly requestKinds: readonly ServiceRequestKind[];
  readonly guestOrderWaiting: boolean;
}

const isActive = (order: Order): boolean => order.status === 'open' || order.status === 'sent';
const liveLines = (order: Order) => order.lines.filter((line) => !line.voidedAt);

/**
 * The kitchen's progress on the table's open orders: 'working' if any sent line is not out yet
 * (a ticket not bumped, or a sent line whose ticket has not reached this device), 'out' when
 * every ticket of every order with sent lines is bumped, 'none' when nothing was sent.
 */
function progressOf(
  orders: readonly Order[],
  ticketsByOrder: Map<string, Ticket[]>,
): KitchenProgress {
  let anySent = false;
  for (const order of orders) {
    if (!liveLines(order).some((line) => line.sentAt !== null)) continue;
    anySent = true;
    // Tickets of a voided order no longer cook.
    const tickets = (ticketsByOrder.get(order.id) ?? []).filter((t) => !t.voidedAt);
    if (tickets.length === 0 || tickets.some((t) => t.status !== 'bumped')) return 'working';
  }
  return anySent ? 'out' : 'none';
}

/**
 * Guest lines waiting for staff: with approval on, a guest-opened order holding unsent lines.
 * (A line carries no source, so a guest's lines on a tab a server opened read as the server's.)
 */
function guestWaiting(orders: readonly Order[], approval: boolean): boolean {
  return (
    approval &&
    orders.some(
      (order) => order.source === 'guest' && liveLines(order).some((l) => l.sentAt === null),
    )
  );
}

function groupBy<T>(items: readonly T[], key: (item: T) => string | null | undefined) {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    if (k == null) continue;
    const list = map.get(k);
    if (list) list.push(item);
    else map.set(k, [item]);
  }
  return map;
}

/** Each table's view at device time `now` (ms), in label order. */
export function tableViewsOf(entities: FloorEntities, now: number): TableView[] {
  const orders = groupBy(entities.orders.filter(isActive), (o) => o.tableId);
  const tickets = groupBy(entities.tickets, (t) => t.orderId);
  const requests = groupBy(
    entities.requests.filter((r) => r.status === 'open'),
    (r) => r.tableId,
  );
  return [...entities.tables].sort(byLabel).map((table) => {
    const open = orders.get(table.id) ?? [];
    const asked = [...(requests.get(table.id) ?? [])].sort((a, b) =>
      a.createdAt.localeCompare(b.createdAt),
    );
    const kinds = [...new Set(asked.map((r) => r.kind))];
    const facts: TableFacts = {
      seated: open.length > 0,
      progress: progressOf(open, tickets),
      billAsked: kinds.includes('bill'),
      callWaiter: kinds.includes('call_waiter'),
      guestOrderWaiting: guestWaiting(open, entities.approval),
    };
    const since = open.length > 0 ? Math.min(...open.map((o) => Date.parse(o.createdAt))) : null;
    return {
      table,
      state: stateOf(facts),
      since,
      minutes: since === null ? null : Math.max(0, Math.floor((now - since) / 60_000)),
      covers: open.reduce((sum, o) => sum + o.guestCount, 0),
      waitingRequest: kinds.length > 0,
      requestKinds: kinds,
      guestOrderWaiting: facts.guestOrderWaiting,
    };
  });
}

/** Labels in reading order: "2" before "10", "Bar 2" before "Bar 10". */
export const byLabel = (a: Pick<Table, 'label'>, b: Pick<Table, 'label'>): number =>
  a.label.localeCompare(b.label, undefined, { numeric: true });

/** A group of tiles on the plan: a section, or the tables in none ("Other"). */
export interface FloorGroup {
  /** The section's id; null for "Other". */
  readonly sectionId: string | null;
  readonly name: string;
  readonly tables: readonly TableView[];
}

/**
 * The tables by section, sections by name, tables in label order. A table listed by two
 * sections shows under the first by name; tables in none go last under "Other". With `only`,
 * just that section's tables (a server's "My section").
 */
export function groupsOf(
  views: readonly TableView[],
  sections: readonly TeamSection[],
  only: string | null = null,
): FloorGroup[] {
  const ordered = [...sections].sort((a, b) =>
    a.name.localeCompare(b.name, undefined, { numeric: true }),
  );
  const byId = new Map(views.map((v) => [v.table.id, v]));
  const pick = (section: TeamSection) =>
    section.tableIds.flatMap((id) => byId.get(id) ?? []).sort((a, b) => byLabel(a.table, b.table));
  if (only !== null) {
    const section = ordered.find((s) => s.id === only);
    return section ? [{ sectionId: section.id, name: section.name, tables: pick(section) }] : [];
  }
  const placed = new Set<string>();
  const groups: FloorGroup[] = [];
  for (const section of ordered) {
    const tables = pick(section).filter((v) => !placed.has(v.table.id));
    for (const v of tables) placed.add(v.table.id);
    if (tables.length > 0) groups.push({ sectionId: section.id, name: section.name, tables });
  }
  const other = views.filter((v) => !placed.has(v.table.id));
  if (other.length > 0)
    groups.push({
      sectionId: null,
      name: groups.length > 0 ? 'Other' : 'Tables',
      tables: [...other].sort((a, b) => byLabel(a.table, b.table)),
    });
  return groups;
}

/** The state in words, beside its colour and icon. */
export const STATE_WORDS: Readonly<Record<TableState, string>> = {
  attention: 'Needs attention',
  bill: 'Bill asked',
  food_out: 'Food out',
  ordered: 'Ordered',
  seated: 'Seated',
  free: 'Free',
};

/** A request kind on a tile's badge. */
export const REQUEST_WORDS: Readonly<Record<ServiceRequestKind, string>> = {
  call_waiter: 'Waiter called',
  bill: 'Bill',
  water: 'Water',
  other: 'Request',
};

/** Seated time as the tile says it: "0 min", "42 min", "1 h 05 min". */
export function formatSeated(minutes: number): string {
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}
