import {
  type Device,
  deviceWithCredential,
  type EntitySet,
  getEntity,
  listEntities,
} from '#protocol';
import type { RelayBus } from '../sync/feed-bus.ts';

export interface LanDevicesDeps {
  /** What devices see (the engine's visible layer): the venue's paired and revoked devices. */
  readonly visible: () => EntitySet;
  readonly bus: Pick<RelayBus, 'observe'>;
  readonly venueId: string;
  readonly clock: () => Date;
}

/** At most this many devices' last-seen times are kept (the stalest dropped). */
const MAX_SEEN = 2000;

/**
 * The venue's paired devices as the relay decides with them (decision 034): looked up in the
 * visible layer, so a pairing or a revoke the relay decided offline counts at once, as does one
 * the cloud's feed brought. Also when each device was last seen here (in memory), and who must
 * hear that a device was revoked (its live sockets close).
 *
 * @example
 * const devices = new LanDevices({ visible: () => engine.visible, bus, venueId, clock });
 * devices.onRevoked((deviceId) => sockets.closeDevice(venueId, deviceId));
 */
export class LanDevices {
  private readonly deps: LanDevicesDeps;
  private readonly lastSeen = new Map<string, number>();
  private readonly revokeListeners = new Set<(deviceId: string) => void>();

  constructor(deps: LanDevicesDeps) {
    this.deps = deps;
    deps.bus.observe((venueId, entries) => {
      if (venueId !== deps.venueId) return;
      for (const entry of entries) {
        if (entry.entity !== 'device' || entry.op !== 'upsert') continue;
        if (!(entry.data as Device).revoked) continue;
        for (const listener of [...this.revokeListeners]) listener(entry.id);
      }
    });
  }

  /** The venue whose devices these are. */
  get venueId(): string {
    return this.deps.venueId;
  }

  /** Every device of the venue, paired or revoked. */
  list(): Device[] {
    return listEntities(this.deps.visible(), 'device');
  }

  /** One device by id: a lookup, not a scan (every authenticated request asks). */
  get(deviceId: string): Device | undefined {
    return getEntity(this.deps.visible(), 'device', deviceId);
  }

  /** The device whose credential has this digest, paired or revoked. */
  withCredential(digest: string): Device | undefined {
    return deviceWithCredential(this.deps.visible(), digest);
  }

  /** Whether the venue revoked this device (a device not known here is not). */
  revoked(deviceId: string): boolean {
    return this.get(deviceId)?.revoked === true;
  }

  /** Pairing codes pair once: whether a device was paired with this one. */
  pairedWith(pairingId: string): Device | undefined {
    return this.list().find((d) => d.pairingId === pairingId);
  }

  /** Notes an authenticated request or live socket of the device, now. */
  seen(deviceId: string): void {
    this.lastSeen.delete(deviceId);
    this.lastSeen.set(deviceId, this.deps.clock().getTime());
    if (this.lastSeen.size > MAX_SEEN) {
      const stalest = this.lastSeen.keys().next();
      if (!stalest.done) this.lastSeen.delete(stalest.value);
    }
  }

  /** When the device was last seen here (epoch ms), if since this process started. */
  lastSeenAt(deviceId: string): number | undefined {
    return this.lastSeen.get(deviceId);
  }

  /**
   * Calls `listener` with each device the bus shows revoked: a local decision at its commit, or
   * the cloud's feed when it arrives. Returns how to stop.
   */
  onRevoked(listener: (deviceId: string) => void): () => void {
    this.revokeListeners.add(listener);
    return () => {
      this.revokeListeners.delete(listener);
    };
  }
}
