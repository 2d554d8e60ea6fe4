import type { Principal } from '#protocol';
import {
  ensureDeviceId,
  forgetVenueData,
  type LocalDb,
  openLocalDb,
  readSession,
  readSync,
  writeSession,
} from '../device/local-db.ts';
import type { DeviceSource } from './device-source.ts';
import type { SessionPersistence } from './session-store.ts';

// The page's ports over the hydrator's cache database (web/device/local-db.ts). Loaded lazily by
// app-services.ts: this module brings zod and the entity schemas with it.

/** The cache's deviceId (made once per install) and cursor. */
export function cacheDeviceSource(db: Promise<LocalDb>): DeviceSource {
  return {
    deviceId: async () => ensureDeviceId(await db),
    cursor: async () => (await readSync(await db))?.cursor ?? null,
    lastSyncAt: async () => (await readSync(await db))?.lastSyncAt ?? null,
  };
}

/** The principal in the cache's meta: a reload keeps its session (the cookie is the secret). */
export function cacheSessionPersistence(db: Promise<LocalDb>): SessionPersistence {
  return {
    load: async () => readSession(await db),
    save: async (principal: Principal | null) => writeSession(await db, principal),
  };
}

export { forgetVenueData, openLocalDb };
