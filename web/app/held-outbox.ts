import type { OutboxEntry } from '../device/outbox-types.ts';

/** The outbox as the staff switch reads it, and the one change it may ask for. */
export interface HeldOutbox {
  /** Every entry, in FIFO order. */
  entries(): Promise<readonly OutboxEntry[]>;
  /**
   * Removes the held ops among `opIds` (pending or failed, made by someone other than
   * `signedInActor`) and says `outbox-changed`; resolves to how many went.
   */
  discardHeld(opIds: readonly string[], signedInActor: string): Promise<number>;
}

export interface BrowserHeldOutboxOptions {
  /** Database name; tests use their own. */
  readonly name?: string;
  readonly locks?: LockManager | null;
  /** How long to wait for a replay under way, at most. */
  readonly busyWaitMs?: number;
}

const LEASE_MS = 10_000;
const POLL_MS = 250;

/**
 * The page's own connection to the outbox, loaded on first use. A discard runs as the only
 * replayer would (the replay's Web Lock and lease), so no pass is sending an op while it is
 * removed; the service worker's bundle is untouched.
 */
export function browserHeldOutbox(options: BrowserHeldOutboxOptions = {}): HeldOutbox {
  let opened: ReturnType<typeof open> | undefined;
  const ready = () => {
    opened ??= open(options.name);
    return opened;
  };
  return {
    async entries() {
      return (await ready()).store.list();
    },
    async discardHeld(opIds, signedInActor) {
      const { store, discardHeld, ReplayLease, withReplayLock, CHANNEL } = await ready();
      const locks = options.locks !== undefined ? options.locks : (navigator.locks ?? null);
      const lease = new ReplayLease(store.db, `discard-${crypto.randomUUID()}`, LEASE_MS);
      let running: Promise<string[]> | undefined;
      const work = () => {
        running = (async () => {
          await lease.claim(Date.now());
          try {
            return await discardHeld(store, opIds, signedInActor);
          } finally {
            await lease.release();
          }
        })();
        return running;
      };
      const deps = { db: store.db, locks, now: Date.now, sleep, graceMs: POLL_MS };
      const until = Date.now() + (options.busyWaitMs ?? 10_000);
      let ran = await withReplayLock(deps, work);
      while (ran === 'busy' && Date.now() < until) {
        await sleep(POLL_MS);
        ran = await withReplayLock(deps, work);
      }
      if (ran === 'busy') throw new Error('The outbox is busy sending; try again in a moment');
      // Stolen: the transaction committed or not as a whole; its own promise says which.
      const removed = ran === 'stolen' ? ((await running) ?? []) : ran;
      const channel = new BroadcastChannel(CHANNEL);
      channel.postMessage({ type: 'outbox-changed' });
      channel.close();
      return removed.length;
    },
  };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function open(name: string | undefined) {
  const [{ OutboxStore }, { discardHeld }, { ReplayLease, withReplayLock }, { CHANNEL }] =
    await Promise.all([
      import('../device/outbox-store.ts'),
      import('../device/outbox-held.ts'),
      import('../sw/replay-lease.ts'),
      import('../device/messages.ts'),
    ]);
  const store = await OutboxStore.open(name === undefined ? {} : { name });
  return { store, discardHeld, ReplayLease, withReplayLock, CHANNEL };
}
