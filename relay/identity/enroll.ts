import { EcPrivateJwk, EnrollResponse, encodeBase64Url, publicJwkOf } from '#protocol';
import type { RelayIdentity } from './relay-identity.ts';

export class EnrollmentError extends Error {
  readonly code: 'ENROLLMENT_REFUSED' | 'CLOUD_UNREACHABLE' | 'BAD_RESPONSE';
  constructor(code: EnrollmentError['code'], message: string) {
    super(message);
    this.code = code;
  }
}

/**
 * Trades a one-time enrollment token for this relay's identity: makes a signing key pair,
 * sends the public half, and keeps the cloud's answer with the private half.
 */
export async function enroll(options: {
  readonly cloudUrl: string;
  readonly enrollmentToken: string;
  readonly now: () => Date;
  readonly fetch?: typeof fetch;
}): Promise<RelayIdentity> {
  const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
    'verify',
  ]);
  const signingJwk = EcPrivateJwk.parse(await crypto.subtle.exportKey('jwk', pair.privateKey));
  const doFetch = options.fetch ?? fetch;
  let response: Response;
  try {
    response = await doFetch(new URL('/v1/edge/enroll', options.cloudUrl), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        enrollmentToken: options.enrollmentToken,
        publicKeyJwk: publicJwkOf(signingJwk),
      }),
      signal: AbortSignal.timeout(15_000),
    });
  } catch (error) {
    throw new EnrollmentError(
      'CLOUD_UNREACHABLE',
      `cannot reach ${options.cloudUrl}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (!response.ok) {
    const detail = await response.text();
    throw new EnrollmentError(
      'ENROLLMENT_REFUSED',
      `the cloud refused the enrollment token (${response.status}): ${detail.slice(0, 300)}`,
    );
  }
  const parsed = EnrollResponse.safeParse(await response.json());
  if (!parsed.success)
    throw new EnrollmentError(
      'BAD_RESPONSE',
      'the cloud answered enrollment with something unexpected',
    );
  return {
    nodeId: parsed.data.nodeId,
    tenantId: parsed.data.tenantId,
    venueId: parsed.data.venueId,
    cloudUrl: options.cloudUrl,
    credential: parsed.data.credential,
    signingJwk,
    verificationKeys: parsed.data.verificationKeys,
    venuePinKey: parsed.data.venuePinKey,
    cursorSecret: encodeBase64Url(crypto.getRandomValues(new Uint8Array(32))),
    enrolledAt: options.now().toISOString(),
  };
}
