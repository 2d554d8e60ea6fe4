import type { ItemBadge } from '../device/local-overlay.ts';
import type { TrackedOp } from './op-controller.ts';

// What a screen calls each sync state, in one place: the op list's badges and the items' marks
// say the same words. "synced" means the cloud has it; an op only the venue relay holds is
// "saved in the venue" until the cloud confirms it.

/** The badge of an op this screen made. */
export const OP_STATUS_LABEL: Readonly<Record<TrackedOp['status'], string>> = {
  sending: 'sending…',
  pending: 'not sent yet',
  delivered_local: 'saved in the venue — not in the cloud yet',
  synced: 'synced',
  failed: 'failed',
};

/** An op the target holds until the cloud can decide it (the relay, offline; or a dependency). */
export const WAITING_LABEL = 'waiting for the cloud to decide';

/** The mark beside an item (an order, a ticket) the device's ops touched. */
export const ITEM_BADGE_LABEL: Readonly<Record<ItemBadge['state'], string>> = {
  pending: OP_STATUS_LABEL.pending,
  delivered_local: OP_STATUS_LABEL.delivered_local,
  synced: OP_STATUS_LABEL.synced,
  failed: OP_STATUS_LABEL.failed,
};
