import {
  type EntitySet,
  listEntities,
  makeOperation,
  type Operation,
  type OperationType,
} from '#protocol';
import { TENANT, VENUE } from './cloud-node.ts';
import type { Device, KnownOrder } from './devices.ts';
import type { Rng } from './prng.ts';

const ITEMS = ['burrata', 'calamari', 'burger', 'steak-frites', 'fries', 'espresso', 'draft-beer'];
const ACTIONS = ['start', 'ready', 'bump'] as const;
const TICKET_STEP: Readonly<Record<string, number>> = {
  queued: 0,
  in_progress: 1,
  ready: 2,
  bumped: 3,
};

/** What a device can know when it acts. */
export interface ActContext {
  readonly rng: Rng;
  readonly ulid: () => string;
  readonly now: () => Date;
  /** Orders guests made at the cloud and got applied: a guest tells the waiter. */
  readonly guestOrders: readonly string[];
  /** Every opId any device has made (a hostile client depends on others' ops). */
  readonly madeOps: readonly string[];
  /** What LAN devices see now: the relay's visible layer. */
  readonly visible: () => EntitySet;
}

function lines(ctx: ActContext, min: number) {
  const n = min + ctx.rng.int(3 - min);
  return Array.from({ length: n }, () => ({
    lineId: ctx.ulid(),
    itemId: ctx.rng.pick(ITEMS),
    quantity: 1 + ctx.rng.int(3),
  }));
}

function op<T extends OperationType>(
  device: Device,
  ctx: ActContext,
  type: T,
  payload: unknown,
  dependsOn: string[] = [],
  opId: string = ctx.ulid(),
): Promise<Operation> {
  return makeOperation({
    type,
    payload,
    deviceId: device.id,
    tenantId: TENANT,
    venueId: VENUE,
    actorId: device.actorId,
    occurredAt: ctx.now().toISOString(),
    opId,
    dependsOn,
  });
}

async function createOrder(device: Device, ctx: ActContext, tableId: string): Promise<Operation> {
  const orderId = ctx.ulid();
  const first = lines(ctx, 0);
  const made = await op(device, ctx, 'order.create', {
    orderId,
    tableId,
    guestCount: 2,
    lines: first,
  });
  device.orders.set(orderId, {
    orderId,
    createOpId: made.opId,
    lines: first.length,
    unsent: first.length > 0,
    closed: false,
    dead: false,
  });
  return made;
}

/** A waiter: opens orders, adds lines, fires them, closes with cash; adds to guests' orders. */
async function waiter(device: Device, ctx: ActContext): Promise<Operation[]> {
  const open = [...device.orders.values()].filter((o) => !o.closed && !o.dead);
  if (ctx.guestOrders.length > 0 && ctx.rng.chance(0.2)) {
    const orderId = ctx.rng.pick(ctx.guestOrders);
    return [await op(device, ctx, 'order.addLines', { orderId, lines: lines(ctx, 1) })];
  }
  if (open.length === 0 || (open.length < 3 && ctx.rng.chance(0.3)))
    return [await createOrder(device, ctx, `table-${1 + ctx.rng.int(8)}`)];
  const order: KnownOrder = ctx.rng.pick(open);
  const after = [order.createOpId];
  const roll = ctx.rng.next();
  if (order.unsent && roll < 0.4) {
    order.unsent = false;
    // Now and then a course is held for later: the kitchen sees it grey until it is fired.
    const send = ctx.rng.chance(0.2)
      ? { orderId: order.orderId, hold: true }
      : { orderId: order.orderId };
    return [await op(device, ctx, 'order.sendToKitchen', send, after)];
  }
  if (roll < 0.48) {
    const kitchenOp = await afterTheKitchen(device, ctx, order, after);
    if (kitchenOp) return [kitchenOp];
  }
  if (order.lines > 0 && !order.unsent && roll < 0.7) {
    order.closed = true;
    const payment = { method: 'cash', tendered: 100_000 };
    return [await op(device, ctx, 'order.close', { orderId: order.orderId, payment }, after)];
  }
  const added = lines(ctx, 1);
  order.lines += added.length;
  order.unsent = true;
  return [await op(device, ctx, 'order.addLines', { orderId: order.orderId, lines: added }, after)];
}

/**
 * A waiter's second thoughts on what the kitchen has (as the relay shows it): fire a held course,
 * or void a line already sent. None when the order has neither.
 */
