import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_OFFLINE_CARD_LIMITS,
  getEntity,
  newUlid,
  type Operation,
  type Principal,
} from '#protocol';
import { memoryLogger } from '../../server/logger.ts';
import { MemoryProcessor } from '../../server/payments/memory-processor.ts';
import type { CardChargeRequest, PaymentPort } from '../../server/payments/payment-port.ts';
import {
  guest,
  NOW,
  opOf,
  staff,
  TENANT,
  VENUE,
  venueState,
} from '../../tests/protocol/support/venue-fixture.ts';
import { RelayLanAuthenticator } from '../lan/lan-authenticator.ts';
import type { LanEnv } from '../lan/lan-caller.ts';
import { registerLanOpsRoutes } from '../lan/ops-routes.ts';
import { MemoryRelayStore } from '../store/memory-relay-store.ts';
import { RelayBus } from '../sync/feed-bus.ts';
import {
  bootstrappedEngine,
  lanDevices,
  offlineGate,
  testRelayKeys,
} from '../testing/lan-fixture.ts';
import type { UplinkGate } from '../uplink/uplink-gate.ts';
import { registerLanPaymentRoutes } from './payment-routes.ts';

// Card payments on the relay: forwarded to the cloud while the uplink is direct; while it is
// down, decided with the offline card limits (payments in flight included), charged through
// the relay's own port and journaled.

const BASE = `/v1/venues/${VENUE}`;
const LIMITS = {
  ...DEFAULT_OFFLINE_CARD_LIMITS,
  enabled: true,
  perTransaction: 2000,
  withManagerApproval: 5000,
  perDevice: 3000,
  perVenue: 10_000,
};

/** A charge held until `release()`: two requests at once, the first still at the reader. */
class HeldPort implements PaymentPort {
  arrived = 0;
  release: () => void = () => {};
  /** Resolves when the first charge reaches the port, so its hold is in place. */
  firstArrival: Promise<void>;
  private arrive: () => void = () => {};
  private readonly held = new Promise<void>((resolve) => {
    this.release = resolve;
  });
  private readonly inner: MemoryProcessor;
  constructor(inner: MemoryProcessor) {
    this.inner = inner;
    this.firstArrival = new Promise<void>((resolve) => {
      this.arrive = resolve;
    });
  }
  async charge(req: CardChargeRequest) {
    this.arrived += 1;
    this.arrive();
    await this.held;
    return this.inner.charge(req);
  }
  lookup = (id: string) => this.inner.lookup(id);
  refund = (req: Parameters<PaymentPort['refund']>[0]) => this.inner.refund(req);
  createCheckout = (req: Parameters<PaymentPort['createCheckout']>[0]) =>
    this.inner.createCheckout(req);
  checkout = (id: string) => this.inner.checkout(id);
}

