import { createRoute } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { z } from 'zod';
import {
  balanceOf,
  decide,
  EntityId,
  getEntity,
  isRejection,
  MinorUnits,
  makeOperation,
  type Operation,
  type OpResult,
  OpResult as OpResultSchema,
  type Principal,
  Ulid,
} from '#protocol';
import { settingsOf } from '#protocol/decide/settings-of.ts';
import {
  type CheckoutStatus,
  type PaymentPort,
  PaymentPortError,
} from '../../server/payments/payment-port.ts';
import {
  CardPaymentAnswer,
  CardPaymentBody,
  CardPayments,
  derivedUlid,
  noProcessor,
  PAYMENT_SERVICE_DEVICE,
  type PaymentBook,
  processorPrincipal,
} from '../../server/payments/payment-service.ts';
import {
  PROCESSOR_SIGNATURE_HEADER,
  type ProcessorEvent,
  verifyEvent,
} from '../../server/payments/processor-events.ts';
import { problemResponse } from '../../server/problem-response.ts';
import type { CoreDeps } from '../app-deps.ts';
import {
  type AppEnv,
  type Caller,
  forbidOtherVenue,
  forbidUnlessRole,
  onlyRoles,
  ownVenue,
  requireCaller,
} from '../http/caller.ts';
import {
  type ApiApp,
  BEARER,
  jsonBody,
  jsonRequest,
  jsonResponse,
  problems,
  route,
  VenueParams,
} from '../http/openapi.ts';
import { resultForOutcome } from '../ops/op-responses.ts';
import type { VenueRecord } from '../store/cloud-store.ts';
import type { OpOutcome, OpWriter } from '../write/op-writer.ts';
import { VenueStates } from '../write/venue-states.ts';

/** The cloud's card processor (`HEARTH_PROCESSOR_URL`, `HEARTH_PROCESSOR_SECRET`, `HEARTH_READER`). */
export interface CloudPayments {
  readonly port: PaymentPort;
  /** Signs the processor's events. */
  readonly secret: string;
  /** The venue's reader when a request names none. */
  readonly reader: string;
}

export interface PaymentDeps {
  /** Unset: no processor configured; the payment routes answer 503 `needs_setup`. */
  readonly payments?: CloudPayments | undefined;
}

type Deps = CoreDeps &
  PaymentDeps & { readonly writer: OpWriter; readonly publicOrigin?: string | undefined };

/** An op outcome as the result a payment answer carries (a duplicate as its first answer). */
export function resultOf(outcome: OpOutcome | undefined): OpResult {
  if (!outcome) throw new Error('writer returned no outcome');
  const result = resultForOutcome(outcome);
  return result.status === 'duplicate' ? result.first : result;
}

/** The cloud's book: the venue's committed state, the one write path, the idempotency records. */
export function cloudBook(
  deps: Pick<Deps, 'store' | 'writer'>,
  states: VenueStates,
  venue: VenueRecord,
): PaymentBook {
  return {
    state: () =>
      deps.store.transact(venue.tenantId, (tx) => states.load(tx, venue.tenantId, venue.venueId)),
    record: async (op, principal) => resultOf((await deps.writer.write(venue, principal, [op]))[0]),
    recorded: async (opId) => {
      const record = await deps.store.getIdempotency(venue.tenantId, opId);
      return record && record.venueId === venue.venueId ? record.result : undefined;
    },
  };
}

const CheckoutBody = z.object({
  /** A ULID the guest's browser makes: the checkout's idempotency key and its payment's id. */
  checkoutId: Ulid,
  orderId: EntityId,
  tip: MinorUnits,
  /** Where the processor's page sends the guest back: this app's own origin only. */
  returnUrl: z.string().url(),
});
const CheckoutCreatedBody = z.object({ checkoutId: Ulid, url: z.string() });
const CheckoutView = z.object({
  status: z.enum(['open', 'paid', 'cancelled']),
  receipt: z
    .object({
      amount: MinorUnits,
      tip: MinorUnits,
      currency: z.string(),
      brand: z.string(),
      last4: z.string(),
      reference: z.string(),
      paidAt: z.string(),
    })
    .optional(),
});
const EventTaken = z.object({ taken: z.literal(true), result: OpResultSchema.optional() });

