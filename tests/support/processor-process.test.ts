import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ProcessorClient } from '../../server/payments/processor-client.ts';
import { PROCESSOR_SIGNATURE_HEADER, verifyEvent } from '../../server/payments/processor-events.ts';
import { findCardNumbers } from './card-scan.ts';
import { type ProcessorProcess, startProcessor, stopAllProcessors } from './processor-process.ts';

// The helper end-to-end tests start the test processor with, under Node as they run: a real
// process on a free port, its control wrappers, and a webhook set after it started.

describe('startProcessor', () => {
  let processor: ProcessorProcess;
  let webhook: Server;
  const received: { raw: string; signature: string | undefined }[] = [];

  beforeAll(async () => {
    webhook = createServer((req, res) => {
      let raw = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => {
        raw += chunk;
      });
      req.on('end', () => {
        const signature = req.headers[PROCESSOR_SIGNATURE_HEADER.toLowerCase()];
        received.push({ raw, signature: typeof signature === 'string' ? signature : undefined });
        res.writeHead(204).end();
      });
    });
    webhook.listen(0, '127.0.0.1');
    await once(webhook, 'listening');
    processor = await startProcessor();
  });

  afterAll(async () => {
    await stopAllProcessors();
    webhook?.close();
  });

  it('runs the processor: scripted, forwarded, events signed to a webhook set later', async () => {
    const port = new ProcessorClient({ url: processor.url, timeoutMs: 2_000 });
    await processor.script({ networkDown: true });
    const stored = await port.charge({
      paymentId: '01JF0000000000000000000000',
      tenantId: 'demo',
      venueId: 'demo-bistro',
      orderId: 'order-1',
      reader: 'reader-1',
      amount: 2450,
      tip: 300,
      currency: 'EUR',
      allowStore: true,
    });
    expect(stored.outcome).toBe('stored');
    await processor.script({ networkDown: false });
    expect(await processor.forward()).toEqual([
      { paymentId: '01JF0000000000000000000000', outcome: 'approved_later' },
    ]);
    // No webhook yet: the event waits.
    expect((await processor.state()).events.map((e) => e.status)).toEqual(['pending']);

    const { port: webhookPort } = webhook.address() as AddressInfo;
    await processor.setWebhook(`http://127.0.0.1:${webhookPort}/v1/payments/processor-events`);
    await vi.waitFor(() => expect(received).toHaveLength(1), { timeout: 8_000 });
    const [delivery] = received;
    const verified = verifyEvent(processor.secret, delivery?.raw ?? '', delivery?.signature);
    expect(verified).toMatchObject({
      ok: true,
      event: { type: 'payment.authorised_later', paymentId: '01JF0000000000000000000000' },
    });
    expect((await processor.state()).events.map((e) => e.status)).toEqual(['delivered']);

    const created = await port.createCheckout({
      checkoutId: 'checkout-1',
      tenantId: 'demo',
      venueId: 'demo-bistro',
      orderId: 'order-2',
      amount: 1000,
      tip: 0,
      currency: 'EUR',
      returnUrl: 'http://guest.example/back',
    });
    expect(created.url.startsWith(processor.url)).toBe(true);
    expect(await processor.payCheckout('checkout-1')).toEqual({
      status: 303,
      location: 'http://guest.example/back?checkout=checkout-1',
    });

    const text = [JSON.stringify(await processor.state()), ...received.map((r) => r.raw)].join();
    expect(findCardNumbers(text)).toEqual([]);
    await processor.reset();
    expect((await processor.state()).charges).toEqual([]);
  });

  it('stops on SIGTERM, its output JSON lines without a card number', async () => {
    await processor.stop();
    const { stdout, stderr } = processor.output();
    expect(stderr).toBe('');
    const lines = stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    expect(stdout).toContain('"msg":"test processor stopping"');
    expect(findCardNumbers(stdout)).toEqual([]);
    await expect(fetch(`${processor.url}/healthz`)).rejects.toThrow();
  });
});
