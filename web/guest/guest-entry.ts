import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Principal } from '#protocol';
import type { NetworkStatus } from '../app/network-status.ts';
import type { SessionController } from '../app/session-controller.ts';

/*
 * How a guest gets to their table: the QR code's URL names the venue and the table, and the
 * page signs in with them at once (POST /v1/auth/guest) — no form. A session a reload left is
 * kept when it is for the same table (its queued orders are made in its name), so a phone that
 * reopens the page offline still orders as before.
 */

export type GuestPrincipal = Extract<Principal, { kind: 'guest' }>;

export type GuestEntry =
  | { readonly kind: 'opening'; readonly table: string | null }
  /** The URL names no table and no session is on the phone. */
  | { readonly kind: 'no_table' }
  | { readonly kind: 'signed_in'; readonly principal: GuestPrincipal; readonly table: string }
  /** The venue does not know the table (or the venue): a wrong or old QR code. */
  | { readonly kind: 'not_found'; readonly table: string }
  /** No answer: the phone is offline, or the venue cannot be reached. */
  | { readonly kind: 'offline'; readonly table: string }
  | { readonly kind: 'failed'; readonly table: string; readonly message: string };

/** Which table the session on this phone was opened for (the principal holds only its id). */
export interface TableMemory {
  load(venueId: string): { readonly sessionId: string; readonly table: string } | undefined;
  save(venueId: string, sessionId: string, table: string): void;
}

const memoryKey = (venueId: string): string => `hearth.guest.table:${venueId}`;

/** In localStorage beside the basket: a table label and a session id, no secret. */
export function browserTableMemory(storage: Storage = window.localStorage): TableMemory {
  return {
    load(venueId) {
      try {
        const value: unknown = JSON.parse(storage.getItem(memoryKey(venueId)) ?? 'null');
        if (typeof value !== 'object' || value === null) return undefined;
        const { sessionId, table } = value as Record<string, unknown>;
        return typeof sessionId === 'string' && typeof table === 'string'
          ? { sessionId, table }
          : undefined;
      } catch {
        return undefined;
      }
    },
    save(venueId, sessionId, table) {
      try {
        storage.setItem(memoryKey(venueId), JSON.stringify({ sessionId, table }));
      } catch (error) {
        console.warn('the table could not be remembered on this phone', error);
      }
    },
  };
}

export interface GuestEntryDeps {
  readonly venueId: string;
  /** The table label from the URL (`?table=5`), or null. */
  readonly table: string | null;
  readonly session: SessionController;
  readonly memory: TableMemory;
  readonly network: NetworkStatus;
}

export class GuestEntryController implements ReactiveController {
  readonly #host: ReactiveControllerHost;
  readonly #deps: GuestEntryDeps;
  #entry: GuestEntry;
  #started = false;
  #stop: (() => void) | undefined;

  constructor(host: ReactiveControllerHost, deps: GuestEntryDeps) {
    this.#host = host;
    this.#deps = deps;
    this.#entry = { kind: 'opening', table: deps.table };
    host.addController(this);
  }

  get entry(): GuestEntry {
    const principal = this.#deps.session.principal;
    // Signed out elsewhere on the page: open the table again.
    if (this.#entry.kind === 'signed_in' && principal?.kind !== 'guest')
      return { kind: 'opening', table: this.#entry.table };
    return this.#entry;
  }

  hostConnected(): void {
    // Back online after a sign-in that got no answer: try again without a tap.
    this.#stop = this.#deps.network.subscribe((online) => {
      if (online && this.#entry.kind === 'offline') void this.signIn(this.#entry.table);
    });
    if (this.#started) return;
    this.#started = true;
    void this.#begin();
  }

  hostDisconnected(): void {
    this.#stop?.();
    this.#stop = undefined;
  }

  /** Opens the table: on load from the URL, or a table the guest typed, or Try again. */
  async signIn(table: string): Promise<void> {
    const label = table.trim();
    if (label === '') return;
    const { session, memory, venueId } = this.#deps;
    this.#set({ kind: 'opening', table: label });
    await session.signIn({ kind: 'guest', table: label });
    const principal = session.principal;
    if (principal?.kind === 'guest' && session.status.status === 'complete') {
      memory.save(venueId, principal.sessionId, label);
      this.#set({ kind: 'signed_in', principal, table: label });
      return;
    }
    const failure = session.failure;
    if (failure?.code === 'NETWORK') this.#set({ kind: 'offline', table: label });
    else if (failure?.status === 404) this.#set({ kind: 'not_found', table: label });
    else {
      const status = session.status;
      const message = status.status === 'error' ? status.message : 'the table could not be opened';
      this.#set({ kind: 'failed', table: label, message });
    }
  }

  async #begin(): Promise<void> {
    const { session, memory, venueId, table } = this.#deps;
    try {
      await session.restored;
    } catch (error) {
      console.warn('the session on this phone could not be read', error);
    }
    const principal = session.principal;
    const remembered = memory.load(venueId);
    if (
      principal?.kind === 'guest' &&
      principal.venueId === venueId &&
      remembered?.sessionId === principal.sessionId &&
      (table === null || remembered.table === table)
    ) {
      this.#set({ kind: 'signed_in', principal, table: remembered.table });
      return;
    }
    if (table === null) {
      this.#set({ kind: 'no_table' });
      return;
    }
    await this.signIn(table);
  }

  #set(entry: GuestEntry): void {
    this.#entry = entry;
    this.#host.requestUpdate();
  }
}
