import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  makeOperation,
  newUlid,
  type Operation,
  type OperationType,
  type OpResult,
  type Principal,
} from '#protocol';
import {
  call,
  describeHttp,
  json,
  type StaffRole,
  TENANT,
  VENUE,
  type VenueHarness,
  venueHarness,
  venueOp,
  venuePath,
} from './support/relay-process.ts';

// Exactly once whatever the timing: an op the cloud applied is never rejected by the relay when
// it is sent again; an op the relay cannot decide for certain is held and decided by the cloud;
// one device's op the cloud cannot decide yet never stops the others. Real cloud and relay
// processes, the fault proxy on the relay's uplink.

const FEED = `GET ${venuePath('/feed')}`;
/** The cloud's hold bound for an op whose dependency no one sent (short, to see it end). */
const HOLD_MS = 4_000;

type Actor = StaffRole | { readonly token: string; readonly actorId: string };

function op<T extends OperationType>(
  type: T,
  payload: unknown,
  deviceId: string,
  actor: Actor,
  dependsOn: string[] = [],
): Promise<Operation> {
  return venueOp(
    type,
    payload,
    deviceId,
    typeof actor === 'string' ? `demo-${actor}` : actor.actorId,
    dependsOn,
  );
}

const line = () => ({ lineId: newUlid(), itemId: 'burger', quantity: 1 });
const createOrder = (deviceId: string, actor: Actor = 'server', orderId = newUlid()) =>
  op('order.create', { orderId, tableId: 'table-4', lines: [line()] }, deviceId, actor);
const addLines = (orderId: string, deviceId: string, dependsOn: string[] = []) =>
  op('order.addLines', { orderId, lines: [line()] }, deviceId, 'server', dependsOn);

const orderIdOf = (o: Operation): string => (o.payload as { orderId: string }).orderId;

const resultOf = (text: string): OpResult => {
  const body = JSON.parse(text) as OpResult | { result?: OpResult };
  return 'status' in body && typeof body.status === 'string'
    ? (body as OpResult)
    : ((body as { result: OpResult }).result ?? (body as OpResult));
};

let h: VenueHarness;

async function cutUplink(): Promise<void> {
  h.proxy.cut();
  await h.relay.waitForConnectivity('offline_local', 10_000);
}

async function restoreUplink(): Promise<void> {
  h.proxy.restore();
  await h.relay.waitForConnectivity(['reconciling', 'recovered', 'online'], 15_000);
}

/** What the cloud answers for an op (its idempotency record), or undefined before it has one. */
async function cloudResult(opId: string): Promise<OpResult | undefined> {
  const http = await h.cloudOp(opId, 'manager');
  return http.status === 200 ? json<OpResult>(http) : undefined;
}

async function cloudEffects(opId: string): Promise<number> {
  return (await h.countInCloud()).get(opId)?.length ?? 0;
}

async function relayHasOrder(orderId: string): Promise<boolean> {
  const snapshot = await h.relaySnapshot('manager', 'order');
  return snapshot.records.some((r) => r.entity === 'order' && r.data.id === orderId);
}

async function guestAtRelay(table: string): Promise<{ token: string; actorId: string }> {
  const http = await call(`${h.relay.url}/v1/auth/guest`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ venueId: VENUE, table }),
  });
  if (http.status !== 200) throw new Error(`guest sign-in: ${describeHttp(http)}`);
  const { token, principal } = json<{ token: string; principal: Principal }>(http);
  return { token, actorId: principal.kind === 'guest' ? principal.sessionId : principal.actorId };
}

const post = (o: Operation, actor: Actor) =>
  h.postRelay(o, typeof actor === 'string' ? actor : { token: actor.token });

