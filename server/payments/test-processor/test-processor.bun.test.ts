import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'bun:test';
import { newUlid } from '#protocol';
import { type LogLine, memoryLogger } from '../../logger.ts';
import { type CardChargeRequest, PaymentPortError } from '../payment-port.ts';
import { ProcessorClient } from '../processor-client.ts';
import { type ScriptUpdate, TEST_CARD_NUMBERS_FOR_TESTS } from '../processor-core.ts';
import {
  PROCESSOR_SIGNATURE_HEADER,
  type ProcessorEvent,
  verifyEvent,
} from '../processor-events.ts';
import { createProcessorApp, type ProcessorApp, type ProcessorState } from './app.ts';

// The test processor's app under Bun.serve on a real port, driven through the HTTP client
// adapter (the port the cloud and the relay hold), with a real local webhook server taking its
// signed events. The last test starts it as its own process (main.ts), as `npm start` does.

/** Polls `check` until it gives a value; fails naming `what` after `timeoutMs`. */
async function until<T>(what: string, check: () => T | undefined, timeoutMs = 8_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(20);
  }
}

/** A webhook receiver on a real port: keeps every request, answers `failNext` of them with 500. */
function startWebhook(secret: string) {
  const received: { raw: string; signature: string | null; status: number }[] = [];
  let failNext = 0;
  const server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    async fetch(req) {
      const raw = await req.text();
      const status = failNext > 0 ? 500 : 204;
      if (failNext > 0) failNext--;
      received.push({ raw, signature: req.headers.get(PROCESSOR_SIGNATURE_HEADER), status });
      return new Response(null, { status });
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}/v1/payments/processor-events`,
    received,
    failNext(n: number) {
      failNext = n;
    },
    /** The events taken (2xx), each verified against the secret. */
    taken(): ProcessorEvent[] {
      return received
        .filter((r) => r.status < 300)
        .map((r) => {
          const verified = verifyEvent(secret, r.raw, r.signature);
          if (!verified.ok) throw new Error(`bad event: ${JSON.stringify(verified.error)}`);
          return verified.event;
        });
    },
    stop: () => server.stop(true),
  };
}

const SECRET = 'test-processor-secret-0123456789';

describe('the test processor through the HTTP payment port', () => {
  let processor: ProcessorApp;
  let server: ReturnType<typeof Bun.serve>;
  let url: string;
  let lines: LogLine[];
  let webhook: ReturnType<typeof startWebhook>;
  let port: ProcessorClient;

  const charge = (over: Partial<CardChargeRequest> = {}): CardChargeRequest => ({
    paymentId: newUlid(),
    tenantId: 'demo',
    venueId: 'demo-bistro',
    orderId: newUlid(),
    reader: 'reader-1',
    amount: 2450,
    tip: 300,
    currency: 'EUR',
    allowStore: false,
    ...over,
  });
  const eventsOfType = (type: ProcessorEvent['type']) =>
    until(`a ${type} event at the webhook`, () => {
      const found = webhook.taken().filter((e) => e.type === type);
      return found.length > 0 ? found : undefined;
    });
  const control = async <T>(path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${url}/_control/${path}`, {
      method: body === undefined && path === 'state' ? 'GET' : 'POST',
      headers: { 'Content-Type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!res.ok) throw new Error(`/_control/${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  const script = (update: ScriptUpdate) => control('script', update);
  const forward = async () =>
    (await control<{ forwarded: { paymentId: string; outcome: string }[] }>('forward')).forwarded;
  const state = () => control<ProcessorState>('state');
  const payCheckout = async (checkoutId: string) => {
    const res = await fetch(`${url}/checkout/${checkoutId}/pay`, {
      method: 'POST',
      redirect: 'manual',
    });
    return { status: res.status, location: res.headers.get('location') };
  };

  beforeAll(() => {
    webhook = startWebhook(SECRET);
    const logger = memoryLogger();
    lines = logger.lines;
    processor = createProcessorApp({ secret: SECRET, webhookUrl: webhook.url, log: logger.log });
    server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: processor.app.fetch });
    url = `http://127.0.0.1:${server.port}`;
    port = new ProcessorClient({ url, timeoutMs: 1_000 });
  });

  afterAll(async () => {
    processor?.close();
    await server?.stop(true);
    await webhook?.stop();
  });

  beforeEach(async () => {
    await control('reset');
    webhook.received.length = 0;
    webhook.failNext(0);
  });

  it('approves a charge with the brand and last four only', async () => {
    const answer = await port.charge(charge());
    expect(answer.outcome).toBe('approved');
    if (answer.outcome !== 'approved') return;
    expect(answer.last4).toMatch(/^\d{4}$/);
    expect(answer.brand).toBe('visa');
    expect(answer.reference).toMatch(/^ch_/);
  });

  it('declines with the scripted code, then approves the next', async () => {
    await script({ declineNext: ['insufficient_funds'] });
    const declined = await port.charge(charge());
    expect(declined).toMatchObject({ outcome: 'declined', declineCode: 'insufficient_funds' });
    expect((await port.charge(charge())).outcome).toBe('approved');
  });

  it('stores with the network down when allowed, and forwards it later as an event', async () => {
    await script({ networkDown: true });
    const req = charge({ allowStore: true });
    const stored = await port.charge(req);
    expect(stored.outcome).toBe('stored');
    await script({ networkDown: false });
    expect(await forward()).toEqual([{ paymentId: req.paymentId, outcome: 'approved_later' }]);
    const [event] = await eventsOfType('payment.authorised_later');
    expect(event).toMatchObject({
      paymentId: req.paymentId,
      tenantId: 'demo',
      venueId: 'demo-bistro',
      orderId: req.orderId,
      amount: 2450,
      tip: 300,
      reference: stored.outcome === 'stored' ? stored.reference : '',
    });
    // A second forward has nothing left to forward.
    expect(await forward()).toEqual([]);
  });

  it('declines a stored payment later when scripted to', async () => {
    const req = charge({ allowStore: true });
    await script({ networkDown: true, declineLater: [req.paymentId] });
    expect((await port.charge(req)).outcome).toBe('stored');
    await script({ networkDown: false });
    await forward();
    const [event] = await eventsOfType('payment.declined_later');
    expect(event).toMatchObject({ paymentId: req.paymentId, declineCode: 'do_not_honor' });
  });

  it('forwards by itself after the scripted delay once the network is back', async () => {
    const req = charge({ allowStore: true });
    await script({ networkDown: true, forwardAfterMs: 100 });
    expect((await port.charge(req)).outcome).toBe('stored');
    await script({ networkDown: false });
    const [event] = await eventsOfType('payment.authorised_later');
    expect(event?.paymentId).toBe(req.paymentId);
  });

  it('declines with the network down when storing is not allowed', async () => {
    await script({ networkDown: true });
    const answer = await port.charge(charge({ allowStore: false }));
    expect(answer).toMatchObject({ outcome: 'declined', declineCode: 'offline_not_allowed' });
  });

  it('a timed-out charge is found by lookup, and asking again does not charge twice', async () => {
    await script({ timeoutNext: 1, timeoutDelayMs: 5_000 });
    const req = charge();
    const started = performance.now();
    expect(await port.charge(req)).toEqual({ outcome: 'timed_out' });
    expect(performance.now() - started).toBeLessThan(4_000);
    const found = await port.lookup(req.paymentId);
    expect(found.outcome).toBe('approved');
    const again: unknown = await port.charge(req);
    expect(again).toEqual(found);
    const { charges } = await state();
    expect(charges.filter((c) => c.paymentId === req.paymentId)).toHaveLength(1);
    expect(charges).toHaveLength(1);
  });

  it('answers a repeat with the first answer and refuses the key for another amount', async () => {
    const req = charge();
    const first = await port.charge(req);
    expect(await port.charge(req)).toEqual(first);
    const refused = await port.charge({ ...req, amount: 999 }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(PaymentPortError);
    expect((refused as PaymentPortError).status).toBe(409);
    expect((await state()).charges).toHaveLength(1);
  });

  it('the guest tips on the reader: the scripted tip or percentage, capped at maxTip, later too', async () => {
    await script({ readerTip: { percent: 20 } });
    const onReader = (maxTip: number, over: Partial<CardChargeRequest> = {}) =>
      charge({ tip: 0, tipOnReader: { maxTip }, ...over });
    // 20 % of 2450 is 490; the reader may offer up to 735.
    expect(await port.charge(onReader(735))).toMatchObject({ outcome: 'approved', tip: 490 });
    // The reader may offer only 100: the guest's 490 is capped.
    const capped = onReader(100);
    expect(await port.charge(capped)).toMatchObject({ outcome: 'approved', tip: 100 });
    expect(await port.lookup(capped.paymentId)).toMatchObject({ tip: 100 });
    await script({ readerTip: 250, networkDown: true });
    const stored = onReader(735, { allowStore: true });
    expect(await port.charge(stored)).toMatchObject({ outcome: 'stored', tip: 250 });
    await script({ networkDown: false });
    await forward();
    const [later] = await eventsOfType('payment.authorised_later');
    expect(later).toMatchObject({ paymentId: stored.paymentId, amount: 2450, tip: 250 });
    const charges = (await state()).charges;
    expect(charges.map((c) => [c.tip, c.maxTip])).toEqual([
      [490, 735],
      [100, 100],
      [250, 735],
    ]);
    // Its log line says the tip the guest chose.
    expect(lines.some((l) => l.fields.paymentId === stored.paymentId && l.fields.tip === 250)).toBe(
      true,
    );
  });

  it('lookup of a charge never made is unknown', async () => {
    expect(await port.lookup(newUlid())).toEqual({ outcome: 'unknown' });
  });

  it('refunds once per refundId, fails when scripted, and says so in events', async () => {
    const req = charge();
    const paid = await port.charge(req);
    if (paid.outcome !== 'approved') throw new Error('not approved');
    const refund = {
      refundId: newUlid(),
      paymentId: req.paymentId,
      reference: paid.reference,
      amount: 1000,
      currency: 'EUR',
    };
    const done = await port.refund(refund);
    expect(done.outcome).toBe('refunded');
    expect(await port.refund(refund)).toEqual(done);
    await script({ refundFailNext: 1 });
    expect(await port.refund({ ...refund, refundId: newUlid() })).toEqual({
      outcome: 'failed',
      reason: 'refund_declined',
    });
    // More than is left of the payment (2750 − 1000).
    expect(await port.refund({ ...refund, refundId: newUlid(), amount: 1751 })).toEqual({
      outcome: 'failed',
      reason: 'exceeds_payment',
    });
    const [refunded] = await eventsOfType('refund.refunded');
    expect(refunded).toMatchObject({ refundId: refund.refundId, paymentId: req.paymentId });
    await eventsOfType('refund.failed');
    expect((await state()).charges[0]?.refunded).toBe(1000);
  });

  it('serves an accessible hosted page that pays and sends checkout.paid', async () => {
    const checkoutId = newUlid();
    const created = await port.createCheckout({
      checkoutId,
      tenantId: 'demo',
      venueId: 'demo-bistro',
      orderId: newUlid(),
      amount: 2450,
      tip: 300,
      currency: 'EUR',
      returnUrl: 'http://guest.example/guest/?table=5',
    });
    expect(created.url).toBe(`${url}/checkout/${checkoutId}`);
    expect((await port.checkout(checkoutId)).status).toBe('open');

    const page = await fetch(created.url);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await page.text();
    expect(html).toMatch(/<html lang="en">/);
    expect(html).toMatch(/<title>Pay €27\.50 to demo-bistro<\/title>/);
    expect(html).toContain('€24.50');
    expect(html).toContain('€3.00');
    expect(html).not.toContain('<script');
    expect(html).toMatch(/<form method="post" action="\/checkout\/[^"]+\/pay">/);
    // The button's accessible name is its text: "Pay" and the total.
    expect(html).toMatch(/<button type="submit"[^>]*>Pay €27\.50<\/button>/);
    expect(html).toMatch(/<a href="\/checkout\/[^"]+\/cancel">Cancel/);

    const paid = await payCheckout(checkoutId);
    expect(paid.status).toBe(303);
    expect(paid.location).toBe(`http://guest.example/guest/?table=5&checkout=${checkoutId}`);
    const status = await port.checkout(checkoutId);
    expect(status.status).toBe('paid');
    expect(status.payment).toMatchObject({ amount: 2450, tip: 300 });
    const [event] = await eventsOfType('checkout.paid');
    expect(event).toMatchObject({
      checkoutId,
      amount: 2450,
      tip: 300,
      reference: status.payment?.reference,
    });
    // Paying again changes nothing and sends nothing more.
    expect((await payCheckout(checkoutId)).status).toBe(303);
    await Bun.sleep(100);
    expect(webhook.taken().filter((e) => e.type === 'checkout.paid')).toHaveLength(1);
  });

  it('a cancelled checkout cannot be paid', async () => {
    const checkoutId = newUlid();
    await port.createCheckout({
      checkoutId,
      tenantId: 'demo',
      venueId: 'demo-bistro',
      orderId: newUlid(),
      amount: 500,
      tip: 0,
      currency: 'EUR',
      returnUrl: 'http://guest.example/back',
    });
    const cancel = await fetch(`${url}/checkout/${checkoutId}/cancel`, {
      redirect: 'manual',
    });
    expect(cancel.status).toBe(303);
    expect((await port.checkout(checkoutId)).status).toBe('cancelled');
    expect((await payCheckout(checkoutId)).status).toBe(409);
  });

  it('retries an event the webhook refused (500) until it is taken', async () => {
    webhook.failNext(2);
    const req = charge({ allowStore: true });
    await script({ networkDown: true });
    await port.charge(req);
    await script({ networkDown: false });
    await forward();
    const [event] = await eventsOfType('payment.authorised_later');
    const tries = webhook.received.filter((r) => r.raw.includes(req.paymentId));
    expect(tries.map((t) => t.status)).toEqual([500, 500, 204]);
    expect(new Set(tries.map((t) => JSON.parse(t.raw).id))).toEqual(new Set([event?.id]));
    const logged = (await state()).events;
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ status: 'delivered', attempts: 3, lastStatus: 204 });
  });

  it('delivers a payment’s events in order, the later one waiting for the earlier', async () => {
    webhook.failNext(2);
    const req = charge({ allowStore: true });
    await script({ networkDown: true });
    const stored = await port.charge(req);
    if (stored.outcome !== 'stored') throw new Error('not stored');
    await script({ networkDown: false });
    await forward();
    await port.refund({
      refundId: newUlid(),
      paymentId: req.paymentId,
      reference: stored.reference,
      amount: 100,
      currency: 'EUR',
    });
    await eventsOfType('refund.refunded');
    const order = webhook.received.map((r) => `${JSON.parse(r.raw).type} ${r.status}`);
    expect(order).toEqual([
      'payment.authorised_later 500',
      'payment.authorised_later 500',
      'payment.authorised_later 204',
      'refund.refunded 204',
    ]);
  });

  it('keeps a hosted payment’s refund event behind its checkout.paid', async () => {
    webhook.failNext(2);
    const checkoutId = newUlid();
    await port.createCheckout({
      checkoutId,
      tenantId: 'demo',
      venueId: 'demo-bistro',
      orderId: newUlid(),
      amount: 1200,
      tip: 0,
      currency: 'EUR',
      returnUrl: 'http://guest.example/back',
    });
    expect((await payCheckout(checkoutId)).status).toBe(303);
    const { payment } = await port.checkout(checkoutId);
    if (!payment) throw new Error('not paid');
    const refund = await port.refund({
      refundId: newUlid(),
      paymentId: newUlid(),
      reference: payment.reference,
      amount: 1200,
      currency: 'EUR',
    });
    expect(refund.outcome).toBe('refunded');
    await eventsOfType('refund.refunded');
    expect(webhook.received.map((r) => `${JSON.parse(r.raw).type} ${r.status}`)).toEqual([
      'checkout.paid 500',
      'checkout.paid 500',
      'checkout.paid 204',
      'refund.refunded 204',
    ]);
  });

  it('the hosted page says so and charges nothing while the network is down', async () => {
    const checkoutId = newUlid();
    await port.createCheckout({
      checkoutId,
      tenantId: 'demo',
      venueId: 'demo-bistro',
      orderId: newUlid(),
      amount: 800,
      tip: 0,
      currency: 'EUR',
      returnUrl: 'http://guest.example/back',
    });
    await script({ networkDown: true });
    const res = await fetch(`${url}/checkout/${checkoutId}/pay`, { method: 'POST' });
    expect(res.status).toBe(503);
    expect(await res.text()).toMatch(/<p role="alert">The card network cannot be reached/);
    expect((await port.checkout(checkoutId)).status).toBe('open');
    expect((await state()).charges).toHaveLength(0);
  });

  it('keeps card numbers out of its state, its events and its logs', async () => {
    for (let i = 0; i < 6; i++) await port.charge(charge());
    await script({ networkDown: true });
    await port.charge(charge({ allowStore: true }));
    await script({ networkDown: false });
    await forward();
    await eventsOfType('payment.authorised_later');
    const brands = new Set((await state()).charges.map((c) => c.brand));
    expect(brands.size).toBe(5);
    const everything = [
      JSON.stringify(await state()),
      ...webhook.received.map((r) => r.raw),
      JSON.stringify(lines),
    ].join('\n');
    expect(lines.some((l) => l.msg === 'charge answered' && l.fields.last4 === undefined)).toBe(
      true,
    );
    for (const number of TEST_CARD_NUMBERS_FOR_TESTS) expect(everything).not.toContain(number);
  });

  it('answers the control API on this machine only', async () => {
    // In-process (no peer address), as another machine would be: refused.
    const res = await processor.app.request('/_control/state');
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: 'CONTROL_LOOPBACK_ONLY', kind: 'stop' });
  });
});