async function relayApp(
  options: { gate?: UplinkGate; port?: PaymentPort; noProcessor?: boolean } = {},
) {
  const { identity, signer } = await testRelayKeys;
  const store = new MemoryRelayStore();
  const bus = new RelayBus();
  const clock = () => new Date(NOW);
  const engine = await bootstrappedEngine(store, bus, clock);
  const settings = getEntity(venueState().entities, 'settings', TENANT);
  if (!settings) throw new Error('fixture has no settings');
  const version = settings.version + 1;
  await engine.applyCloud({
    entries: [
      {
        entity: 'settings',
        id: TENANT,
        op: 'upsert',
        data: { ...settings, offlineCard: LIMITS, version },
        version,
      },
    ],
  });
  const devices = lanDevices(engine, bus, clock);
  const authenticator = new RelayLanAuthenticator(identity, clock, devices);
  const gate = options.gate ?? offlineGate;
  const memory = new MemoryProcessor();
  const port = options.port ?? memory;
  const app = new Hono<LanEnv>();
  registerLanOpsRoutes(app, { engine, store, gate, authenticator, maxBatchOps: 100 });
  registerLanPaymentRoutes(app, {
    engine,
    store,
    gate,
    authenticator,
    clock,
    log: memoryLogger().log,
    payments: options.noProcessor ? undefined : { port, reader: 'counter-1' },
  });
  const iat = Math.floor(Date.parse(NOW) / 1000);
  const as = async (principal: Principal): Promise<Record<string, string>> => {
    const scope = {
      tenantId: principal.tenantId,
      venueId: principal.venueId,
      iat,
      exp: iat + 3600,
    };
    const token = await signer.sign(
      principal.kind === 'staff'
        ? { kind: 'staff', sub: principal.actorId, role: principal.role, ...scope }
        : { kind: 'guest', sub: principal.sessionId, tableId: principal.tableId, ...scope },
    );
    return { Authorization: `Bearer ${token}` };
  };
  const headers = {
    server: await as(staff('server')),
    manager: await as(staff('manager')),
    kitchen: await as(staff('kitchen')),
    guest: await as(guest('table-1')),
    otherVenue: await as({ ...staff('manager'), venueId: 'other-venue' }),
  };
  /** An open order of `burgers` burgers (1450 each), decided on the relay. */
  const order = async (burgers = 4): Promise<string> => {
    const orderId = newUlid();
    await engine.submitLocal(
      await opOf('order.create', {
        orderId,
        tableId: 'table-1',
        lines: [{ lineId: 'l1', itemId: 'burger', quantity: burgers }],
      }),
      staff('manager'),
    );
    return orderId;
  };
  const pay = (
    who: Record<string, string>,
    body: {
      orderId: string;
      amount: number;
      tip?: number;
      paymentId?: string;
      tipOnReader?: boolean;
      deviceId?: string;
    },
    path = `${BASE}/payments/card`,
  ) =>
    app.request(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...who },
      body: JSON.stringify({
        paymentId: body.paymentId ?? newUlid(),
        orderId: body.orderId,
        amount: body.amount,
        tip: body.tip ?? 0,
        deviceId: body.deviceId ?? 'tablet-1',
        ...(body.tipOnReader === undefined ? {} : { tipOnReader: body.tipOnReader }),
      }),
    });
  const payment = (id: string) => getEntity(engine.visible, 'payment', id);
  return { app, engine, store, memory, headers, order, pay, payment };
}

