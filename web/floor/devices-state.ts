import type { Device, DeviceListingRow, DeviceRole, PairingCreated } from '#protocol';

/*
 * The Devices panel, pure: the venue's paired devices as the listing route answers them, in
 * the order a manager reads them, with last seen, waiting ops and a pairing code's time left
 * in words. Bodies are checked by hand (no zod on the floor page's first paint).
 */

/** What a device is for: a floor tablet or a kitchen display. */
export type { DeviceRole };
export const DEVICE_ROLES: readonly DeviceRole[] = ['floor', 'kitchen'];

export const DEVICE_ROLE_WORDS: Readonly<Record<DeviceRole, string>> = {
  floor: 'Floor tablet',
  kitchen: 'Kitchen display',
};

/**
 * One row of `GET /v1/venues/{venueId}/devices`; a row only the local view has (the list not
 * fetched yet, or offline) has `lastSeenAt` undefined: not known here, which is not "never".
 */
export type DeviceRow = Omit<DeviceListingRow, 'lastSeenAt'> & {
  readonly lastSeenAt: string | null | undefined;
};

/** `POST …/devices/pairings`'s answer. */
export type Pairing = PairingCreated;

/** A device entity as the local view has it: the feed's copy with this device's ops on top. */
export type LocalDevice = Pick<
  Device,
  'id' | 'name' | 'role' | 'pairedAt' | 'revoked' | 'revokedAt'
>;

const fromLocal = (d: LocalDevice): DeviceRow => ({
  id: d.id,
  name: d.name,
  role: d.role,
  pairedAt: d.pairedAt,
  revoked: d.revoked,
  revokedAt: d.revokedAt,
  lastSeenAt: undefined,
  outboxDepth: null,
});

/**
 * The rows to show: the server's list, plus devices the feed brought since it was fetched;
 * without a list (offline, or not yet fetched), the local view's devices, so a manager can
 * still see and revoke them; null while there is neither.
 */