describe('exactly once whatever the timing (real cloud and relay, fault proxy on the uplink)', () => {
  beforeAll(async () => {
    h = await venueHarness({ cloudEnv: { HEARTH_DEPENDENCY_HOLD_MS: String(HOLD_MS) } });
  }, 60_000);

  afterAll(async () => {
    await h?.close();
  }, 30_000);

  // A failed test must not leave the next one with its uplink cut.
  afterEach(() => {
    h?.proxy.restore();
  });

  describe('defect 1: a resend of an op the cloud applied is answered applied, never rejected', () => {
    it('the device lost the answer, the feed brought the order, then the uplink dropped', async () => {
      await h.waitSettled();
      const create = await createOrder('tablet-d1a');
      const first = await h.postRelay(create, 'server');
      expect(first.status, describeHttp(first)).toBe(201);
      await vi.waitFor(
        async () =>
          expect(
            await relayHasOrder(orderIdOf(create)),
            'the feed brings the order to the relay',
          ).toBe(true),
        { timeout: 10_000, interval: 10 },
      );
      await cutUplink();
      const again = await h.postRelay(create, 'server');
      expect(again.status, describeHttp(again)).toBe(201);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(resultOf(again.text)).toMatchObject({ opId: create.opId, status: 'applied' });
      // The status lookup says the same, offline: no "send it again" invitation.
      const lookup = await h.relayOp(create.opId);
      expect(lookup.status, describeHttp(lookup)).toBe(200);
      expect(json<OpResult>(lookup)).toMatchObject({ status: 'applied' });
      await restoreUplink();
      await h.waitSettled();
      const online = await h.postRelay(create, 'server');
      expect(resultOf(online.text)).toMatchObject({ status: 'applied' });
      expect(await cloudEffects(create.opId)).toBe(1);
    }, 40_000);

    it('the relay restarts with the uplink down and is asked again', async () => {
      await h.waitSettled();
      const create = await createOrder('tablet-d1b');
      expect((await h.postRelay(create, 'server')).status).toBe(201);
      await vi.waitFor(
        async () =>
          expect(
            await relayHasOrder(orderIdOf(create)),
            'the feed brings the order to the relay',
          ).toBe(true),
        { timeout: 10_000, interval: 10 },
      );
      h.proxy.cut();
      await h.relay.kill9();
      await h.restartRelay();
      await h.relay.waitForConnectivity('offline_local', 15_000);
      const again = await h.postRelay(create, 'server');
      expect(again.status, describeHttp(again)).toBe(201);
      expect(resultOf(again.text)).toMatchObject({ status: 'applied' });
      await restoreUplink();
      await h.waitSettled();
      expect(await cloudEffects(create.opId)).toBe(1);
    }, 60_000);

    it('the cloud’s answer to the relay is lost: decided again, settled as the cloud’s duplicate', async () => {
      await h.waitSettled();
      const create = await createOrder('tablet-d1c');
      h.proxy.resetAfterBytes(0, 'downstream', { request: `POST ${venuePath('/ops')}` });
      const first = await h.postRelay(create, 'server');
      expect([201, 202, 409], describeHttp(first)).toContain(first.status);
      await h.waitSettled();
      const again = await h.postRelay(create, 'server');
      expect(resultOf(again.text)).toMatchObject({ opId: create.opId, status: 'applied' });
      expect(await cloudEffects(create.opId)).toBe(1);
    }, 40_000);
  });

  describe('defect 2: an op whose dependency or target the relay has not seen is held, then decided by the cloud', () => {
    it('the relay forwarded the order; the uplink dropped before the feed brought it back', async () => {
      await h.waitSettled();
      const create = await createOrder('tablet-d2a');
      // The feed path fails (the answer carrying the new order is lost), then the uplink drops.
      h.proxy.failRequests([FEED]);
      const first = await h.postRelay(create, 'server');
      expect(first.status, describeHttp(first)).toBe(201);
      h.proxy.cut();
      expect(await relayHasOrder(orderIdOf(create))).toBe(false);
      const add = await addLines(orderIdOf(create), 'tablet-d2a', [create.opId]);
      const held = await h.postRelay(add, 'server');
      expect(held.status, describeHttp(held)).toBe(409);
      expect(JSON.parse(held.text)).toMatchObject({
        kind: 'retry_later',
        code: 'DEPENDENCY_PENDING',
      });
      await h.relay.waitForConnectivity('offline_local', 10_000);
      await restoreUplink();
      await h.waitSettled();
      expect(await cloudResult(add.opId)).toMatchObject({ status: 'applied' });
      const again = await h.postRelay(add, 'server');
      expect(resultOf(again.text)).toMatchObject({ status: 'applied' });
      expect(await cloudEffects(add.opId)).toBe(1);
    }, 40_000);

    it('a phone on mobile data created the order at the cloud during the outage; a tablet adds to it', async () => {
      await h.waitSettled();
      await cutUplink();
      const create = await createOrder('phone-d2b');
      const atCloud = await h.postCloud(create, 'server');
      expect(atCloud.status, describeHttp(atCloud)).toBe(201);
      const add = await addLines(orderIdOf(create), 'tablet-d2b');
      const held = await h.postRelay(add, 'server');
      expect(held.status, describeHttp(held)).toBe(409);
      expect(held.text).toContain('NOT_FOUND');
      await restoreUplink();
      await h.waitSettled();
      expect(await cloudResult(add.opId)).toMatchObject({ status: 'applied' });
      expect(await cloudEffects(add.opId)).toBe(1);
      expect(await relayHasOrder(orderIdOf(create))).toBe(true);
    }, 40_000);
  });

  describe('defect 3: an op whose dependency never exists holds back no other device', () => {
    it('hostile dependencies from every role: the waiters’ ops reach the cloud; the bogus ones are rejected after the bound', async () => {
      await h.waitSettled();
      await cutUplink();
      const guest = await guestAtRelay('5');
      const never = () => newUlid();
      const bogus: { op: Operation; actor: Actor }[] = [];
      const add = async (o: Promise<Operation>, actor: Actor) => {
        const made = await o;
        bogus.push({ op: made, actor });
        return made;
      };
      await add(
        op(
          'serviceRequest.create',
          { requestId: newUlid(), tableId: 'table-5', kind: 'call_waiter' },
          'guest-phone',
          guest,
          [never()],
        ),
        guest,
      );
      await add(
        op(
          'order.create',
          { orderId: newUlid(), tableId: 'table-6', lines: [] },
          'hostile-srv',
          'server',
          [never()],
        ),
        'server',
      );
      await add(
        op(
          'menu.item.setAvailability',
          { itemId: 'fries', available: false },
          'hostile-kds',
          'kitchen',
          [never()],
        ),
        'kitchen',
      );
      // A cycle: each names the other (the second is made first so the first can name it).
      const cycleB = newUlid();
      const cycleA = await add(
        op(
          'order.create',
          { orderId: newUlid(), tableId: 'table-7', lines: [] },
          'hostile-mgr',
          'manager',
          [cycleB],
        ),
        'manager',
      );
      await add(
        makeOperation({
          opId: cycleB,
          type: 'order.create',
          payload: { orderId: newUlid(), tableId: 'table-8', lines: [] },
          deviceId: 'hostile-mgr',
          tenantId: TENANT,
          venueId: VENUE,
          actorId: 'demo-manager',
          dependsOn: [cycleA.opId],
        }),
        'manager',
      );
      for (const { op: o, actor } of bogus) {
        const http = await post(o, actor);
        expect([202, 409], describeHttp(http)).toContain(http.status);
      }
      // A waiter's chain on another tablet, and a dependency on another device's op (legitimate).
      const waiterOrder = await createOrder('tablet-waiter');
      const waiterAdd = await addLines(orderIdOf(waiterOrder), 'tablet-waiter', [waiterOrder.opId]);
      const otherDevice = await addLines(orderIdOf(waiterOrder), 'tablet-other', [
        waiterOrder.opId,
      ]);
      for (const o of [waiterOrder, waiterAdd, otherDevice]) {
        const http = await h.postRelay(o, 'server');
        expect(http.status, describeHttp(http)).toBe(202);
      }
      await restoreUplink();
      for (const o of [waiterOrder, waiterAdd, otherDevice]) {
        await vi.waitFor(
          async () =>
            expect(
              (await cloudResult(o.opId))?.status === 'applied',
              `${o.type} ${o.opId} reaches the cloud`,
            ).toBe(true),
          { timeout: 15_000, interval: 10 },
        );
      }
      // After the restore, an op sent to the relay still gets through (the journal drains).
      const later = await createOrder('tablet-later');
      const laterHttp = await h.postRelay(later, 'server');
      expect([201, 202], describeHttp(laterHttp)).toContain(laterHttp.status);
      await vi.waitFor(
        async () =>
          expect(
            (await cloudResult(later.opId))?.status === 'applied',
            'the later op reaches the cloud',
          ).toBe(true),
        { timeout: 15_000, interval: 10 },
      );
      // Past the bound every bogus op is rejected for good, with a reason the device shows.
      await h.waitSettled(HOLD_MS + 20_000);
      for (const { op: o, actor } of bogus) {
        const verdict = await cloudResult(o.opId);
        expect(verdict, o.type).toMatchObject({ status: 'rejected' });
        expect(['DEPENDENCY_UNKNOWN', 'DEPENDENCY_REJECTED']).toContain(
          verdict?.status === 'rejected' ? verdict.code : '',
        );
        const asked = await post(o, actor);
        expect(asked.status, describeHttp(asked)).toBe(422);
        expect(await cloudEffects(o.opId)).toBe(0);
      }
      for (const o of [waiterOrder, waiterAdd, otherDevice, later])
        expect(await cloudEffects(o.opId)).toBe(1);
    }, 60_000);
  });

  describe('the relay and the cloud answer alike', () => {
    it('an op for another tenant is 400 at both and stored by neither: the corrected op goes through', async () => {
      await h.waitSettled();
      await cutUplink();
      const good = await createOrder('tablet-alike');
      const foreign = { ...good, tenantId: 'someone-else' };
      for (const send of [
        () => h.postRelay(foreign, 'server'),
        () => h.postCloud(foreign, 'server'),
      ]) {
        const http = await send();
        expect(http.status, describeHttp(http)).toBe(400);
      }
      const corrected = await h.postRelay(good, 'server');
      expect(corrected.status, describeHttp(corrected)).toBe(202);
      await restoreUplink();
      await h.waitSettled();
      expect(await cloudResult(good.opId)).toMatchObject({ status: 'applied' });
    }, 40_000);

    it('an op answered accepted_local and sent again after the journal drained is answered applied, as a replay', async () => {
      await h.waitSettled();
      await cutUplink();
      const create = await createOrder('tablet-replay');
      const local = await h.postRelay(create, 'server');
      expect(local.status, describeHttp(local)).toBe(202);
      const accepted = json<OpResult>(local);
      await restoreUplink();
      await h.waitSettled();
      const again = await h.postRelay(create, 'server');
      expect(again.status, describeHttp(again)).toBe(201);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      // Applied in the relay's terms: the LAN seq and versions the device's cache holds.
      expect(json<OpResult>(again)).toMatchObject({
        status: 'applied',
        seq: accepted.status === 'accepted_local' ? accepted.seq : -1,
        changed: accepted.status === 'accepted_local' ? accepted.changed : [],
      });
    }, 40_000);
  });
});
