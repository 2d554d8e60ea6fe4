import { type Context, Hono } from 'hono';
import type * as z from 'zod';
import { clientAddress, isLoopback } from '../../client-address.ts';
import type { Logger } from '../../logger.ts';
import { problemResponse } from '../../problem-response.ts';
import { readJsonBody } from '../../read-json.ts';
import { CardChargeRequest, CheckoutRequest, RefundRequest } from '../payment-port.ts';
import { ProcessorCore, ScriptUpdate } from '../processor-core.ts';
import type { ProcessorEvent } from '../processor-events.ts';
import { checkoutPage, closedPage } from './checkout-page.ts';
import { type EventDelivery, WebhookSender } from './webhooks.ts';

// The test processor's HTTP API, server-driven as card terminals' cloud APIs are: Hearth asks
// for a charge on a named reader, the processor has the reader take a card and answers. The
// hosted checkout page is served here too. Tests script it under /_control/ (loopback only).

export interface ProcessorAppOptions {
  /** The secret events are signed with (Hearth-Processor-Signature). */
  secret: string;
  /** Where events are POSTed; unset: they wait until /_control/script sets `webhookUrl`. */
  webhookUrl: string | undefined;
  log: Logger;
  /** The origin checkout pages are given under; default: the origin the request came to. */
  publicUrl?: string | undefined;
  /** Webhook retry backoff: first delay and ceiling (ms). Default 200 ms doubling to 5 s. */
  webhookBackoff?: { firstMs: number; maxMs: number };
  clock?: () => Date;
}

/** What `GET /_control/state` answers: the records and the event log, no card numbers. */
export type ProcessorState = ReturnType<ProcessorCore['snapshot']> & {
  webhookUrl: string | null;
  events: EventDelivery[];
};

export interface ProcessorApp {
  readonly app: Hono;
  readonly core: ProcessorCore;
  readonly webhooks: WebhookSender;
  /** Stops retries and timers (the server itself is the caller's to stop). */
  close(): void;
}

