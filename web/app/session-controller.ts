import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Principal } from '#protocol';
import { DEVICE_REVOKED, DEVICE_REVOKED_MESSAGE } from '../device/device-revoked.ts';
import { apiUrl } from './api-url.ts';
import { AppError, messageOf } from './app-error.ts';
import type { CacheSync } from './app-services.ts';
import { type AsyncStatus, INITIAL, PENDING } from './async-status.ts';
import type { BroadcastSource } from './broadcast-source.ts';
import type { DeviceSource } from './device-source.ts';
import type { ServiceWorkerLink } from './service-worker-link.ts';
import type { SessionPersistence, SessionStore } from './session-store.ts';
import { type Credentials, signIn } from './sign-in.ts';

export interface SessionDeps {
  readonly venueId: string;
  readonly session: SessionStore;
  readonly persistence?: SessionPersistence;
  readonly device: DeviceSource;
  readonly serviceWorker: ServiceWorkerLink;
  readonly fetch: typeof fetch;
  /** The device's cache of the venue: sign-out drops it (the outbox stays). */
  readonly cacheSync?: Pick<CacheSync, 'forget'>;
  /**
   * The channel: a sign-out in another tab signs this one out too, and so does a server saying
   * a manager revoked this device.
   */
  readonly broadcasts?: BroadcastSource;
  /** The principals this screen serves (staff screens refuse a guest's restored session). */
  readonly accepts?: (principal: Principal) => boolean;
}

/** What a sign-in form collects; the venue comes from the page. */
export type SignInInput =
  | { readonly kind: 'staff'; readonly pin: string }
  | { readonly kind: 'guest'; readonly table: string };

/**
 * The page's session: restores the principal a reload left in IndexedDB meta, signs in (the
 * cookie is set by the origin), tells the service worker whose ops it replays, and signs out.
 */
export class SessionController implements ReactiveController {
  readonly #host: ReactiveControllerHost;
  readonly #deps: SessionDeps;
  #status: AsyncStatus<Principal> = INITIAL;
  #failure: AppError | undefined;
  #restored: Promise<void> = Promise.resolve();
  #stop: (() => void) | undefined;
  /** This tab's staff session ended by another tab's sign-out (until the next sign-in here). */
  #lostToBroadcast = false;
  /** Counts sign-ins and sign-outs: a restore that read the stored session before one is stale. */
  #turn = 0;

  constructor(host: ReactiveControllerHost, deps: SessionDeps) {
    this.#host = host;
    this.#deps = deps;
    host.addController(this);
  }

  get principal(): Principal | null {
    return this.#deps.session.principal;
  }

  /** The sign-in under way or its outcome. */
  get status(): AsyncStatus<Principal> {
    return this.#status;
  }

  /**
   * Why the last sign-in failed when it got no answer or was refused (with the HTTP status), or
   * why the person was signed out when a manager revoked this device (`DEVICE_REVOKED`).
   */
  get failure(): AppError | undefined {
    return this.#failure;
  }

  /** Settles once the session a reload left is back (or known to be absent). */
  get restored(): Promise<void> {
    return this.#restored;
  }

