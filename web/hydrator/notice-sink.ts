import type { OpResult } from '#protocol';
import type { Broadcast } from '../device/messages.ts';
import { applyNotice } from '../device/outbox-confirm.ts';
import type { OutboxDb } from '../device/outbox-db.ts';

export interface NoticeSinkDeps {
  /** The outbox database, opened on the first notice. */
  readonly openOutbox: () => Promise<OutboxDb>;
  readonly now: () => number;
  readonly channel: { postMessage(message: Broadcast): void };
}

/**
 * The hydrator's `onNotice`: the relay's word on this device's ops (the cloud settled one the
 * relay had kept) into the outbox, one at a time in arrival order, then `outbox-changed` so
 * every page reads it again (its badges turn synced, or failed with the reason, within the
 * second). A notice that cannot be stored is only logged: the replayer's resend of
 * `delivered_local` ops learns the same verdict later.
 */
export function noticeSink(deps: NoticeSinkDeps): (result: OpResult) => Promise<void> {
  let db: Promise<OutboxDb> | undefined;
  let last: Promise<void> = Promise.resolve();
  return (result) => {
    last = last.then(async () => {
      try {
        db ??= deps.openOutbox();
        if (await applyNotice(await db, result, deps.now()))
          deps.channel.postMessage({ type: 'outbox-changed' });
      } catch (error) {
        db = undefined;
        console.warn(`outbox: notice for ${result.opId} not stored`, error);
      }
    });
    return last;
  };
}