describe('card payments on the relay while offline', () => {
  it('stored within the limits: charged, journaled and paid towards the check', async () => {
    const r = await relayApp();
    r.memory.script({ networkDown: true });
    const orderId = await r.order();
    const paymentId = newUlid();
    const res = await r.pay(r.headers.server, { orderId, amount: 1500, tip: 100, paymentId });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      outcome: 'stored',
      payment: { paymentId, status: 'stored', amount: 1500, tip: 100 },
      result: { opId: paymentId, status: 'accepted_local' },
    });
    expect(r.payment(paymentId)).toMatchObject({ status: 'stored', offline: true });
    expect(r.store.journalEntry(paymentId)?.op.type).toBe('payment.card');
    expect(getEntity(r.engine.visible, 'order', orderId)?.paid).toBe(1500);
    expect(r.memory.state().charges).toHaveLength(1);
  });

  it('over the per-transaction limit: 422 with the code, nothing charged', async () => {
    const r = await relayApp();
    r.memory.script({ networkDown: true });
    const orderId = await r.order();
    const res = await r.pay(r.headers.server, { orderId, amount: 2500 });
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({
      code: 'OFFLINE_CARD_OVER_TRANSACTION_LIMIT',
      kind: 'stop',
    });
    expect(r.memory.calls).toHaveLength(0);
    expect(r.store.journalDepth().pending).toBe(1);
  });

  it('a manager may take one above the per-transaction limit (approvedBy)', async () => {
    const r = await relayApp();
    r.memory.script({ networkDown: true });
    const orderId = await r.order();
    const paymentId = newUlid();
    const res = await r.pay(r.headers.manager, { orderId, amount: 2500, paymentId });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ outcome: 'stored' });
    expect(r.payment(paymentId)).toMatchObject({ status: 'stored', approvedBy: 'manager-1' });
  });

  it('two at once from one tablet cannot pass its total together', async () => {
    const memory = new MemoryProcessor();
    memory.script({ networkDown: true });
    const held = new HeldPort(memory);
    const r = await relayApp({ port: held });
    const [a, b] = [await r.order(), await r.order()];
    const first = r.pay(r.headers.server, { orderId: a, amount: 1600 });
    const second = r.pay(r.headers.server, { orderId: b, amount: 1600 });
    // One waits at the reader; the other is answered meanwhile.
    const early = await Promise.race([first, second]);
    expect(early.status).toBe(422);
    expect(await early.clone().json()).toMatchObject({ code: 'OFFLINE_CARD_DEVICE_TOTAL' });
    held.release();
    const statuses = (await Promise.all([first, second])).map((res) => res.status).sort();
    expect(statuses).toEqual([200, 422]);
    expect(held.arrived).toBe(1);
    expect(memory.state().charges).toHaveLength(1);
  });

  it('a tip on the reader offline: maxTip shrinks to the device’s headroom, and the total lands on the limit', async () => {
    const r = await relayApp();
    r.memory.script({ networkDown: true, readerTip: { percent: 100 } });
    const orderId = await r.order();
    await r.pay(r.headers.server, { orderId, amount: 500 });
    // 30 % of 2000 is 600, but 3000 − 500 − 2000 leaves 500 on this tablet.
    const paymentId = newUlid();
    const res = await r.pay(r.headers.server, {
      orderId,
      amount: 2000,
      paymentId,
      tipOnReader: true,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      outcome: 'stored',
      payment: { paymentId, amount: 2000, tip: 500 },
      result: { status: 'accepted_local' },
    });
    expect(r.memory.state().charges[1]).toMatchObject({ paymentId, maxTip: 500, tip: 500 });
    expect(r.payment(paymentId)).toMatchObject({ status: 'stored', tip: 500 });
    const journaled = r.store.journalEntry(paymentId)?.op;
    expect(journaled?.payload).toMatchObject({ amount: 2000, tip: 500, outcome: 'stored' });
    // The tablet holds exactly its limit: nothing more, not even 1.
    const more = await r.pay(r.headers.server, { orderId, amount: 1 });
    expect(await more.json()).toMatchObject({ code: 'OFFLINE_CARD_DEVICE_TOTAL' });
  });

  it('a tip on the reader offline: the venue’s headroom bounds maxTip too', async () => {
    const r = await relayApp();
    r.memory.script({ networkDown: true, readerTip: { percent: 100 } });
    const orderId = await r.order(8);
    // 8900 outstanding on three other tablets: 10 000 − 8900 − 1000 leaves 100 in the venue.
    for (const [deviceId, amount] of [
      ['tablet-2', 2000],
      ['tablet-2', 1000],
      ['tablet-3', 2000],
      ['tablet-3', 1000],
      ['tablet-4', 2000],
      ['tablet-4', 900],
    ] as const) {
      const res = await r.pay(r.headers.server, { orderId, amount, deviceId });
      expect(res.status).toBe(200);
    }
    const paymentId = newUlid();
    const res = await r.pay(r.headers.server, {
      orderId,
      amount: 1000,
      paymentId,
      tipOnReader: true,
    });
    expect(await res.json()).toMatchObject({ outcome: 'stored', payment: { tip: 100 } });
    expect(r.memory.state().charges.at(-1)).toMatchObject({ paymentId, maxTip: 100, tip: 100 });
  });

  it('a tip on the reader offline with no headroom beyond the amount: maxTip is 0', async () => {
    const r = await relayApp();
    r.memory.script({ networkDown: true, readerTip: 300 });
    const orderId = await r.order();
    await r.pay(r.headers.server, { orderId, amount: 1000 });
    const paymentId = newUlid();
    const res = await r.pay(r.headers.server, {
      orderId,
      amount: 2000,
      paymentId,
      tipOnReader: true,
    });
    expect(await res.json()).toMatchObject({ outcome: 'stored', payment: { tip: 0 } });
    expect(r.memory.state().charges[1]).toMatchObject({ paymentId, maxTip: 0, tip: 0 });
    expect(r.payment(paymentId)?.tip).toBe(0);
  });

  it('a tip on the reader offline with room to spare: 30 % of the amount, the guest’s tip recorded', async () => {
    const r = await relayApp();
    r.memory.script({ networkDown: true, readerTip: 120 });
    const orderId = await r.order();
    const paymentId = newUlid();
    const res = await r.pay(r.headers.server, {
      orderId,
      amount: 1500,
      paymentId,
      tipOnReader: true,
    });
    expect(await res.json()).toMatchObject({ outcome: 'stored', payment: { tip: 120 } });
    expect(r.memory.state().charges[0]).toMatchObject({ maxTip: 450, tip: 120 });
    expect(r.store.journalEntry(paymentId)?.op.payload).toMatchObject({ tip: 120 });
  });

  it('a tip on the reader still at the reader counts amount + maxTip against the limits', async () => {
    const memory = new MemoryProcessor();
    memory.script({ networkDown: true });
    const held = new HeldPort(memory);
    const r = await relayApp({ port: held });
    const [a, b] = [await r.order(), await r.order()];
    // 2000 + its maxTip 600 is held: 500 more would pass the tablet's 3000.
    const first = r.pay(r.headers.server, { orderId: a, amount: 2000, tipOnReader: true });
    await held.firstArrival;
    const second = await r.pay(r.headers.server, { orderId: b, amount: 500 });
    expect(second.status).toBe(422);
    expect(await second.json()).toMatchObject({ code: 'OFFLINE_CARD_DEVICE_TOTAL' });
    held.release();
    expect((await first).status).toBe(200);
    expect(held.arrived).toBe(1);
  });

  it('timed_out and no lookup: 202; asked again with the same paymentId, one charge', async () => {
    const r = await relayApp();
    r.memory.script({ networkDown: true });
    const orderId = await r.order();
    const paymentId = newUlid();
    r.memory.setUnreachable(true);
    const first = await r.pay(r.headers.server, { orderId, amount: 1500, paymentId });
    expect(first.status).toBe(202);
    expect(await first.json()).toMatchObject({ outcome: 'timed_out', kind: 'retry_same' });
    r.memory.setUnreachable(false);
    const again = await r.pay(r.headers.server, { orderId, amount: 1500, paymentId });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ outcome: 'stored' });
    const third = await r.pay(r.headers.server, { orderId, amount: 1500, paymentId });
    expect(await third.json()).toMatchObject({ outcome: 'stored', result: { opId: paymentId } });
    expect(r.memory.state().charges).toHaveLength(1);
    expect(r.memory.calls.filter((c) => c.method === 'charge')).toHaveLength(2);
  });

  it('a device posting payment.card is refused on both lanes (403 SERVER_MADE_OP)', async () => {
    const r = await relayApp();
    const orderId = await r.order();
    const paymentId = newUlid();
    const op: Operation = await opOf(
      'payment.card',
      {
        paymentId,
        orderId,
        amount: 100,
        tip: 0,
        outcome: 'approved',
        reference: 'ch_fake',
        entry: 'reader',
      },
      staff('manager'),
      { opId: paymentId },
    );
    const direct = await r.app.request(`${BASE}/ops`, {
      method: 'POST',
      headers: { 'Idempotency-Key': op.opId, ...r.headers.manager },
      body: JSON.stringify(op),
    });
    expect(direct.status).toBe(403);
    expect(await direct.json()).toMatchObject({ code: 'SERVER_MADE_OP', kind: 'stop' });
    const batch = await r.app.request(`${BASE}/ops/batch`, {
      method: 'POST',
      headers: r.headers.manager,
      body: JSON.stringify({ deviceId: op.deviceId, ops: [op] }),
    });
    expect(batch.status).toBe(403);
    expect(r.payment(paymentId)).toBeUndefined();
    expect(r.store.journalEntry(paymentId)).toBeUndefined();
  });

  it('kitchen, a guest and another venue’s token are refused; nothing charged', async () => {
    const r = await relayApp();
    const orderId = await r.order();
    for (const who of [r.headers.kitchen, r.headers.guest, r.headers.otherVenue]) {
      const res = await r.pay(who, { orderId, amount: 1000 });
      expect(res.status).toBe(403);
    }
    expect(r.memory.calls).toHaveLength(0);
  });

  it('without a processor of its own: 503 needs_setup', async () => {
    const r = await relayApp({ noProcessor: true });
    const orderId = await r.order();
    const res = await r.pay(r.headers.server, { orderId, amount: 1500 });
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ kind: 'needs_setup' });
  });

  it('the hosted checkout needs the internet: 503 needs_internet', async () => {
    const r = await relayApp();
    const res = await r.app.request(`${BASE}/payments/checkout`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...r.headers.guest },
      body: JSON.stringify({ checkoutId: newUlid(), orderId: 'x', tip: 0, returnUrl: 'https://a' }),
    });
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ kind: 'needs_internet' });
  });
});

