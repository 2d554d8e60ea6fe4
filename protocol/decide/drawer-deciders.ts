import { roleOf } from '../auth/principal.ts';
import { drawerExpected } from '../domain/cash-drawer.ts';
import { drawerStep } from '../domain/drawer-machine.ts';
import type { Drawer } from '../entities/drawer.ts';
import type { OperationOfType } from '../ops/operation.ts';
import { filterEntities, listEntities } from '../state/entity-set.ts';
import type { VenueState } from '../state/venue-state.ts';
import {
  type DecideContext,
  type Decision,
  isRejection,
  type Rejection,
  reject,
} from './decision.ts';
import { Draft, unchanged } from './draft.ts';
import { settingsOf } from './settings-of.ts';

/** A device's cash drawer for a shift: one open at a time per device. Works offline. */
export function decideDrawerOpen(
  state: VenueState,
  op: OperationOfType<'drawer.open'>,
  ctx: DecideContext,
): Decision {
  const { drawerId, float } = op.payload;
  const draft = new Draft(state);
  const existing = draft.get('drawer', drawerId);
  if (existing) return reject('ALREADY_EXISTS', `drawer ${drawerId} already exists`, existing);
  const open = listEntities(state.entities, 'drawer').find(
    (d) => d.deviceId === op.deviceId && d.status === 'open',
  );
  if (open)
    return reject('DRAWER_ALREADY_OPEN', 'this device has a drawer open: close it first', open);
  const settings = settingsOf(state);
  if (isRejection(settings)) return settings;
  draft.put(
    'drawer',
    {
      id: drawerId,
      deviceId: op.deviceId,
      status: 'open',
      currency: settings.currency,
      float,
      openedBy: op.actorId,
      openedAt: ctx.now,
      payouts: [],
      closedBy: null,
      closedAt: null,
      counted: null,
      expected: null,
      difference: null,
      reason: null,
    },
    0,
  );
  return draft.commit();
}

/** The drawer, if it is open and this device's (a manager or owner may close another's). */
function openDrawer(
  draft: Draft,
  drawerId: string,
  event: 'payout' | 'close',
  op: OperationOfType<'drawer.payout' | 'drawer.close'>,
  ctx: DecideContext,
): Drawer | Rejection {
  const drawer = draft.get('drawer', drawerId);
  if (!drawer) return reject('NOT_FOUND', `no drawer ${drawerId}`);
  const role = roleOf(ctx.principal);
  const anyDevice = event === 'close' && (role === 'manager' || role === 'owner');
  if (drawer.deviceId !== op.deviceId && !anyDevice)
    return reject('DRAWER_NOT_OPEN', 'this drawer belongs to another device', drawer);
  if (drawerStep(drawer.status, event).kind === 'refused')
    return reject('DRAWER_NOT_OPEN', 'this drawer is closed', drawer);
  return drawer;
}

export function decideDrawerPayout(
  state: VenueState,
  op: OperationOfType<'drawer.payout'>,
  ctx: DecideContext,
): Decision {
  const { drawerId, payoutId, amount, reason } = op.payload;
  const draft = new Draft(state);
  const drawer = openDrawer(draft, drawerId, 'payout', op, ctx);
  if (isRejection(drawer)) return drawer;
  if (drawer.payouts.some((p) => p.id === payoutId)) return unchanged(state);
  const { version, ...rest } = drawer;
  draft.put(
    'drawer',
    {
      ...rest,
      payouts: [...drawer.payouts, { id: payoutId, amount, reason, by: op.actorId, at: ctx.now }],
    },
    version,
  );
  return draft.commit();
}

/**
 * Closes a drawer with the cash counted. The expected amount comes from the payments and
 * refunds this node knows of (provisional until the cloud confirms); a difference needs a reason.
 */
export function decideDrawerClose(
  state: VenueState,
  op: OperationOfType<'drawer.close'>,
  ctx: DecideContext,
): Decision {
  const { drawerId, counted, reason } = op.payload;
  const draft = new Draft(state);
  const drawer = openDrawer(draft, drawerId, 'close', op, ctx);
  if (isRejection(drawer)) return drawer;
  const { expected } = drawerExpected(
    drawer,
    filterEntities(state.entities, 'payment', (p) => p.drawerId === drawerId),
    listEntities(state.entities, 'refund'),
  );
  const difference = counted - expected;
  if (difference !== 0 && reason === undefined)
    return reject(
      'DRAWER_REASON_REQUIRED',
      `counted ${counted} but expected ${expected}: say why the drawer is ${difference > 0 ? 'over' : 'short'}`,
      drawer,
    );
  const { version, ...rest } = drawer;
  draft.put(
    'drawer',
    {
      ...rest,
      status: 'closed',
      closedBy: op.actorId,
      closedAt: ctx.now,
      counted,
      expected,
      difference,
      reason: reason ?? null,
    },
    version,
  );
  return draft.commit();
}