/** Waits `ms`, or less when the caller went away (the request's signal aborted). */
function hold(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

const invalid = (error: z.ZodError) =>
  problemResponse(400, 'INVALID_REQUEST', 'The request is not valid', {
    kind: 'fix_request',
    issues: error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
  });

const conflict = (detail: string) =>
  problemResponse(409, 'IDEMPOTENCY_KEY_REUSED', 'The key was used for another request', {
    kind: 'fix_request',
    detail,
  });

const notFound = (what: string) =>
  problemResponse(404, 'NOT_FOUND', `No such ${what}`, { kind: 'stop' });

/** The hosted page's headers: no script at all, inline style only, never framed or cached. */
const PAGE_HEADERS = {
  'Content-Type': 'text/html; charset=utf-8',
  'Content-Security-Policy':
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};
const html = (body: string, status = 200) => new Response(body, { status, headers: PAGE_HEADERS });

/** The return URL with `?checkout=<id>`. */
function returnTo(returnUrl: string, checkoutId: string): string {
  const url = new URL(returnUrl);
  url.searchParams.set('checkout', checkoutId);
  return url.toString();
}

export function createProcessorApp(options: ProcessorAppOptions): ProcessorApp {
  const { log } = options;
  const webhooks = new WebhookSender({
    url: options.webhookUrl,
    secret: options.secret,
    log,
    ...(options.webhookBackoff
      ? {
          firstBackoffMs: options.webhookBackoff.firstMs,
          maxBackoffMs: options.webhookBackoff.maxMs,
        }
      : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const core = new ProcessorCore({
    emit: (event: ProcessorEvent, chargeReference: string) =>
      webhooks.enqueue(event, chargeReference),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  let forwardTimer: ReturnType<typeof setTimeout> | undefined;

  const forward = () => {
    const forwarded = core.forward();
    if (forwarded.length > 0)
      log('info', 'stored payments forwarded', {
        authorised: forwarded.filter((f) => f.outcome === 'approved_later').length,
        declined: forwarded.filter((f) => f.outcome === 'declined_later').length,
      });
    return forwarded;
  };

  const app = new Hono();
  const origin = (c: Context) => options.publicUrl ?? new URL(c.req.url).origin;

  app.get('/healthz', (c) =>
    c.json({
      status: 'ok',
      networkDown: core.scripted().networkDown,
      eventsPending: webhooks.pendingCount(),
    }),
  );

  // ---- the API Hearth calls ----

  app.post('/v1/charges', async (c) => {
    const body = await readJsonBody(c);
    if (!body.ok) return body.response;
    const req = CardChargeRequest.safeParse(body.value);
    if (!req.success) return invalid(req.error);
    if (c.req.header('idempotency-key') !== req.data.paymentId)
      return problemResponse(
        400,
        'IDEMPOTENCY_KEY_MISMATCH',
        'Idempotency-Key must be the paymentId',
        {
          kind: 'fix_request',
        },
      );
    const script = core.scripted();
    const result = core.charge(req.data);
    if (result.kind === 'conflict') return conflict(result.detail);
    const { answer } = result;
    log('info', 'charge answered', {
      paymentId: req.data.paymentId,
      reader: req.data.reader,
      reference: answer.reference,
      outcome: answer.outcome,
      declineCode: answer.outcome === 'declined' ? answer.declineCode : null,
      amount: req.data.amount,
      // The guest's tip when the reader asked for one.
      tip: answer.outcome !== 'declined' && answer.tip !== undefined ? answer.tip : req.data.tip,
      maxTip: req.data.tipOnReader?.maxTip ?? null,
      currency: req.data.currency,
      repeat: result.repeat,
      late: result.late,
    });
    // The reader takes its time with a new charge; a repeat answers from the record.
    const signal = c.req.raw.signal;
    if (!result.repeat) await hold(script.latencyMs, signal);
    if (result.late) await hold(script.timeoutDelayMs, signal);
    return c.json(answer);
  });

  app.get('/v1/charges/:paymentId', (c) => {
    const answer = core.lookup(c.req.param('paymentId'));
    return answer ? c.json(answer) : notFound('charge');
  });

  app.post('/v1/refunds', async (c) => {
    const body = await readJsonBody(c);
    if (!body.ok) return body.response;
    const req = RefundRequest.safeParse(body.value);
    if (!req.success) return invalid(req.error);
    if (c.req.header('idempotency-key') !== req.data.refundId)
      return problemResponse(
        400,
        'IDEMPOTENCY_KEY_MISMATCH',
        'Idempotency-Key must be the refundId',
        {
          kind: 'fix_request',
        },
      );
    const result = core.refund(req.data);
    if (result.kind === 'conflict') return conflict(result.detail);
    log('info', 'refund answered', {
      refundId: req.data.refundId,
      paymentId: req.data.paymentId,
      outcome: result.answer.outcome,
      reason: result.answer.outcome === 'failed' ? result.answer.reason : null,
      amount: req.data.amount,
    });
    return c.json(result.answer);
  });

  app.post('/v1/checkouts', async (c) => {
    const body = await readJsonBody(c);
    if (!body.ok) return body.response;
    const req = CheckoutRequest.safeParse(body.value);
    if (!req.success) return invalid(req.error);
    const base = origin(c);
    const result = core.createCheckout(
      req.data,
      (id) => `${base}/checkout/${encodeURIComponent(id)}`,
    );
    if (result.kind === 'conflict') return conflict(result.detail);
    log('info', 'checkout created', { checkoutId: req.data.checkoutId, orderId: req.data.orderId });
    return c.json({ checkoutId: result.checkout.checkoutId, url: result.checkout.url }, 201);
  });

  app.get('/v1/checkouts/:checkoutId', (c) => {
    const status = core.checkoutStatus(c.req.param('checkoutId'));
    return status ? c.json(status) : notFound('checkout');
  });

  // ---- the hosted payment page (the guest's browser) ----

  app.get('/checkout/:checkoutId', (c) => {
    const checkout = core.checkoutRecord(c.req.param('checkoutId'));
    if (!checkout)
      return html(closedPage('Payment not found', 'This payment link is not known.'), 404);
    if (checkout.status === 'paid')
      return c.redirect(returnTo(checkout.returnUrl, checkout.checkoutId), 303);
    if (checkout.status === 'cancelled')
      return html(
        closedPage(
          'Payment cancelled',
          'This payment was cancelled.',
          returnTo(checkout.returnUrl, checkout.checkoutId),
        ),
      );
    return html(checkoutPage(checkout));
  });

  app.post('/checkout/:checkoutId/pay', (c) => {
    const checkoutId = c.req.param('checkoutId');
    const result = core.payCheckout(checkoutId);
    const checkout = core.checkoutRecord(checkoutId);
    if (!checkout || result === 'unknown')
      return html(closedPage('Payment not found', 'This payment link is not known.'), 404);
    log('info', 'checkout paid', { checkoutId, result });
    if (result === 'cancelled')
      return html(
        closedPage(
          'Payment cancelled',
          'This payment was cancelled and cannot be paid.',
          returnTo(checkout.returnUrl, checkoutId),
        ),
        409,
      );
    if (result === 'network_down')
      return html(
        checkoutPage(
          checkout,
          'The card network cannot be reached. Nothing was charged; try again.',
        ),
        503,
      );
    return c.redirect(returnTo(checkout.returnUrl, checkoutId), 303);
  });

  // A link, as a hosted page's "Cancel" is: the guest goes back without paying.
  app.get('/checkout/:checkoutId/cancel', (c) => {
    const checkoutId = c.req.param('checkoutId');
    const checkout = core.cancelCheckout(checkoutId);
    if (!checkout)
      return html(closedPage('Payment not found', 'This payment link is not known.'), 404);
    log('info', 'checkout cancelled', { checkoutId, status: checkout.status });
    return c.redirect(returnTo(checkout.returnUrl, checkoutId), 303);
  });

  // ---- the control API for tests (this machine only) ----

  app.use('/_control/*', async (c, next) => {
    if (!isLoopback(clientAddress(c)))
      return problemResponse(403, 'CONTROL_LOOPBACK_ONLY', 'The control API is for this machine', {
        kind: 'stop',
      });
    await next();
  });

  app.post('/_control/script', async (c) => {
    const body = await readJsonBody(c);
    if (!body.ok) return body.response;
    const parsed = ScriptUpdate.extend({ webhookUrl: CheckoutRequest.shape.returnUrl.optional() })
      .strict()
      .safeParse(body.value);
    if (!parsed.success) return invalid(parsed.error);
    const { webhookUrl, ...update } = parsed.data;
    if (webhookUrl !== undefined) webhooks.setUrl(webhookUrl);
    const { networkRestored } = core.setScript(update);
    const script = core.scripted();
    log('info', 'processor scripted', { ...update, webhookUrl: webhookUrl ?? null });
    if (networkRestored && script.forwardAfterMs !== null) {
      clearTimeout(forwardTimer);
      forwardTimer = setTimeout(forward, script.forwardAfterMs);
    }
    if (update.networkDown) clearTimeout(forwardTimer);
    return c.json(script);
  });

  app.post('/_control/forward', (c) => c.json({ forwarded: forward() }));

  app.get('/_control/state', (c) => {
    const state: ProcessorState = {
      ...core.snapshot(),
      webhookUrl: webhooks.webhookUrl ?? null,
      events: webhooks.entries(),
    };
    return c.json(state);
  });

  app.post('/_control/reset', (c) => {
    clearTimeout(forwardTimer);
    core.reset();
    webhooks.reset();
    log('info', 'processor reset');
    return c.json({ reset: true });
  });

  app.notFound(() => notFound('route'));

  return {
    app,
    core,
    webhooks,
    close() {
      clearTimeout(forwardTimer);
      webhooks.close();
    },
  };
}
