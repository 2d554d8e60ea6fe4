import { describe, expect, it } from 'vitest';
import { FeedPage, newUlid, Snapshot } from '#protocol';
import { DEMO, demoTenantChanges, demoVenueChanges } from '../seed/demo-seed.ts';
import { demoOp, postOp } from '../testing/ops.ts';
import { makeTestApp, TEST_NOW } from '../testing/test-app.ts';
import { cleanUpIdempotencyKeys } from './idempotency-retention.ts';

const HARBOUR = 'demo-harbour';

describe('branch fan-out', () => {
  it('a tenant-wide change (the menu) is written into every venue’s stream; venue changes stay home', async () => {
    const t = await makeTestApp();
    await t.store.createVenue({ tenantId: DEMO.tenantId, venueId: HARBOUR, name: 'Demo Harbour' });
    await t.store.transact(DEMO.tenantId, async (tx) => {
      await tx.append(HARBOUR, demoTenantChanges(DEMO.tenantId), { at: TEST_NOW });
      await tx.append(HARBOUR, demoVenueChanges(DEMO.tenantId, HARBOUR, 'Demo Harbour'), {
        at: TEST_NOW,
      });
    });
    const harbourManager = t.bearer({
      kind: 'staff',
      tenantId: DEMO.tenantId,
      venueId: HARBOUR,
      actorId: 'demo-manager',
      role: 'manager',
    });
    const start = Snapshot.parse(
      await (
        await t.app.request(`/v1/venues/${HARBOUR}/snapshot`, { headers: harbourManager })
      ).json(),
    );

    const eightySix = await demoOp('menu.item.setAvailability', {
      itemId: 'oysters',
      available: false,
    });
    expect(
      (await t.app.request(`/v1/venues/${DEMO.venueId}/ops`, postOp(eightySix, t.as.manager)))
        .status,
    ).toBe(201);
    const localOrder = await demoOp('order.create', { orderId: newUlid(), tableId: 'table-1' });
    expect(
      (await t.app.request(`/v1/venues/${DEMO.venueId}/ops`, postOp(localOrder, t.as.manager)))
        .status,
    ).toBe(201);

    const page = FeedPage.parse(
      await (
        await t.app.request(
          `/v1/venues/${HARBOUR}/feed?cursor=${encodeURIComponent(start.cursor)}`,
          { headers: harbourManager },
        )
      ).json(),
    );
    expect(page.entries.map((e) => `${e.entity}:${e.id}:${e.opId}`)).toEqual([
      `menuItem:oysters:${eightySix.opId}`,
    ]);

    // The harbour decides against the new menu at once: its cached state was refreshed.
    const oysters = await demoOp('order.create', {
      orderId: newUlid(),
      tableId: 'table-2',
      lines: [{ lineId: 'l', itemId: 'oysters', quantity: 1 }],
    });
    const res = await t.app.request(
      `/v1/venues/${HARBOUR}/ops`,
      postOp({ ...oysters, venueId: HARBOUR } as never, harbourManager),
    );
    expect(await res.json()).toMatchObject({ status: 422, code: 'ITEM_UNAVAILABLE' });
  });
});

describe('idempotency retention', () => {
  it('expires keys older than the retention and never touches the feed, so no cursor breaks', async () => {
    const t = await makeTestApp();
    const old = await demoOp('order.create', { orderId: newUlid(), tableId: 'table-1' });
    await t.app.request(`/v1/venues/${DEMO.venueId}/ops`, postOp(old, t.as.manager));
    const snapshot = Snapshot.parse(
      await (
        await t.app.request(`/v1/venues/${DEMO.venueId}/snapshot`, { headers: t.as.manager })
      ).json(),
    );
    t.clock.advance(6 * 24 * 3600 * 1000);
    const recent = await demoOp('order.create', { orderId: newUlid(), tableId: 'table-2' });
    await t.app.request(`/v1/venues/${DEMO.venueId}/ops`, postOp(recent, t.as.manager));
    const head = await t.store.head(DEMO.venueId);

    t.clock.advance(2 * 24 * 3600 * 1000);
    expect(await cleanUpIdempotencyKeys(t.store, t.clock.now(), 7)).toBe(1);
    expect(await t.store.getIdempotency(DEMO.tenantId, old.opId)).toBeUndefined();
    expect(await t.store.getIdempotency(DEMO.tenantId, recent.opId)).toBeDefined();
    expect(await t.store.head(DEMO.venueId)).toBe(head);
    const feed = await t.app.request(
      `/v1/venues/${DEMO.venueId}/feed?cursor=${encodeURIComponent(snapshot.cursor)}`,
      { headers: t.as.manager },
    );
    expect(feed.status).toBe(200);
    expect(FeedPage.parse(await feed.json()).entries.map((e) => e.opId)).toEqual([recent.opId]);
  });
});
