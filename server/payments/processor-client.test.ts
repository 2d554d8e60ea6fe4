import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type CardChargeRequest, PaymentPortError } from './payment-port.ts';
import { ProcessorClient } from './processor-client.ts';

// The HTTP adapter's reading of what comes back: an answer it does not know is an error, no
// answer on a charge is timed_out, and no answer on a lookup is never "unknown". A small real
// HTTP server plays a misbehaving processor (the real one is tested under Bun).

const req: CardChargeRequest = {
  paymentId: '01JF0000000000000000000000',
  tenantId: 'demo',
  venueId: 'demo-bistro',
  orderId: 'order-1',
  reader: 'reader-1',
  amount: 2450,
  tip: 300,
  currency: 'EUR',
  allowStore: false,
};

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  server?.close();
  server = undefined;
});

/** A processor that answers every request with `answer`; resolves with its URL and the requests. */
async function fakeProcessor(
  answer: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ url: string; seen: { method?: string; url?: string; key?: string }[] }> {
  const seen: { method?: string; url?: string; key?: string }[] = [];
  server = createServer((req, res) => {
    seen.push({
      ...(req.method ? { method: req.method } : {}),
      ...(req.url ? { url: req.url } : {}),
      ...(typeof req.headers['idempotency-key'] === 'string'
        ? { key: req.headers['idempotency-key'] }
        : {}),
    });
    req.resume();
    answer(req, res);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const json = (status: number, body: unknown) => (_: IncomingMessage, res: ServerResponse) => {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
};

describe('ProcessorClient', () => {
  it('sends the charge with Idempotency-Key: paymentId and reads the answer', async () => {
    const answer = { outcome: 'approved', reference: 'ch_1', brand: 'visa', last4: '4242' };
    const { url, seen } = await fakeProcessor(json(200, answer));
    const client = new ProcessorClient({ url: `${url}/`, timeoutMs: 1_000 });
    expect(await client.charge(req)).toEqual(answer);
    expect(seen).toEqual([{ method: 'POST', url: '/v1/charges', key: req.paymentId }]);
  });

  it('an answer that is not one of the port’s is an error, never a guess', async () => {
    for (const body of [
      'not json',
      { outcome: 'approved', reference: 'ch_1', brand: 'visa' },
      { outcome: 'approved', reference: 'ch_1', brand: 'visa', last4: '4242424242424242' },
      { outcome: 'timed_out' },
      { outcome: 'maybe' },
    ]) {
      const { url } = await fakeProcessor(json(200, body));
      const client = new ProcessorClient({ url, timeoutMs: 1_000 });
      await expect(client.charge(req), JSON.stringify(body)).rejects.toMatchObject({
        name: 'PaymentPortError',
        code: 'bad_answer',
      });
      server?.close();
    }
  });

  it('no answer in time, a network failure or a 5xx on a charge is timed_out', async () => {
    const { url } = await fakeProcessor(() => {
      // Never answers.
    });
    const started = Date.now();
    expect(await new ProcessorClient({ url, timeoutMs: 200 }).charge(req)).toEqual({
      outcome: 'timed_out',
    });
    expect(Date.now() - started).toBeLessThan(2_000);
    const closed = new ProcessorClient({ url: 'http://127.0.0.1:1', timeoutMs: 500 });
    expect(await closed.charge(req)).toEqual({ outcome: 'timed_out' });
    server?.closeAllConnections();
    server?.close();
    const failing = await fakeProcessor(json(503, { title: 'down' }));
    expect(await new ProcessorClient({ url: failing.url, timeoutMs: 500 }).charge(req)).toEqual({
      outcome: 'timed_out',
    });
  });

  it('a lookup without an answer throws: only a 404 is "unknown"', async () => {
    const closed = new ProcessorClient({ url: 'http://127.0.0.1:1', timeoutMs: 500 });
    await expect(closed.lookup('p1')).rejects.toMatchObject({ code: 'unavailable' });
    const { url } = await fakeProcessor(json(404, { title: 'No such charge' }));
    expect(await new ProcessorClient({ url, timeoutMs: 500 }).lookup('p1')).toEqual({
      outcome: 'unknown',
    });
  });

  it('a 409 (the key reused for another amount) is rejected with its status', async () => {
    const { url } = await fakeProcessor(
      json(409, { code: 'IDEMPOTENCY_KEY_REUSED', title: 'The key was used for another request' }),
    );
    const error = await new ProcessorClient({ url, timeoutMs: 500 })
      .charge(req)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PaymentPortError);
    expect(error).toMatchObject({ code: 'rejected', status: 409 });
  });

  it('refuses to send a request that is not one (a card number cannot be a reader id)', async () => {
    const { url, seen } = await fakeProcessor(json(200, {}));
    const client = new ProcessorClient({ url, timeoutMs: 500 });
    await expect(client.charge({ ...req, amount: 12.5 })).rejects.toMatchObject({
      code: 'rejected',
    });
    expect(seen).toEqual([]);
  });

  it('a tip on the reader: the answer’s tip up to maxTip is taken; above it, or missing, is an error', async () => {
    const onReader: CardChargeRequest = { ...req, tip: 0, tipOnReader: { maxTip: 700 } };
    const approved = { outcome: 'approved', reference: 'ch_1', brand: 'visa', last4: '4242' };
    for (const tip of [0, 700]) {
      const { url, seen } = await fakeProcessor(json(200, { ...approved, tip }));
      expect(await new ProcessorClient({ url, timeoutMs: 500 }).charge(onReader)).toEqual({
        ...approved,
        tip,
      });
      expect(seen).toHaveLength(1);
      server?.close();
    }
    for (const body of [
      { ...approved, tip: 701 },
      { ...approved, outcome: 'stored', tip: 5000 },
      approved,
    ]) {
      const { url } = await fakeProcessor(json(200, body));
      await expect(
        new ProcessorClient({ url, timeoutMs: 500 }).charge(onReader),
        JSON.stringify(body),
      ).rejects.toMatchObject({ name: 'PaymentPortError', code: 'bad_answer' });
      server?.close();
    }
  });
});
