import {
  EcPublicJwk,
  importTokenVerifyKey,
  type TokenClaims,
  type TokenKid,
  verifyToken,
} from '#protocol';
import { CLOUD_SIGNING_KID } from '../auth/keys.ts';
import type { CloudStore } from '../store/cloud-store.ts';

const RELAY_KID_PREFIX = 'relay:';

export type PairingClaims = Extract<TokenClaims, { kind: 'pairing' }>;

export type PairingVerdict =
  | { readonly ok: true; readonly claims: PairingClaims }
  | { readonly ok: false; readonly reason: 'expired' | 'invalid' };

/**
 * Verifies pairing codes: signed with the cloud's key, or with the key of an active relay of the
 * code's venue (a relay issues codes while its uplink is down), of kind `pairing`, not expired.
 */
export class PairingCodes {
  private readonly options: {
    readonly cloudVerifyKey: CryptoKey;
    readonly store: Pick<CloudStore, 'getEdgeNode'>;
    readonly clock: () => Date;
  };

  constructor(options: PairingCodes['options']) {
    this.options = options;
  }

  async verify(code: string): Promise<PairingVerdict> {
    let relayVenue: { tenantId: string; venueId: string } | undefined;
    const result = await verifyToken(
      code,
      async (kid: TokenKid) => {
        if (kid === CLOUD_SIGNING_KID) return this.options.cloudVerifyKey;
        if (!kid.startsWith(RELAY_KID_PREFIX)) return undefined;
        const node = await this.options.store.getEdgeNode(kid.slice(RELAY_KID_PREFIX.length));
        if (node?.status !== 'active' || node.publicKeyJwk === null) return undefined;
        relayVenue = node;
        return importKey(node.publicKeyJwk);
      },
      Math.floor(this.options.clock().getTime() / 1000),
    );
    if (!result.ok)
      return { ok: false, reason: result.reason === 'expired' ? 'expired' : 'invalid' };
    const { claims } = result;
    if (claims.kind !== 'pairing') return { ok: false, reason: 'invalid' };
    // A relay signs codes for its own venue only.
    if (
      relayVenue &&
      (relayVenue.tenantId !== claims.tenantId || relayVenue.venueId !== claims.venueId)
    ) {
      return { ok: false, reason: 'invalid' };
    }
    return { ok: true, claims };
  }
}

async function importKey(text: string): Promise<CryptoKey | undefined> {
  try {
    const jwk = EcPublicJwk.safeParse(JSON.parse(text));
    return jwk.success ? await importTokenVerifyKey(jwk.data) : undefined;
  } catch (error) {
    if (error instanceof SyntaxError || error instanceof DOMException) return undefined;
    throw error;
  }
}
