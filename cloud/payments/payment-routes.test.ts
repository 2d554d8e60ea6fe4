import { describe, expect, it } from 'vitest';
import {
  getEntity,
  newUlid,
  type Operation,
  type Principal,
  Problem,
  type VenueState,
} from '#protocol';
import { MemoryProcessor } from '../../server/payments/memory-processor.ts';
import {
  type LookupAnswer,
  type PaymentPort,
  PaymentPortError,
} from '../../server/payments/payment-port.ts';
import {
  CardPaymentAnswer,
  READER_TIP_MAX_PERCENT,
} from '../../server/payments/payment-service.ts';
import {
  PROCESSOR_SIGNATURE_HEADER,
  type ProcessorEvent,
  signEvent,
} from '../../server/payments/processor-events.ts';
import { opWriterFor } from '../ops/ops-routes.ts';
import { DEMO } from '../seed/demo-seed.ts';
import { demoOp, postBatch, postOp } from '../testing/ops.ts';
import { makeTestApp, type TestApp } from '../testing/test-app.ts';
import { VenueStates } from '../write/venue-states.ts';
import { RefundSender } from './refund-sender.ts';

// The cloud's card payments over HTTP with the in-memory processor: charged once per
// paymentId, recorded as the processor answered, settled by its signed events, refunds sent once.

const VENUE = `/v1/venues/${DEMO.venueId}`;
const SECRET = 'processor-secret-0123456789';

/** The cloud app with `port` as its processor (a MemoryProcessor unless said otherwise). */
async function paymentsApp(port: PaymentPort = new MemoryProcessor()) {
  const t = await makeTestApp({ payments: { port, secret: SECRET, reader: 'counter-1' } });
  return { t, port };
}

async function stateOf(t: TestApp): Promise<VenueState> {
  const states = new VenueStates(t.store);
  return t.store.transact(DEMO.tenantId, (tx) => states.load(tx, DEMO.tenantId, DEMO.venueId));
}

/** An open order (a burger and fries, not sent) made by the manager; its id and total. */
async function openOrder(t: TestApp): Promise<{ orderId: string; total: number }> {
  const orderId = newUlid();
  const create = await demoOp('order.create', {
    orderId,
    tableId: 'table-1',
    lines: [
      { lineId: 'l1', itemId: 'burger', quantity: 1 },
      { lineId: 'l2', itemId: 'fries', quantity: 1 },
    ],
  });
  const made = await t.app.request(
    `${VENUE}/ops/batch`,
    postBatch('tablet-1', [create], t.as.manager),
  );
  expect(await made.json()).toMatchObject({ results: [{ status: 'applied' }] });
  const order = getEntity((await stateOf(t)).entities, 'order', orderId);
  if (!order) throw new Error('order not made');
  return { orderId, total: order.totals.total };
}

function card(
  body: {
    paymentId?: string;
    orderId: string;
    amount: number;
    tip?: number;
    tipOnReader?: boolean;
  },
  headers: Record<string, string>,
): RequestInit {
  return {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify({
      paymentId: body.paymentId ?? newUlid(),
      orderId: body.orderId,
      amount: body.amount,
      tip: body.tip ?? 0,
      deviceId: 'tablet-1',
      ...(body.tipOnReader === undefined ? {} : { tipOnReader: body.tipOnReader }),
    }),
  };
}

function deliver(
  t: TestApp,
  event: ProcessorEvent | string,
  signature?: string,
): Promise<Response> {
  const body = typeof event === 'string' ? event : JSON.stringify(event);
  return Promise.resolve(
    t.app.request('/v1/payments/processor-events', {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        [PROCESSOR_SIGNATURE_HEADER]: signature ?? signEvent(SECRET, body),
      },
      body,
    }),
  );
}

const charges = (port: MemoryProcessor) => port.calls.filter((c) => c.method === 'charge');

