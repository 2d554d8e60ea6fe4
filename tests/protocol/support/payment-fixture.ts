import {
  DEFAULT_OFFLINE_CARD_LIMITS,
  type Decision,
  decide,
  getEntity,
  type OfflineCardPolicy,
  type Operation,
  type OperationType,
  type Principal,
  project,
  type VenueState,
} from '#protocol';
import { applyAll } from './run-ops.ts';
import { ctxFor, DEVICE, NOW, opOf, staff, TENANT, venueState } from './venue-fixture.ts';

/** A ULID made from a number: payment, refund and order ids that sort as they count. */
export const ulid = (n: number): string => `01JD${String(n).padStart(22, '0')}`;

export const server = staff('server');
export const manager = staff('manager');
export const owner = staff('owner');

/** `ms` after the fixture's now, as a decision time. */
export const at = (ms: number): string => new Date(Date.parse(NOW) + ms).toISOString();
export const HOUR = 60 * 60_000;

/** Decides `type` with `payload` as `principal` on `deviceId`, at `now`. */
export async function decideAs(
  state: VenueState,
  type: OperationType,
  payload: unknown,
  principal: Principal = manager,
  options: { deviceId?: string; now?: string } = {},
): Promise<Decision> {
  const op = await opOf(type, payload, principal, { deviceId: options.deviceId ?? DEVICE });
  return decide(state, op, ctxFor(principal, options.now ?? NOW));
}

/** Like {@link decideAs}, for setup: the state after, throwing on a rejection. */
export async function applyAs(
  state: VenueState,
  type: OperationType,
  payload: unknown,
  principal: Principal = manager,
  options: { deviceId?: string; now?: string } = {},
): Promise<VenueState> {
  const decision = await decideAs(state, type, payload, principal, options);
  if (decision.kind === 'rejected')
    throw new Error(`setup ${type} rejected: ${decision.code} ${decision.message}`);
  return decision.state;
}

export function stateOf(decision: Decision): VenueState {
  if (decision.kind === 'rejected') throw new Error(`${decision.code}: ${decision.message}`);
  return decision.state;
}

/** The venue with its offline card policy set by the owner (enabled unless said otherwise). */
export function withPolicy(
  state: VenueState,
  patch: Partial<OfflineCardPolicy> = {},
): Promise<VenueState> {
  return applyAs(
    state,
    'settings.offlineCard.set',
    { policy: { ...DEFAULT_OFFLINE_CARD_LIMITS, enabled: true, ...patch } },
    owner,
  );
}

/** `state` with a menu item's price changed (odd prices make cash rounding show). */
export function withPrice(state: VenueState, itemId: string, price: number): VenueState {
  const item = getEntity(state.entities, 'menuItem', itemId);
  if (!item) throw new Error(`the fixture has no ${itemId}`);
  const next = { ...item, price, version: item.version + 1 };
  return {
    ...state,
    entities: project(state.entities, [
      { entity: 'menuItem', id: itemId, op: 'upsert', data: next, version: next.version },
    ]),
  };
}

/** An open order at `tableId` with the given lines (item id and quantity). */
export async function withOrder(
  state: VenueState,
  orderId: string,
  lines: readonly (readonly [string, number])[],
  tableId: string | null = 'table-1',
): Promise<VenueState> {
  const op: Operation = await opOf('order.create', {
    orderId,
    tableId,
    lines: lines.map(([itemId, quantity], i) => ({ lineId: `${orderId}-${i}`, itemId, quantity })),
  });
  return applyAll(state, [op]);
}

/** A card payload as the payment service records it after the processor answered. */
export function cardPayload(
  paymentId: string,
  orderId: string,
  amount: number,
  outcome: 'approved' | 'declined' | 'stored',
  tip = 0,
): Record<string, unknown> {
  return {
    paymentId,
    orderId,
    amount,
    tip,
    outcome,
    reference: `ref-${paymentId}`,
    brand: 'visa',
    last4: '4242',
    ...(outcome === 'declined' ? { declineCode: 'do_not_honor' } : {}),
    entry: 'reader',
  };
}

export const orderOf = (state: VenueState, id: string) => getEntity(state.entities, 'order', id);
export const paymentOf = (state: VenueState, id: string) =>
  getEntity(state.entities, 'payment', id);
export const settingsIn = (state: VenueState) => getEntity(state.entities, 'settings', TENANT);

export { DEVICE, NOW, venueState };
