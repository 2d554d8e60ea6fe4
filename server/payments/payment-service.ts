import { createHash } from 'node:crypto';
import * as z from 'zod';
import {
  DeviceId,
  decide,
  decideOfflineCard,
  EntityId,
  getEntity,
  isRejection,
  MinorUnits,
  makeOperation,
  type Operation,
  type OpResult,
  OpResult as OpResultSchema,
  type OutstandingOfflineCard,
  outstandingOfflineCards,
  type PaymentRecord,
  type Principal,
  roleOf,
  SERVER_MADE_OPS,
  Ulid,
  type VenueState,
} from '#protocol';
import { settingsOf } from '#protocol/decide/settings-of.ts';
import type { Logger } from '../logger.ts';
import { problemResponse } from '../problem-response.ts';
import {
  type CardChargeAnswer,
  type PaymentPort,
  PaymentPortError,
  ReaderId,
  readerTipProblem,
} from './payment-port.ts';

// The card payment service the cloud and the relay share: check the payment may be taken, charge
// it through the payment port, record what the processor answered as a server-made
// `payment.card` op, and answer the device. Card data never passes here: the reader and the
// processor take the card; the answer carries a reference, the brand and the last four digits.

/**
 * The most a guest may tip on the reader, in percent of the amount (rounded down to a minor
 * unit): above a reader's usual presets (15/20/25 %) with room for a custom entry, and a bound
 * on what a mistyped tip can charge. Offline the headroom left under the limits may lower it.
 */
export const READER_TIP_MAX_PERCENT = 30;

/** `POST /v1/venues/:venueId/payments/card`: a card payment on the venue's reader. */
export const CardPaymentBody = z
  .object({
    /** A ULID the device makes per attempt: the idempotency key of the charge and of its op. */
    paymentId: Ulid,
    orderId: EntityId,
    /** Before tip, in minor units of the venue's currency. */
    amount: MinorUnits.min(1),
    tip: MinorUnits,
    /** The reader that takes the card; the server's configured reader when absent. */
    reader: ReaderId.optional(),
    /** The device the payment is taken on (the op's deviceId: the offline limits count per device). */
    deviceId: DeviceId,
    /** The guest chooses the tip on the reader (then `tip` is 0): the answer carries their tip. */
    tipOnReader: z.literal(true).optional(),
  })
  .refine((b) => b.tipOnReader !== true || b.tip === 0, {
    message: 'tip must be 0 when the guest chooses it on the reader',
    path: ['tip'],
  });
export type CardPaymentBody = z.infer<typeof CardPaymentBody>;

export const CardOutcome = z.enum(['approved', 'declined', 'stored', 'timed_out']);

/** What the staff see of a card payment: never more of the card than the brand and last four. */
export const CardPaymentSummary = z.object({
  paymentId: Ulid,
  amount: MinorUnits,
  tip: MinorUnits,
  brand: z.string().nullable(),
  last4: z.string().nullable(),
  status: z.string(),
  declineCode: z.string().nullable(),
});
export type CardPaymentSummary = z.infer<typeof CardPaymentSummary>;

/** The answer to a card payment: 200 with the payment and its op's result, 202 for timed_out. */
export const CardPaymentAnswer = z.object({
  outcome: CardOutcome,
  payment: CardPaymentSummary.optional(),
  result: OpResultSchema.optional(),
  /** declined, when the processor said why in words: shown to the staff, never parsed. */
  message: z.string().optional(),
  /** timed_out only: `retry_same`, POST again with the same paymentId to ask again. */
  kind: z.literal('retry_same').optional(),
  detail: z.string().optional(),
});
export type CardPaymentAnswer = z.infer<typeof CardPaymentAnswer>;

/** Where a payment service reads the venue and records its ops: the cloud's store, the relay's engine. */
export interface PaymentBook {
  /** The venue as the decision is made on it (the relay: what its devices see). */
  state(): Promise<VenueState>;
  /** Records a server-made op under `principal`; its result (first or the one recorded before). */
  record(op: Operation, principal: Principal): Promise<OpResult>;
  /** The result recorded for an op, if any. */
  recorded(opId: string): Promise<OpResult | undefined>;
}

