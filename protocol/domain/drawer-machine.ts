import { type Step, step, type TransitionTable } from './state-machine.ts';

/*
 *   open ──payout ↺──▶ open ───close───▶ closed   (final: a new shift opens a new drawer)
 */
export const DRAWER_STATES = ['open', 'closed'] as const;
export type DrawerState = (typeof DRAWER_STATES)[number];

export const DRAWER_EVENTS = ['payout', 'cash_sale', 'close'] as const;
export type DrawerEvent = (typeof DRAWER_EVENTS)[number];

export const drawerTransitions: TransitionTable<DrawerState, DrawerEvent> = {
  open: { payout: 'open', cash_sale: 'open', close: 'closed' },
  closed: {},
};

export function drawerStep(from: DrawerState, event: DrawerEvent): Step<DrawerState> {
  return step(drawerTransitions, from, event);
}
