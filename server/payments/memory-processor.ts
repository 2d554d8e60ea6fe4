import type {
  CardChargeAnswer,
  CardChargeRequest,
  CheckoutCreated,
  CheckoutRequest,
  CheckoutStatus,
  LookupAnswer,
  PaymentPort,
  RefundAnswer,
  RefundRequest,
} from './payment-port.ts';
import { CardChargeRequest as ChargeSchema, PaymentPortError } from './payment-port.ts';
import { ProcessorCore, type ScriptUpdate } from './processor-core.ts';
import type { ProcessorEvent } from './processor-events.ts';

/**
 * An in-memory `PaymentPort` for unit tests of what uses the port: the same decisions as the
 * test processor's process (`ProcessorCore`), without HTTP, latency or webhooks. A scripted
 * timeout answers `timed_out` at once (the charge is recorded: `lookup` finds it); events go to
 * `events` and to `onEvent`.
 *
 * @example
 * const port = new MemoryProcessor();
 * port.script({ networkDown: true });
 * await port.charge({ ...req, allowStore: true }); // { outcome: 'stored', … }
 * port.script({ networkDown: false });
 * port.forward(); // [{ type: 'payment.authorised_later', … }]
 */
export class MemoryProcessor implements PaymentPort {
  /** Every event so far, in order. */
  readonly events: ProcessorEvent[] = [];
  /** Calls made to the port, by method: to check that a caller asked again, not charged twice. */
  readonly calls: { method: keyof PaymentPort; id: string }[] = [];
  private readonly core: ProcessorCore;
  private unreachable = false;

  constructor(options: { onEvent?: (event: ProcessorEvent) => void; clock?: () => Date } = {}) {
    this.core = new ProcessorCore({
      emit: (event) => {
        this.events.push(event);
        options.onEvent?.(event);
      },
      ...(options.clock ? { clock: options.clock } : {}),
    });
  }

  /** Scripts the processor (see `ScriptUpdate`); latency and timeout delays do not apply here. */
  script(update: ScriptUpdate): void {
    this.core.setScript(update);
  }

  /**
   * The processor itself cannot be reached (not its card network: `script({ networkDown })`).
   * Charges and refunds answer `timed_out` without reaching it; lookups and checkouts throw.
   */
  setUnreachable(unreachable: boolean): void {
    this.unreachable = unreachable;
  }

  /** The network is back: stored payments are authorised or declined later, as events. */
  forward(): ProcessorEvent[] {
    const before = this.events.length;
    this.core.forward();
    return this.events.slice(before);
  }

  /** The guest pays a hosted checkout; emits `checkout.paid`. */
  payCheckout(checkoutId: string): ReturnType<ProcessorCore['payCheckout']> {
    return this.core.payCheckout(checkoutId);
  }

  cancelCheckout(checkoutId: string): void {
    this.core.cancelCheckout(checkoutId);
  }

  /** The records (no card numbers), as the process's `/_control/state` gives them. */
  state(): ReturnType<ProcessorCore['snapshot']> {
    return this.core.snapshot();
  }

  async charge(req: CardChargeRequest): Promise<CardChargeAnswer> {
    this.calls.push({ method: 'charge', id: req.paymentId });
    const checked = ChargeSchema.safeParse(req);
    if (!checked.success) throw new PaymentPortError('rejected', 'invalid charge request', 400);
    if (this.unreachable) return { outcome: 'timed_out' };
    const result = this.core.charge(checked.data);
    if (result.kind === 'conflict') throw new PaymentPortError('rejected', result.detail, 409);
    return result.late ? { outcome: 'timed_out' } : result.answer;
  }

  async lookup(paymentId: string): Promise<LookupAnswer> {
    this.calls.push({ method: 'lookup', id: paymentId });
    if (this.unreachable) throw new PaymentPortError('unavailable', 'the processor is unreachable');
    return this.core.lookup(paymentId) ?? { outcome: 'unknown' };
  }

  async refund(req: RefundRequest): Promise<RefundAnswer> {
    this.calls.push({ method: 'refund', id: req.refundId });
    if (this.unreachable) return { outcome: 'timed_out' };
    const result = this.core.refund(req);
    if (result.kind === 'conflict') throw new PaymentPortError('rejected', result.detail, 409);
    return result.answer;
  }

  async createCheckout(req: CheckoutRequest): Promise<CheckoutCreated> {
    this.calls.push({ method: 'createCheckout', id: req.checkoutId });
    if (this.unreachable) throw new PaymentPortError('unavailable', 'the processor is unreachable');
    const result = this.core.createCheckout(
      req,
      (id) => `http://processor.invalid/checkout/${encodeURIComponent(id)}`,
    );
    if (result.kind === 'conflict') throw new PaymentPortError('rejected', result.detail, 409);
    return { checkoutId: result.checkout.checkoutId, url: result.checkout.url };
  }

  async checkout(checkoutId: string): Promise<CheckoutStatus> {
    this.calls.push({ method: 'checkout', id: checkoutId });
    if (this.unreachable) throw new PaymentPortError('unavailable', 'the processor is unreachable');
    const status = this.core.checkoutStatus(checkoutId);
    if (!status) throw new PaymentPortError('rejected', `no checkout ${checkoutId}`, 404);
    return status;
  }
}