/**
 * `online`: the cloud, which rarely stores (its processor may be offline): the limits only
 * decide whether the processor may store. `offline`: the relay with its uplink down: a payment
 * the limits refuse is answered 422 and never charged.
 */
export type CardMode = 'online' | 'offline';

/** A charge held while the port answers, and a stored one until the venue's state has it. */
interface Reservation {
  readonly deviceId: string;
  readonly orderId: string;
  readonly amount: number;
  /** The request's tip (0 when the guest chooses it on the reader). */
  readonly tip: number;
  readonly tipOnReader: boolean;
  /** The most the reader may offer the guest (0 without a tip on the reader). */
  readonly maxTip: number;
  /** The tip counted against the limits: maxTip while the guest may choose, then their tip. */
  counted: number;
  readonly atMs: number;
  /** The port call is running: a second request for it waits. */
  busy: boolean;
}

export interface CardPaymentsDeps {
  readonly port: PaymentPort;
  /** The venue's reader when a request names none (`HEARTH_READER`). */
  readonly reader: string;
  readonly clock: () => Date;
  readonly log?: Logger;
}

/**
 * Takes card payments for one server (one instance per cloud or relay app). Payments in flight
 * are reserved against the offline limits while the port answers, so two tablets at once cannot
 * pass a total together. Idempotent per paymentId: the port charges a paymentId once, the op is
 * recorded once (opId = paymentId), and a payment already recorded is answered from the record.
 */
export class CardPayments {
  private readonly inFlight = new Map<string, Reservation>();
  private readonly deps: CardPaymentsDeps;

  constructor(deps: CardPaymentsDeps) {
    this.deps = deps;
  }

  /** Payments reserved now (in flight, timed out, or stored and not yet in the venue's state). */
  get reserved(): number {
    return this.inFlight.size;
  }

