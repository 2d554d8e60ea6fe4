import type { DeviceConnectivity, EntityKind, Principal } from '#protocol';

/** Entity ids by kind. */
export type EntityIds = Readonly<Partial<Record<EntityKind, readonly string[]>>>;

/** The BroadcastChannel every tab, the hydrator worker and the service worker share. */
export const CHANNEL = 'hearth';

/** What travels on the channel (service worker / hydrator → pages, and between tabs). */
export type Broadcast =
  /** The outbox changed (an op added, sent, settled, failed): re-read it. */
  | { readonly type: 'outbox-changed' }
  /** A replay is under way: `sent` of `total` ops delivered so far. */
  | { readonly type: 'replay-progress'; readonly sent: number; readonly total: number }
  /**
   * The local cache took feed entries of these kinds; `ids`, when present, names every entity
   * of those kinds that changed (a reader may re-read just those), else a kind changed whole.
   */
  | {
      readonly type: 'entities-changed';
      readonly kinds: readonly EntityKind[];
      readonly ids?: EntityIds;
    }
  /**
   * Someone signed out on this device: every tab forgets its principal and every hydrator
   * stops, so the cache the signing-out tab drops is not written again.
   */
  | { readonly type: 'signed-out' }
  /**
   * A server said a manager revoked this device (a live socket closed 4401, a request answered
   * 401 `DEVICE_REVOKED`): every tab signs its person out, as the Sign out button does, and
   * says why.
   */
  | { readonly type: 'device-revoked' }
  /** Where this device is connected, and how well. */
  | {
      readonly type: 'connectivity';
      readonly state: DeviceConnectivity;
      readonly target: 'relay' | 'cloud' | null;
      readonly lastSyncAt: number | null;
    };

/** What a page tells its service worker (postMessage). */
export type ToServiceWorker =
  | { readonly type: 'replay' }
  | { readonly type: 'session'; readonly principal: Principal; readonly deviceId: string }
  | { readonly type: 'retry'; readonly opId: string }
  | { readonly type: 'discard'; readonly opId: string };

/** Pages call same-origin `/api/v1/…`; the service worker sends it on as `/v1/…` to the target. */
export const API_PREFIX = '/api';
