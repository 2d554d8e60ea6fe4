import { beforeAll, describe, expect, it } from 'vitest';
import {
  decide,
  getEntity,
  SERVICE_REQUEST_ACTIONS,
  type ServiceRequestAction,
  type ServiceRequestStatus,
  serviceRequestStep,
  type VenueState,
} from '#protocol';
import { applyAll, type Verdict, verdictOf } from './support/run-ops.ts';
import { ctxFor, guest, opOf, staff, venueState } from './support/venue-fixture.ts';

const REQUEST = '01JD0000000000000000000010';

const table: Record<ServiceRequestStatus, Record<ServiceRequestAction, Verdict>> = {
  open: {
    acknowledge: { moved: 'acknowledged' },
    complete: { moved: 'done' },
    cancel: { moved: 'cancelled' },
  },
  acknowledged: {
    acknowledge: 'unchanged',
    complete: { moved: 'done' },
    cancel: { moved: 'cancelled' },
  },
  done: { acknowledge: 'refused', complete: 'unchanged', cancel: 'refused' },
  cancelled: { acknowledge: 'refused', complete: 'refused', cancel: 'unchanged' },
};

const server = staff('server');
const act = (action: ServiceRequestAction) =>
  opOf('serviceRequest.transition', { requestId: REQUEST, action }, server);
const states = {} as Record<ServiceRequestStatus, VenueState>;

beforeAll(async () => {
  const create = await opOf(
    'serviceRequest.create',
    { requestId: REQUEST, tableId: 'table-1', kind: 'bill' },
    guest('table-1'),
  );
  states.open = applyAll(venueState(), [create], guest('table-1'));
  states.acknowledged = applyAll(states.open, [await act('acknowledge')], server);
  states.done = applyAll(states.acknowledged, [await act('complete')], server);
  states.cancelled = applyAll(states.open, [await act('cancel')], server);
});

describe('service request state machine', () => {
  const cells = (Object.keys(table) as ServiceRequestStatus[]).flatMap((from) =>
    SERVICE_REQUEST_ACTIONS.map((a) => [from, a] as const),
  );

  it('covers every status × action', () => expect(cells).toHaveLength(12));

  it.each(cells)('%s × %s: the pure step follows the table', (from, action) => {
    const expected = table[from][action];
    const result = serviceRequestStep(from, action);
    if (expected === 'refused') expect(result.kind).toBe('refused');
    else expect(result).toMatchObject({ to: expected === 'unchanged' ? from : expected.moved });
  });

  it.each(cells)('%s × %s: the decider follows the table', async (from, action) => {
    const decision = decide(states[from], await act(action), ctxFor(server));
    const status = (s: VenueState) => getEntity(s.entities, 'serviceRequest', REQUEST)?.status;
    expect(verdictOf(decision, status, from)).toEqual(table[from][action]);
  });

  it('records who acknowledged', () => {
    expect(getEntity(states.acknowledged.entities, 'serviceRequest', REQUEST)?.acknowledgedBy).toBe(
      'server-1',
    );
  });
});