  hostConnected(): void {
    const stops = [this.#deps.session.subscribe(() => this.#host.requestUpdate())];
    const heard = this.#deps.broadcasts?.subscribe((message) => {
      if (message.type === 'device-revoked') {
        // Every tab signs out on hearing it: none waits for another, and dropping twice is safe.
        if (this.principal?.kind === 'staff') void this.signOut('device_revoked');
        // Another tab's sign-out (for this revoke) reached this tab first: it still says why.
        else if (this.#lostToBroadcast) this.#saysRevoked();
        return;
      }
      // The cookie and the cache are the device's: gone for this tab as well.
      if (message.type !== 'signed-out' || this.principal === null) return;
      this.#lostToBroadcast = this.principal.kind === 'staff';
      this.#turn++;
      this.#deps.session.set(null);
      this.#setStatus(INITIAL);
    });
    if (heard) stops.push(heard);
    this.#stop = () => {
      for (const stop of stops) stop();
    };
    if (this.principal === null) this.#restored = this.#restore();
  }

  hostDisconnected(): void {
    this.#stop?.();
    this.#stop = undefined;
  }

  async signIn(input: SignInInput): Promise<void> {
    const { venueId, session, persistence, serviceWorker, fetch } = this.#deps;
    const credentials: Credentials =
      input.kind === 'staff'
        ? { kind: 'staff', venueId, pin: input.pin }
        : { kind: 'guest', venueId, table: input.table };
    this.#failure = undefined;
    this.#lostToBroadcast = false;
    this.#turn++;
    this.#setStatus(PENDING);
    try {
      const url = apiUrl(`/v1/auth/${input.kind}`, serviceWorker.controlled());
      const principal = await signIn(fetch, url, credentials);
      await persistence?.save(principal);
      session.set(principal);
      await this.#announce(principal);
      // Signed out meanwhile (a revoke heard while this finished): that outcome stands.
      if (session.principal !== principal) return;
      this.#setStatus({ status: 'complete', value: principal });
    } catch (error) {
      this.#failure = error instanceof AppError ? error : undefined;
      this.#setStatus({ status: 'error', message: messageOf(error) });
    }
  }

  /**
   * Signs out: forgets the principal, drops the venue data cached on this device (what the
   * next person here must not see before signing in) and asks the origin to end the cookie.
   * The outbox is left alone: queued ops wait for their owner. Switching staff on a shared
   * tablet is signing in (decision 008), never this. `device_revoked`: a server said a manager
   * revoked this device; the sign-in screen then says so, as a refusal with that code.
   */
  async signOut(why?: 'device_revoked'): Promise<void> {
    const { session, persistence, serviceWorker, fetch, cacheSync } = this.#deps;
    this.#turn++;
    session.set(null);
    if (why === 'device_revoked') {
      this.#saysRevoked();
    } else {
      this.#failure = undefined;
      this.#setStatus(INITIAL);
    }
    await persistence?.save(null);
    try {
      await cacheSync?.forget();
    } catch (error) {
      // No IndexedDB or no worker: nothing was cached to drop; the cookie still goes.
      console.warn('could not drop the cached venue data', error);
    }
    const response = await fetch(apiUrl('/v1/auth/logout', serviceWorker.controlled()), {
      method: 'POST',
      credentials: 'same-origin',
    }).catch((error: unknown) => error);
    // Offline, the cookie outlives this; it expires on its own and the principal is gone.
    if (!(response instanceof Response))
      console.warn('sign-out did not reach the origin', response);
  }

  /** The sign-in screen says a manager revoked this device, as a refusal with that code. */
  #saysRevoked(): void {
    this.#failure = new AppError('REJECTED', DEVICE_REVOKED_MESSAGE, 401, DEVICE_REVOKED);
    this.#setStatus({ status: 'error', message: DEVICE_REVOKED_MESSAGE });
  }

  async #restore(): Promise<void> {
    const turn = this.#turn;
    let principal: Principal | undefined;
    try {
      principal = await this.#deps.persistence?.load();
    } catch (error) {
      // No IndexedDB (a private window, a locked profile): sign in again.
      console.warn('could not restore the session', error);
      return;
    }
    // Signed out (or in) while the stored session was read: that stands, not what was read.
    if (turn !== this.#turn) return;
    if (!principal || this.principal !== null) return;
    if (this.#deps.accepts && !this.#deps.accepts(principal)) return;
    this.#deps.session.set(principal);
    await this.#announce(principal);
  }

  /** The service worker replays ops as this person, for this device. */
  async #announce(principal: Principal): Promise<void> {
    const deviceId = await this.#deps.device.deviceId();
    this.#deps.serviceWorker.post({ type: 'session', principal, deviceId });
  }

  #setStatus(status: AsyncStatus<Principal>): void {
    this.#status = status;
    this.#host.requestUpdate();
  }
}
