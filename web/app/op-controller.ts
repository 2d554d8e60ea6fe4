import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Operation, OperationType } from '#protocol';
import { afterPaint } from './after-paint.ts';
import { apiUrl } from './api-url.ts';
import { AppError, messageOf } from './app-error.ts';
import type { BroadcastSource } from './broadcast-source.ts';
import type { DeviceSource } from './device-source.ts';
import { verdictOf } from './op-response.ts';
import type { OpState, OpStatus, OutboxReader } from './outbox-reader.ts';
import type { ServiceWorkerLink } from './service-worker-link.ts';
import type { SessionStore } from './session-store.ts';

/** One op this screen made, as it shows it: a badge beside the thing it changed. */
export interface TrackedOp {
  readonly opId: string;
  readonly label: string;
  /** `sending` until the first answer; then the op's own status. */
  readonly status: 'sending' | OpStatus;
  /** Why it failed. */
  readonly detail?: string;
  /** The rejection's code, when the server gave one. */
  readonly code?: string;
  /** Failed for good (a rejection): discard only, sending it again would change nothing. */
  readonly final?: boolean;
  /** Pending, held by the target until the cloud can decide it. */
  readonly waiting?: boolean;
  readonly op: Operation;
}

export interface OpDeps {
  readonly session: SessionStore;
  readonly device: DeviceSource;
  readonly broadcasts: BroadcastSource;
  readonly outbox: OutboxReader;
  readonly serviceWorker: ServiceWorkerLink;
  readonly fetch: typeof fetch;
}

/** Ids for the entities an op creates: ULIDs made on the device, so nothing is renamed at sync. */
export type NewId = () => string;

const KEEP = 8;

/** What making an op takes, loaded once (`op-maker.ts`). */
interface Maker {
  readonly make: typeof import('./op-maker.ts')['makeOperationHere'];
  readonly newUlid: () => string;
  readonly deviceId: string;
}

const isSettled = (status: TrackedOp['status']): boolean =>
  status === 'synced' || status === 'failed';

/** The op with a new state: the detail and finality of the old one go with it. */
function withState(tracked: TrackedOp, state: OpState | { readonly status: 'sending' }): TrackedOp {
  const { detail: _detail, code: _code, final: _final, waiting: _waiting, ...rest } = tracked;
  return { ...rest, ...state };
}

const sameState = (tracked: TrackedOp, state: OpState): boolean =>
  tracked.status === state.status &&
  tracked.detail === state.detail &&
  tracked.code === state.code &&
  (tracked.final ?? false) === (state.final ?? false) &&
  (tracked.waiting ?? false) === (state.waiting ?? false);

/**
 * Makes operations (protocol's `makeOperation`, with this install's deviceId and the signed-in
 * principal), POSTs them to `/api/v1/venues/:venueId/ops` — the service worker queues them in
 * its outbox — and follows each one's status from the outbox broadcasts.
 */
export class OpController implements ReactiveController {
  readonly #host: ReactiveControllerHost;
  readonly #deps: OpDeps;
  #ops: TrackedOp[] = [];
  #maker: Maker | undefined;
  #loading: Promise<Maker> | undefined;
  #error: string | undefined;
  #stop: (() => void) | undefined;

  constructor(host: ReactiveControllerHost, deps: OpDeps) {
    this.#host = host;
    this.#deps = deps;
    host.addController(this);
  }

  /** The latest ops first. */
  get ops(): readonly TrackedOp[] {
    return this.#ops;
  }

  /** Why the last op could not even be made (not signed in, an invalid payload). */
  get error(): string | undefined {
    return this.#error;
  }

