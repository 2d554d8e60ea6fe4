import { deriveVenuePinKey, digestPin } from '#protocol';

/**
 * The stored form of a staff PIN at a venue: the PIN's HMAC under the venue's PIN key, which is
 * derived from the server's PIN key (see protocol/auth/pin.ts). The venue key is what an
 * enrolled relay receives to check PINs offline.
 */
export async function pinDigest(pinKey: CryptoKey, venueId: string, pin: string): Promise<string> {
  return digestPin(await deriveVenuePinKey(pinKey, venueId), pin);
}

/** Imports raw key bytes (at least 32) as the server's PIN key. */
export function importPinKey(raw: Uint8Array): Promise<CryptoKey> {
  if (raw.byteLength < 32) throw new RangeError('PIN key must be at least 32 bytes');
  return crypto.subtle.importKey(
    'raw',
    new Uint8Array(raw),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
}
