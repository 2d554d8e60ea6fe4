import type { OpResult } from '#protocol';
import { FeedBus } from '../../server/feed-bus.ts';

/** What the relay pushes to LAN sockets besides entries: a settled op a device must hear about. */
export interface OpNotice {
  readonly deviceId: string;
  readonly result: OpResult;
}

/**
 * The relay's bus: its venue's committed entries (one publish per group commit, so entries of
 * one tick travel in one frame) and op notices. The fan-out itself is the shared `FeedBus`.
 */
export class RelayBus extends FeedBus<OpNotice> {}
