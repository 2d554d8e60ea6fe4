import type { ServiceRequestStatus } from '../entities/service-request.ts';
import type { ServiceRequestAction } from '../ops/payloads/service-request-transition.ts';
import { type Step, step, type TransitionTable } from './state-machine.ts';

/*
 *   open ──acknowledge──▶ acknowledged ──complete──▶ done
 *     │ └──────────────complete───────────────────▶ ▲
 *     └──cancel──▶ cancelled ◀──cancel── acknowledged
 *   Repeats (a second acknowledge, complete or cancel) are idempotent.
 */
export const SERVICE_REQUEST_ACTIONS = [
  'acknowledge',
  'complete',
  'cancel',
] as const satisfies readonly ServiceRequestAction[];

export const serviceRequestTransitions: TransitionTable<
  ServiceRequestStatus,
  ServiceRequestAction
> = {
  open: { acknowledge: 'acknowledged', complete: 'done', cancel: 'cancelled' },
  acknowledged: { acknowledge: 'acknowledged', complete: 'done', cancel: 'cancelled' },
  done: { complete: 'done' },
  cancelled: { cancel: 'cancelled' },
};

export function serviceRequestStep(
  from: ServiceRequestStatus,
  action: ServiceRequestAction,
): Step<ServiceRequestStatus> {
  return step(serviceRequestTransitions, from, action);
}
