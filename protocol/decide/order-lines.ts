import { hasDuplicateLineIds, totalsFor } from '../domain/price-lines.ts';
import { routeTickets } from '../domain/route-tickets.ts';
import type { Order, OrderLine } from '../entities/order.ts';
import { guestOrderingOf, type Settings } from '../entities/settings.ts';
import type { LineInput } from '../ops/payloads/line-input.ts';
import { filterEntities } from '../state/entity-set.ts';
import type { VenueState } from '../state/venue-state.ts';
import { type DecideContext, isRejection, type Rejection, reject } from './decision.ts';
import type { Draft } from './draft.ts';

// Adding lines to an order and sending them, as the order deciders share it: the table's open
// tab a guest joins, the guest's lines sent at once unless the venue approves them first.

/** Who took the order, for the kitchen's card: a team member's name, "guest", or unknown. */
export function serverOf(draft: Draft, order: Order): string | undefined {
  if (order.source === 'guest') return 'guest';
  return draft.get('teamMember', order.openedBy)?.name;
}

/** The table's open tab (open or sent), the oldest first when there are several. */
export function openOrderAt(state: VenueState, tableId: string): Order | undefined {
  const open = filterEntities(
    state.entities,
    'order',
    (o) => o.tableId === tableId && (o.status === 'open' || o.status === 'sent'),
  );
  return open.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id))[0];
}

/** Refuses a guest's line notes where the venue does not take them. */
export function guestNoteRefused(
  inputs: readonly LineInput[],
  settings: Settings,
  ctx: DecideContext,
): Rejection | undefined {
  if (ctx.principal.kind !== 'guest' || guestOrderingOf(settings).lineNotes) return undefined;
  if (inputs.some((l) => (l.note ?? '').trim() !== ''))
    return reject('VALIDATION', 'this venue does not take notes on orders from the table');
  return undefined;
}

/**
 * Routes `unsent` to the kitchen as this op's tickets and stamps them sent; the order becomes
 * `sent`. Every send makes its own tickets, whatever the earlier ones' state: a replay, which may
 * order a kitchen's bump and a server's add-on differently, decides them the same. The display
 * shows a later send to a station as the open card's ADD-ON.
 */
export function sendLines(
  draft: Draft,
  order: Order,
  unsent: readonly OrderLine[],
  op: { readonly opId: string },
  ctx: DecideContext,
  hold: boolean,
): Order | Rejection {
  const table = order.tableId === null ? undefined : draft.get('table', order.tableId);
  const routed = routeTickets(order, unsent, op.opId, table?.label ?? null, ctx.now, {
    hold,
    server: serverOf(draft, order),
  });
  for (const ticket of routed) {
    const existing = draft.get('ticket', ticket.id);
    if (existing) return reject('ALREADY_EXISTS', `ticket ${ticket.id} already exists`, existing);
    draft.put('ticket', ticket, 0);
  }
  const sent = new Set(unsent.map((l) => l.id));
  const lines = order.lines.map((l) => (sent.has(l.id) ? { ...l, sentAt: ctx.now } : l));
  return { ...order, status: 'sent', lines };
}

/** `order` with `added` after its lines and the totals again; refused past 200 lines. */
export function withLines(
  order: Order,
  added: readonly OrderLine[],
  settings: Settings,
): Order | Rejection {
  const lines = [...order.lines, ...added];
  if (hasDuplicateLineIds(lines))
    return reject('ALREADY_EXISTS', 'a line with that id is already on the order', order);
  if (lines.length > 200) return reject('VALIDATION', 'an order holds at most 200 lines', order);
  const totals = totalsFor(lines, settings);
  if (isRejection(totals)) return totals;
  return { ...order, lines, totals };
}

/**
 * Adds a guest's priced lines to `order` and, unless the venue wants staff to approve guest
 * orders, sends just those lines to the kitchen (never a server's lines still being composed).
 */
export function addGuestLines(
  draft: Draft,
  order: Order,
  added: readonly OrderLine[],
  settings: Settings,
  op: { readonly opId: string },
  ctx: DecideContext,
): Order | Rejection {
  const grown = withLines(order, added, settings);
  if (isRejection(grown)) return grown;
  if (guestOrderingOf(settings).approval || added.length === 0) return grown;
  return sendLines(draft, grown, added, op, ctx, false);
}

/** An order as `Draft.put` takes it: the draft sets the version. */
export function withoutVersion(order: Order): Omit<Order, 'version'> {
  const { version: _version, ...rest } = order;
  return rest;
}
