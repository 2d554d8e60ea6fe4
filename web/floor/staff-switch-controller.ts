import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Principal } from '#protocol';
import { actorOf } from '#protocol/auth/actor.ts';
import type { AsyncStatus } from '../app/async-status.ts';
import type { BroadcastSource } from '../app/broadcast-source.ts';
import type { HeldOutbox } from '../app/held-outbox.ts';
import type { SignInInput } from '../app/session-controller.ts';
import type { SessionStore } from '../app/session-store.ts';
import type { OutboxEntry } from '../device/outbox-types.ts';
import { type HeldGroup, heldGroups } from './held-ops.ts';

/** What the switch needs of the page's SessionController. */
export interface SwitchSession {
  readonly principal: Principal | null;
  readonly status: AsyncStatus<Principal>;
  signIn(input: SignInInput): Promise<void>;
}

export interface StaffSwitchDeps {
  readonly session: SwitchSession;
  /** Told when the principal changes (a sign-in here or in another controller). */
  readonly sessionStore: Pick<SessionStore, 'subscribe'>;
  readonly outbox: HeldOutbox;
  readonly broadcasts: BroadcastSource;
  /** actorId → name, from the team in the local cache (held-ops.ts `namesOf`). */
  readonly nameOf: (actorId: string) => string | undefined;
}

/**
 * A shared tablet changing hands: whether the PIN pad is up for a switch, the sign-in as the
 * next person (it replaces the session; the service worker then holds the previous person's
 * unsent ops until they sign in here again), and those held ops by person, re-read on every
 * `outbox-changed` and sign-in. A manager or owner may discard a person's held ops.
 */
export class StaffSwitchController implements ReactiveController {
  readonly #host: ReactiveControllerHost;
  readonly #deps: StaffSwitchDeps;
  #switching = false;
  #groups: HeldGroup[] = [];
  #entries: readonly OutboxEntry[] = [];
  /** Device ms of the last sign-in through this controller. */
  #signedInAt: number | undefined;
  #error: string | undefined;
  #stops: (() => void)[] = [];
  #reads = 0;

  constructor(host: ReactiveControllerHost, deps: StaffSwitchDeps) {
    this.#host = host;
    this.#deps = deps;
    host.addController(this);
  }

  /** The PIN pad is up to hand the device to someone else. */
  get switching(): boolean {
    return this.#switching;
  }

  /** Ops waiting for their person, longest waiting first. */
  get groups(): readonly HeldGroup[] {
    return this.#groups;
  }

  /** The device's outbox as last read (the failed-ops inbox reads it too). */
  get entries(): readonly OutboxEntry[] {
    return this.#entries;
  }

  /**
   * The signed-in person's own ops wait for a sign-in: the origin answered 401 (the session
   * ended, or its cookie did not outlive a browser that was killed). Their PIN sends them.
   */
  get sessionEnded(): boolean {
    const principal = this.#deps.session.principal;
    if (principal?.kind !== 'staff') return false;
    const actor = actorOf(principal);
    // A 401 leaves the op due at once (nextAttemptAt = when it was answered): one answered
    // before the last sign-in here is stale, and goes with the replay that sign-in starts.
    const since = this.#signedInAt ?? Number.NEGATIVE_INFINITY;
    return this.#entries.some(
      (e) =>
        (e.status === 'pending' || e.status === 'sending') &&
        e.lastError?.code === 'SIGN_IN' &&
        e.op.actorId === actor &&
        e.nextAttemptAt > since,
    );
  }

  /** Why the last discard did not happen. */
  get error(): string | undefined {
    return this.#error;
  }

  hostConnected(): void {
    this.#stops = [
      this.#deps.broadcasts.subscribe((message) => {
        if (message.type === 'outbox-changed') void this.refresh();
      }),
      this.#deps.sessionStore.subscribe(() => void this.refresh()),
    ];
    void this.refresh();
  }

  hostDisconnected(): void {
    for (const stop of this.#stops) stop();
    this.#stops = [];
  }

  start(): void {
    this.#switching = true;
    this.#host.requestUpdate();
  }

  cancel(): void {
    this.#switching = false;
    this.#host.requestUpdate();
  }

  /** Signs in as the next person; the pad goes once that worked, and stays with the error if not. */
  async signIn(input: SignInInput): Promise<void> {
    await this.#deps.session.signIn(input);
    if (this.#deps.session.status.status === 'complete') {
      this.#switching = false;
      this.#signedInAt = Date.now();
    }
    this.#host.requestUpdate();
    await this.refresh();
  }

  /** Drops a person's held ops (the ones the confirm step named); only a manager or owner. */
  async discard(detail: { readonly actorId: string; readonly opIds: readonly string[] }) {
    const principal = this.#deps.session.principal;
    this.#error = undefined;
    if (principal?.kind !== 'staff' || !['manager', 'owner'].includes(principal.role)) {
      this.#error = 'Only a manager can discard changes waiting for someone else';
    } else {
      try {
        await this.#deps.outbox.discardHeld(detail.opIds, actorOf(principal));
      } catch (error) {
        this.#error = error instanceof Error ? error.message : 'Could not discard the changes';
      }
    }
    this.#host.requestUpdate();
    await this.refresh();
  }

  /** Reads the outbox again; a read overtaken by a later one is dropped. */
  async refresh(): Promise<void> {
    const read = ++this.#reads;
    let entries: Awaited<ReturnType<HeldOutbox['entries']>>;
    try {
      entries = await this.#deps.outbox.entries();
    } catch (error) {
      console.warn('could not read the outbox for held ops', error);
      return;
    }
    if (read !== this.#reads) return;
    this.#entries = entries;
    const principal = this.#deps.session.principal;
    this.#groups = heldGroups(entries, principal ? actorOf(principal) : null, this.#deps.nameOf);
    this.#host.requestUpdate();
  }
}
