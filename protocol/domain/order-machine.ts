import type { OrderStatus } from '../entities/order.ts';
import { type Step, step, type TransitionTable } from './state-machine.ts';

/*
 *      addLines / removeLine / voidLine ↺   addLines / removeLine / voidLine / sendToKitchen ↺
 *   create ──▶ open ───sendToKitchen───▶ sent
 *               │ \                      │  \
 *             void  close              void  close
 *               ▼     ▼                  ▼     ▼
 *            voided  closed           voided  closed      (both final: nothing after)
 */
export const ORDER_EVENTS = [
  'addLines',
  'removeLine',
  'voidLine',
  'sendToKitchen',
  'close',
  'void',
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
  },
  sent: {
    addLines: 'sent',
    removeLine: 'sent',
    voidLine: 'sent',
    sendToKitchen: 'sent',
    close: 'closed',
    void: 'voided',
  },
  closed: {},
  voided: {},
};

export function orderStep(from: OrderStatus, event: OrderEvent): Step<OrderStatus> {
  return step(orderTransitions, from, event);
}
