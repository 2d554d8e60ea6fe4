import type { Principal } from './principal.ts';

/**
 * Who a principal acts as: the `actorId` its ops must carry (a guest acts as its session).
 * An op whose actorId is another's is refused (FORBIDDEN), so a device holds back the ops made
 * by someone other than who is signed in. Type-only imports: the service worker bundles this.
 */
export function actorOf(principal: Principal): string {
  return principal.kind === 'guest' ? principal.sessionId : principal.actorId;
}