async function afterTheKitchen(
  device: Device,
  ctx: ActContext,
  order: KnownOrder,
  after: string[],
): Promise<Operation | undefined> {
  const visible = ctx.visible();
  const held = listEntities(visible, 'ticket').some(
    (t) => t.orderId === order.orderId && t.status === 'held',
  );
  if (held) {
    const payload = { orderId: order.orderId, course: 1 };
    return op(device, ctx, 'order.fireCourse', payload, after);
  }
  const sent = listEntities(visible, 'order')
    .find((o) => o.id === order.orderId)
    ?.lines.filter((l) => l.sentAt !== null && !l.voidedAt);
  if (!sent || sent.length === 0) return undefined;
  const lineId = ctx.rng.pick(sent).id;
  const payload = { orderId: order.orderId, lineId, reason: 'sent back' };
  return op(device, ctx, 'order.voidLine', payload, after);
}

/**
 * The kitchen, on the tickets it sees on the relay: acknowledges a void or change, recalls a
 * bumped ticket, marks a dish done or not (bump per item), or moves a ticket one step on (start,
 * ready, bump).
 */
async function kitchen(device: Device, ctx: ActContext): Promise<Operation[]> {
  const tickets = listEntities(ctx.visible(), 'ticket');
  const roll = ctx.rng.next();
  const flagged = tickets.filter((t) => t.attention);
  if (flagged.length > 0 && roll < 0.15) {
    const ticketId = ctx.rng.pick(flagged).id;
    return [await op(device, ctx, 'ticket.acknowledge', { ticketId })];
  }
  const bumped = tickets.filter((t) => t.status === 'bumped');
  if (bumped.length > 0 && roll < 0.25) {
    const ticket = ctx.rng.pick(bumped);
    device.tickets.set(ticket.id, TICKET_STEP.ready ?? 2);
    return [await op(device, ctx, 'ticket.recall', { ticketId: ticket.id })];
  }
  const cooking = tickets.filter((t) => t.status === 'queued' || t.status === 'in_progress');
  if (cooking.length > 0 && roll < 0.4) {
    const ticket = ctx.rng.pick(cooking);
    const line = ctx.rng.pick(ticket.lines);
    const payload = { ticketId: ticket.id, lineId: line.lineId, ready: !line.readyAt };
    return [await op(device, ctx, 'ticket.markLine', payload)];
  }
  const candidates = tickets
    .map((t) => ({
      id: t.id,
      step: Math.max(device.tickets.get(t.id) ?? 0, TICKET_STEP[t.status] ?? 3),
    }))
    .filter((t) => t.step < ACTIONS.length);
  if (candidates.length === 0) return [];
  const ticket = ctx.rng.pick(candidates);
  device.tickets.set(ticket.id, ticket.step + 1);
  const action = ACTIONS[ticket.step];
  return [await op(device, ctx, 'ticket.transition', { ticketId: ticket.id, action })];
}

/** A guest on mobile data: orders at their own table at the cloud, then adds to it. */
async function guest(device: Device, ctx: ActContext): Promise<Operation[]> {
  const tableId = device.principal.kind === 'guest' ? device.principal.tableId : 'table-1';
  const mine = [...device.orders.values()].filter((o) => !o.dead);
  const order = mine.length > 0 && ctx.rng.chance(0.6) ? ctx.rng.pick(mine) : undefined;
  if (!order) return [await createOrder(device, ctx, tableId)];
  const payload = { orderId: order.orderId, lines: lines(ctx, 1) };
  return [await op(device, ctx, 'order.addLines', payload, [order.createOpId])];
}

/** A hostile client: a dependency nobody sent, a cycle, a dependency on another device's op. */
async function hostile(device: Device, ctx: ActContext): Promise<Operation[]> {
  const fresh = () => ({ orderId: ctx.ulid(), tableId: 'table-12', lines: lines(ctx, 1) });
  const roll = ctx.rng.next();
  if (roll < 0.4) return [await op(device, ctx, 'order.create', fresh(), [ctx.ulid()])];
  if (roll < 0.7) {
    const [a, b] = [ctx.ulid(), ctx.ulid()];
    return [
      await op(device, ctx, 'order.create', fresh(), [b], a),
      await op(device, ctx, 'order.create', fresh(), [a], b),
    ];
  }
  const others = ctx.madeOps;
  const dependency = others.length > 0 ? ctx.rng.pick(others) : ctx.ulid();
  return [await op(device, ctx, 'order.create', fresh(), [dependency])];
}

/** The ops a device makes when the scheduler lets it act (none when it has nothing to do). */
export function nextOps(device: Device, ctx: ActContext): Promise<Operation[]> {
  switch (device.kind) {
    case 'waiter':
      return waiter(device, ctx);
    case 'kitchen':
      return kitchen(device, ctx);
    case 'guest':
      return guest(device, ctx);
    case 'hostile':
      return hostile(device, ctx);
  }
}
