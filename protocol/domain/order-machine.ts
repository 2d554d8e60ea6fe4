import type { OrderStatus } from '../entities/order.ts';
import { type Step, step, type TransitionTable } from './state-machine.ts';

/*
 *      addLines / removeLine / voidLine ↺   addLines / removeLine / voidLine / sendToKitchen ↺
 *   create ──▶ open ───sendToKitchen───▶ sent
 *               │ \                      │  \
 *             void  close              void  close
 *               ▼     ▼                  ▼     ▼
 *            voided  closed           voided  closed      (voided is final)
 *
 *   pay (a part payment) keeps open and sent as they are; a closed order is reopened (→ sent)
 *   when a card payment stored offline is declined later.
 */
export const ORDER_EVENTS = [
  'addLines',
  'removeLine',
  'voidLine',
  'sendToKitchen',
  'close',
  'void',
  'pay',
  'reopen',
] as const;
export type OrderEvent = (typeof ORDER_EVENTS)[number];

export const orderTransitions: TransitionTable<OrderStatus, OrderEvent> = {
  open: {
    addLines: 'open',
    removeLine: 'open',
    voidLine: 'open',
    sendToKitchen: 'sent',
    close: 'closed',
    void: 'voided',
    pay: 'open',
  },
  sent: {
    addLines: 'sent',
    removeLine: 'sent',
    voidLine: 'sent',
    sendToKitchen: 'sent',
    close: 'closed',
    void: 'voided',
    pay: 'sent',
  },
  // A stored card payment the processor declines later opens the check again, as unpaid.
  closed: { reopen: 'sent' },
  voided: {},
};

export function orderStep(from: OrderStatus, event: OrderEvent): Step<OrderStatus> {
  return step(orderTransitions, from, event);
}