describe('server-made ops at the cloud', () => {
  const cardOp = (orderId: string, opts: { actorId?: string } = {}): Promise<Operation> => {
    const paymentId = newUlid();
    return demoOp(
      'payment.card',
      {
        paymentId,
        orderId,
        amount: 100,
        tip: 0,
        outcome: 'approved',
        reference: 'ch_fake',
        brand: 'visa',
        last4: '4242',
        entry: 'reader',
      },
      { opId: paymentId, ...opts },
    );
  };

  it('a device posting payment.card is refused on both lanes (403 SERVER_MADE_OP), nothing recorded', async () => {
    const { t } = await paymentsApp();
    const { orderId } = await openOrder(t);
    const op = await cardOp(orderId);
    const direct = await t.app.request(`${VENUE}/ops`, postOp(op, t.as.manager));
    expect(direct.status).toBe(403);
    expect(Problem.parse(await direct.json())).toMatchObject({
      code: 'SERVER_MADE_OP',
      kind: 'stop',
    });
    const batch = await t.app.request(
      `${VENUE}/ops/batch`,
      postBatch('tablet-1', [op], t.as.manager),
    );
    expect(batch.status).toBe(403);
    expect(await batch.json()).toMatchObject({ code: 'SERVER_MADE_OP', kind: 'stop' });
    // A relay-signed token naming a device is that device, not the relay's replay.
    const device = t.auth.person(manager(), 'relay:node-1', 'tablet-1');
    const viaDevice = await t.app.request(
      `${VENUE}/ops/batch`,
      postBatch('tablet-1', [op], { Authorization: `Bearer ${device}` }),
    );
    expect(viaDevice.status).toBe(403);
    expect(getEntity((await stateOf(t)).entities, 'payment', op.opId)).toBeUndefined();
  });

  it('a relay replaying its journal may send one (its payment service recorded it)', async () => {
    const { t } = await paymentsApp();
    const { orderId } = await openOrder(t);
    const op = await cardOp(orderId);
    const replay = t.auth.replayer(manager(), 'node-1');
    const res = await t.app.request(
      `${VENUE}/ops/batch`,
      postBatch('tablet-1', [op], { Authorization: `Bearer ${replay}` }),
    );
    expect(await res.json()).toMatchObject({ results: [{ status: 'applied' }] });
    expect(res.status).toBe(200);
    expect(getEntity((await stateOf(t)).entities, 'payment', op.opId)?.status).toBe('approved');
  });
});

function manager(): Principal {
  return {
    kind: 'staff',
    tenantId: DEMO.tenantId,
    venueId: DEMO.venueId,
    actorId: 'demo-manager',
    role: 'manager',
  };
}

