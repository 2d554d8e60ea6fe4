import {
  type DeviceRole,
  newUlid,
  PAIRING_TTL_SECONDS,
  SETUP_ISSUER,
  type TokenSigner,
} from '#protocol';
import { pairUrlOf } from './device-routes.ts';

/**
 * A setup pairing code: what an operator's command signs to pair a venue's first device (no
 * manager can have signed in anywhere yet). `sub` is `setup`; the pairing is made by the setup
 * actor (decision 034). Single use and 10 minutes, as a manager's.
 */
export async function setupPairingCode(
  signer: TokenSigner,
  options: {
    readonly tenantId: string;
    readonly venueId: string;
    readonly role: DeviceRole;
    readonly origin: string;
    readonly nowMs: number;
  },
): Promise<{ code: string; pairUrl: string; expiresAt: string }> {
  const iat = Math.floor(options.nowMs / 1000);
  const exp = iat + PAIRING_TTL_SECONDS;
  const code = await signer.sign({
    kind: 'pairing',
    sub: SETUP_ISSUER,
    jti: newUlid(options.nowMs),
    role: options.role,
    tenantId: options.tenantId,
    venueId: options.venueId,
    iat,
    exp,
  });
  return {
    code,
    pairUrl: pairUrlOf(options.origin, code),
    expiresAt: new Date(exp * 1000).toISOString(),
  };
}