/** What the cloud knows of a checkout it created (the processor's answer does not name the order). */
interface CheckoutMeta {
  readonly venueId: string;
  readonly orderId: string;
  readonly tableId: string | null;
}

/**
 * The card payment routes (`…/payments/card`), the guests' hosted checkout (`…/payments/checkout`)
 * and the processor's signed events (`/v1/payments/processor-events`). Every op they record is
 * server-made and goes through the one write path, in process.
 */
export function registerPaymentRoutes(app: ApiApp, deps: Deps): void {
  const auth = requireCaller(deps.authenticator);
  const states = new VenueStates(deps.store);
  const payments = deps.payments
    ? new CardPayments({
        port: deps.payments.port,
        reader: deps.payments.reader,
        clock: deps.clock,
        log: deps.log,
      })
    : undefined;
  const checkouts = new Map<string, CheckoutMeta>();
  app.use('/v1/venues/:venueId/payments/*', auth);

  route(app, cardRoute, async (c) => {
    const refused = forbidOtherVenue(c) ?? forbidUnlessRole(c, ['server', 'manager', 'owner']);
    if (refused) return refused;
    const caller = c.get('caller');
    if (caller.kind !== 'principal') throw new Error('a staff caller is a principal');
    if (!payments) return noProcessor();
    const venue = await deps.store.getVenue(caller.principal.venueId);
    if (!venue) return problemResponse(404, 'VENUE_NOT_FOUND', 'No such venue', { kind: 'stop' });
    return payments.take({
      principal: caller.principal,
      body: c.req.valid('json'),
      book: cloudBook(deps, states, venue),
      mode: 'online',
    });
  });

  route(app, createCheckoutRoute, async (c) => {
    const guest = guestOf(c.get('caller'));
    const refused = forbidOtherVenue(c) ?? (guest ? undefined : guestsOnly());
    if (refused || !guest) return refused ?? guestsOnly();
    if (!deps.payments) return noProcessor();
    const body = c.req.valid('json');
    const ownOrigin = deps.publicOrigin ?? new URL(c.req.url).origin;
    if (new URL(body.returnUrl).origin !== ownOrigin)
      return problemResponse(400, 'RETURN_URL_FOREIGN', 'The return URL must be this app’s', {
        kind: 'fix_request',
        detail: `returnUrl must be on ${ownOrigin}`,
      });
    const venue = await deps.store.getVenue(guest.venueId);
    if (!venue) return problemResponse(404, 'VENUE_NOT_FOUND', 'No such venue', { kind: 'stop' });
    const state = await cloudBook(deps, states, venue).state();
    const order = getEntity(state.entities, 'order', body.orderId);
    const settings = settingsOf(state);
    if (isRejection(settings)) return refusal(settings.code, settings.message);
    const amount = order ? balanceOf(order) : 0;
    const trial = decide(
      state,
      await hostedOp(venue, guest, { ...body, amount, reference: 'pending' }, deps.clock()),
      { now: deps.clock().toISOString(), principal: guest },
    );
    if (trial.kind === 'rejected') return refusal(trial.code, trial.message);
    try {
      const created = await deps.payments.port.createCheckout({
        checkoutId: body.checkoutId,
        tenantId: venue.tenantId,
        venueId: venue.venueId,
        orderId: body.orderId,
        amount,
        tip: body.tip,
        currency: settings.currency,
        returnUrl: body.returnUrl,
      });
      checkouts.set(body.checkoutId, {
        venueId: venue.venueId,
        orderId: body.orderId,
        tableId: order?.tableId ?? null,
      });
      return c.json({ checkoutId: created.checkoutId, url: created.url }, 201);
    } catch (error) {
      return portFailure(error);
    }
  });

  route(app, getCheckoutRoute, async (c) => {
    const guest = guestOf(c.get('caller'));
    const refused = forbidOtherVenue(c) ?? (guest ? undefined : guestsOnly());
    if (refused || !guest) return refused ?? guestsOnly();
    if (!deps.payments) return noProcessor();
    const { checkoutId } = c.req.valid('param');
    const venue = await deps.store.getVenue(guest.venueId);
    if (!venue) return problemResponse(404, 'VENUE_NOT_FOUND', 'No such venue', { kind: 'stop' });
    const book = cloudBook(deps, states, venue);
    const state = await book.state();
    const recorded = getEntity(state.entities, 'payment', checkoutId);
    const meta = checkouts.get(checkoutId);
    const tableId = meta?.tableId ?? recorded?.tableId;
    // Only the guest's own table's checkout, and nothing said of any other.
    if ((meta === undefined && recorded === undefined) || tableId !== guest.tableId)
      return problemResponse(404, 'CHECKOUT_NOT_FOUND', 'No such checkout', { kind: 'stop' });
    let status: CheckoutStatus;
    try {
      status = await deps.payments.port.checkout(checkoutId);
    } catch (error) {
      return portFailure(error);
    }
    if (status.status !== 'paid' || !status.payment) return c.json({ status: status.status });
    let paidAt = recorded?.takenAt;
    if (!recorded && meta) {
      const op = await hostedOp(
        venue,
        guest,
        { checkoutId, orderId: meta.orderId, ...status.payment },
        deps.clock(),
      );
      const result = await book.record(op, guest);
      if (result.status === 'applied') paidAt = result.at;
    }
    const settings = settingsOf(state);
    return c.json({
      status: 'paid' as const,
      receipt: {
        ...status.payment,
        currency: isRejection(settings) ? '' : settings.currency,
        paidAt: paidAt ?? deps.clock().toISOString(),
      },
    });
  });

  route(app, eventsRoute, async (c) => {
    // Unsigned is refused first: only the processor may learn whether one is configured.
    if (!c.req.header(PROCESSOR_SIGNATURE_HEADER))
      return problemResponse(401, 'EVENT_SIGNATURE_INVALID', 'The event is not signed', {
        kind: 'stop',
        detail: `${PROCESSOR_SIGNATURE_HEADER} must be the hex HMAC-SHA256 of the body`,
      });
    if (!deps.payments) return noProcessor();
    const raw = await c.req.text();
    const verified = verifyEvent(
      deps.payments.secret,
      raw,
      c.req.header(PROCESSOR_SIGNATURE_HEADER),
    );
    if (!verified.ok) {
      if (verified.error.kind === 'malformed_body')
        return problemResponse(400, 'EVENT_MALFORMED', 'Not a processor event', {
          kind: 'fix_request',
          detail: verified.error.detail,
        });
      return problemResponse(401, 'EVENT_SIGNATURE_INVALID', 'The event’s signature is wrong', {
        kind: 'stop',
        detail: `${PROCESSOR_SIGNATURE_HEADER} must be the hex HMAC-SHA256 of the body`,
      });
    }
    const { event } = verified;
    const venue = await deps.store.getVenue(event.venueId);
    if (!venue || venue.tenantId !== event.tenantId)
      return problemResponse(404, 'VENUE_NOT_FOUND', 'No such venue', { kind: 'stop' });
    const book = cloudBook(deps, states, venue);
    const op = await settleOp(venue, event, await book.state(), deps.clock());
    if (op instanceof Response) return op;
    const result = await book.record(op, processorPrincipal(venue));
    if (result.status === 'retryable')
      return problemResponse(409, result.code, 'Try again shortly', {
        kind: 'retry_later',
        detail: result.message,
      });
    deps.log('info', 'processor event taken', {
      eventId: event.id,
      type: event.type,
      opId: op.opId,
      status: result.status,
    });
    return c.json({ taken: true as const, result });
  });
}