describe('POST …/payments/card at the cloud', () => {
  it('approved: the payment is recorded and the check closes', async () => {
    const { t, port } = await paymentsApp();
    const { orderId, total } = await openOrder(t);
    const paymentId = newUlid();
    const res = await t.app.request(
      `${VENUE}/payments/card`,
      card({ paymentId, orderId, amount: total, tip: 200 }, t.as.server),
    );
    expect(res.status).toBe(200);
    const body = CardPaymentAnswer.parse(await res.json());
    expect(body).toMatchObject({
      outcome: 'approved',
      payment: { paymentId, amount: total, tip: 200, status: 'approved', declineCode: null },
      result: { opId: paymentId, status: 'applied' },
    });
    expect(body.payment?.last4).toMatch(/^\d{4}$/);
    const state = await stateOf(t);
    expect(getEntity(state.entities, 'payment', paymentId)).toMatchObject({
      method: 'card',
      status: 'approved',
      takenBy: 'demo-server',
      deviceId: 'tablet-1',
      card: { entry: 'reader' },
    });
    expect(getEntity(state.entities, 'order', orderId)?.status).toBe('closed');
    expect(charges(port as MemoryProcessor)).toHaveLength(1);
  });

  it('a tip on the reader: the reader may offer 30 % of the amount, the guest’s tip is recorded and answered', async () => {
    const port = new MemoryProcessor();
    const { t } = await paymentsApp(port);
    const { orderId, total } = await openOrder(t);
    const maxTip = Math.floor((total * READER_TIP_MAX_PERCENT) / 100);
    port.script({ readerTip: 170 });
    const paymentId = newUlid();
    const res = await t.app.request(
      `${VENUE}/payments/card`,
      card({ paymentId, orderId, amount: total, tipOnReader: true }, t.as.server),
    );
    expect(res.status).toBe(200);
    const body = CardPaymentAnswer.parse(await res.json());
    expect(body).toMatchObject({
      outcome: 'approved',
      payment: { paymentId, amount: total, tip: 170 },
      result: { opId: paymentId, status: 'applied' },
    });
    expect(port.state().charges).toMatchObject([{ paymentId, tip: 170, maxTip }]);
    const state = await stateOf(t);
    expect(getEntity(state.entities, 'payment', paymentId)).toMatchObject({
      amount: total,
      tip: 170,
    });
    expect(getEntity(state.entities, 'order', orderId)).toMatchObject({
      status: 'closed',
      tips: 170,
    });
    // Asked again: the recorded payment with the guest's tip, not a second charge.
    const again = await t.app.request(
      `${VENUE}/payments/card`,
      card({ paymentId, orderId, amount: total, tipOnReader: true }, t.as.server),
    );
    expect(await again.json()).toMatchObject({ outcome: 'approved', payment: { tip: 170 } });
    expect(charges(port)).toHaveLength(1);
  });

  it('a tip on the reader: a generous guest gets maxTip; a tip of its own as well is refused', async () => {
    const port = new MemoryProcessor();
    const { t } = await paymentsApp(port);
    const { orderId, total } = await openOrder(t);
    port.script({ readerTip: { percent: 100 } });
    const both = await t.app.request(
      `${VENUE}/payments/card`,
      card({ orderId, amount: total, tip: 100, tipOnReader: true }, t.as.server),
    );
    expect(both.status).toBe(400);
    expect(charges(port)).toHaveLength(0);
    const res = await t.app.request(
      `${VENUE}/payments/card`,
      card({ orderId, amount: total, tipOnReader: true }, t.as.server),
    );
    expect(await res.json()).toMatchObject({
      outcome: 'approved',
      payment: { tip: Math.floor((total * READER_TIP_MAX_PERCENT) / 100) },
    });
  });

  it('a tip on the reader found by the lookup above maxTip is never recorded (502, asked again later)', async () => {
    const memory = new MemoryProcessor();
    // A processor whose charge times out and whose lookup says the guest tipped far too much.
    const port: PaymentPort = {
      charge: async () => ({ outcome: 'timed_out' }),
      lookup: async (): Promise<LookupAnswer> => ({
        outcome: 'approved',
        reference: 'ch_1',
        brand: 'visa',
        last4: '4242',
        tip: 1_000_000,
      }),
      refund: (req) => memory.refund(req),
      createCheckout: (req) => memory.createCheckout(req),
      checkout: (id) => memory.checkout(id),
    };
    const { t } = await paymentsApp(port);
    const { orderId, total } = await openOrder(t);
    const paymentId = newUlid();
    const res = await t.app.request(
      `${VENUE}/payments/card`,
      card({ paymentId, orderId, amount: total, tipOnReader: true }, t.as.server),
    );
    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({ code: 'PROCESSOR_ERROR', kind: 'back_off' });
    expect(getEntity((await stateOf(t)).entities, 'payment', paymentId)).toBeUndefined();
  });

  it('declined: recorded with its code, the check stays open', async () => {
    const port = new MemoryProcessor();
    const { t } = await paymentsApp(port);
    const { orderId, total } = await openOrder(t);
    port.script({ declineNext: ['insufficient_funds'] });
    const paymentId = newUlid();
    const res = await t.app.request(
      `${VENUE}/payments/card`,
      card({ paymentId, orderId, amount: total }, t.as.server),
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      outcome: 'declined',
      payment: { status: 'declined', declineCode: 'insufficient_funds' },
      result: { status: 'applied' },
    });
    const state = await stateOf(t);
    expect(getEntity(state.entities, 'payment', paymentId)?.status).toBe('declined');
    expect(getEntity(state.entities, 'order', orderId)?.status).toBe('open');
  });

  it('the same paymentId again: the same answer, never a second charge', async () => {
    const port = new MemoryProcessor();
    const { t } = await paymentsApp(port);
    const { orderId, total } = await openOrder(t);
    const paymentId = newUlid();
    const first = await t.app.request(
      `${VENUE}/payments/card`,
      card({ paymentId, orderId, amount: total }, t.as.server),
    );
    const again = await t.app.request(
      `${VENUE}/payments/card`,
      card({ paymentId, orderId, amount: total }, t.as.server),
    );
    const a = (await first.json()) as { outcome: string; payment: unknown };
    const b = (await again.json()) as { outcome: string; payment: unknown };
    expect(again.status).toBe(200);
    expect(b.outcome).toBe(a.outcome);
    expect(b.payment).toEqual(a.payment);
    expect(charges(port)).toHaveLength(1);
    expect(port.state().charges).toHaveLength(1);
  });

  it('timed_out and the lookup fails: 202 retry_same; asked again, one charge', async () => {
    const memory = new MemoryProcessor();
    let lookups = 0;
    // The lookup after the timeout finds no processor either (a small adapter of the port).
    const port: PaymentPort = {
      charge: (req) => memory.charge(req),
      lookup: async (id): Promise<LookupAnswer> => {
        lookups += 1;
        if (lookups === 1) throw new PaymentPortError('unavailable', 'no answer');
        return memory.lookup(id);
      },
      refund: (req) => memory.refund(req),
      createCheckout: (req) => memory.createCheckout(req),
      checkout: (id) => memory.checkout(id),
    };
    const { t } = await paymentsApp(port);
    const { orderId, total } = await openOrder(t);
    memory.script({ timeoutNext: 1 });
    const paymentId = newUlid();
    const first = await t.app.request(
      `${VENUE}/payments/card`,
      card({ paymentId, orderId, amount: total }, t.as.server),
    );
    expect(first.status).toBe(202);
    expect(await first.json()).toMatchObject({ outcome: 'timed_out', kind: 'retry_same' });
    expect(getEntity((await stateOf(t)).entities, 'payment', paymentId)).toBeUndefined();
    const again = await t.app.request(
      `${VENUE}/payments/card`,
      card({ paymentId, orderId, amount: total }, t.as.server),
    );
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({
      outcome: 'approved',
      result: { status: 'applied' },
    });
    expect(memory.state().charges).toHaveLength(1);
  });

  it('timed_out and found by the lookup: answered at once', async () => {
    const port = new MemoryProcessor();
    const { t } = await paymentsApp(port);
    const { orderId, total } = await openOrder(t);
    port.script({ timeoutNext: 1 });
    const res = await t.app.request(
      `${VENUE}/payments/card`,
      card({ orderId, amount: total }, t.as.server),
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ outcome: 'approved' });
    expect(port.calls.map((c) => c.method)).toEqual(['charge', 'lookup']);
  });

  it('a payment the venue would refuse (over the balance) is never charged', async () => {
    const port = new MemoryProcessor();
    const { t } = await paymentsApp(port);
    const { orderId, total } = await openOrder(t);
    const res = await t.app.request(
      `${VENUE}/payments/card`,
      card({ orderId, amount: total + 1 }, t.as.server),
    );
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ code: 'OVERPAYMENT', kind: 'stop' });
    expect(charges(port)).toHaveLength(0);
  });

  it('another venue’s token, a kitchen role and a guest are refused; nothing charged', async () => {
    const port = new MemoryProcessor();
    const { t } = await paymentsApp(port);
    const { orderId, total } = await openOrder(t);
    const other = t.bearer({ ...manager(), venueId: 'other-venue' });
    for (const headers of [other, t.as.kitchen, t.as.guest]) {
      const res = await t.app.request(
        `${VENUE}/payments/card`,
        card({ orderId, amount: total }, headers),
      );
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ code: 'FORBIDDEN', kind: 'stop' });
    }
    expect(port.calls).toHaveLength(0);
  });

  it('without a processor: 503 needs_setup', async () => {
    const t = await makeTestApp();
    const { orderId, total } = await openOrder(t);
    const res = await t.app.request(
      `${VENUE}/payments/card`,
      card({ orderId, amount: total }, t.as.server),
    );
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({
      kind: 'needs_setup',
      detail: expect.stringContaining('no payment processor configured'),
    });
  });
});