  hostConnected(): void {
    this.#stop = this.#deps.broadcasts.subscribe((message) => {
      if (message.type === 'outbox-changed') void this.refresh();
    });
    // zod and the schemas load once the screen has painted, not with it, and before the first
    // tap needs them. A failure here is met again by the first submit, which reports it.
    void this.#host.updateComplete
      .then(afterPaint)
      .then(() => this.#prepare())
      .catch(() => undefined);
  }

  hostDisconnected(): void {
    this.#stop?.();
    this.#stop = undefined;
  }

  /**
   * Makes and sends one op. `payload` gets a ULID maker for the ids the op creates.
   *
   * @example
   * await ops.submit('Call a waiter', 'serviceRequest.create', (newId) => ({
   *   requestId: newId(), tableId, kind: 'call_waiter',
   * }));
   */
  async submit(
    label: string,
    type: OperationType,
    payload: (newId: NewId) => unknown,
  ): Promise<TrackedOp | undefined> {
    this.#error = undefined;
    let op: Operation;
    try {
      // Once prepared, nothing is awaited before the POST: it leaves in the tap's own task.
      op = this.#make(this.#maker ?? (await this.#prepare()), type, payload);
    } catch (error) {
      this.#error = messageOf(error);
      this.#host.requestUpdate();
      return undefined;
    }
    this.#put({ opId: op.opId, label, status: 'sending', op });
    await this.#send(op);
    return this.#find(op.opId);
  }

  /**
   * Sends a failed op again with the same opId. An op the outbox holds as failed: the worker's
   * retry, and the page shows what the outbox says after it (pending, or failed again: the
   * worker says `outbox-changed` either way). A failure the outbox knows to be final is shown
   * as such, not sent. An op the outbox does not hold (refused before it was queued, or no
   * worker): sent again by the page.
   */
  async retry(opId: string): Promise<void> {
    const tracked = this.#find(opId);
    if (!tracked) return;
    const held = await this.#deps.outbox.stateOf(opId).catch(() => undefined);
    if (held?.status === 'failed' && held.final) {
      this.#put(withState(tracked, held));
      return;
    }
    if (held?.status === 'failed' && this.#deps.serviceWorker.post({ type: 'retry', opId })) {
      this.#put(withState(tracked, { status: 'pending' }));
      return;
    }
    if (held && held.status !== 'failed') {
      // Already on its way again (another tab retried it): follow the outbox.
      this.#put(withState(tracked, held));
      return;
    }
    this.#put(withState(tracked, { status: 'sending' }));
    await this.#send(tracked.op);
  }

  /** Drops a failed op here and from the outbox. */
  discard(opId: string): void {
    this.#deps.serviceWorker.post({ type: 'discard', opId });
    this.#ops = this.#ops.filter((tracked) => tracked.opId !== opId);
    this.#host.requestUpdate();
  }

  /**
   * Re-reads the outbox for every op not yet settled: pending, sending, and delivered_local
   * (saved in the venue until the cloud confirms it: the relay's notice or a resend's answer
   * turns it synced or failed in the outbox, and the worker or hydrator says `outbox-changed`).
   */
  async refresh(): Promise<void> {
    const open = this.#ops.filter((tracked) => !isSettled(tracked.status));
    const states = await Promise.all(open.map((t) => this.#deps.outbox.stateOf(t.opId)));
    open.forEach((tracked, i) => {
      const state = states[i];
      const current = this.#find(tracked.opId);
      if (state && current && !sameState(current, state)) {
        this.#put(withState(current, state));
      }
    });
  }

  /**
   * Loads what making an op takes (the schemas, a synchronous hash, this install's deviceId),
   * once; a failure is tried again at the next call.
   */
  #prepare(): Promise<Maker> {
    this.#loading ??= Promise.all([import('./op-maker.ts'), this.#deps.device.deviceId()]).then(
      ([{ makeOperationHere, newUlid }, deviceId]) => {
        this.#maker = { make: makeOperationHere, newUlid, deviceId };
        return this.#maker;
      },
      (error: unknown) => {
        this.#loading = undefined;
        throw error;
      },
    );
    return this.#loading;
  }

  #make(maker: Maker, type: OperationType, payload: (newId: NewId) => unknown): Operation {
    const principal = this.#deps.session.principal;
    if (!principal) throw new AppError('NOT_SIGNED_IN', 'Sign in first');
    return maker.make({
      type,
      payload: payload(() => maker.newUlid()),
      deviceId: maker.deviceId,
      tenantId: principal.tenantId,
      venueId: principal.venueId,
      actorId: principal.kind === 'guest' ? principal.sessionId : principal.actorId,
    });
  }

  async #send(op: Operation): Promise<void> {
    const queued = this.#deps.serviceWorker.controlled();
    const url = apiUrl(`/v1/venues/${encodeURIComponent(op.venueId)}/ops`, queued);
    let verdict: ReturnType<typeof verdictOf>;
    try {
      const response = await this.#deps.fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Idempotency-Key': op.opId },
        credentials: 'same-origin',
        body: JSON.stringify(op),
      });
      const body: unknown = await response.json().catch((error: unknown) => {
        if (error instanceof SyntaxError) return undefined;
        throw error;
      });
      verdict = verdictOf(response.status, body, queued);
    } catch (error) {
      console.warn(`op ${op.opId} got no answer`, error);
      verdict = verdictOf('no-answer', undefined, queued);
    }
    const current = this.#find(op.opId);
    // An outbox broadcast may have settled it while the answer was on its way.
    if (current && !isSettled(current.status)) this.#put(withState(current, verdict));
  }

  #find(opId: string): TrackedOp | undefined {
    return this.#ops.find((tracked) => tracked.opId === opId);
  }

  #put(tracked: TrackedOp): void {
    const others = this.#ops.filter((t) => t.opId !== tracked.opId);
    const at = this.#ops.findIndex((t) => t.opId === tracked.opId);
    this.#ops =
      at === -1
        ? [tracked, ...others].slice(0, KEEP)
        : [...others.slice(0, at), tracked, ...others.slice(at)];
    this.#host.requestUpdate();
  }
}
