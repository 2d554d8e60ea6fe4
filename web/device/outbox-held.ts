import type { OutboxStore } from './outbox-store.ts';
import type { OutboxEntry } from './outbox-types.ts';

/*
 * Discarding ops that wait for their person (held: made by someone other than who is signed
 * in on the device; see replayer.ts `heldOps`). A free function rather than an OutboxStore
 * method: pages call it, and the service worker, which bundles the store, never does.
 */

/** An entry a discard of held ops may remove: not delivered, and not the signed-in person's. */
export function isHeldDiscardable(entry: OutboxEntry, signedInActor: string): boolean {
  return (
    (entry.status === 'pending' || entry.status === 'failed') && entry.op.actorId !== signedInActor
  );
}

/**
 * Removes the held entries among `opIds` in one strict read-write transaction: each must be
 * pending or failed and made by someone other than `signedInActor`; any other (the signed-in
 * person's, delivered, left `sending`, unknown) stays. Resolves to the opIds removed. The
 * caller keeps a replay from running meanwhile (app/held-outbox.ts takes the replay lock).
 */
export function discardHeld(
  store: OutboxStore,
  opIds: readonly string[],
  signedInActor: string,
): Promise<string[]> {
  return store.db.writeOps(async (ops) => {
    const removed: string[] = [];
    for (const opId of new Set(opIds)) {
      const entry = await ops.byOpId(opId);
      if (!entry || !isHeldDiscardable(entry, signedInActor)) continue;
      await ops.remove(entry.seq);
      removed.push(opId);
    }
    return removed;
  });
}