describe('POST /v1/payments/processor-events', () => {
  /** A stored payment (the processor's card network down) for the whole check. */
  async function storedPayment() {
    const port = new MemoryProcessor();
    const { t } = await paymentsApp(port);
    const { orderId, total } = await openOrder(t);
    port.script({ networkDown: true });
    const paymentId = newUlid();
    const res = await t.app.request(
      `${VENUE}/payments/card`,
      card({ paymentId, orderId, amount: total }, t.as.server),
    );
    expect(await res.json()).toMatchObject({ outcome: 'stored', result: { status: 'applied' } });
    expect(getEntity((await stateOf(t)).entities, 'order', orderId)?.status).toBe('closed');
    port.script({ networkDown: false, declineLater: [paymentId] });
    return { t, port, orderId, paymentId };
  }

  it('a bad signature is 401 and changes nothing', async () => {
    const { t, port, paymentId } = await storedPayment();
    const [event] = port.forward();
    if (!event) throw new Error('no event');
    const head = await t.store.head(DEMO.venueId);
    const res = await deliver(
      t,
      event,
      signEvent('another-secret-0123456789', JSON.stringify(event)),
    );
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: 'EVENT_SIGNATURE_INVALID' });
    const unsigned = await t.app.request('/v1/payments/processor-events', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(event),
    });
    expect(unsigned.status).toBe(401);
    expect(await t.store.head(DEMO.venueId)).toBe(head);
    expect(getEntity((await stateOf(t)).entities, 'payment', paymentId)?.status).toBe('stored');
  });

  it('declined_later reopens the check; the event again is the same op, taken once', async () => {
    const { t, port, orderId, paymentId } = await storedPayment();
    const [event] = port.forward();
    expect(event).toMatchObject({ type: 'payment.declined_later', paymentId });
    if (!event) throw new Error('no event');
    const res = await deliver(t, event);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ taken: true, result: { status: 'applied' } });
    const state = await stateOf(t);
    expect(getEntity(state.entities, 'payment', paymentId)).toMatchObject({
      status: 'declined_later',
      task: 'open',
    });
    const order = getEntity(state.entities, 'order', orderId);
    expect(order?.status).toBe('sent');
    expect(order?.paid).toBe(0);
    const head = await t.store.head(DEMO.venueId);
    const again = await deliver(t, event);
    expect(again.status).toBe(200);
    expect(await t.store.head(DEMO.venueId)).toBe(head);
  });

  it('an event for a payment not known yet is 409 (the processor sends it again)', async () => {
    const { t } = await paymentsApp();
    const event: ProcessorEvent = {
      id: 'evt_1',
      type: 'payment.authorised_later',
      tenantId: DEMO.tenantId,
      venueId: DEMO.venueId,
      paymentId: newUlid(),
      reference: 'ch_unknown',
    };
    const res = await deliver(t, event);
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ code: 'NOT_KNOWN_YET', kind: 'retry_later' });
  });
});

