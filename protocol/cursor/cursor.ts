import * as z from 'zod';
import { sha256Hex } from '../hash/sha256.ts';
import { decodeBase64Url, encodeBase64Url } from './base64url.ts';

/**
 * What a cursor says: "entries of `stream` up to `seq`, for this scope set, in this epoch".
 * Clients treat the signed token as opaque.
 */
export const CursorClaims = z.object({
  v: z.literal(1),
  /** The stream: one per venue. */
  stream: z.string().min(1).max(80),
  /** The last seq the holder has applied; 0 before the first entry. */
  seq: z.number().int().min(0),
  /** Hash of the sorted scope set (see `scopeSetHash`). */
  scopes: z.string().regex(/^[0-9a-f]{16}$/),
  /** Bumped when the stream is reset or compacted past old cursors. */
  epoch: z.number().int().min(0),
});
export type CursorClaims = z.infer<typeof CursorClaims>;

/** The signed, opaque cursor token on the wire. */
export const Cursor = z.string().min(1).max(512);
export type Cursor = z.infer<typeof Cursor>;

export type CursorDecodeResult =
  | { readonly ok: true; readonly claims: CursorClaims }
  | { readonly ok: false; readonly reason: 'malformed' | 'bad_signature' };

export interface CursorCodec {
  encode(claims: CursorClaims): Promise<Cursor>;
  /** Verifies the signature before trusting a single claim; any changed bit fails. */
  decode(token: string): Promise<CursorDecodeResult>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Hash of a scope set, independent of order and repeats: the cursor's scope binding. */
export async function scopeSetHash(scopes: readonly string[]): Promise<string> {
  const canonical = [...new Set(scopes)].sort().join(',');
  return (await sha256Hex(canonical)).slice(0, 16);
}

/**
 * A cursor codec signing with HMAC-SHA-256 (WebCrypto). Token: `base64url(claims).base64url(mac)`.
 *
 * @example
 * const codec = await createCursorCodec(secretBytes);
 * const token = await codec.encode({ v: 1, stream: 'demo-bistro', seq: 42, scopes, epoch: 0 });
 * (await codec.decode(token)).ok // true
 */
export async function createCursorCodec(secret: Uint8Array): Promise<CursorCodec> {
  if (secret.byteLength < 32) throw new RangeError('cursor secret must be at least 32 bytes');
  const key = await crypto.subtle.importKey(
    'raw',
    new Uint8Array(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign', 'verify'],
  );
  return {
    async encode(claims) {
      const body = encodeBase64Url(encoder.encode(JSON.stringify(CursorClaims.parse(claims))));
      const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(body)));
      return `${body}.${encodeBase64Url(mac)}`;
    },
    async decode(token) {
      const parts = token.split('.');
      if (parts.length !== 2) return { ok: false, reason: 'malformed' };
      const [body, macText] = parts as [string, string];
      const mac = decodeBase64Url(macText);
      const bodyBytes = decodeBase64Url(body);
      if (!mac || !bodyBytes || mac.byteLength !== 32) return { ok: false, reason: 'malformed' };
      const valid = await crypto.subtle.verify(
        'HMAC',
        key,
        new Uint8Array(mac),
        encoder.encode(body),
      );
      if (!valid) return { ok: false, reason: 'bad_signature' };
      const claims = parseClaims(bodyBytes);
      return claims ? { ok: true, claims } : { ok: false, reason: 'malformed' };
    },
  };
}

function parseClaims(bytes: Uint8Array): CursorClaims | undefined {
  let text: string;
  let json: unknown;
  try {
    text = decoder.decode(bytes);
    json = JSON.parse(text);
  } catch (error) {
    if (error instanceof SyntaxError || error instanceof TypeError) return undefined;
    throw error;
  }
  const parsed = CursorClaims.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}
