/**
 * This installed app's identity and read progress, as the local cache keeps them. A port, so
 * the controllers can be tested (and run) without the cache: see `cache-device-source.ts`.
 */
export interface DeviceSource {
  /** Stable per installed app: the unit of the outbox's FIFO order and of checkpoints. */
  deviceId(): Promise<string>;
  /** The feed cursor the local cache holds, or null before the first snapshot. */
  cursor(): Promise<string | null>;
  /** Device ms of the cache's last successful exchange with its target, or null. */
  lastSyncAt(): Promise<number | null>;
}