describe('the refund sender', () => {
  it('sends an approved card refund once and settles it', async () => {
    const port = new MemoryProcessor();
    const { t } = await paymentsApp(port);
    const { orderId, total } = await openOrder(t);
    const paymentId = newUlid();
    await t.app.request(
      `${VENUE}/payments/card`,
      card({ paymentId, orderId, amount: total }, t.as.server),
    );
    const refundId = newUlid();
    const request = await demoOp(
      'refund.request',
      { refundId, paymentId, amount: 300, reason: 'cold fries' },
      { opId: newUlid() },
    );
    const asked = await t.app.request(`${VENUE}/ops`, postOp(request, t.as.manager));
    expect(asked.status).toBe(201);
    expect(getEntity((await stateOf(t)).entities, 'refund', refundId)?.status).toBe('approved');
    const sender = new RefundSender({ ...t.deps, port, writer: opWriterFor(t.deps) });
    sender.watch(DEMO.venueId);
    expect(await sender.runOnce()).toBe(1);
    expect(await sender.runOnce()).toBe(0);
    expect(port.calls.filter((c) => c.method === 'refund')).toEqual([
      { method: 'refund', id: refundId },
    ]);
    const refund = getEntity((await stateOf(t)).entities, 'refund', refundId);
    expect(refund).toMatchObject({ status: 'refunded' });
    expect(refund?.reference).toBeTruthy();
    // The processor's own event for it is the same settle: taken, nothing new recorded.
    const event = port.events.find((e) => e.type === 'refund.refunded');
    if (!event) throw new Error('no refund event');
    const head = await t.store.head(DEMO.venueId);
    expect((await deliver(t, event)).status).toBe(200);
    expect(await t.store.head(DEMO.venueId)).toBe(head);
    await sender.stop();
  });
});