/**
 * The op an event records, or why not now. Each op's id comes from its subject (the payment,
 * the checkout, the refund), so an event delivered again, or a refund the sender settled
 * first, is the same op: recorded once.
 */
async function settleOp(
  venue: VenueRecord,
  event: ProcessorEvent,
  state: Awaited<ReturnType<PaymentBook['state']>>,
  now: Date,
): Promise<Operation | Response> {
  const system = processorPrincipal(venue);
  const missing = (what: string) =>
    problemResponse(400, 'EVENT_MALFORMED', 'Not a processor event', {
      kind: 'fix_request',
      detail: `${event.type} needs ${what}`,
    });
  const notYet = (what: string) =>
    problemResponse(409, 'NOT_KNOWN_YET', 'Not known here yet', {
      kind: 'retry_later',
      detail: `${what} is not recorded yet; send the event again later`,
      retryAfter: 5,
    });
  const op = (type: Operation['type'], opId: string, payload: unknown) =>
    makeOperation({
      type,
      opId,
      payload,
      deviceId: PAYMENT_SERVICE_DEVICE,
      tenantId: venue.tenantId,
      venueId: venue.venueId,
      actorId: system.kind === 'staff' ? system.actorId : 'processor',
      occurredAt: now.toISOString(),
    });
  switch (event.type) {
    case 'payment.authorised_later':
    case 'payment.declined_later': {
      if (!event.paymentId) return missing('paymentId');
      if (!getEntity(state.entities, 'payment', event.paymentId))
        return notYet(`payment ${event.paymentId}`);
      return op('payment.settle', derivedUlid(`payment.settle:${event.paymentId}`), {
        paymentId: event.paymentId,
        outcome: event.type === 'payment.authorised_later' ? 'approved_later' : 'declined_later',
        ...(event.declineCode ? { declineCode: event.declineCode } : {}),
      });
    }
    case 'checkout.paid': {
      const { checkoutId, orderId, brand, last4, amount, tip } = event;
      if (!checkoutId || !orderId || !brand || !last4 || amount === undefined || tip === undefined)
        return missing('checkoutId, orderId, brand, last4, amount and tip');
      if (!getEntity(state.entities, 'order', orderId)) return notYet(`order ${orderId}`);
      return hostedOp(
        venue,
        system,
        { checkoutId, orderId, amount, tip, brand, last4, reference: event.reference },
        now,
      );
    }
    case 'refund.refunded':
    case 'refund.failed': {
      if (!event.refundId) return missing('refundId');
      if (!getEntity(state.entities, 'refund', event.refundId))
        return notYet(`refund ${event.refundId}`);
      return op(
        'refund.settle',
        refundSettleOpId(event.refundId),
        refundSettlePayload(
          event.refundId,
          event.type === 'refund.refunded'
            ? { outcome: 'refunded', reference: event.reference }
            : { outcome: 'failed', reason: event.reason ?? 'refund_failed' },
        ),
      );
    }
  }
}

