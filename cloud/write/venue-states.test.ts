import { describe, expect, it } from 'vitest';
import { type EntityChange, listEntities } from '#protocol';
import type { TenantTx } from '../store/cloud-store.ts';
import { MemoryCloudStore } from '../store/memory-store.ts';
import { VenueStates } from './venue-states.ts';

const AT = '2026-11-23T19:30:00.000Z';
const table = (id: string, version: number, seats = 4): EntityChange => ({
  entity: 'table',
  id,
  op: 'upsert',
  data: { id, label: id, seats, version },
  version,
});

async function setUp() {
  const store = new MemoryCloudStore();
  await store.createTenant({ tenantId: 't1', name: 'Tenant one' });
  await store.createVenue({ tenantId: 't1', venueId: 'v1', name: 'Venue one' });
  /** Another instance's write: the cache here does not hear of it. */
  const writeElsewhere = (changes: readonly EntityChange[]) =>
    store.transact('t1', (tx) => tx.append('v1', changes, { at: AT }));
  /** Loads through a transaction, counting full reloads of the venue. */
  let reloads = 0;
  const load = (states: VenueStates) =>
    store.transact('t1', (tx) => {
      const counting: TenantTx = {
        ...tx,
        loadEntities: (venueId) => {
          reloads += 1;
          return tx.loadEntities(venueId);
        },
      };
      return states.load(counting, 't1', 'v1');
    });
  return { store, writeElsewhere, load, reloads: () => reloads };
}

const seatsOf = (state: Awaited<ReturnType<VenueStates['load']>>) =>
  listEntities(state.entities, 'table').map((t) => [t.id, t.seats]);

describe('VenueStates', () => {
  it('brings a state behind the head forward from the feed, as a reload would', async () => {
    const { store, writeElsewhere, load, reloads } = await setUp();
    const states = new VenueStates(store);
    await writeElsewhere([table('a', 1), table('b', 1)]);
    await load(states);
    expect(reloads()).toBe(1);
    await writeElsewhere([table('a', 2, 6)]);
    await writeElsewhere([{ entity: 'table', id: 'b', op: 'tombstone', version: 2 }]);
    await writeElsewhere([table('c', 1)]);
    const caughtUp = await load(states);
    expect(reloads()).toBe(1);
    const reloaded = await load(new VenueStates());
    expect(seatsOf(caughtUp)).toEqual([
      ['a', 6],
      ['c', 4],
    ]);
    expect(seatsOf(caughtUp)).toEqual(seatsOf(reloaded));
  });

  it('trusts a state at the head without reading anything', async () => {
    const { store, writeElsewhere, load, reloads } = await setUp();
    const states = new VenueStates(store);
    await writeElsewhere([table('a', 1)]);
    const first = await load(states);
    expect(await load(states)).toBe(first);
    expect(reloads()).toBe(1);
  });

  it('reloads when the entries in between are no longer all in the feed', async () => {
    const { store, writeElsewhere, load, reloads } = await setUp();
    const states = new VenueStates(store);
    await writeElsewhere([table('a', 1)]);
    await load(states);
    await writeElsewhere([table('a', 2, 8)]);
    await writeElsewhere([table('b', 1)]);
    await store.compactFeed('v1', 2);
    expect(seatsOf(await load(states))).toEqual([
      ['a', 8],
      ['b', 4],
    ]);
    expect(reloads()).toBe(2);
  });

  it('reloads when too far behind, and without a feed to read', async () => {
    const { store, writeElsewhere, load, reloads } = await setUp();
    const states = new VenueStates(store);
    await load(states);
    await writeElsewhere(Array.from({ length: 1001 }, (_, i) => table(`t-${i}`, 1)));
    expect(listEntities((await load(states)).entities, 'table')).toHaveLength(1001);
    expect(reloads()).toBe(2);
    const alone = new VenueStates();
    await load(alone);
    await writeElsewhere([table('x', 1)]);
    await load(alone);
    expect(reloads()).toBe(4);
  });
});