describe('the test processor as its own process', () => {
  it('starts from flags, logs JSON lines without card numbers, and stops on SIGTERM', async () => {
    const probe = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response() });
    const free = probe.port;
    await probe.stop(true);
    const child = Bun.spawn(
      [
        process.execPath,
        'server/payments/test-processor/main.ts',
        '--port',
        String(free),
        '--secret',
        SECRET,
      ],
      { cwd: new URL('../../../', import.meta.url).pathname, stdout: 'pipe', stderr: 'pipe' },
    );
    try {
      const url = `http://127.0.0.1:${free}`;
      const deadline = Date.now() + 10_000;
      for (;;) {
        const ok = await fetch(`${url}/healthz`).then(
          (r) => r.ok,
          () => false,
        );
        if (ok) break;
        if (Date.now() > deadline || child.exitCode !== null) throw new Error('not healthy');
        await Bun.sleep(50);
      }
      const client = new ProcessorClient({ url, timeoutMs: 2_000 });
      const req = {
        paymentId: newUlid(),
        tenantId: 'demo',
        venueId: 'demo-bistro',
        orderId: newUlid(),
        reader: 'reader-1',
        amount: 100,
        tip: 0,
        currency: 'EUR',
        allowStore: false,
      };
      expect((await client.charge(req)).outcome).toBe('approved');
      child.kill('SIGTERM');
      expect(await child.exited).toBe(0);
      const stdout = await new Response(child.stdout).text();
      const logged = stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { msg: string; paymentId?: string });
      expect(logged.map((l) => l.msg)).toContain('test processor listening');
      expect(logged.find((l) => l.msg === 'charge answered')?.paymentId).toBe(req.paymentId);
      for (const number of TEST_CARD_NUMBERS_FOR_TESTS) expect(stdout).not.toContain(number);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('refuses to start without a secret (exit 2)', async () => {
    const child = Bun.spawn(
      [process.execPath, 'server/payments/test-processor/main.ts', '--port', '0'],
      {
        cwd: new URL('../../../', import.meta.url).pathname,
        env: { ...process.env, HEARTH_PROCESSOR_SECRET: '' },
        stdout: 'pipe',
        stderr: 'pipe',
      },
    );
    expect(await child.exited).toBe(2);
    expect(await new Response(child.stderr).text()).toContain('HEARTH_PROCESSOR_SECRET');
  });
});
