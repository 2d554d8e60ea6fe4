import { describe, expect, it } from 'vitest';
import { type ProcessorEvent, signEvent, verifyEvent } from './processor-events.ts';

// Events from the processor are taken only with the signature of their exact bytes.

const SECRET = 'a-shared-secret-for-events-0123';
const event: ProcessorEvent = {
  id: 'evt_0123456789abcdef',
  type: 'payment.authorised_later',
  tenantId: 'demo',
  venueId: 'demo-bistro',
  paymentId: '01JF0000000000000000000000',
  orderId: '01JF0000000000000000000001',
  reference: 'ch_0123456789abcdef01234567',
  brand: 'visa',
  last4: '4242',
  amount: 2450,
  tip: 300,
};
const body = JSON.stringify(event);

describe('signEvent', () => {
  it('is the hex HMAC-SHA256 of the body', () => {
    // RFC 4231 test case 2.
    expect(signEvent('Jefe', 'what do ya want for nothing?')).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
    expect(signEvent(SECRET, body)).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('verifyEvent', () => {
  it('takes a correctly signed event and parses it', () => {
    expect(verifyEvent(SECRET, body, signEvent(SECRET, body))).toEqual({ ok: true, event });
    // Upper-case hex is the same signature.
    expect(verifyEvent(SECRET, body, signEvent(SECRET, body).toUpperCase()).ok).toBe(true);
  });

  it('refuses a tampered body', () => {
    const signature = signEvent(SECRET, body);
    const tampered = body.replace('"amount":2450', '"amount":1');
    expect(tampered).not.toBe(body);
    expect(verifyEvent(SECRET, tampered, signature)).toEqual({
      ok: false,
      error: { kind: 'bad_signature' },
    });
    // Even whitespace: the signature is of the bytes, not of the JSON's meaning.
    expect(verifyEvent(SECRET, `${body} `, signature).ok).toBe(false);
  });

  it('refuses the signature of another secret', () => {
    expect(verifyEvent(SECRET, body, signEvent('another-secret-0123456789', body))).toEqual({
      ok: false,
      error: { kind: 'bad_signature' },
    });
  });

  it('refuses a missing or malformed signature header', () => {
    expect(verifyEvent(SECRET, body, undefined)).toEqual({
      ok: false,
      error: { kind: 'missing_signature' },
    });
    expect(verifyEvent(SECRET, body, '')).toEqual({
      ok: false,
      error: { kind: 'missing_signature' },
    });
    for (const header of ['abc', `sha256=${signEvent(SECRET, body)}`, 'z'.repeat(64)])
      expect(verifyEvent(SECRET, body, header)).toEqual({
        ok: false,
        error: { kind: 'bad_signature' },
      });
  });

  it('refuses a signed body that is not an event', () => {
    for (const raw of ['not json', JSON.stringify({ ...event, type: 'payment.refunded' })]) {
      const verified = verifyEvent(SECRET, raw, signEvent(SECRET, raw));
      expect(verified.ok).toBe(false);
      if (!verified.ok) expect(verified.error.kind).toBe('malformed_body');
    }
    // A card number has nowhere to go: last4 is four digits.
    const pan = JSON.stringify({ ...event, last4: '4242424242424242' });
    expect(verifyEvent(SECRET, pan, signEvent(SECRET, pan)).ok).toBe(false);
  });
});
