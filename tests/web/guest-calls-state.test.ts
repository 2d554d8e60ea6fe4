import { describe, expect, it } from 'vitest';
import { DEFAULT_GUEST_ORDERING, guestOrderingOf } from '../../protocol/entities/settings.ts';
import {
  announcementOf,
  type CallInputs,
  type CallRequest,
  type CallView,
  callPayload,
  callViewOf,
  callViewsOf,
  cooldownSecOf,
  DEFAULT_CALL_COOLDOWN_SEC,
  type OwnCall,
} from '../../web/guest/guest-calls-state.ts';

// The guest's call buttons, pure: idle → sent → on the way → idle again when staff are done,
// the cooldown after a call, and what a screen reader hears when a button's state moves.

const T0 = Date.parse('2026-11-23T20:14:00.000Z');
const SEC = 1000;
/** A fixed time text, so the words do not depend on the machine's time zone. */
const clock = (ms: number) => `@${(ms - T0) / SEC}s`;

const input = (over: Partial<CallInputs> = {}): CallInputs => ({
  tableId: 'table-4',
  requests: [],
  own: [],
  now: T0,
  cooldownSec: 60,
  clock,
  ...over,
});

const request = (over: Partial<CallRequest> = {}): CallRequest => ({
  id: 'r1',
  tableId: 'table-4',
  kind: 'call_waiter',
  status: 'open',
  createdAt: new Date(T0).toISOString(),
  ...over,
});

const own = (over: Partial<OwnCall> = {}): OwnCall => ({
  kind: 'call_waiter',
  requestId: 'r1',
  at: T0,
  status: 'synced',
  ...over,
});

const waiter = (over: Partial<CallInputs> = {}): CallView => callViewOf('call_waiter', input(over));

describe('callViewOf: the phases', () => {
  it('nothing called: idle, available, nothing to say', () => {
    expect(waiter()).toEqual({
      kind: 'call_waiter',
      action: 'Call a waiter',
      phase: 'idle',
      available: true,
      status: null,
      sync: null,
      secondsLeft: 0,
      announce: '',
    });
    expect(callViewOf('bill', input()).action).toBe('Ask for the bill');
  });

  it('pressed, the op on its way: sent at the press, with the sync words', () => {
    const v = waiter({ own: [own({ requestId: 'unsent-0', status: 'sending' })], now: T0 + SEC });
    expect(v).toMatchObject({ phase: 'sent', available: false, status: 'Waiter called at @0s' });
    expect(v.sync).toBe('sending…');
  });

  it('queued offline: "not sent yet — will send when you’re back online"', () => {
    const v = waiter({ own: [own({ status: 'pending' })] });
    expect(v.phase).toBe('sent');
    expect(v.sync).toBe('not sent yet — will send when you’re back online');
    expect(v.announce).toBe(
      'Waiter called at @0s. Not sent yet — will send when you’re back online.',
    );
  });

  it('the local view shows the request open (decided on top of the copy): sent', () => {
    const v = waiter({ requests: [request()], own: [own({ status: 'pending' })] });
    expect(v).toMatchObject({ phase: 'sent', status: 'Waiter called at @0s' });
    expect(v.sync).toBe('not sent yet — will send when you’re back online');
  });

  it('synced and open in the feed: sent, no sync words', () => {
    const v = waiter({ requests: [request()], own: [own()], now: T0 + 90 * SEC });
    expect(v).toMatchObject({ phase: 'sent', available: false, sync: null, secondsLeft: 0 });
  });

  it('acknowledged: on the way, the staff member not named', () => {
    const v = waiter({ requests: [request({ status: 'acknowledged' })], own: [own()] });
    expect(v).toMatchObject({
      phase: 'on_the_way',
      available: false,
      status: 'On the way — a member of staff is coming to your table',
    });
    expect(
      callViewOf('bill', input({ requests: [request({ kind: 'bill', status: 'acknowledged' })] }))
        .status,
    ).toBe('On the way — a member of staff is bringing your bill');
  });

  it('done: idle again, saying so (available once the cooldown is over)', () => {
    const requests = [request({ status: 'done' })];
    expect(waiter({ requests, own: [own()], now: T0 + 61 * SEC })).toMatchObject({
      phase: 'idle',
      available: true,
      status: 'A member of staff has answered your call',
      announce: 'A member of staff has answered your call. You can call a waiter again.',
    });
  });

  it('cancelled: idle again', () => {
    const requests = [request({ status: 'cancelled' })];
    expect(waiter({ requests, own: [own()], now: T0 + 61 * SEC })).toMatchObject({
      phase: 'idle',
      available: true,
      status: 'Your call was cancelled',
    });
  });

  it('a failed op: idle, available at once, with the reason', () => {
    const v = waiter({ own: [own({ status: 'failed', detail: 'no such table' })] });
    expect(v).toMatchObject({ phase: 'idle', available: true, status: 'failed: no such table' });
  });

  it('someone else at the table called: sent at the request’s time, no second call', () => {
    const v = waiter({ requests: [request({ createdAt: new Date(T0 + 5 * SEC).toISOString() })] });
    expect(v).toMatchObject({ phase: 'sent', available: false, status: 'Waiter called at @5s' });
  });

  it('only this table’s requests of this kind count', () => {
    const requests = [
      request({ tableId: 'table-9', status: 'acknowledged' }),
      request({ id: 'r2', kind: 'bill' }),
    ];
    expect(waiter({ requests }).phase).toBe('idle');
    expect(callViewOf('bill', input({ requests })).phase).toBe('sent');
  });

  it('an acknowledged request wins over a newer open one', () => {
    const requests = [
      request({ status: 'acknowledged' }),
      request({ id: 'r2', createdAt: new Date(T0 + 9 * SEC).toISOString() }),
    ];
    expect(waiter({ requests }).phase).toBe('on_the_way');
  });

  it('a new call after a finished one follows the new one', () => {
    const v = waiter({
      requests: [request({ status: 'done' })],
      own: [own(), own({ requestId: 'unsent-1', at: T0 + 70 * SEC, status: 'pending' })],
      now: T0 + 71 * SEC,
    });
    expect(v).toMatchObject({ phase: 'sent', status: 'Waiter called at @70s' });
  });
});

