import { toHex } from '../hash/sha256.ts';

const encoder = new TextEncoder();

/**
 * A venue's PIN key: HMAC of the venue id under the server's PIN key. The cloud derives it; an
 * enrolled relay receives its own venue's key (and no other), so it can check staff PINs while
 * the uplink is down.
 */
export async function deriveVenuePinKey(
  serverPinKey: CryptoKey,
  venueId: string,
): Promise<Uint8Array> {
  const mac = await crypto.subtle.sign(
    'HMAC',
    serverPinKey,
    encoder.encode(`hearth-venue-pin:${venueId}`),
  );
  return new Uint8Array(mac);
}

/**
 * The stored form of a staff PIN: HMAC-SHA-256 of the PIN under the venue's PIN key, hex.
 * A four-digit PIN cannot be hashed safely on its own; keyed, a stolen table reveals nothing,
 * and sign-in is one indexed lookup.
 */
export async function digestPin(venuePinKey: Uint8Array, pin: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    'raw',
    new Uint8Array(venuePinKey),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  return toHex(new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(pin))));
}
