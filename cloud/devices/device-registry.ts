import type { Device, FeedEntry } from '#protocol';
import type { FeedBus } from '../../server/feed-bus.ts';
import type { CloudStore } from '../store/cloud-store.ts';

/** How long a venue's devices read from the store are trusted without news from the feed. */
export const DEVICES_FRESH_MS = 2000;

/** At most this many venues' devices and last-seen times are kept (the stalest dropped). */
const MAX_VENUES = 10_000;

interface VenueDevices {
  readonly byId: Map<string, Device>;
  readonly loadedAt: number;
}

export interface DeviceRegistryDeps {
  readonly store: Pick<CloudStore, 'loadSnapshot'>;
  readonly bus: Pick<FeedBus, 'observe'>;
  readonly clock: () => Date;
}

/**
 * Each venue's paired devices, as this process knows them: read from the store on first use
 * (and again once {@link DEVICES_FRESH_MS} old, so a revoke committed by another instance is
 * seen within that), and brought forward at once by every entry this process publishes (its own
 * commits and the other instances' it fetched). Also when each device was last seen here.
 *
 * @example
 * const devices = new DeviceRegistry({ store, bus, clock });
 * const device = await devices.withCredential(venueId, await credentialDigestOf(secret));
 * devices.onRevoked((venueId, deviceId) => sockets.closeDevice(venueId, deviceId));
 */
export class DeviceRegistry {
  private readonly venues = new Map<string, VenueDevices>();
  private readonly loading = new Map<string, Promise<VenueDevices>>();
  private readonly lastSeen = new Map<string, Map<string, number>>();
  private readonly revokeListeners = new Set<(venueId: string, deviceId: string) => void>();
  private readonly deps: DeviceRegistryDeps;

  constructor(deps: DeviceRegistryDeps) {
    this.deps = deps;
    deps.bus.observe((venueId, entries) => this.published(venueId, entries));
  }

  /** The venue's devices (paired and revoked), current within {@link DEVICES_FRESH_MS}. */
  async list(venueId: string): Promise<Device[]> {
    return [...(await this.venue(venueId)).byId.values()];
  }

  async get(venueId: string, deviceId: string): Promise<Device | undefined> {
    return (await this.venue(venueId)).byId.get(deviceId);
  }

  /** The device whose credential has `digest`, paired or revoked. */
  async withCredential(venueId: string, digest: string): Promise<Device | undefined> {
    for (const device of (await this.venue(venueId)).byId.values()) {
      if (device.credentialDigest === digest) return device;
    }
    return undefined;
  }

  /** Whether the device is revoked as last read or heard here (no store read: for hot paths). */
  revokedNow(venueId: string, deviceId: string): boolean {
    return this.venues.get(venueId)?.byId.get(deviceId)?.revoked === true;
  }

  /** Calls `listener` whenever a device is seen revoked in the feed this process publishes. */
  onRevoked(listener: (venueId: string, deviceId: string) => void): () => void {
    this.revokeListeners.add(listener);
    return () => {
      this.revokeListeners.delete(listener);
    };
  }

  /** Notes that a device made an authenticated request (or opened a live socket) now. */
  seen(venueId: string, deviceId: string): void {
    let venue = this.lastSeen.get(venueId);
    if (!venue) {
      this.bound(this.lastSeen);
      venue = new Map();
      this.lastSeen.set(venueId, venue);
    }
    venue.set(deviceId, this.deps.clock().getTime());
  }

  /** When this process last saw the device, in epoch ms. */
  lastSeenAt(venueId: string, deviceId: string): number | undefined {
    return this.lastSeen.get(venueId)?.get(deviceId);
  }

  private async venue(venueId: string): Promise<VenueDevices> {
    const known = this.venues.get(venueId);
    const now = this.deps.clock().getTime();
    if (known && now - known.loadedAt < DEVICES_FRESH_MS) return known;
    const pending = this.loading.get(venueId);
    if (pending) return pending;
    const load = this.load(venueId, now).finally(() => this.loading.delete(venueId));
    this.loading.set(venueId, load);
    return load;
  }

  private async load(venueId: string, now: number): Promise<VenueDevices> {
    const { records } = await this.deps.store.loadSnapshot(venueId, ['device']);
    const byId = new Map<string, Device>();
    for (const record of records)
      if (record.entity === 'device') byId.set(record.data.id, record.data);
    // An entry published while the read was under way may be newer than what it returned.
    const known = this.venues.get(venueId);
    for (const device of known?.byId.values() ?? []) {
      const read = byId.get(device.id);
      if (!read || read.version < device.version) byId.set(device.id, device);
    }
    const venue = { byId, loadedAt: now };
    if (!known) this.bound(this.venues);
    this.venues.set(venueId, venue);
    return venue;
  }

  private published(venueId: string, entries: readonly FeedEntry[]): void {
    for (const entry of entries) {
      if (entry.entity !== 'device' || entry.op !== 'upsert') continue;
      const device = entry.data as Device;
      const venue = this.venues.get(venueId);
      const known = venue?.byId.get(device.id);
      if (venue && (!known || known.version < device.version)) venue.byId.set(device.id, device);
      if (device.revoked && !(known?.revoked === true && known.version >= device.version)) {
        for (const listener of [...this.revokeListeners]) listener(venueId, device.id);
      }
    }
  }

  private bound<V>(map: Map<string, V>): void {
    if (map.size < MAX_VENUES) return;
    const oldest = map.keys().next();
    if (!oldest.done) map.delete(oldest.value);
  }
}