/** One refund.settle per refund, whoever records it first (the sender or the processor's event). */
export function refundSettleOpId(refundId: string): string {
  return derivedUlid(`refund.settle:${refundId}`);
}

export function refundSettlePayload(
  refundId: string,
  answer: { outcome: 'refunded'; reference: string } | { outcome: 'failed'; reason: string },
): unknown {
  return answer.outcome === 'refunded'
    ? { refundId, outcome: 'refunded', reference: answer.reference }
    : { refundId, outcome: 'failed', failure: answer.reason };
}

/** A guest's hosted payment as a payment.card op (paymentId = checkoutId, entry hosted). */
function hostedOp(
  venue: VenueRecord,
  principal: Principal,
  paid: {
    checkoutId: string;
    orderId: string;
    amount: number;
    tip: number;
    reference: string;
    brand?: string;
    last4?: string;
  },
  now: Date,
): Promise<Operation> {
  return makeOperation({
    type: 'payment.card',
    opId: paid.checkoutId,
    deviceId: PAYMENT_SERVICE_DEVICE,
    tenantId: venue.tenantId,
    venueId: venue.venueId,
    actorId: principal.kind === 'guest' ? principal.sessionId : principal.actorId,
    occurredAt: now.toISOString(),
    payload: {
      paymentId: paid.checkoutId,
      orderId: paid.orderId,
      amount: paid.amount,
      tip: paid.tip,
      outcome: 'approved',
      reference: paid.reference,
      ...(paid.brand ? { brand: paid.brand } : {}),
      ...(paid.last4 ? { last4: paid.last4 } : {}),
      entry: 'hosted',
    },
  });
}

