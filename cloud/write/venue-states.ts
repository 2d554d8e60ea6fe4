import { emptyEntitySet, projectRecords, type VenueState } from '#protocol';
import type { TenantTx } from '../store/cloud-store.ts';

/**
 * Each venue's current state, kept in memory so a write does not reload the venue. An entry is
 * trusted only while the stream head it was built at is still the head; otherwise it is
 * reloaded inside the transaction (another process may have written).
 */
export class VenueStates {
  private readonly cache = new Map<string, { seq: number; state: VenueState }>();

  async load(tx: TenantTx, tenantId: string, venueId: string): Promise<VenueState> {
    const head = await tx.head(venueId);
    const cached = this.cache.get(venueId);
    if (cached && cached.seq === head) return cached.state;
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
