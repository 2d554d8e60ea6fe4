import { describe, expect, it } from 'vitest';
import { MemoryProcessor } from './memory-processor.ts';
import type { CardChargeRequest } from './payment-port.ts';
import { PaymentPortError } from './payment-port.ts';

// The in-memory port other parts' unit tests use: the test processor's decisions, at once.

let next = 0;
const charge = (over: Partial<CardChargeRequest> = {}): CardChargeRequest => ({
  paymentId: `pay-${++next}`,
  tenantId: 'demo',
  venueId: 'demo-bistro',
  orderId: 'order-1',
  reader: 'reader-1',
  amount: 2450,
  tip: 300,
  currency: 'EUR',
  allowStore: false,
  ...over,
});

describe('MemoryProcessor', () => {
  it('approves, and declines with the scripted codes in order', async () => {
    const port = new MemoryProcessor();
    port.script({ declineNext: ['insufficient_funds', 'do_not_honor'] });
    expect(await port.charge(charge())).toMatchObject({
      outcome: 'declined',
      declineCode: 'insufficient_funds',
    });
    expect(await port.charge(charge())).toMatchObject({
      outcome: 'declined',
      declineCode: 'do_not_honor',
    });
    const approved = await port.charge(charge());
    expect(approved).toMatchObject({ outcome: 'approved', brand: 'amex' });
    if (approved.outcome === 'approved') expect(approved.last4).toMatch(/^\d{4}$/);
  });

  it('stores offline when allowed, declines offline_not_allowed when not', async () => {
    const port = new MemoryProcessor();
    port.script({ networkDown: true });
    expect((await port.charge(charge({ allowStore: true }))).outcome).toBe('stored');
    expect(await port.charge(charge({ allowStore: false }))).toMatchObject({
      outcome: 'declined',
      declineCode: 'offline_not_allowed',
    });
  });

  it('settles stored payments later as events, declining the scripted ones', async () => {
    const seen: string[] = [];
    const port = new MemoryProcessor({ onEvent: (e) => seen.push(e.type) });
    const kept = charge({ allowStore: true });
    const refused = charge({ allowStore: true });
    port.script({ networkDown: true, declineLater: [refused.paymentId] });
    await port.charge(kept);
    await port.charge(refused);
    port.script({ networkDown: false });
    const events = port.forward();
    expect(events.map((e) => [e.type, e.paymentId, e.declineCode])).toEqual([
      ['payment.authorised_later', kept.paymentId, undefined],
      ['payment.declined_later', refused.paymentId, 'do_not_honor'],
    ]);
    expect(seen).toEqual(['payment.authorised_later', 'payment.declined_later']);
    expect(port.forward()).toEqual([]);
  });

  it('a scripted timeout answers timed_out, yet records the charge: asking again finds it', async () => {
    const port = new MemoryProcessor();
    port.script({ timeoutNext: 1 });
    const req = charge();
    expect(await port.charge(req)).toEqual({ outcome: 'timed_out' });
    const found = await port.lookup(req.paymentId);
    expect(found.outcome).toBe('approved');
    expect(await port.charge(req)).toEqual(found);
    expect(port.state().charges).toHaveLength(1);
    expect(await port.lookup('never-made')).toEqual({ outcome: 'unknown' });
  });

  it('refuses the same paymentId for another amount', async () => {
    const port = new MemoryProcessor();
    const req = charge();
    await port.charge(req);
    await expect(port.charge({ ...req, amount: 1 })).rejects.toBeInstanceOf(PaymentPortError);
  });

  it('unreachable: charges and refunds time out, lookups throw (never "unknown")', async () => {
    const port = new MemoryProcessor();
    port.setUnreachable(true);
    expect(await port.charge(charge())).toEqual({ outcome: 'timed_out' });
    await expect(port.lookup('pay-x')).rejects.toMatchObject({ code: 'unavailable' });
    expect(port.state().charges).toHaveLength(0);
  });

  it('refunds a settled payment once per refundId, not a stored one', async () => {
    const port = new MemoryProcessor();
    const req = charge();
    const paid = await port.charge(req);
    if (paid.outcome !== 'approved') throw new Error('not approved');
    const refund = {
      refundId: 'refund-1',
      paymentId: req.paymentId,
      reference: paid.reference,
      amount: 2750,
      currency: 'EUR',
    };
    const done = await port.refund(refund);
    expect(done.outcome).toBe('refunded');
    expect(await port.refund(refund)).toEqual(done);
    expect(await port.refund({ ...refund, refundId: 'refund-2', amount: 1 })).toEqual({
      outcome: 'failed',
      reason: 'exceeds_payment',
    });

    port.script({ networkDown: true });
    const storedReq = charge({ allowStore: true });
    const stored = await port.charge(storedReq);
    if (stored.outcome !== 'stored') throw new Error('not stored');
    expect(
      await port.refund({
        ...refund,
        refundId: 'refund-3',
        paymentId: storedReq.paymentId,
        reference: stored.reference,
        amount: 100,
      }),
    ).toEqual({ outcome: 'failed', reason: 'not_settled' });
    expect(port.events.map((e) => e.type)).toEqual([
      'refund.refunded',
      'refund.failed',
      'refund.failed',
    ]);
  });

  it('a hosted checkout is paid once and says so in one checkout.paid event', async () => {
    const port = new MemoryProcessor();
    const created = await port.createCheckout({
      checkoutId: 'co-1',
      tenantId: 'demo',
      venueId: 'demo-bistro',
      orderId: 'order-1',
      amount: 2450,
      tip: 0,
      currency: 'EUR',
      returnUrl: 'https://guest.example/back',
    });
    expect(created.checkoutId).toBe('co-1');
    expect((await port.checkout('co-1')).status).toBe('open');
    expect(port.payCheckout('co-1')).toBe('paid');
    expect(port.payCheckout('co-1')).toBe('already_paid');
    const status = await port.checkout('co-1');
    expect(status).toMatchObject({ status: 'paid', payment: { amount: 2450, tip: 0 } });
    expect(port.events).toEqual([
      expect.objectContaining({
        type: 'checkout.paid',
        checkoutId: 'co-1',
        reference: status.payment?.reference,
      }),
    ]);
  });

  it('the guest tips on the reader: the scripted tip, capped at maxTip, in the answer and the record', async () => {
    const port = new MemoryProcessor();
    const onReader = (maxTip: number) => charge({ tip: 0, tipOnReader: { maxTip } });
    port.script({ readerTip: 500 });
    expect(await port.charge(onReader(735))).toMatchObject({ outcome: 'approved', tip: 500 });
    // More than the reader may offer: capped at maxTip.
    expect(await port.charge(onReader(300))).toMatchObject({ outcome: 'approved', tip: 300 });
    expect(await port.charge(onReader(0))).toMatchObject({ outcome: 'approved', tip: 0 });
    // A percentage of the amount (2450), rounded down, and capped the same way.
    port.script({ readerTip: { percent: 15 } });
    expect(await port.charge(onReader(735))).toMatchObject({ tip: 367 });
    port.script({ readerTip: { percent: 100 } });
    expect(await port.charge(onReader(735))).toMatchObject({ tip: 735 });
    // Stored offline, the tip is the guest's too, and the later event carries it.
    port.script({ networkDown: true, readerTip: 200 });
    const stored = onReader(150);
    expect(await port.charge({ ...stored, allowStore: true })).toMatchObject({
      outcome: 'stored',
      tip: 150,
    });
    port.script({ networkDown: false });
    expect(port.forward()).toEqual([expect.objectContaining({ tip: 150 })]);
    expect(port.state().charges.map((c) => c.tip)).toEqual([500, 300, 0, 367, 735, 150]);
    // A charge that did not ask carries no tip back.
    expect(await port.charge(charge())).not.toHaveProperty('tip');
  });

  it('a tip on the reader: the same paymentId answers the first tip; without the reader it is another charge', async () => {
    const port = new MemoryProcessor();
    port.script({ readerTip: 400 });
    const req = charge({ tip: 0, tipOnReader: { maxTip: 700 } });
    const first = await port.charge(req);
    port.script({ readerTip: 100 });
    expect(await port.charge(req)).toEqual(first);
    await expect(port.charge({ ...req, tipOnReader: undefined })).rejects.toMatchObject({
      status: 409,
    });
    // A request with a tip of its own and a tip on the reader is not one.
    await expect(port.charge({ ...charge(), tipOnReader: { maxTip: 700 } })).rejects.toMatchObject({
      status: 400,
    });
  });
});
