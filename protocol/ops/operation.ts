import * as z from 'zod';
import { DeviceId } from '../ids/device-id.ts';
import { EntityId, Timestamp } from '../ids/entity-id.ts';
import { Ulid } from '../ids/ulid.ts';
import { BookingCreate } from './payloads/booking-create.ts';
import { BookingTransition } from './payloads/booking-transition.ts';
import { DevicePair } from './payloads/device-pair.ts';
import { DeviceRevoke } from './payloads/device-revoke.ts';
import { DrawerClose, DrawerOpen, DrawerPayout } from './payloads/drawer-ops.ts';
import { MenuItemSetAvailability } from './payloads/menu-item-set-availability.ts';
import { OrderAddLines } from './payloads/order-add-lines.ts';
import { OrderClose } from './payloads/order-close.ts';
import { OrderCreate } from './payloads/order-create.ts';
import { OrderFireCourse } from './payloads/order-fire-course.ts';
import { OrderRemoveLine } from './payloads/order-remove-line.ts';
import { OrderSendToKitchen } from './payloads/order-send-to-kitchen.ts';
import { OrderVoid } from './payloads/order-void.ts';
import { OrderVoidLine } from './payloads/order-void-line.ts';
import { PaymentCard } from './payloads/payment-card.ts';
import { PaymentCash } from './payloads/payment-cash.ts';
import { PaymentResolveTask } from './payloads/payment-resolve-task.ts';
import { PaymentSettle } from './payloads/payment-settle.ts';
import { RefundRequest } from './payloads/refund-request.ts';
import { RefundSettle } from './payloads/refund-settle.ts';
import { ServiceRequestCreate } from './payloads/service-request-create.ts';
import { ServiceRequestTransition } from './payloads/service-request-transition.ts';
import { SettingsOfflineCardSet } from './payloads/settings-offline-card-set.ts';
import { TeamMemberUpsert } from './payloads/team-member-upsert.ts';
import { TeamSectionCreate } from './payloads/team-section-create.ts';
import { TicketAcknowledge } from './payloads/ticket-acknowledge.ts';
import { TicketAssign } from './payloads/ticket-assign.ts';
import { TicketMarkLine } from './payloads/ticket-mark-line.ts';
import { TicketRecall } from './payloads/ticket-recall.ts';
import { TicketTransition } from './payloads/ticket-transition.ts';

/** Every operation type and its payload schema. */
export const payloadSchemas = {
  'order.create': OrderCreate,
  'order.addLines': OrderAddLines,
  'order.removeLine': OrderRemoveLine,
  'order.sendToKitchen': OrderSendToKitchen,
  'order.close': OrderClose,
  'order.void': OrderVoid,
  'order.voidLine': OrderVoidLine,
  'order.fireCourse': OrderFireCourse,
  'ticket.transition': TicketTransition,
  'ticket.assign': TicketAssign,
  'ticket.markLine': TicketMarkLine,
  'ticket.recall': TicketRecall,
  'ticket.acknowledge': TicketAcknowledge,
  'serviceRequest.create': ServiceRequestCreate,
  'serviceRequest.transition': ServiceRequestTransition,
  'booking.create': BookingCreate,
  'booking.transition': BookingTransition,
  'team.section.create': TeamSectionCreate,
  'team.member.upsert': TeamMemberUpsert,
  'menu.item.setAvailability': MenuItemSetAvailability,
  'device.pair': DevicePair,
  'device.revoke': DeviceRevoke,
  'payment.cash': PaymentCash,
  'payment.card': PaymentCard,
  'payment.settle': PaymentSettle,
  'payment.resolveTask': PaymentResolveTask,
  'refund.request': RefundRequest,
  'refund.settle': RefundSettle,
  'drawer.open': DrawerOpen,
  'drawer.payout': DrawerPayout,
  'drawer.close': DrawerClose,
  'settings.offlineCard.set': SettingsOfflineCardSet,
} as const;

export type OperationType = keyof typeof payloadSchemas;
export type PayloadOf<T extends OperationType> = z.infer<(typeof payloadSchemas)[T]>;
export const OPERATION_TYPES = Object.keys(payloadSchemas) as OperationType[];
export const OperationTypeSchema = z.enum(OPERATION_TYPES as [OperationType, ...OperationType[]]);

export { DeviceId };

const envelope = {
  /** Made on the device before the first send; the idempotency key for ever. */
  opId: Ulid,
  deviceId: DeviceId,
  tenantId: EntityId,
  venueId: EntityId,
  actorId: z.string().min(1).max(80),
  /** SHA-256 of the canonical JSON of the parsed payload (see `makeOperation`). */
  payloadHash: z.string().regex(/^[0-9a-f]{64}$/, 'must be a lower-case hex SHA-256'),
  /** Ops that must be applied first, e.g. the offline `order.create` a send depends on. */
  dependsOn: z.array(Ulid).max(32).default([]),
  /** Device clock: audit only, never ordering. */
  occurredAt: Timestamp,
};

function operationOf<T extends OperationType>(type: T) {
  return z.object({ ...envelope, type: z.literal(type), payload: payloadSchemas[type] });
}

/** One user intent, made on a device, applied exactly once. */
export const Operation = z.discriminatedUnion('type', [
  operationOf('order.create'),
  operationOf('order.addLines'),
  operationOf('order.removeLine'),
  operationOf('order.sendToKitchen'),
  operationOf('order.close'),
  operationOf('order.void'),
  operationOf('order.voidLine'),
  operationOf('order.fireCourse'),
  operationOf('ticket.transition'),
  operationOf('ticket.assign'),
  operationOf('ticket.markLine'),
  operationOf('ticket.recall'),
  operationOf('ticket.acknowledge'),
  operationOf('serviceRequest.create'),
  operationOf('serviceRequest.transition'),
  operationOf('booking.create'),
  operationOf('booking.transition'),
  operationOf('team.section.create'),
  operationOf('team.member.upsert'),
  operationOf('menu.item.setAvailability'),
  operationOf('device.pair'),
  operationOf('device.revoke'),
  operationOf('payment.cash'),
  operationOf('payment.card'),
  operationOf('payment.settle'),
  operationOf('payment.resolveTask'),
  operationOf('refund.request'),
  operationOf('refund.settle'),
  operationOf('drawer.open'),
  operationOf('drawer.payout'),
  operationOf('drawer.close'),
  operationOf('settings.offlineCard.set'),
]);
export type Operation = z.infer<typeof Operation>;
/** The operation as it may arrive on the wire, before defaults are filled in. */
export type OperationInput = z.input<typeof Operation>;
export type OperationOfType<T extends OperationType> = Extract<Operation, { type: T }>;

/**
 * Ops only a server makes: what the payment processor answered, for the cloud's or the relay's
 * payment service to record. A device's write of one is refused at the routes (a tablet never
 * says a card was approved); the cloud takes them from a relay replaying its journal.
 */
export const SERVER_MADE_OPS: ReadonlySet<OperationType> = new Set<OperationType>([
  'payment.card',
  'payment.settle',
  'refund.settle',
]);

/** Ops a device may put in its outbox: every op but {@link SERVER_MADE_OPS}. */
export const DeviceOperation = z.discriminatedUnion(
  'type',
  Operation.options.filter((o) => !SERVER_MADE_OPS.has(o.shape.type.value)) as unknown as [
    (typeof Operation.options)[number],
    ...(typeof Operation.options)[number][],
  ],
);