function guestOf(caller: Caller): Extract<Principal, { kind: 'guest' }> | undefined {
  return caller.kind === 'principal' && caller.principal.kind === 'guest'
    ? caller.principal
    : undefined;
}

/** A guest of this venue, checked before the request is validated (nothing leaks to others). */
const guestOfOwnVenue: MiddlewareHandler<AppEnv> = async (c, next) =>
  forbidOtherVenue(c) ?? (guestOf(c.get('caller')) ? next() : guestsOnly());

function guestsOnly(): Response {
  return problemResponse(403, 'FORBIDDEN', 'Not allowed', {
    kind: 'stop',
    detail: 'the hosted checkout is for guests paying their own table',
  });
}

function refusal(code: string, detail: string): Response {
  return problemResponse(422, code, 'Payment refused', { kind: 'stop', detail });
}

function portFailure(error: unknown): Response {
  if (error instanceof PaymentPortError && error.code === 'rejected')
    return problemResponse(409, 'PROCESSOR_REFUSED', 'The card processor refused', {
      kind: 'fix_request',
      detail: error.message,
    });
  return problemResponse(502, 'PROCESSOR_ERROR', 'The card processor failed', {
    kind: 'back_off',
    detail: error instanceof Error ? error.message : 'no answer',
  });
}

const cardRoute = createRoute({
  method: 'post',
  path: '/v1/venues/{venueId}/payments/card',
  tags: ['payments'],
  summary:
    'Take a card payment on the venue’s reader (server, manager, owner); idempotent per paymentId',
  security: BEARER,
  // Who may take a card payment is checked before the body is read.
  middleware: [ownVenue, onlyRoles(['server', 'manager', 'owner']), jsonBody],
  request: { params: VenueParams, body: jsonRequest(CardPaymentBody) },
  responses: {
    200: jsonResponse(
      'the processor answered (approved, declined or stored) and the payment.card op was recorded',
      CardPaymentAnswer,
    ),
    202: jsonResponse(
      'timed_out: no answer yet; POST again with the same paymentId (kind retry_same)',
      CardPaymentAnswer,
    ),
    ...problems(400, 401, 403, 404, 409, 415, 422, 502, 503),
  },
});

const createCheckoutRoute = createRoute({
  method: 'post',
  path: '/v1/venues/{venueId}/payments/checkout',
  tags: ['payments'],
  summary: 'A hosted checkout for the guest’s table order: the processor’s payment page (guest)',
  security: BEARER,
  middleware: [guestOfOwnVenue, jsonBody],
  request: { params: VenueParams, body: jsonRequest(CheckoutBody) },
  responses: {
    201: jsonResponse('the checkout and its hosted page', CheckoutCreatedBody),
    ...problems(400, 401, 403, 404, 409, 415, 422, 502, 503),
  },
});

const getCheckoutRoute = createRoute({
  method: 'get',
  path: '/v1/venues/{venueId}/payments/checkout/{checkoutId}',
  tags: ['payments'],
  summary: 'A hosted checkout’s status; once paid, its receipt (the payment is recorded) (guest)',
  security: BEARER,
  middleware: [guestOfOwnVenue],
  request: { params: VenueParams.extend({ checkoutId: Ulid }) },
  responses: {
    200: jsonResponse('open, paid (with the receipt) or cancelled', CheckoutView),
    ...problems(400, 401, 403, 404, 409, 502, 503),
  },
});

const eventsRoute = createRoute({
  method: 'post',
  path: '/v1/payments/processor-events',
  tags: ['payments'],
  summary:
    'The processor’s signed events (Hearth-Processor-Signature: hex HMAC-SHA256 of the raw body): later authorisations and declines, hosted payments, refunds',
  responses: {
    200: jsonResponse('taken (again: the same op, recorded once)', EventTaken),
    ...problems(400, 401, 404, 409, 503),
  },
});
