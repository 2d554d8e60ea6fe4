import type * as z from 'zod';
import {
  type CardChargeAnswer,
  CardChargeRequest,
  CheckoutCreated,
  CheckoutRequest,
  CheckoutStatus,
  type LookupAnswer,
  type PaymentPort,
  PaymentPortError,
  ProcessorChargeAnswer,
  ProcessorRefundAnswer,
  type RefundAnswer,
  RefundRequest,
  readerTipProblem,
} from './payment-port.ts';

/**
 * The payment port over HTTP to a processor (the test processor's process, or one that speaks
 * its API). Every call is bounded by `timeoutMs`. A charge or a refund that gets no answer in
 * time (a timeout, a network failure, a 5xx) is `timed_out`: the processor may have taken it,
 * so the caller asks again by id and never charges twice (the charge carries
 * `Idempotency-Key: paymentId`). An answer that is not one of the port's is a
 * `PaymentPortError` (`bad_answer`), never read as a guess; a 4xx is one too (`rejected`). So is
 * a charge with `tipOnReader` answered without the guest's tip or with one above maxTip.
 *
 * @example
 * const port = new ProcessorClient({ url: process.env.HEARTH_PROCESSOR_URL, timeoutMs: 15_000 });
 */
export class ProcessorClient implements PaymentPort {
  private readonly base: string;
  private readonly timeoutMs: number;

  constructor(options: { url: string; timeoutMs: number }) {
    this.base = options.url.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs;
  }

  async charge(req: CardChargeRequest): Promise<CardChargeAnswer> {
    const body = checked(CardChargeRequest, req, 'charge request');
    const res = await this.send('POST', '/v1/charges', body, req.paymentId);
    if (res === 'no_answer' || res.status >= 500) return { outcome: 'timed_out' };
    if (res.status !== 200) throw rejected(res, 'charge');
    const charged = answer(ProcessorChargeAnswer, res, 'charge');
    // The guest's tip is never above what the reader was allowed to offer.
    const problem = readerTipProblem(body.tipOnReader, charged);
    if (problem) throw new PaymentPortError('bad_answer', `charge: ${problem}`, res.status);
    return charged;
  }

  async lookup(paymentId: string): Promise<LookupAnswer> {
    const res = await this.send('GET', `/v1/charges/${encodeURIComponent(paymentId)}`);
    // Not knowing is not `unknown`: that would let the caller charge again.
    if (res === 'no_answer' || res.status >= 500) throw unavailable('lookup', res);
    if (res.status === 404) return { outcome: 'unknown' };
    if (res.status !== 200) throw rejected(res, 'lookup');
    return answer(ProcessorChargeAnswer, res, 'lookup');
  }

  async refund(req: RefundRequest): Promise<RefundAnswer> {
    const body = checked(RefundRequest, req, 'refund request');
    const res = await this.send('POST', '/v1/refunds', body, req.refundId);
    if (res === 'no_answer' || res.status >= 500) return { outcome: 'timed_out' };
    if (res.status !== 200) throw rejected(res, 'refund');
    return answer(ProcessorRefundAnswer, res, 'refund');
  }

  async createCheckout(req: CheckoutRequest): Promise<CheckoutCreated> {
    const body = checked(CheckoutRequest, req, 'checkout request');
    const res = await this.send('POST', '/v1/checkouts', body, req.checkoutId);
    if (res === 'no_answer' || res.status >= 500) throw unavailable('createCheckout', res);
    if (res.status !== 200 && res.status !== 201) throw rejected(res, 'createCheckout');
    return answer(CheckoutCreated, res, 'createCheckout');
  }

  async checkout(checkoutId: string): Promise<CheckoutStatus> {
    const res = await this.send('GET', `/v1/checkouts/${encodeURIComponent(checkoutId)}`);
    if (res === 'no_answer' || res.status >= 500) throw unavailable('checkout', res);
    if (res.status !== 200) throw rejected(res, 'checkout');
    return answer(CheckoutStatus, res, 'checkout');
  }

  /** The response, its body read within the same deadline, or `no_answer`. */
  private async send(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    idempotencyKey?: string,
  ): Promise<{ status: number; text: string } | 'no_answer'> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (idempotencyKey !== undefined) headers['Idempotency-Key'] = idempotencyKey;
    try {
      const res = await fetch(`${this.base}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      return { status: res.status, text: await res.text() };
    } catch {
      // A timeout (TimeoutError), a refused or reset connection (TypeError): no answer.
      return 'no_answer';
    }
  }
}

function checked<T extends z.ZodType>(schema: T, value: unknown, what: string): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success)
    throw new PaymentPortError('rejected', `invalid ${what}: ${parsed.error.message}`);
  return parsed.data;
}

function answer<T extends z.ZodType>(
  schema: T,
  res: { status: number; text: string },
  what: string,
): z.infer<T> {
  let json: unknown;
  try {
    json = JSON.parse(res.text);
  } catch {
    throw new PaymentPortError(
      'bad_answer',
      `${what}: the processor's answer is not JSON`,
      res.status,
    );
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success)
    throw new PaymentPortError(
      'bad_answer',
      `${what}: the processor's answer is not one the port knows`,
      res.status,
    );
  return parsed.data;
}

function unavailable(what: string, res: { status: number } | 'no_answer'): PaymentPortError {
  return res === 'no_answer'
    ? new PaymentPortError('unavailable', `${what}: no answer from the processor`)
    : new PaymentPortError(
        'unavailable',
        `${what}: the processor failed (${res.status})`,
        res.status,
      );
}

function rejected(res: { status: number; text: string }, what: string): PaymentPortError {
  // The problem's title and code only: never echo a whole body into an error message.
  let title = '';
  try {
    const problem = JSON.parse(res.text) as { title?: unknown; code?: unknown };
    if (typeof problem.code === 'string') title = ` ${problem.code}`;
    if (typeof problem.title === 'string') title += `: ${problem.title.slice(0, 200)}`;
  } catch {
    // Not a problem document: the status says enough.
  }
  return new PaymentPortError(
    'rejected',
    `${what}: the processor refused (${res.status}${title})`,
    res.status,
  );
}
