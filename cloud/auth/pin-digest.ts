import { toHex } from '#protocol';

const encoder = new TextEncoder();

/**
 * The stored form of a staff PIN: HMAC-SHA-256 under the server's PIN key of `venueId:pin`.
 * A four-digit PIN cannot be hashed safely on its own (10,000 guesses); keyed, a stolen
 * database alone reveals nothing, and sign-in is a single indexed lookup.
 */
export async function pinDigest(pinKey: CryptoKey, venueId: string, pin: string): Promise<string> {
  const mac = await crypto.subtle.sign('HMAC', pinKey, encoder.encode(`${venueId}:${pin}`));
  return toHex(new Uint8Array(mac));
}

/** Imports raw key bytes (at least 32) as the PIN key. */
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