  async take(input: {
    readonly principal: Principal;
    readonly body: CardPaymentBody;
    readonly book: PaymentBook;
    readonly mode: CardMode;
  }): Promise<Response> {
    const { principal, body, book, mode } = input;
    const nowMs = this.deps.clock().getTime();
    const state = await book.state();
    this.forgetRecorded(state, nowMs);
    const existing = getEntity(state.entities, 'payment', body.paymentId);
    if (existing) {
      if (!sameAttempt(existing, body)) return keyReused(body.paymentId);
      return json(200, {
        outcome: outcomeOf(existing),
        payment: summaryOf(existing),
        ...withResult(await book.recorded(body.paymentId)),
      });
    }
    const held = this.inFlight.get(body.paymentId);
    if (held && !sameAttempt(held, body)) return keyReused(body.paymentId);
    if (held?.busy)
      return problemResponse(409, 'IN_FLIGHT', 'This payment is being taken', {
        kind: 'retry_later',
        detail: 'the reader is still answering; ask again with the same paymentId',
        retryAfter: 2,
      });
    // Asked again after a timeout: the charge may have been taken, so it is asked about again
    // whatever the checks would say now (the port answers a paymentId's first answer).
    let allowStore = true;
    let maxTip = held?.maxTip ?? 0;
    if (!held) {
      const refused = await this.check(state, principal, body, nowMs);
      if (refused) return refused;
      // From the limits to the reservation nothing awaits: two requests cannot both pass them.
      const limits = this.limits(state, principal, body, body.tip, nowMs);
      if (!limits.ok && mode === 'offline') return refusal(limits.code, limits.detail);
      allowStore = limits.ok;
      if (body.tipOnReader) {
        // The limits hold whatever the guest picks: amount + maxTip is what is reserved.
        maxTip = Math.floor((body.amount * READER_TIP_MAX_PERCENT) / 100);
        // Offline (the amount passed the limits) the guest may tip only what they leave.
        if (mode === 'offline') maxTip = Math.min(maxTip, this.headroom(state, body));
        // Online the processor may store only when the limits allow amount + maxTip.
        const withTip = this.limits(state, principal, body, maxTip, nowMs);
        if (!withTip.ok && mode === 'offline') return refusal(withTip.code, withTip.detail);
        allowStore = withTip.ok;
      }
      // Another request for the same id may have been reserved while this one checked.
      if (this.inFlight.has(body.paymentId))
        return problemResponse(409, 'IN_FLIGHT', 'This payment is being taken', {
          kind: 'retry_later',
          detail: 'the reader is still answering; ask again with the same paymentId',
          retryAfter: 2,
        });
    }
    const reservation: Reservation = held ?? {
      deviceId: body.deviceId,
      orderId: body.orderId,
      amount: body.amount,
      tip: body.tip,
      tipOnReader: body.tipOnReader === true,
      maxTip,
      counted: body.tipOnReader ? maxTip : body.tip,
      atMs: nowMs,
      busy: true,
    };
    reservation.busy = true;
    this.inFlight.set(body.paymentId, reservation);

    let answer: CardChargeAnswer;
    try {
      answer = await this.charge(state, body, allowStore, reservation.maxTip);
    } catch (error) {
      reservation.busy = false;
      // Refused by the processor: nothing was charged. Anything else may have been.
      if (error instanceof PaymentPortError && error.code === 'rejected') {
        this.inFlight.delete(body.paymentId);
        if (error.status === 409) return keyReused(body.paymentId);
      }
      this.deps.log?.('error', 'card charge failed', {
        paymentId: body.paymentId,
        error: error instanceof Error ? error.message : String(error),
      });
      return problemResponse(502, 'PROCESSOR_ERROR', 'The card processor failed', {
        kind: 'back_off',
        detail: 'ask again with the same paymentId: the card is never charged twice',
      });
    }
    if (answer.outcome === 'timed_out') {
      // Unknown: perhaps charged. Held against the limits until asked again.
      reservation.busy = false;
      return json(202, {
        outcome: 'timed_out',
        kind: 'retry_same',
        detail: 'no answer from the card processor yet: ask again with the same paymentId',
      });
    }
    // The guest's tip when they chose it on the reader (nothing charged when declined).
    const tip = !body.tipOnReader
      ? body.tip
      : answer.outcome === 'declined'
        ? 0
        : (answer.tip ?? 0);
    reservation.counted = tip;
    let result: OpResult;
    try {
      const op = await this.cardOp(state, principal, body, answer, tip);
      result = await book.record(op, principal);
    } catch (error) {
      reservation.busy = false;
      throw error;
    }
    // A stored payment counts against the limits until the venue's state shows it.
    if (answer.outcome === 'stored' && result.status !== 'rejected') reservation.busy = false;
    else this.inFlight.delete(body.paymentId);
    if (result.status === 'rejected' && answer.outcome !== 'declined')
      this.deps.log?.('error', 'card payment taken but its op was rejected', {
        paymentId: body.paymentId,
        code: result.code,
      });
    return json(200, {
      outcome: answer.outcome,
      ...(answer.outcome === 'declined' ? { message: answer.message } : {}),
      payment: {
        paymentId: body.paymentId,
        amount: body.amount,
        tip,
        brand: answer.outcome === 'declined' ? null : answer.brand,
        last4: answer.outcome === 'declined' ? null : answer.last4,
        status: answer.outcome,
        declineCode: answer.outcome === 'declined' ? answer.declineCode : null,
      },
      result,
    });
  }

  /**
   * Whether the venue would record this payment (its order open, not over the balance): a card
   * is never charged for a payment that would then be refused.
   */
  private async check(
    state: VenueState,
    principal: Principal,
    body: CardPaymentBody,
    nowMs: number,
  ): Promise<Response | undefined> {
    const settings = settingsOf(state);
    if (isRejection(settings)) return refusal(settings.code, settings.message);
    const draft = await this.cardOp(
      state,
      principal,
      body,
      { outcome: 'approved', reference: 'pending' },
      body.tip,
    );
    const trial = decide(state, draft, { now: new Date(nowMs).toISOString(), principal });
    return trial.kind === 'rejected' ? refusal(trial.code, trial.message) : undefined;
  }

  /** The offline limits' verdict, with `tip`, the payments reserved here counted (synchronous). */
  private limits(
    state: VenueState,
    principal: Principal,
    body: CardPaymentBody,
    tip: number,
    nowMs: number,
  ) {
    const settings = settingsOf(state);
    if (isRejection(settings))
      return { ok: false as const, code: settings.code, detail: settings.message };
    const role = roleOf(principal);
    return decideOfflineCard(
      { ...settings.offlineCard, currency: settings.currency },
      this.outstanding(state, body.paymentId),
      {
        deviceId: body.deviceId,
        amount: body.amount,
        tip,
        currency: settings.currency,
        managerApproved: role === 'manager' || role === 'owner',
      },
      nowMs,
    );
  }

