import { filterEntities, getEntity, makeOperation } from '#protocol';
import type { FeedBus } from '../../server/feed-bus.ts';
import type { Logger } from '../../server/logger.ts';
import type { PaymentPort } from '../../server/payments/payment-port.ts';
import {
  PAYMENT_SERVICE_DEVICE,
  processorPrincipal,
} from '../../server/payments/payment-service.ts';
import type { CloudStore, VenueRecord } from '../store/cloud-store.ts';
import type { OpWriter } from '../write/op-writer.ts';
import { VenueStates } from '../write/venue-states.ts';
import { cloudBook, refundSettleOpId, refundSettlePayload } from './payment-routes.ts';

export interface RefundSenderDeps {
  readonly store: CloudStore;
  readonly writer: OpWriter;
  readonly port: PaymentPort;
  readonly bus: FeedBus;
  readonly log: Logger;
  /** How often every known venue is looked at again (refunds that timed out are sent again). */
  readonly intervalMs?: number;
}

const DEFAULT_INTERVAL_MS = 10_000;

/**
 * The cloud's refund sender: every card refund a manager approved (status `approved`) is sent
 * to the processor (`port.refund`, idempotent per refundId) and settled with a `refund.settle`
 * op, recorded once whoever records it first (this sender or the processor's event). Venues
 * are learnt from the feed: a venue is looked at when anything is written to it, and again on
 * every interval. Never on the relay: refunds are sent online only.
 */
export class RefundSender {
  private readonly deps: RefundSenderDeps;
  private readonly states: VenueStates;
  private readonly venues = new Set<string>();
  private readonly sending = new Set<string>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private unobserve: (() => void) | undefined;
  private running: Promise<number> | undefined;

  constructor(deps: RefundSenderDeps) {
    this.deps = deps;
    this.states = new VenueStates(deps.store);
  }

  /** Looks at `venueId` on every round from now on. */
  watch(venueId: string): void {
    this.venues.add(venueId);
  }

  start(): void {
    if (this.timer) return;
    this.unobserve = this.deps.bus.observe((venueId, entries) => {
      this.watch(venueId);
      if (entries.some((e) => e.entity === 'refund')) this.kick();
    });
    this.timer = setInterval(() => this.kick(), this.deps.intervalMs ?? DEFAULT_INTERVAL_MS);
  }

  /** Stops the loop; a round already running finishes (awaited). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.unobserve?.();
    this.unobserve = undefined;
    await this.running?.catch(() => 0);
  }

  private kick(): void {
    if (this.running) return;
    this.running = this.runOnce()
      .catch((error: unknown) => {
        this.deps.log('error', 'refund sender round failed', { error: String(error) });
        return 0;
      })
      .finally(() => {
        this.running = undefined;
      });
  }

  /** One round over the known venues; the number of refunds settled. */
  async runOnce(): Promise<number> {
    let settled = 0;
    for (const venueId of this.venues) {
      const venue = await this.deps.store.getVenue(venueId);
      if (venue) settled += await this.sendFor(venue);
    }
    return settled;
  }

  private async sendFor(venue: VenueRecord): Promise<number> {
    const book = cloudBook(this.deps, this.states, venue);
    const state = await book.state();
    const approved = filterEntities(
      state.entities,
      'refund',
      (r) => r.status === 'approved' && r.method === 'card',
    );
    let settled = 0;
    for (const refund of approved) {
      if (this.sending.has(refund.id)) continue;
      const payment = getEntity(state.entities, 'payment', refund.paymentId);
      const reference = payment?.card?.reference;
      if (!reference) continue;
      this.sending.add(refund.id);
      try {
        const answer = await this.deps.port.refund({
          refundId: refund.id,
          paymentId: refund.paymentId,
          reference,
          amount: refund.amount,
          currency: refund.currency,
        });
        // No answer: sent again next round (the processor takes a refundId once).
        if (answer.outcome === 'timed_out') continue;
        const op = await makeOperation({
          type: 'refund.settle',
          opId: refundSettleOpId(refund.id),
          payload: refundSettlePayload(refund.id, answer),
          deviceId: PAYMENT_SERVICE_DEVICE,
          tenantId: venue.tenantId,
          venueId: venue.venueId,
          actorId: 'processor',
          occurredAt: new Date().toISOString(),
        });
        const result = await book.record(op, processorPrincipal(venue));
        if (result.status !== 'retryable') settled += 1;
        this.deps.log('info', 'refund sent', {
          refundId: refund.id,
          outcome: answer.outcome,
          status: result.status,
        });
      } catch (error) {
        this.deps.log('error', 'refund not sent', {
          refundId: refund.id,
          error: error instanceof Error ? error.message : String(error),
        });
      } finally {
        this.sending.delete(refund.id);
      }
    }
    return settled;
  }
}
