import { canonicalJson, type JsonValue } from './canonical-json.ts';

const encoder = new TextEncoder();

/** Lower-case hex of a byte array. */
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  return out;
}

/** SHA-256 of a UTF-8 string, as lower-case hex (WebCrypto: works in browsers, Bun and Node). */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', encoder.encode(text));
  return toHex(new Uint8Array(digest));
}

/**
 * The `payloadHash` of an operation: SHA-256 of the payload's canonical JSON.
 * A reused opId with a different hash is a different request (422), not a retry.
 */
export function payloadHash(payload: JsonValue): Promise<string> {
  return sha256Hex(canonicalJson(payload));
}
