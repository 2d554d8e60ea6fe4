import { describe, expect, it } from 'vitest';
import { newUlid, type Operation, type Principal } from '#protocol';
import { DEMO } from '../seed/demo-seed.ts';
import { demoOp } from '../testing/ops.ts';
import { makeTestApp, TEST_NOW, type TestApp } from '../testing/test-app.ts';
import { decisionTime, MAX_REPLAY_AGE_MS } from '../write/op-writer.ts';

// A relay replays what it decided offline with the time it decided each op; the cloud decides
// the op at that time (not after its own now, not older than the longest outage), and only for
// the relay's replay token.
const VENUE = `/v1/venues/${DEMO.venueId}`;
const manager: Principal = {
  kind: 'staff',
  tenantId: DEMO.tenantId,
  venueId: DEMO.venueId,
  actorId: 'demo-manager',
  role: 'manager',
};
const ago = (ms: number) => new Date(Date.parse(TEST_NOW) - ms).toISOString();
const HOUR = 3_600_000;

/** An open order with one line, made directly, and a cash close of it (not sent yet). */
async function orderToClose(t: TestApp): Promise<{ orderId: string; close: Operation }> {
  const orderId = newUlid();
  const create = await demoOp('order.create', {
    orderId,
    tableId: 'table-1',
    lines: [{ lineId: 'l', itemId: 'fries', quantity: 1 }],
  });
  const made = await t.app.request(`${VENUE}/ops/batch`, batch([create], t.as.manager));
  expect(await made.json()).toMatchObject({ results: [{ status: 'applied' }] });
  const close = await demoOp('order.close', {
    orderId,
    payment: { method: 'cash', tendered: 10_000 },
  });
  return { orderId, close };
}

function batch(
  ops: readonly Operation[],
  headers: Record<string, string>,
  decidedAt?: Record<string, string>,
): RequestInit {
  return {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify({ deviceId: 'tablet-1', ops, ...(decidedAt ? { decidedAt } : {}) }),
  };
}

/** The order's closedAt as the cloud's feed last wrote it. */
async function closedAt(t: TestApp, orderId: string): Promise<unknown> {
  const entries = await t.store.readFeed(DEMO.venueId, 0, { limit: 10_000 });
  const last = entries.filter((e) => e.entity === 'order' && e.id === orderId).at(-1);
  return last?.op === 'upsert' ? (last.data as { closedAt?: unknown }).closedAt : undefined;
}

/** Replays `close` with `decidedAt` under a bearer for the demo manager from `issuer`. */
async function replayClose(options: {
  issuer: string;
  did?: string;
  decidedAt?: string;
  /** A relay-signed token without the replay claim (a relay's sign-in, not its reconciler's). */
  noReplayClaim?: boolean;
}) {
  const t = await makeTestApp();
  const { orderId, close } = await orderToClose(t);
  const relayNode = options.issuer.startsWith('relay:') ? options.issuer.slice(6) : undefined;
  const bearer =
    relayNode !== undefined && options.did === undefined && options.noReplayClaim !== true
      ? t.auth.replayer(manager, relayNode)
      : t.auth.person(manager, options.issuer, options.did);
  const res = await t.app.request(
    `${VENUE}/ops/batch`,
    batch(
      [close],
      { Authorization: `Bearer ${bearer}` },
      options.decidedAt === undefined ? undefined : { [close.opId]: options.decidedAt },
    ),
  );
  const body = (await res.json()) as { results: { status: string; at?: string }[] };
  expect(body.results[0]?.status).toBe('applied');
  return { closedAt: await closedAt(t, orderId), result: body.results[0] };
}

