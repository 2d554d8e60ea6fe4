import { serviceRequestStep } from '../domain/service-request-machine.ts';
import type { OperationOfType } from '../ops/operation.ts';
import type { VenueState } from '../state/venue-state.ts';
import { type DecideContext, type Decision, reject } from './decision.ts';
import { Draft, unchanged } from './draft.ts';

export function decideServiceRequestCreate(
  state: VenueState,
  op: OperationOfType<'serviceRequest.create'>,
  ctx: DecideContext,
): Decision {
  const { requestId, tableId, kind, note } = op.payload;
  const draft = new Draft(state);
  const existing = draft.get('serviceRequest', requestId);
  if (existing) return reject('ALREADY_EXISTS', `request ${requestId} already exists`, existing);
  if (ctx.principal.kind === 'guest' && ctx.principal.tableId !== tableId) {
    return reject('FORBIDDEN', 'a guest may only call staff to their own table');
  }
  if (!draft.get('table', tableId)) return reject('NOT_FOUND', `no table ${tableId}`);
  draft.put(
    'serviceRequest',
    {
      id: requestId,
      tableId,
      kind,
      status: 'open',
      createdAt: ctx.now,
      acknowledgedBy: null,
      ...(note === undefined ? {} : { note }),
    },
    0,
  );
  return draft.commit();
}

export function decideServiceRequestTransition(
  state: VenueState,
  op: OperationOfType<'serviceRequest.transition'>,
  _ctx: DecideContext,
): Decision {
  const draft = new Draft(state);
  const request = draft.get('serviceRequest', op.payload.requestId);
  if (!request) return reject('NOT_FOUND', `no request ${op.payload.requestId}`);
  const next = serviceRequestStep(request.status, op.payload.action);
  if (next.kind === 'refused') {
    return reject(
      'INVALID_STATE_TRANSITION',
      `cannot ${op.payload.action} a request that is ${request.status}`,
      request,
    );
  }
  if (next.kind === 'unchanged') return unchanged(state);
  const acknowledgedBy = next.to === 'acknowledged' ? op.actorId : request.acknowledgedBy;
  draft.put('serviceRequest', { ...request, status: next.to, acknowledgedBy }, request.version);
  return draft.commit();
}
