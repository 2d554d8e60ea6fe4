import { ticketSourceOpId } from '../domain/route-tickets.ts';
import type { Operation } from './operation.ts';

/**
 * What an op is about, as ids: its own opId (ticket ids derive from it), every entity its
 * payload names (order, ticket, line, request, booking, item, member…), the dishes of its
 * lines and, for a ticket, the send that made it. Tables are left out: no op depends on a table's state. Two ops with a
 * subject in common may not trade places; a node that reorders or holds ops uses this.
 */
/** The subject every drawer op of a device shares: its one drawer at a time. */
export const drawerSlotOf = (deviceId: string): string => `drawers@${deviceId}`;

export function opSubjects(op: Operation): string[] {
  const ids = [op.opId];
  for (const [key, value] of Object.entries(op.payload as Record<string, unknown>)) {
    if (typeof value !== 'string' || !key.endsWith('Id') || key === 'tableId') continue;
    ids.push(value);
    const source = key === 'ticketId' ? ticketSourceOpId(value) : undefined;
    if (source !== undefined) ids.push(source);
  }
  // The dishes of an order's lines: a line depends on its dish being on (not sold out).
  const lines = (op.payload as { lines?: unknown }).lines;
  if (Array.isArray(lines))
    for (const line of lines) {
      const itemId = (line as { itemId?: unknown } | null)?.itemId;
      if (typeof itemId === 'string' && !ids.includes(itemId)) ids.push(itemId);
    }
  // A device has one drawer open at a time: its drawer ops are about that slot too, so a new
  // shift's drawer never goes before the close of the one before it.
  if (op.type.startsWith('drawer.')) ids.push(drawerSlotOf(op.deviceId));
  return ids;
}
