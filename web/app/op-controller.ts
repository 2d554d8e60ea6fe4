import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Operation, OperationType } from '#protocol';
import { apiUrl } from './api-url.ts';
import { AppError, messageOf } from './app-error.ts';
import type { BroadcastSource } from './broadcast-source.ts';
import type { DeviceSource } from './device-source.ts';
import { verdictOf } from './op-response.ts';
import type { OpStatus, OutboxReader } from './outbox-reader.ts';
import type { ServiceWorkerLink } from './service-worker-link.ts';
import type { SessionStore } from './session-store.ts';

/** One op this screen made, as it shows it: a badge beside the thing it changed. */
export interface TrackedOp {
  readonly opId: string;
  readonly label: string;
  /** `sending` until the first answer; then the op's own status. */
  readonly status: 'sending' | OpStatus;
  readonly detail?: string;
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

const isSettled = (status: TrackedOp['status']): boolean =>
  status === 'synced' || status === 'failed';

/**
 * Makes operations (protocol's `makeOperation`, with this install's deviceId and the signed-in
 * principal), POSTs them to `/api/v1/venues/:venueId/ops` — the service worker queues them in
 * its outbox — and follows each one's status from the outbox broadcasts.
 */
export class OpController implements ReactiveController {
  readonly #host: ReactiveControllerHost;
  readonly #deps: OpDeps;
  #ops: TrackedOp[] = [];
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
      op = await this.#make(type, payload);
    } catch (error) {
      this.#error = messageOf(error);
      this.#host.requestUpdate();
      return undefined;
    }
    this.#put({ opId: op.opId, label, status: 'sending', op });
    await this.#send(op);
    return this.#find(op.opId);
  }

  /** Sends a failed op again with the same opId: the outbox's retry, or a direct resend. */
  async retry(opId: string): Promise<void> {
    const tracked = this.#find(opId);
    if (!tracked) return;
    if (this.#deps.serviceWorker.post({ type: 'retry', opId })) {
      this.#put({ ...tracked, status: 'pending', detail: 'waiting to be sent' });
      return;
    }
    this.#put({ ...tracked, status: 'sending' });
    await this.#send(tracked.op);
  }

  /** Drops a failed op here and from the outbox. */
  discard(opId: string): void {
    this.#deps.serviceWorker.post({ type: 'discard', opId });
    this.#ops = this.#ops.filter((tracked) => tracked.opId !== opId);
    this.#host.requestUpdate();
  }

  /** Re-reads the outbox for every op not yet settled. */
  async refresh(): Promise<void> {
    const open = this.#ops.filter((tracked) => !isSettled(tracked.status));
    const statuses = await Promise.all(open.map((t) => this.#deps.outbox.statusOf(t.opId)));
    open.forEach((tracked, i) => {
      const status = statuses[i];
      const current = this.#find(tracked.opId);
      if (status && current && current.status !== status) {
        const { detail: _dropped, ...rest } = current;
        this.#put({ ...rest, status });
      }
    });
  }

  async #make(type: OperationType, payload: (newId: NewId) => unknown): Promise<Operation> {
    const principal = this.#deps.session.principal;
    if (!principal) throw new AppError('NOT_SIGNED_IN', 'Sign in first');
    // zod and the schemas load on the first write, not with the page.
    const [{ makeOperation }, { newUlid }, deviceId] = await Promise.all([
      import('#protocol/ops/make-operation.ts'),
      import('#protocol/ids/ulid.ts'),
      this.#deps.device.deviceId(),
    ]);
    return makeOperation({
      type,
      payload: payload(() => newUlid()),
      deviceId,
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
    if (current && !isSettled(current.status)) this.#put({ ...current, ...verdict });
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
