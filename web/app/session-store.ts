import type { Principal } from '#protocol';

/** Where the principal outlives a reload: IndexedDB meta (never a token: that is a cookie). */
export interface SessionPersistence {
  load(): Promise<Principal | undefined>;
  save(principal: Principal | null): Promise<void>;
}

/**
 * Who is signed in on this page, shared by the page's controllers. Only the principal (who,
 * which venue, which role) is held: the session token travels in an HttpOnly cookie that no
 * script can read.
 */
export class SessionStore {
  #principal: Principal | null = null;
  readonly #listeners = new Set<(principal: Principal | null) => void>();

  get principal(): Principal | null {
    return this.#principal;
  }

  set(principal: Principal | null): void {
    this.#principal = principal;
    for (const listener of this.#listeners) listener(principal);
  }

  /** Calls `listener` on every change until the returned function is called. */
  subscribe(listener: (principal: Principal | null) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
