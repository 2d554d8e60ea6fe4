import type { DevicePaired, DeviceRole } from '#protocol';
import { decodeBase64Url } from '#protocol/cursor/base64url.ts';

/*
 * The pair page, pure: the code in the address's fragment, what the code says about itself
 * (read for the form only: the server checks it), the device's name, the answer and every
 * refusal in words with what to do.
 */

export type PairRole = DeviceRole;

export const NAME_MAX = 60;

/** The code in `#code=…`, or null. */
export function codeFromHash(hash: string): string | null {
  const code = new URLSearchParams(hash.replace(/^#/, '')).get('code');
  return code?.trim() ? code.trim() : null;
}

/** What a pairing code claims about itself, unverified: for the form's words only. */
export interface CodeHint {
  readonly role: PairRole | null;
  /** Device ms the code expires at, if it says. */
  readonly expiresAt: number | null;
  readonly venueId: string | null;
}

const decoder = new TextDecoder();

/** The claims of a compact JWS, read without its signature; empty hints when unreadable. */
export function hintOf(code: string): CodeHint {
  const none: CodeHint = { role: null, expiresAt: null, venueId: null };
  const payload = code.split('.')[1];
  if (!payload) return none;
  try {
    const claims = JSON.parse(decoder.decode(decodeBase64Url(payload))) as Record<string, unknown>;
    return {
      role: claims.role === 'floor' || claims.role === 'kitchen' ? claims.role : null,
      expiresAt: typeof claims.exp === 'number' ? claims.exp * 1000 : null,
      venueId: typeof claims.venueId === 'string' ? claims.venueId : null,
    };
  } catch {
    return none;
  }
}

/** The name a device of this role starts with. */
export function defaultName(role: PairRole | null): string {
  return role === 'kitchen' ? 'Kitchen display' : 'Floor tablet';
}

/** What is wrong with the name, in words; null when it may be sent. */
export function nameError(name: string): string | null {
  const trimmed = name.trim();
  if (!trimmed) return 'Give this device a name, such as “Bar tablet”.';
  if (trimmed.length > NAME_MAX)
    return `Keep the name to ${NAME_MAX} characters (it has ${trimmed.length}).`;
  return null;
}

/** `POST /v1/devices/pair`'s answer, and the venue's name when the answer carries it. */
export type Paired = DevicePaired & { readonly venueName?: string };

export function parsePaired(body: unknown): Paired | null {
  if (typeof body !== 'object' || body === null) return null;
  const b = body as Record<string, unknown>;
  const strings = ['deviceId', 'name', 'venueId', 'tenantId'].every(
    (k) => typeof b[k] === 'string',
  );
  if (!strings || (b.role !== 'floor' && b.role !== 'kitchen')) return null;
  return {
    deviceId: b.deviceId as string,
    name: b.name as string,
    role: b.role,
    venueId: b.venueId as string,
    tenantId: b.tenantId as string,
    ...(typeof b.venueName === 'string' ? { venueName: b.venueName } : {}),
  };
}

/** Each refusal of the code in words: what happened and what to do. */
export const PAIR_ERRORS: Readonly<Record<string, string>> = {
  PAIRING_EXPIRED: 'This code has expired. Ask the manager for a new one.',
  PAIRING_USED:
    'This code has already been used. Each code pairs one device: ask the manager for a new one.',
  PAIRING_INVALID:
    'This code is not one this venue made (or it was copied incompletely). Ask the manager for a new one and scan it again.',
};

export const OFFLINE_MESSAGE =
  'No connection to the venue’s server. Connect this device to the venue’s Wi-Fi and press Pair again.';

export const NO_CODE_MESSAGE =
  'This page needs a pairing code. On a paired tablet, a manager opens Floor › Devices › Pair a device; scan the code it shows with this device’s camera.';

/** A refusal's words: a known code's, else the problem's title and detail, else the status. */
export function refusalWords(status: number, body: unknown): string {
  const problem =
    typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const code = typeof problem.code === 'string' ? problem.code : undefined;
  if (code && PAIR_ERRORS[code]) return PAIR_ERRORS[code];
  // The service worker's answer when the server cannot be reached.
  if (code === 'OFFLINE') return OFFLINE_MESSAGE;
  // A code refused without a problem's code: 410 is expired, 409 used, 401 not valid.
  if (!code && status === 410) return PAIR_ERRORS.PAIRING_EXPIRED as string;
  if (!code && status === 409) return PAIR_ERRORS.PAIRING_USED as string;
  if (!code && status === 401) return PAIR_ERRORS.PAIRING_INVALID as string;
  const { title, detail } = problem;
  if (typeof title === 'string' && title.trim())
    return typeof detail === 'string' && detail.trim() ? `${title}: ${detail}` : title;
  return `The device could not be paired (HTTP ${status}). Try again, or ask the manager for a new code.`;
}

/** The screen a paired device opens: the floor app or the kitchen display. */
export function screenOf(
  paired: Pick<Paired, 'role' | 'venueId'>,
  pageVenue: string | null,
): string {
  const path = paired.role === 'kitchen' ? '/kitchen/' : '/ops/';
  // A page serves its deployment's venue (its meta); another venue goes in the address.
  return pageVenue === paired.venueId
    ? path
    : `${path}?venue=${encodeURIComponent(paired.venueId)}`;
}

/** "This tablet is now paired with Demo Bistro. Staff can sign in with their PIN." */
export function pairedWords(paired: Paired): string {
  const what = paired.role === 'kitchen' ? 'This kitchen display' : 'This tablet';
  return `${what} is now paired with ${paired.venueName ?? paired.venueId}. Staff can sign in with their PIN.`;
}