export function rowsOf(
  listing: readonly DeviceRow[] | null,
  local: readonly LocalDevice[],
): DeviceRow[] | null {
  if (!listing) return local.length > 0 ? local.map(fromLocal) : null;
  const listed = new Set(listing.map((r) => r.id));
  return [...listing, ...local.filter((d) => !listed.has(d.id)).map(fromLocal)];
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isTime = (v: unknown): v is string => isString(v) && !Number.isNaN(Date.parse(v));

function rowOf(value: unknown): DeviceRow | null {
  if (typeof value !== 'object' || value === null) return null;
  const d = value as Record<string, unknown>;
  const ok =
    isString(d.id) &&
    isString(d.name) &&
    DEVICE_ROLES.includes(d.role as DeviceRole) &&
    isTime(d.pairedAt) &&
    typeof d.revoked === 'boolean' &&
    (d.revokedAt === null || d.revokedAt === undefined || isTime(d.revokedAt)) &&
    (d.lastSeenAt === null || d.lastSeenAt === undefined || isTime(d.lastSeenAt)) &&
    (d.outboxDepth === null ||
      d.outboxDepth === undefined ||
      (typeof d.outboxDepth === 'number' && Number.isFinite(d.outboxDepth)));
  if (!ok) return null;
  return {
    id: d.id as string,
    name: d.name as string,
    role: d.role as DeviceRole,
    pairedAt: d.pairedAt as string,
    revoked: d.revoked as boolean,
    revokedAt: (d.revokedAt as string | null | undefined) ?? null,
    lastSeenAt: (d.lastSeenAt as string | null | undefined) ?? null,
    outboxDepth: (d.outboxDepth as number | null | undefined) ?? null,
  };
}

/** The listing's devices if the body has its shape; null for anything else (a portal's page). */
export function parseListing(body: unknown): DeviceRow[] | null {
  if (typeof body !== 'object' || body === null) return null;
  const devices = (body as { devices?: unknown }).devices;
  if (!Array.isArray(devices)) return null;
  const rows = devices.map(rowOf);
  return rows.every((r): r is DeviceRow => r !== null) ? rows : null;
}

/** The pairing if the body has its shape; null otherwise. */
export function parsePairing(body: unknown): Pairing | null {
  if (typeof body !== 'object' || body === null) return null;
  const p = body as Record<string, unknown>;
  if (!isString(p.code) || !isString(p.pairUrl) || !isTime(p.expiresAt)) return null;
  if (!/^https?:\/\//.test(p.pairUrl)) return null;
  return { code: p.code, pairUrl: p.pairUrl, expiresAt: p.expiresAt };
}

/** Said for a 403: the routes are the managers'. */
export const MANAGERS_ONLY = 'Only a manager or owner sees and pairs the venue’s devices';

/** What a refused request says: a 403 in words, a problem+json by its title and detail. */
export function problemWords(status: number, body: unknown, what: string): string {
  if (status === 403) return MANAGERS_ONLY;
  if (typeof body === 'object' && body !== null) {
    const { title, detail } = body as { title?: unknown; detail?: unknown };
    if (isString(title) && title.trim())
      return isString(detail) && detail.trim() ? `${title.trim()}: ${detail.trim()}` : title.trim();
  }
  return `${what} (HTTP ${status})`;
}

/**
 * Paired devices first, then revoked ones; within each, the most recently seen first (never
 * seen last), then by name. A revoke this device made and has not sent yet counts as revoked.
 */
export function sortDevices(
  rows: readonly DeviceRow[],
  revokedHere: ReadonlySet<string> = new Set(),
): DeviceRow[] {
  const seen = (r: DeviceRow) => (r.lastSeenAt ? Date.parse(r.lastSeenAt) : -Infinity);
  const revoked = (r: DeviceRow) => r.revoked || revokedHere.has(r.id);
  return [...rows].sort(
    (a, b) =>
      Number(revoked(a)) - Number(revoked(b)) ||
      seen(b) - seen(a) ||
      a.name.localeCompare(b.name) ||
      a.id.localeCompare(b.id),
  );
}

/** "just now", "4 min ago", "2 h ago", "3 days ago"; "never" for no time. */
export function relativeTime(at: string | null | undefined, now: number): string {
  if (at === undefined) return 'unknown';
  if (at === null) return 'never';
  const ms = now - Date.parse(at);
  if (Number.isNaN(ms)) return 'never';
  // A device clock a little ahead of this one is "just now", not "in 3 s".
  if (ms < 60_000) return 'just now';
  const min = Math.floor(ms / 60_000);
  if (min < 60) return `${min} min ago`;
  const hours = Math.floor(min / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.floor(hours / 24);
  return `${days} ${days === 1 ? 'day' : 'days'} ago`;
}

/** A device's waiting ops in words: "3 waiting", "nothing waiting", "not reported". */
export function outboxWords(depth: number | null): string {
  if (depth === null) return 'not reported';
  if (depth <= 0) return 'nothing waiting';
  return `${depth} waiting`;
}

/** Whole seconds left until `expiresAt` (0 once past). */
export function secondsLeft(expiresAt: string, now: number): number {
  return Math.max(0, Math.ceil((Date.parse(expiresAt) - now) / 1000));
}

/** A code's time left, "9:05"; "expired" at 0. */
export function countdownWords(expiresAt: string, now: number): string {
  const left = secondsLeft(expiresAt, now);
  if (left === 0) return 'expired';
  const m = Math.floor(left / 60);
  const s = left % 60;
  return `${m}:${String(s).padStart(2, '0')}`;
}

/**
 * The countdown as a screen reader hears it: said once a minute (and at 30 and 10 seconds),
 * not every second. "Expires in 9 minutes".
 */
export function countdownSpoken(expiresAt: string, now: number): string {
  const left = secondsLeft(expiresAt, now);
  if (left === 0) return 'The code has expired';
  if (left <= 10) return 'Expires in 10 seconds';
  if (left <= 30) return 'Expires in 30 seconds';
  const min = Math.ceil(left / 60);
  return `Expires in ${min} ${min === 1 ? 'minute' : 'minutes'}`;
}

/** A row's status in words. */
export function statusWords(row: DeviceRow, revokedHere: ReadonlySet<string>): string {
  return row.revoked || revokedHere.has(row.id) ? 'Revoked' : 'Paired';
}
