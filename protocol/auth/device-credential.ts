import { encodeBase64Url } from '../cursor/base64url.ts';

/** The HttpOnly cookie a paired browser's device credential travels in (never script-readable). */
export const DEVICE_COOKIE = 'hearth_device';

/** The header a scripted client (no cookie jar) sends its device credential in. */
export const DEVICE_HEADER = 'x-hearth-device';

/** A device credential is 32 random bytes, base64url: 43 characters. */
const SECRET_BYTES = 32;

/** A new device credential: 256 random bits, base64url without padding. */
export function newDeviceSecret(): string {
  return encodeBase64Url(crypto.getRandomValues(new Uint8Array(SECRET_BYTES)));
}

/**
 * The digest a device entity stores of its credential: base64url SHA-256 of the secret's text.
 * A 256-bit random secret cannot be found from it, so it may travel in the feed.
 */
export async function credentialDigestOf(secret: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(secret));
  return encodeBase64Url(new Uint8Array(digest));
}

/** A plausible credential's text (43 base64url characters); anything else is not looked up. */
export function isDeviceSecret(text: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(text);
}
