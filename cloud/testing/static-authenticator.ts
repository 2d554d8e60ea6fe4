import type { Principal } from '#protocol';
import type { Authenticator, AuthResult, Caller } from '../http/caller.ts';

/**
 * An authenticator over a fixed table of bearer strings: for route tests that are not about
 * tokens. Unknown bearers fail with 401 as the real one does.
 */
export class StaticAuthenticator implements Authenticator {
  private readonly callers = new Map<string, Caller>();

  /**
   * Registers a person and returns the bearer string that stands for them; `did` names the
   * paired device they signed in on, as a real staff token's claim does.
   */
  person(principal: Principal, issuer = 'cloud', did?: string): string {
    const bearer = `test-${this.callers.size + 1}`;
    this.callers.set(bearer, {
      kind: 'principal',
      principal,
      issuer,
      ...(did === undefined ? {} : { did }),
    });
    return bearer;
  }

  /** A relay's replay token for a person: signed by `relay:<nodeId>` with the replay claim. */
  replayer(principal: Principal, nodeId: string): string {
    const bearer = `test-replay-${this.callers.size + 1}`;
    this.callers.set(bearer, {
      kind: 'principal',
      principal,
      issuer: `relay:${nodeId}`,
      replay: true,
    });
    return bearer;
  }

  relay(nodeId: string, tenantId: string, venueId: string): string {
    const bearer = `test-relay-${this.callers.size + 1}`;
    this.callers.set(bearer, { kind: 'relay', nodeId, tenantId, venueId });
    return bearer;
  }

  async authenticate(request: Request): Promise<AuthResult | undefined> {
    const header = request.headers.get('authorization');
    if (!header) return undefined;
    const caller = this.callers.get(header.replace(/^Bearer\s+/i, ''));
    return caller
      ? { ok: true, caller }
      : { ok: false, status: 401, code: 'TOKEN_INVALID', detail: 'unknown test token' };
  }
}