describe('a relay replay decided at the relay’s decision time', () => {
  it('an op the relay decided offline is stamped with that time, not the cloud’s', async () => {
    const decided = ago(10 * HOUR);
    const { closedAt, result } = await replayClose({ issuer: 'relay:node-1', decidedAt: decided });
    expect(closedAt).toBe(decided);
    // The result and the feed keep the cloud's time: when the cloud applied it.
    expect(result?.at).toBe(TEST_NOW);
  });

  it('cash taken offline keeps the time it was taken (takenAt, and the order’s closedAt)', async () => {
    const t = await makeTestApp();
    const { orderId } = await orderToClose(t);
    const paymentId = newUlid();
    const entries = await t.store.readFeed(DEMO.venueId, 0, { limit: 10_000 });
    const order = entries.filter((e) => e.entity === 'order' && e.id === orderId).at(-1);
    const total = (order?.op === 'upsert' ? order.data : undefined) as
      | { totals: { total: number } }
      | undefined;
    const amount = total?.totals.total ?? 0;
    const pay = await demoOp('payment.cash', {
      paymentId,
      orderId,
      amount,
      tip: 0,
      tendered: amount,
    });
    const decided = ago(9 * HOUR);
    const bearer = t.auth.replayer(manager, 'node-1');
    const res = await t.app.request(
      `${VENUE}/ops/batch`,
      batch([pay], { Authorization: `Bearer ${bearer}` }, { [pay.opId]: decided }),
    );
    expect(await res.json()).toMatchObject({ results: [{ status: 'applied' }] });
    const after = await t.store.readFeed(DEMO.venueId, 0, { limit: 10_000 });
    const payment = after.find((e) => e.entity === 'payment' && e.id === paymentId);
    expect(payment?.op === 'upsert' && (payment.data as { takenAt?: unknown }).takenAt).toBe(
      decided,
    );
    expect(await closedAt(t, orderId)).toBe(decided);
  });

  it('a device’s own batch with decidedAt is decided at the cloud’s now', async () => {
    const decided = ago(10 * HOUR);
    // Signed in at the cloud.
    expect((await replayClose({ issuer: 'cloud', decidedAt: decided })).closedAt).toBe(TEST_NOW);
    // Signed in at the relay on a paired device (its token names the device): not the replay.
    expect(
      (await replayClose({ issuer: 'relay:node-1', did: 'tablet-1', decidedAt: decided })).closedAt,
    ).toBe(TEST_NOW);
    // Signed by the relay with no device (a guest's sign-in there) but not for its replay.
    expect(
      (await replayClose({ issuer: 'relay:node-1', decidedAt: decided, noReplayClaim: true }))
        .closedAt,
    ).toBe(TEST_NOW);
  });

  it('a relay replay without decidedAt is decided at the cloud’s now', async () => {
    expect((await replayClose({ issuer: 'relay:node-1' })).closedAt).toBe(TEST_NOW);
  });

  it('clamps: never after the cloud’s now, never older than the longest outage', async () => {
    const later = new Date(Date.parse(TEST_NOW) + HOUR).toISOString();
    expect((await replayClose({ issuer: 'relay:node-1', decidedAt: later })).closedAt).toBe(
      TEST_NOW,
    );
    const tooOld = ago(MAX_REPLAY_AGE_MS + 1);
    expect((await replayClose({ issuer: 'relay:node-1', decidedAt: tooOld })).closedAt).toBe(
      TEST_NOW,
    );
    const oldest = ago(MAX_REPLAY_AGE_MS);
    expect((await replayClose({ issuer: 'relay:node-1', decidedAt: oldest })).closedAt).toBe(
      oldest,
    );
  });

  it('a batch with a decidedAt that is not a timestamp is refused as invalid', async () => {
    const t = await makeTestApp();
    const { close } = await orderToClose(t);
    const bearer = t.auth.replayer(manager, 'node-1');
    const res = await t.app.request(
      `${VENUE}/ops/batch`,
      batch([close], { Authorization: `Bearer ${bearer}` }, { [close.opId]: 'yesterday' }),
    );
    expect(res.status).toBe(400);
  });
});

describe('decisionTime', () => {
  const now = '2026-12-07T09:00:00.000Z';
  it('keeps a time within the window, normalised', () => {
    expect(decisionTime(now, '2026-12-06T23:50:00+00:00')).toBe('2026-12-06T23:50:00.000Z');
  });
  it('is the cloud’s now when missing, later, or older than 7 days', () => {
    expect(decisionTime(now, undefined)).toBe(now);
    expect(decisionTime(now, '2026-12-07T09:00:00.001Z')).toBe(now);
    expect(decisionTime(now, '2026-11-30T08:59:59.999Z')).toBe(now);
    expect(decisionTime(now, '2026-11-30T09:00:00.000Z')).toBe('2026-11-30T09:00:00.000Z');
  });
});
