import type { Context, Hono } from 'hono';
import { type OpResult, toIssues } from '#protocol';
import type { Logger } from '../../server/logger.ts';
import type { PaymentPort } from '../../server/payments/payment-port.ts';
import {
  CardPaymentBody,
  CardPayments,
  noProcessor,
  type PaymentBook,
} from '../../server/payments/payment-service.ts';
import { problemResponse } from '../../server/problem-response.ts';
import { readJsonBody } from '../../server/read-json.ts';
import {
  forbidOtherVenue,
  forbidUnlessStaff,
  type LanAuthenticator,
  type LanEnv,
  requireLanCaller,
} from '../lan/lan-caller.ts';
import type { RelayStore } from '../store/relay-store.ts';
import type { VenueEngine } from '../sync/venue-engine.ts';
import type { UplinkGate } from '../uplink/uplink-gate.ts';

/** The relay's card processor (`HEARTH_PROCESSOR_URL`, `HEARTH_READER`). */
export interface RelayPayments {
  readonly port: PaymentPort;
  readonly reader: string;
}

export interface LanPaymentDeps {
  readonly engine: VenueEngine;
  readonly store: RelayStore;
  readonly gate: UplinkGate;
  readonly authenticator: LanAuthenticator;
  readonly clock: () => Date;
  readonly log: Logger;
  /** Unset: card payments are forwarded to the cloud, and answer 503 while it is unreachable. */
  readonly payments?: RelayPayments | undefined;
}

type Ctx = Context<LanEnv>;

/** The relay's book: what its devices see, its journal (replayed to the cloud, payments first). */
function relayBook(deps: LanPaymentDeps): PaymentBook {
  return {
    state: async () => ({ ...deps.engine.venue, entities: deps.engine.visible }),
    record: async (op, principal): Promise<OpResult> => {
      const answer = await deps.engine.submitLocal(op, principal);
      if (answer.kind === 'key_reused')
        return {
          opId: op.opId,
          status: 'rejected',
          code: 'IDEMPOTENCY_KEY_REUSED',
          message: 'this opId was journaled before with a different payload',
        };
      return answer.result;
    },
    recorded: async (opId) => deps.store.journalEntry(opId)?.result,
  };
}

/**
 * The card payment route on the LAN, at the cloud's path. Uplink direct: the request goes to
 * the cloud with the caller's token and its answer comes back as it is (the cloud charges and
 * records). Uplink down, or the forward failed on the network: the relay decides with the
 * offline card limits (its devices' view plus the payments in flight), charges through its own
 * port, and journals the `payment.card` op, replayed to the cloud when the uplink returns.
 * The hosted checkout is the cloud's: forwarded, or 503 `needs_internet`.
 */
export function registerLanPaymentRoutes(app: Hono<LanEnv>, deps: LanPaymentDeps): void {
  const auth = requireLanCaller(deps.authenticator);
  const payments = deps.payments
    ? new CardPayments({
        port: deps.payments.port,
        reader: deps.payments.reader,
        clock: deps.clock,
        log: deps.log,
      })
    : undefined;
  const book = relayBook(deps);

  /** The cloud's answer to the same request, or undefined when it cannot be had now. */
  async function forward(
    c: Ctx,
    init: { method: 'GET' | 'POST'; body?: unknown },
  ): Promise<Response | undefined> {
    if (!deps.gate.direct()) return undefined;
    const headers: Record<string, string> = {
      Authorization: `Bearer ${c.get('caller').token}`,
    };
    if (init.body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await deps.gate.forward(c.req.path, {
      method: init.method,
      headers,
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
    // A 5xx is no answer about the payment: the relay takes it itself.
    return response && response.status < 500 ? response : undefined;
  }

  app.post('/v1/venues/:venueId/payments/card', auth, async (c) => {
    const refused = forbidOtherVenue(c) ?? forbidUnlessStaff(c, ['server', 'manager', 'owner']);
    if (refused) return refused;
    const read = await readJsonBody(c);
    if (!read.ok) return read.response;
    const parsed = CardPaymentBody.safeParse(read.value);
    if (!parsed.success)
      return problemResponse(400, 'VALIDATION', 'Invalid card payment', {
        kind: 'fix_request',
        issues: toIssues(parsed.error),
      });
    // A payment this relay journaled stays the relay's to answer, whatever the uplink does now.
    if (!deps.engine.holds(parsed.data.paymentId)) {
      const forwarded = await forward(c, { method: 'POST', body: parsed.data });
      if (forwarded) return forwarded;
    }
    if (!payments) return noProcessor();
    return payments.take({
      principal: c.get('caller').principal,
      body: parsed.data,
      book,
      mode: 'offline',
    });
  });

  const needsInternet = () =>
    problemResponse(503, 'NEEDS_INTERNET', 'Paying online needs the internet', {
      kind: 'needs_internet',
      detail: 'the venue is offline: pay at the table with staff, or try again later',
    });

  app.post('/v1/venues/:venueId/payments/checkout', auth, async (c) => {
    const refused = forbidOtherVenue(c);
    if (refused) return refused;
    const read = await readJsonBody(c);
    if (!read.ok) return read.response;
    return (await forward(c, { method: 'POST', body: read.value })) ?? needsInternet();
  });

  app.get('/v1/venues/:venueId/payments/checkout/:checkoutId', auth, async (c) => {
    const refused = forbidOtherVenue(c);
    if (refused) return refused;
    return (await forward(c, { method: 'GET' })) ?? needsInternet();
  });
}
