import type { Logger } from '../../logger.ts';
import { PROCESSOR_SIGNATURE_HEADER, type ProcessorEvent, signEvent } from '../processor-events.ts';

// The processor's webhook: every event POSTed as signed JSON to one URL, at least once, in order
// per payment (the charge's reference: a refund's events wait for their payment's). A non-2xx answer or a network failure is tried
// again after a backoff that doubles up to a ceiling, until it is taken; an event waits while an
// earlier one of the same payment is still undelivered. Every event stays in the log.

export interface WebhookOptions {
  /** Where events go; none: they wait (pending) until one is set. */
  url: string | undefined;
  secret: string;
  log: Logger;
  /** The first retry's delay; each next one doubles, up to `maxBackoffMs`. */
  firstBackoffMs?: number;
  maxBackoffMs?: number;
  /** A delivery attempt's bound. */
  attemptTimeoutMs?: number;
  clock?: () => Date;
}

export interface EventDelivery {
  readonly event: ProcessorEvent;
  status: 'pending' | 'delivered';
  attempts: number;
  /** The last answer's status, or null for a network failure or no attempt yet. */
  lastStatus: number | null;
  lastError: string | null;
  readonly createdAt: string;
  deliveredAt: string | null;
}

export class WebhookSender {
  private url: string | undefined;
  private readonly secret: string;
  private readonly log: Logger;
  private readonly firstBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly attemptTimeoutMs: number;
  private readonly clock: () => Date;
  private readonly deliveries: EventDelivery[] = [];
  private readonly queues = new Map<string, EventDelivery[]>();
  /** Queues with a send or a retry timer in progress. */
  private readonly running = new Set<string>();
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  /** Bumped by reset and close: a send in flight from before must not carry on. */
  private generation = 0;
  private closed = false;

  constructor(options: WebhookOptions) {
    this.url = options.url;
    this.secret = options.secret;
    this.log = options.log;
    this.firstBackoffMs = options.firstBackoffMs ?? 200;
    this.maxBackoffMs = options.maxBackoffMs ?? 5_000;
    this.attemptTimeoutMs = options.attemptTimeoutMs ?? 5_000;
    this.clock = options.clock ?? (() => new Date());
  }

  get webhookUrl(): string | undefined {
    return this.url;
  }

  /** Sets (or changes) where events go; waiting events are sent there. */
  setUrl(url: string): void {
    this.url = url;
    for (const key of this.queues.keys()) this.kick(key);
  }

  /** Queues `event` behind the undelivered events of the same payment (`paymentKey`). */
  enqueue(event: ProcessorEvent, paymentKey: string): void {
    const delivery: EventDelivery = {
      event,
      status: 'pending',
      attempts: 0,
      lastStatus: null,
      lastError: null,
      createdAt: this.clock().toISOString(),
      deliveredAt: null,
    };
    this.deliveries.push(delivery);
    const key = paymentKey;
    const queue = this.queues.get(key) ?? [];
    queue.push(delivery);
    this.queues.set(key, queue);
    this.log('info', 'processor event queued', {
      eventId: event.id,
      type: event.type,
      paymentId: event.paymentId ?? null,
      checkoutId: event.checkoutId ?? null,
    });
    this.kick(key);
  }

  /** Every event so far, in the order they happened (copies). */
  entries(): EventDelivery[] {
    return this.deliveries.map((d) => ({ ...d }));
  }

  pendingCount(): number {
    return this.deliveries.filter((d) => d.status === 'pending').length;
  }

  /** Drops every event, delivered or not, and stops every retry. */
  reset(): void {
    this.generation++;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.deliveries.length = 0;
    this.queues.clear();
    this.running.clear();
  }

  close(): void {
    this.closed = true;
    this.reset();
  }

  private kick(key: string): void {
    if (this.closed || this.running.has(key) || this.url === undefined) return;
    this.running.add(key);
    void this.drain(key, this.generation);
  }

  /** Sends the queue's events one after the other, each until it is taken. */
  private async drain(key: string, generation: number): Promise<void> {
    let backoff = this.firstBackoffMs;
    for (;;) {
      if (generation !== this.generation) return;
      const queue = this.queues.get(key);
      const next = queue?.[0];
      const url = this.url;
      if (!queue || !next || url === undefined) {
        this.queues.delete(key);
        this.running.delete(key);
        return;
      }
      const ok = await this.attempt(url, next);
      if (generation !== this.generation) return;
      if (ok) {
        queue.shift();
        backoff = this.firstBackoffMs;
        continue;
      }
      await this.sleep(backoff);
      backoff = Math.min(backoff * 2, this.maxBackoffMs);
    }
  }

  private async attempt(url: string, delivery: EventDelivery): Promise<boolean> {
    const body = JSON.stringify(delivery.event);
    delivery.attempts++;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          [PROCESSOR_SIGNATURE_HEADER]: signEvent(this.secret, body),
        },
        body,
        signal: AbortSignal.timeout(this.attemptTimeoutMs),
      });
      // The answer's body is not ours to keep; read it so the connection is reused.
      await res.arrayBuffer().catch(() => undefined);
      delivery.lastStatus = res.status;
      delivery.lastError = null;
      if (res.ok) {
        delivery.status = 'delivered';
        delivery.deliveredAt = this.clock().toISOString();
        this.log('info', 'processor event delivered', {
          eventId: delivery.event.id,
          type: delivery.event.type,
          attempts: delivery.attempts,
          status: res.status,
        });
        return true;
      }
      this.log('warn', 'processor event refused, will retry', {
        eventId: delivery.event.id,
        type: delivery.event.type,
        attempts: delivery.attempts,
        status: res.status,
      });
    } catch (error) {
      delivery.lastStatus = null;
      delivery.lastError = error instanceof Error ? error.name : 'error';
      this.log('warn', 'processor event not delivered, will retry', {
        eventId: delivery.event.id,
        type: delivery.event.type,
        attempts: delivery.attempts,
        error: delivery.lastError,
      });
    }
    return false;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }
}