  /**
   * What the limits leave for a tip after the amount: the smaller of the device's and the
   * venue's room under their outstanding totals (tips included), never below 0.
   */
  private headroom(state: VenueState, body: CardPaymentBody): number {
    const settings = settingsOf(state);
    if (isRejection(settings)) return 0;
    const outstanding = this.outstanding(state, body.paymentId);
    const total = (list: readonly OutstandingOfflineCard[]) =>
      list.reduce((sum, p) => sum + p.amount + p.tip, 0);
    const onDevice = total(outstanding.filter((p) => p.deviceId === body.deviceId));
    const inVenue = total(outstanding);
    const { perDevice, perVenue } = settings.offlineCard;
    return Math.max(
      0,
      Math.min(perDevice - onDevice - body.amount, perVenue - inVenue - body.amount),
    );
  }

  /**
   * Charges once; a charge without an answer is looked up once before it is timed_out. With a
   * tip on the reader an answer without the guest's tip, or above `maxTip`, is a bad answer.
   */
  private async charge(
    state: VenueState,
    body: CardPaymentBody,
    allowStore: boolean,
    maxTip: number,
  ): Promise<CardChargeAnswer> {
    const settings = settingsOf(state);
    if (isRejection(settings)) throw new Error(settings.message);
    const tipOnReader = body.tipOnReader ? { maxTip } : undefined;
    const answer = await this.deps.port.charge({
      paymentId: body.paymentId,
      tenantId: state.tenantId,
      venueId: state.venueId,
      orderId: body.orderId,
      reader: body.reader ?? this.deps.reader,
      amount: body.amount,
      tip: body.tip,
      currency: settings.currency,
      allowStore,
      ...(tipOnReader ? { tipOnReader } : {}),
    });
    const found =
      answer.outcome !== 'timed_out'
        ? answer
        : await this.deps.port.lookup(body.paymentId).catch(() => undefined);
    if (found === undefined || found.outcome === 'unknown') return { outcome: 'timed_out' };
    const problem = readerTipProblem(tipOnReader, found);
    if (problem) throw new PaymentPortError('bad_answer', `charge: ${problem}`);
    return found;
  }

  private cardOp(
    state: VenueState,
    principal: Principal,
    body: CardPaymentBody,
    answer:
      | Exclude<CardChargeAnswer, { outcome: 'timed_out' }>
      | { outcome: 'approved'; reference: string },
    tip: number,
  ): Promise<Operation> {
    return makeOperation({
      type: 'payment.card',
      opId: body.paymentId,
      deviceId: body.deviceId,
      tenantId: state.tenantId,
      venueId: state.venueId,
      actorId: principal.kind === 'guest' ? principal.sessionId : principal.actorId,
      occurredAt: this.deps.clock().toISOString(),
      payload: {
        paymentId: body.paymentId,
        orderId: body.orderId,
        amount: body.amount,
        tip,
        outcome: answer.outcome,
        reference: answer.reference,
        ...('brand' in answer ? { brand: answer.brand, last4: answer.last4 } : {}),
        ...('declineCode' in answer ? { declineCode: answer.declineCode } : {}),
        entry: 'reader',
      },
    });
  }

  /** The venue's stored payments plus the ones reserved here (not `except`, not in the state). */
  private outstanding(state: VenueState, except: string): OutstandingOfflineCard[] {
    const settings = settingsOf(state);
    const currency = isRejection(settings) ? 'XXX' : settings.currency;
    const stored = outstandingOfflineCards(state);
    const reserved = [...this.inFlight]
      .filter(([id]) => id !== except)
      .map(([paymentId, r]) => ({
        paymentId,
        deviceId: r.deviceId,
        amount: r.amount,
        tip: r.counted,
        currency,
        storedAtMs: r.atMs,
      }));
    return [...stored, ...reserved];
  }

  /**
   * Reservations the venue's state now records are counted there: dropped here. So is one
   * never asked about again past the policy's absolute age (the processor no longer takes it).
   */
  private forgetRecorded(state: VenueState, nowMs: number): void {
    const settings = settingsOf(state);
    const maxAgeMs = isRejection(settings)
      ? Number.POSITIVE_INFINITY
      : settings.offlineCard.absoluteMs;
    for (const [paymentId, r] of this.inFlight) {
      if (r.busy) continue;
      if (getEntity(state.entities, 'payment', paymentId) || nowMs - r.atMs > maxAgeMs)
        this.inFlight.delete(paymentId);
    }
  }
}

