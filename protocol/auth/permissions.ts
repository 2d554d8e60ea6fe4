import type { OperationType } from '../ops/operation.ts';
import type { Role } from './role.ts';

/**
 * Which roles may make each operation. Checked by the decider, so a replay passes the same
 * check as the live write, on the cloud and on the relay alike.
 * Guests are further held to their own table inside the deciders.
 */
export const allowedRoles: Readonly<Record<OperationType, readonly Role[]>> = {
  'order.create': ['guest', 'server', 'manager', 'owner'],
  'order.addLines': ['guest', 'server', 'manager', 'owner'],
  'order.removeLine': ['server', 'manager', 'owner'],
  'order.sendToKitchen': ['server', 'manager', 'owner'],
  'order.close': ['server', 'manager', 'owner'],
  // A server voids only an order nothing of which reached the kitchen (decideOrderVoid).
  'order.void': ['server', 'manager', 'owner'],
  'order.voidLine': ['server', 'manager', 'owner'],
  // Expo fires the next course as well as the floor.
  'order.fireCourse': ['kitchen', 'server', 'manager', 'owner'],
  'ticket.transition': ['kitchen', 'manager', 'owner'],
  'ticket.assign': ['kitchen', 'manager', 'owner'],
  'ticket.markLine': ['kitchen', 'manager', 'owner'],
  'ticket.recall': ['kitchen', 'manager', 'owner'],
  'ticket.acknowledge': ['kitchen', 'manager', 'owner'],
  'serviceRequest.create': ['guest', 'server', 'manager', 'owner'],
  'serviceRequest.transition': ['server', 'manager', 'owner'],
  'booking.create': ['guest', 'server', 'manager', 'owner'],
  'booking.transition': ['server', 'manager', 'owner'],
  'team.section.create': ['manager', 'owner'],
  'team.member.upsert': ['manager', 'owner'],
  'menu.item.setAvailability': ['kitchen', 'manager', 'owner'],
  // A pairing code's issuer (or the setup actor, a manager: decision 034) pairs; managers revoke.
  'device.pair': ['manager', 'owner'],
  'device.revoke': ['manager', 'owner'],
  'payment.cash': ['server', 'manager', 'owner'],
  // Server-made (SERVER_MADE_OPS): the payment service records it for the person who took the
  // card; a guest's hosted-page payment is recorded for the guest.
  'payment.card': ['guest', 'server', 'manager', 'owner'],
  'payment.settle': ['owner'],
  'payment.resolveTask': ['manager', 'owner'],
  // A manager's request is the approval; refunds are sent only by the cloud, when online.
  'refund.request': ['manager', 'owner'],
  'refund.settle': ['owner'],
  'drawer.open': ['server', 'manager', 'owner'],
  'drawer.payout': ['server', 'manager', 'owner'],
  'drawer.close': ['server', 'manager', 'owner'],
  'settings.offlineCard.set': ['owner'],
};

/** True when `role` may make operations of `type`. */
export function mayPerform(role: Role, type: OperationType): boolean {
  return allowedRoles[type].includes(role);
}
