import * as z from 'zod';

/**
 * Why a decider refused an operation. A rejection is final: it is never retried
 * automatically; the device shows it to the person who made the op.
 */
export const RejectionCode = z.enum([
  'VALIDATION',
  'FORBIDDEN',
  'WRONG_VENUE',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'INVALID_STATE_TRANSITION',
  'DEPENDENCY_REJECTED',
  /** A dependency no node has seen within the hold bound (`DEPENDENCY_HOLD_MS`). */
  'DEPENDENCY_UNKNOWN',
  'UNKNOWN_ITEM',
  'ITEM_UNAVAILABLE',
  'MODIFIER_NOT_ALLOWED',
  /** A line breaks one of its item's modifier-group rules ("choose exactly 1 side"). */
  'MODIFIER_GROUP_RULE',
  'LINE_ALREADY_SENT',
  'NOTHING_TO_SEND',
  /** `order.fireCourse` for a course the order has no tickets for. */
  'NOTHING_TO_FIRE',
  /** `order.voidLine` on a line not sent yet: remove it instead. */
  'LINE_NOT_SENT',
  /** `ticket.recall` after `RECALL_WINDOW_MS` from the bump. */
  'RECALL_WINDOW_PASSED',
  'EMPTY_ORDER',
  'PAYMENT_INSUFFICIENT',
  'PAYMENT_MISMATCH',
  'AMOUNT_TOO_LARGE',
  'UNKNOWN_STATION',
  'IDEMPOTENCY_KEY_REUSED',
  'SETTINGS_MISSING',
  /** `device.pair` with a pairing code some device was already paired with (single use). */
  'PAIRING_USED',
  /** A payment larger than what is left to pay on the check. */
  'OVERPAYMENT',
  /** Offline card limits (`decideOfflineCard`): see OFFLINE_CARD_REFUSALS. */
  'OFFLINE_CARD_DISABLED',
  'CURRENCY_MISMATCH',
  'OFFLINE_CARD_WINDOW_CLOSED',
  'OFFLINE_CARD_OVER_MANAGER_LIMIT',
  'OFFLINE_CARD_OVER_TRANSACTION_LIMIT',
  'OFFLINE_CARD_DEVICE_TOTAL',
  'OFFLINE_CARD_VENUE_TOTAL',
  /** `drawer.open` on a device whose drawer is already open. */
  'DRAWER_ALREADY_OPEN',
  /** A drawer op on a drawer that is closed or not this device's. */
  'DRAWER_NOT_OPEN',
  /** `drawer.close` with a counted amount that differs from expected and no reason. */
  'DRAWER_REASON_REQUIRED',
  /** A refund of more than is left on the payment, or of a payment not charged. */
  'REFUND_NOT_ALLOWED',
  /** An order with payments on it cannot be voided: refund them first. */
  'ORDER_HAS_PAYMENTS',
]);
export type RejectionCode = z.infer<typeof RejectionCode>;