/**
 * Whether `body` asks again for the payment recorded or held: a recorded payment with a tip
 * from the reader matches on order and amount (its tip is the guest's, not the body's 0).
 */
function sameAttempt(
  recorded: { orderId: string; amount: number; tip: number; tipOnReader?: boolean },
  body: CardPaymentBody,
): boolean {
  const sameTip =
    recorded.tipOnReader === undefined
      ? body.tipOnReader === true || recorded.tip === body.tip
      : recorded.tipOnReader === (body.tipOnReader === true) && recorded.tip === body.tip;
  return recorded.orderId === body.orderId && recorded.amount === body.amount && sameTip;
}

function outcomeOf(payment: PaymentRecord): 'approved' | 'declined' | 'stored' {
  if (payment.status === 'approved' || payment.status === 'declined') return payment.status;
  return 'stored';
}

export function summaryOf(payment: PaymentRecord): CardPaymentSummary {
  return {
    paymentId: payment.id,
    amount: payment.amount,
    tip: payment.tip,
    brand: payment.card?.brand ?? null,
    last4: payment.card?.last4 ?? null,
    status: payment.status,
    declineCode: payment.declineCode,
  };
}

function withResult(result: OpResult | undefined): { result?: OpResult } {
  return result === undefined ? {} : { result };
}

function json(status: 200 | 202, body: CardPaymentAnswer): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' },
  });
}

/** Refused before anything was charged: the limits, or a payment the venue would not record. */
function refusal(code: string, detail: string): Response {
  return problemResponse(422, code, 'Card payment refused', {
    kind: 'stop',
    detail: `${detail}; nothing was charged`,
  });
}

function keyReused(paymentId: string): Response {
  return problemResponse(
    409,
    'IDEMPOTENCY_KEY_REUSED',
    'This paymentId was used for another payment',
    {
      kind: 'fix_request',
      detail: `payment ${paymentId} was taken with another order, amount or tip: make a new paymentId`,
    },
  );
}

/**
 * 403 when a device sends an op only a server makes (`SERVER_MADE_OPS`): a tablet never says
 * a card was approved. The op routes call it; the payment services record through the writer.
 */
export function refuseServerMade(ops: readonly Operation[]): Response | undefined {
  const index = ops.findIndex((op) => SERVER_MADE_OPS.has(op.type));
  if (index < 0) return undefined;
  return problemResponse(403, 'SERVER_MADE_OP', 'Only the payment service makes this op', {
    kind: 'stop',
    detail: `${ops[index]?.type} is recorded by the server after the processor answers${ops.length > 1 ? ` (ops.${index})` : ''}`,
  });
}

/** 503 when the server has no processor (`HEARTH_PROCESSOR_URL` unset). */
export function noProcessor(): Response {
  return problemResponse(503, 'PROCESSOR_NOT_CONFIGURED', 'No payment processor configured', {
    kind: 'needs_setup',
    detail: 'no payment processor configured: set HEARTH_PROCESSOR_URL',
  });
}

/**
 * A ULID made from `seed` (its SHA-256's first 128 bits), for server-made ops whose subject
 * decides them: the same seed is the same opId, so a settle recorded twice is one op.
 */
export function derivedUlid(seed: string): string {
  const bytes = createHash('sha256').update(seed, 'utf8').digest().subarray(0, 16);
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  let out = '';
  for (let i = 0; i < 26; i++) {
    out = alphabet[Number(value & 31n)] + out;
    value >>= 5n;
  }
  return out;
}

/** The principal server-made settle ops are recorded under: the processor, as an owner. */
export function processorPrincipal(venue: { tenantId: string; venueId: string }): Principal {
  return {
    kind: 'staff',
    tenantId: venue.tenantId,
    venueId: venue.venueId,
    actorId: 'processor',
    role: 'owner',
  };
}

/** The deviceId of ops the cloud's payment service makes itself. */
export const PAYMENT_SERVICE_DEVICE = 'payment-service';
