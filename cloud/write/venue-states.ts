import { emptyEntitySet, project, projectRecords, type VenueState } from '#protocol';
import type { CloudStore, TenantTx } from '../store/cloud-store.ts';

/** Entries a cached state is brought forward by at most; further behind, it is reloaded. */
const MAX_CATCH_UP = 1000;

/**
 * Each venue's current state, kept in memory so a write does not reload the venue. An entry is
 * trusted only while the stream head it was built at is still the head. Behind it (another
 * instance wrote), it is brought forward by the entries in between, read from the feed — the
 * same `project` the entities table is kept by — or, when they are too many or no longer all
 * there (compacted), reloaded inside the transaction.
 */
export class VenueStates {
  private readonly cache = new Map<string, { seq: number; state: VenueState }>();
  private readonly feed: Pick<CloudStore, 'readFeed'> | undefined;

  /** `feed` lets a state behind the head catch up instead of reloading the venue. */
  constructor(feed?: Pick<CloudStore, 'readFeed'>) {
    this.feed = feed;
  }

  async load(tx: TenantTx, tenantId: string, venueId: string): Promise<VenueState> {
    const head = await tx.head(venueId);
    const cached = this.cache.get(venueId);
    if (cached && cached.seq === head) return cached.state;
    if (cached && this.feed && cached.seq < head && head - cached.seq <= MAX_CATCH_UP) {
      // Committed: the head was read under the tenant's lock, after the commits that moved it.
      const missing = head - cached.seq;
      const entries = await this.feed.readFeed(venueId, cached.seq, {
        limit: missing,
        throughSeq: head,
      });
      if (entries.length === missing && entries[0]?.seq === cached.seq + 1) {
        const state = { ...cached.state, entities: project(cached.state.entities, entries) };
        this.cache.set(venueId, { seq: head, state });
        return state;
      }
    }
    const { seq, records } = await tx.loadEntities(venueId);
    const state: VenueState = {
      tenantId,
      venueId,
      entities: projectRecords(emptyEntitySet(), records),
    };
    this.cache.set(venueId, { seq, state });
    return state;
  }

  /** Records the state a committed transaction left a venue in. */
  remember(venueId: string, seq: number, state: VenueState): void {
    this.cache.set(venueId, { seq, state });
  }

  forget(venueId: string): void {
    this.cache.delete(venueId);
  }
}
