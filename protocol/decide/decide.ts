import { actorOf } from '../auth/actor.ts';
import { mayPerform } from '../auth/permissions.ts';
import { roleOf } from '../auth/principal.ts';
import type { Operation } from '../ops/operation.ts';
import { parseOperation } from '../ops/parse-operation.ts';
import type { VenueState } from '../state/venue-state.ts';
import { decideBookingCreate, decideBookingTransition } from './booking-deciders.ts';
import { type DecideContext, type Decision, type Rejection, reject } from './decision.ts';
import { decideDevicePair, decideDeviceRevoke } from './device-deciders.ts';
import { decideDrawerClose, decideDrawerOpen, decideDrawerPayout } from './drawer-deciders.ts';
import { decideMenuItemSetAvailability } from './menu-deciders.ts';
import {
  decideOrderAddLines,
  decideOrderClose,
  decideOrderCreate,
  decideOrderFireCourse,
  decideOrderRemoveLine,
  decideOrderSendToKitchen,
  decideOrderVoid,
  decideOrderVoidLine,
} from './order-deciders.ts';
import {
  decidePaymentCard,
  decidePaymentCash,
  decidePaymentResolveTask,
  decidePaymentSettle,
} from './payment-deciders.ts';
import { decideRefundRequest, decideRefundSettle } from './refund-deciders.ts';
import {
  decideServiceRequestCreate,
  decideServiceRequestTransition,
} from './service-request-deciders.ts';
import { decideSettingsOfflineCardSet } from './settings-deciders.ts';
import { decideTeamMemberUpsert, decideTeamSectionCreate } from './team-deciders.ts';
import {
  decideTicketAcknowledge,
  decideTicketAssign,
  decideTicketMarkLine,
  decideTicketRecall,
  decideTicketTransition,
} from './ticket-deciders.ts';

/**
 * The access checks every op passes, live or replayed, on the cloud or the relay: venue, token,
 * actor and role. A function of the op and its token alone, so its refusal is the same wherever
 * and whenever the op is decided.
 */
export function admit(state: VenueState, op: Operation, ctx: DecideContext): Rejection | undefined {
  if (op.tenantId !== state.tenantId || op.venueId !== state.venueId) {
    return reject(
      'WRONG_VENUE',
      `op is for ${op.tenantId}/${op.venueId}, not ${state.tenantId}/${state.venueId}`,
    );
  }
  const { principal } = ctx;
  if (principal.tenantId !== op.tenantId || principal.venueId !== op.venueId) {
    return reject('FORBIDDEN', 'the token is not for this venue');
  }
  if (op.actorId !== actorOf(principal)) {
    return reject('FORBIDDEN', 'actorId does not match the token');
  }
  if (!mayPerform(roleOf(principal), op.type)) {
    return reject('FORBIDDEN', `${roleOf(principal)} may not ${op.type}`);
  }
  return undefined;
}

/**
 * Decides one operation against a venue's state: the feed changes it makes and the state
 * after, or a typed rejection with the current state. Pure and total; the same function runs
 * on the cloud, on the relay while the uplink is down, and in tests.
 */
export function decide(state: VenueState, op: Operation, ctx: DecideContext): Decision {
  const refused = admit(state, op, ctx);
  if (refused) return refused;
  const decision = dispatch(state, op, ctx);
  // A guest is told why, never shown the entity: it may be another table's order or booking.
  if (
    decision.kind === 'rejected' &&
    ctx.principal.kind === 'guest' &&
    decision.current !== undefined
  ) {
    return reject(decision.code, decision.message);
  }
  return decision;
}

function dispatch(state: VenueState, op: Operation, ctx: DecideContext): Decision {
  switch (op.type) {
    case 'order.create':
      return decideOrderCreate(state, op, ctx);
    case 'order.addLines':
      return decideOrderAddLines(state, op, ctx);
    case 'order.removeLine':
      return decideOrderRemoveLine(state, op, ctx);
    case 'order.sendToKitchen':
      return decideOrderSendToKitchen(state, op, ctx);
    case 'order.close':
      return decideOrderClose(state, op, ctx);
    case 'order.void':
      return decideOrderVoid(state, op, ctx);
    case 'order.voidLine':
      return decideOrderVoidLine(state, op, ctx);
    case 'order.fireCourse':
      return decideOrderFireCourse(state, op, ctx);
    case 'ticket.transition':
      return decideTicketTransition(state, op, ctx);
    case 'ticket.assign':
      return decideTicketAssign(state, op, ctx);
    case 'ticket.markLine':
      return decideTicketMarkLine(state, op, ctx);
    case 'ticket.recall':
      return decideTicketRecall(state, op, ctx);
    case 'ticket.acknowledge':
      return decideTicketAcknowledge(state, op, ctx);
    case 'serviceRequest.create':
      return decideServiceRequestCreate(state, op, ctx);
    case 'serviceRequest.transition':
      return decideServiceRequestTransition(state, op, ctx);
    case 'booking.create':
      return decideBookingCreate(state, op, ctx);
    case 'booking.transition':
      return decideBookingTransition(state, op, ctx);
    case 'team.section.create':
      return decideTeamSectionCreate(state, op, ctx);
    case 'team.member.upsert':
      return decideTeamMemberUpsert(state, op, ctx);
    case 'menu.item.setAvailability':
      return decideMenuItemSetAvailability(state, op, ctx);
    case 'device.pair':
      return decideDevicePair(state, op, ctx);
    case 'device.revoke':
      return decideDeviceRevoke(state, op, ctx);
    case 'payment.cash':
      return decidePaymentCash(state, op, ctx);
    case 'payment.card':
      return decidePaymentCard(state, op, ctx);
    case 'payment.settle':
      return decidePaymentSettle(state, op, ctx);
    case 'payment.resolveTask':
      return decidePaymentResolveTask(state, op, ctx);
    case 'refund.request':
      return decideRefundRequest(state, op, ctx);
    case 'refund.settle':
      return decideRefundSettle(state, op, ctx);
    case 'drawer.open':
      return decideDrawerOpen(state, op, ctx);
    case 'drawer.payout':
      return decideDrawerPayout(state, op, ctx);
    case 'drawer.close':
      return decideDrawerClose(state, op, ctx);
    case 'settings.offlineCard.set':
      return decideSettingsOfflineCardSet(state, op, ctx);
  }
}

/** Parses untrusted input and decides it: bad input is a VALIDATION rejection, never a throw. */
export function decideUnknown(state: VenueState, input: unknown, ctx: DecideContext): Decision {
  const parsed = parseOperation(input);
  if (!parsed.ok) {
    const first = parsed.issues[0];
    return reject('VALIDATION', first ? `${first.path}: ${first.message}` : 'not an operation');
  }
  return decide(state, parsed.op, ctx);
}