describe('the cooldown', () => {
  const done = [request({ status: 'done' })];

  it('counts down in whole seconds from the press, then the button is back', () => {
    const at = (s: number) => waiter({ requests: done, own: [own()], now: T0 + s * SEC });
    expect(at(18)).toMatchObject({
      available: false,
      secondsLeft: 42,
      status: 'You can call again in 42 s',
      announce: 'A member of staff has answered your call. You can call again in 42 s.',
    });
    expect(at(59.2).secondsLeft).toBe(1);
    expect(at(60)).toMatchObject({ available: true, secondsLeft: 0 });
  });

  it('the bill’s words', () => {
    const v = callViewOf(
      'bill',
      input({
        requests: [request({ kind: 'bill', status: 'done' })],
        own: [own({ kind: 'bill' })],
        now: T0 + 30 * SEC,
      }),
    );
    expect(v.status).toBe('You can ask again in 30 s');
  });

  it('is per kind: calling a waiter does not hold back the bill', () => {
    const views = callViewsOf(input({ requests: done, own: [own()], now: T0 + 10 * SEC }));
    expect(views.map((v) => [v.kind, v.available])).toEqual([
      ['call_waiter', false],
      ['bill', true],
    ]);
  });

  it('uses the venue’s setting, else protocol’s default', () => {
    expect(cooldownSecOf(undefined)).toBe(60);
    expect(cooldownSecOf({})).toBe(60);
    expect(cooldownSecOf({ guestOrdering: { callCooldownSec: 15 } })).toBe(15);
    expect(DEFAULT_CALL_COOLDOWN_SEC).toBe(DEFAULT_GUEST_ORDERING.callCooldownSec);
    const settings = { guestOrdering: { ...DEFAULT_GUEST_ORDERING, callCooldownSec: 5 } };
    expect(cooldownSecOf(settings)).toBe(guestOrderingOf(settings).callCooldownSec);
    expect(
      waiter({ requests: done, own: [own()], now: T0 + 6 * SEC, cooldownSec: 5 }).available,
    ).toBe(true);
  });

  it('none after a failed call', () => {
    expect(waiter({ own: [own({ status: 'failed' })], now: T0 + SEC }).secondsLeft).toBe(0);
  });

  it('while a request is open the button says so instead of counting', () => {
    const v = waiter({ requests: [request()], own: [own()], now: T0 + 10 * SEC });
    expect(v).toMatchObject({ phase: 'sent', secondsLeft: 0, status: 'Waiter called at @0s' });
  });
});

describe('announcementOf', () => {
  const views = (over: Partial<CallInputs>) => callViewsOf(input(over));

  it('nothing on the first look', () => {
    expect(announcementOf(undefined, views({ requests: [request()] }))).toBe(undefined);
  });

  it('a press, the acknowledgement, the end, and the button’s return', () => {
    const idle = views({});
    const sent = views({ own: [own({ status: 'sending' })] });
    const queued = views({ own: [own({ status: 'pending' })] });
    const onTheWay = views({ requests: [request({ status: 'acknowledged' })], own: [own()] });
    const resting = views({
      requests: [request({ status: 'done' })],
      own: [own()],
      now: T0 + 20 * SEC,
    });
    const ticked = views({
      requests: [request({ status: 'done' })],
      own: [own()],
      now: T0 + 21 * SEC,
    });
    const back = views({
      requests: [request({ status: 'done' })],
      own: [own()],
      now: T0 + 60 * SEC,
    });
    expect(announcementOf(idle, sent)).toBe('Waiter called at @0s. Sending…');
    expect(announcementOf(sent, queued)).toBe(
      'Waiter called at @0s. Not sent yet — will send when you’re back online.',
    );
    expect(announcementOf(queued, onTheWay)).toBe(
      'On the way — a member of staff is coming to your table.',
    );
    expect(announcementOf(onTheWay, resting)).toBe(
      'A member of staff has answered your call. You can call again in 40 s.',
    );
    expect(announcementOf(resting, ticked)).toBe(undefined);
    expect(announcementOf(ticked, back)).toBe(
      'A member of staff has answered your call. You can call a waiter again.',
    );
  });
});

describe('callPayload', () => {
  it('is serviceRequest.create’s payload', async () => {
    const { ServiceRequestCreate } = await import(
      '../../protocol/ops/payloads/service-request-create.ts'
    );
    const payload = callPayload('01JD0000000000000000000000', 'table-4', 'bill');
    expect(ServiceRequestCreate.parse(payload)).toEqual(payload);
  });
});