describe('the guests’ hosted checkout', () => {
  const start = (t: TestApp, body: Record<string, unknown>, headers = t.as.guest) =>
    t.app.request(`${VENUE}/payments/checkout`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  it('paid on the processor’s page: the receipt, the payment recorded once for the table’s order', async () => {
    const port = new MemoryProcessor();
    const { t } = await paymentsApp(port);
    const { orderId, total } = await openOrder(t);
    const checkoutId = newUlid();
    const created = await start(t, {
      checkoutId,
      orderId,
      tip: 150,
      returnUrl: 'http://localhost/guest/table-1',
    });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({
      checkoutId,
      url: expect.stringContaining(checkoutId),
    });
    const view = () =>
      t.app.request(`${VENUE}/payments/checkout/${checkoutId}`, { headers: t.as.guest });
    expect(await (await view()).json()).toEqual({ status: 'open' });
    port.payCheckout(checkoutId);
    const paid = await view();
    expect(paid.status).toBe(200);
    expect(await paid.json()).toMatchObject({
      status: 'paid',
      receipt: {
        amount: total,
        tip: 150,
        currency: 'EUR',
        last4: expect.stringMatching(/^\d{4}$/),
      },
    });
    const state = await stateOf(t);
    expect(getEntity(state.entities, 'payment', checkoutId)).toMatchObject({
      status: 'approved',
      card: { entry: 'hosted' },
      takenBy: 'guest-session-1',
    });
    expect(getEntity(state.entities, 'order', orderId)?.status).toBe('closed');
    // The processor's checkout.paid is the same op: taken, nothing new.
    const event = port.events.find((e) => e.type === 'checkout.paid');
    if (!event) throw new Error('no checkout.paid');
    const head = await t.store.head(DEMO.venueId);
    expect((await deliver(t, event)).status).toBe(200);
    expect(await t.store.head(DEMO.venueId)).toBe(head);
  });

  it('staff may not start one; a return URL on another origin is refused', async () => {
    const { t } = await paymentsApp();
    const { orderId } = await openOrder(t);
    const body = { checkoutId: newUlid(), orderId, tip: 0, returnUrl: 'http://localhost/g' };
    expect((await start(t, body, t.as.server)).status).toBe(403);
    const foreign = await start(t, { ...body, returnUrl: 'https://evil.example/g' });
    expect(foreign.status).toBe(400);
    expect(await foreign.json()).toMatchObject({ code: 'RETURN_URL_FOREIGN' });
  });
});