describe('card payments on the relay with the uplink direct', () => {
  it('forwarded to the cloud with the caller’s token; the cloud’s answer passed on', async () => {
    const forwarded: { path: string; init: RequestInit }[] = [];
    const gate: UplinkGate = {
      direct: () => true,
      forward: async (path, init) => {
        forwarded.push({ path, init });
        return Response.json({ outcome: 'approved' }, { status: 200 });
      },
    };
    const r = await relayApp({ gate });
    const orderId = await r.order();
    const res = await r.pay(r.headers.server, { orderId, amount: 1500 });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ outcome: 'approved' });
    expect(forwarded).toHaveLength(1);
    expect(forwarded[0]?.path).toBe(`${BASE}/payments/card`);
    expect(new Headers(forwarded[0]?.init.headers).get('authorization')).toBe(
      r.headers.server.Authorization,
    );
    expect(r.memory.calls).toHaveLength(0);
  });

  it('a device’s batch goes to the cloud without a decidedAt the device put in it', async () => {
    const forwarded: unknown[] = [];
    const gate: UplinkGate = {
      direct: () => true,
      forward: async (_path, init) => {
        forwarded.push(JSON.parse(String(init.body)));
        return Response.json({ results: [] }, { status: 200 });
      },
    };
    const r = await relayApp({ gate });
    const op = await opOf('order.create', {
      orderId: newUlid(),
      tableId: 'table-1',
      lines: [{ lineId: 'l1', itemId: 'burger', quantity: 1 }],
    });
    const res = await r.app.request(`${BASE}/ops/batch`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...r.headers.server },
      body: JSON.stringify({
        deviceId: op.deviceId,
        ops: [op],
        decidedAt: { [op.opId]: '2026-01-01T00:00:00.000Z' },
      }),
    });
    expect(res.status).toBe(200);
    expect(forwarded).toHaveLength(1);
    expect(forwarded[0]).toMatchObject({ deviceId: op.deviceId });
    expect(forwarded[0]).not.toHaveProperty('decidedAt');
  });

  it('a forward that fails on the network is taken by the relay itself', async () => {
    const gate: UplinkGate = { direct: () => true, forward: async () => undefined };
    const r = await relayApp({ gate });
    r.memory.script({ networkDown: true });
    const orderId = await r.order();
    const res = await r.pay(r.headers.server, { orderId, amount: 1500 });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ outcome: 'stored' });
    expect(r.memory.state().charges).toHaveLength(1);
  });
});
