import { describe, expect, it } from 'vitest';
import { emptyEntitySet, FeedPage, newUlid, project, projectRecords, Snapshot } from '#protocol';
import { DEMO } from './seed/demo-seed.ts';
import type { TenantTx } from './store/cloud-store.ts';
import { MemoryCloudStore } from './store/memory-store.ts';
import { demoOp, postBatch, postOp } from './testing/ops.ts';
import { makeTestApp, TEST_NOW } from './testing/test-app.ts';

// The nine invariants of offline sync (INV-OS-1…9: what the cloud must hold whatever a device
// sends, however late or often), one test each.
const VENUE = `/v1/venues/${DEMO.venueId}`;

describe('offline sync invariants', () => {
  it('INV-OS-1 tenant isolation: every op carries its tenant, and another tenant’s op is refused', async () => {
    const t = await makeTestApp();
    const op = await demoOp('order.create', { orderId: newUlid(), tableId: 'table-1' });
    const { tenantId: _drop, ...noTenant } = op;
    const missing = await t.app.request(`${VENUE}/ops`, postOp(noTenant as never, t.as.manager));
    expect(await missing.json()).toMatchObject({ status: 400, issues: [{ path: 'tenantId' }] });
    const foreign = await t.app.request(
      `${VENUE}/ops`,
      postOp({ ...op, tenantId: 'other' }, t.as.manager),
    );
    expect(await foreign.json()).toMatchObject({ status: 400, code: 'VENUE_MISMATCH' });
  });

  it('INV-OS-2 venue explicitness: a venue-scoped op names its venue, and it must be the path’s', async () => {
    const t = await makeTestApp();
    const op = await demoOp('order.create', { orderId: newUlid(), tableId: 'table-1' });
    const { venueId: _drop, ...noVenue } = op;
    expect(
      (await t.app.request(`${VENUE}/ops`, postOp(noVenue as never, t.as.manager))).status,
    ).toBe(400);
    const elsewhere = await t.app.request(
      `${VENUE}/ops`,
      postOp({ ...op, venueId: 'demo-harbour' }, t.as.manager),
    );
    expect(await elsewhere.json()).toMatchObject({ code: 'VENUE_MISMATCH' });
  });

  it('INV-OS-3 idempotent replay: an opId is applied exactly once however often it arrives, by either lane', async () => {
    const t = await makeTestApp();
    const op = await demoOp('order.create', { orderId: newUlid(), tableId: 'table-1' });
    for (let i = 0; i < 3; i++) await t.app.request(`${VENUE}/ops`, postOp(op, t.as.manager));
    for (let i = 0; i < 2; i++)
      await t.app.request(`${VENUE}/ops/batch`, postBatch('tablet-1', [op], t.as.manager));
    const entries = await t.store.readFeed(DEMO.venueId, 0, { limit: 10_000 });
    expect(entries.filter((e) => e.opId === op.opId)).toHaveLength(1);
  });

  it('INV-OS-4 server authority: the server orders and stamps; device clocks are audit only', async () => {
    const t = await makeTestApp();
    const late = { occurredAt: '2030-01-01T00:00:00.000Z' };
    const early = { occurredAt: '2001-01-01T00:00:00.000Z' };
    const a = {
      ...(await demoOp('order.create', { orderId: newUlid(), tableId: 'table-1' })),
      ...late,
    };
    const b = {
      ...(await demoOp('order.create', { orderId: newUlid(), tableId: 'table-2' })),
      ...early,
    };
    await t.app.request(`${VENUE}/ops`, postOp(a, t.as.manager));
    await t.app.request(`${VENUE}/ops`, postOp(b, t.as.manager));
    const entries = await t.store.readFeed(DEMO.venueId, 0, { limit: 10_000 });
    const [ea, eb] = [
      entries.find((e) => e.opId === a.opId),
      entries.find((e) => e.opId === b.opId),
    ];
    expect(ea && eb && ea.seq < eb.seq).toBe(true);
    expect(ea?.at).toBe('2026-11-23T19:30:00.000Z');
    expect(ea?.op === 'upsert' && ea.entity === 'order' && ea.data.createdAt).toBe(
      '2026-11-23T19:30:00.000Z',
    );
  });

  it('INV-OS-5 no bypass: a replayed op passes the same access checks as a live one', async () => {
    const t = await makeTestApp();
    const orderId = newUlid();
    await t.app.request(
      `${VENUE}/ops`,
      postOp(
        await demoOp('order.create', {
          orderId,
          tableId: 'table-1',
          lines: [{ lineId: 'l', itemId: 'fries', quantity: 1 }],
        }),
        t.as.manager,
      ),
    );
    const close = await demoOp(
      'order.close',
      { orderId, payment: { method: 'cash', tendered: 1000 } },
      { actorId: 'demo-kitchen' },
    );
    const res = await t.app.request(
      `${VENUE}/ops/batch`,
      postBatch('tablet-1', [close], t.as.kitchen),
    );
    expect(await res.json()).toMatchObject({
      results: [{ status: 'rejected', code: 'FORBIDDEN' }],
    });
  });

  it('INV-OS-6 durable record: an accepted op’s result outlives the process that accepted it', async () => {
    const store = new MemoryCloudStore();
    const first = await makeTestApp({ store });
    const op = await demoOp('order.create', { orderId: newUlid(), tableId: 'table-1' });
    const answer = await (
      await first.app.request(`${VENUE}/ops`, postOp(op, first.as.manager))
    ).text();
    const restarted = await makeTestApp({ store });
    const again = await restarted.app.request(`${VENUE}/ops`, postOp(op, restarted.as.manager));
    expect([again.headers.get('idempotent-replayed'), await again.text()]).toEqual([
      'true',
      answer,
    ]);
  });

  it('INV-OS-7 hydration convergence: a snapshot plus the feed after it equals a fresh snapshot', async () => {
    const t = await makeTestApp();
    const before = Snapshot.parse(
      await (await t.app.request(`${VENUE}/snapshot`, { headers: t.as.manager })).json(),
    );
    const orderId = newUlid();
    for (const op of [
      await demoOp('order.create', {
        orderId,
        tableId: 'table-1',
        lines: [{ lineId: 'l', itemId: 'burger', quantity: 1 }],
      }),
      await demoOp('order.sendToKitchen', { orderId }),
      await demoOp('order.void', { orderId, reason: 'test' }),
      await demoOp('menu.item.setAvailability', { itemId: 'oysters', available: false }),
    ]) {
      await t.app.request(`${VENUE}/ops`, postOp(op, t.as.manager));
    }
    // A void marks the order's tickets (the kitchen acknowledges them) instead of removing them,
    // so no op makes a tombstone today; the feed still carries them (entries written before
    // that change), so one goes in through the store to keep them in this check.
    const ticket = (
      await t.store.transact(DEMO.tenantId, (tx) => tx.loadEntities(DEMO.venueId))
    ).records
      .map((r) => r.data)
      .find((data) => 'orderId' in data && data.orderId === orderId && 'station' in data);
    expect(ticket).toMatchObject({ attention: 'void' });
    await t.store.transact(DEMO.tenantId, (tx) =>
      tx.append(
        DEMO.venueId,
        [
          {
            entity: 'ticket',
            id: ticket?.id ?? '',
            op: 'tombstone',
            version: (ticket?.version ?? 0) + 1,
          },
        ],
        { at: TEST_NOW },
      ),
    );
    const page = FeedPage.parse(
      await (
        await t.app.request(`${VENUE}/feed?cursor=${encodeURIComponent(before.cursor)}`, {
          headers: t.as.manager,
        })
      ).json(),
    );
    expect(page.entries.some((e) => e.op === 'tombstone')).toBe(true);
    const after = Snapshot.parse(
      await (await t.app.request(`${VENUE}/snapshot`, { headers: t.as.manager })).json(),
    );
    const converged = project(projectRecords(emptyEntitySet(), before.records), page.entries);
    expect(converged).toEqual(projectRecords(emptyEntitySet(), after.records));
  });

  it('INV-OS-8 feed atomicity: a write that fails part-way publishes nothing', async () => {
    class FailingStore extends MemoryCloudStore {
      failNext = false;
      override transact<T>(tenantId: string, work: (tx: TenantTx) => Promise<T>): Promise<T> {
        return super.transact(tenantId, async (tx) => {
          const result = await work(tx);
          if (this.failNext) throw new Error('disk full after the feed append');
          return result;
        });
      }
    }
    const store = new FailingStore();
    const t = await makeTestApp({ store });
    const head = await store.head(DEMO.venueId);
    store.failNext = true;
    const op = await demoOp('order.create', { orderId: newUlid(), tableId: 'table-1' });
    const res = await t.app.request(`${VENUE}/ops`, postOp(op, t.as.manager));
    expect(res.status).toBe(500);
    expect(await store.head(DEMO.venueId)).toBe(head);
    expect(await store.getIdempotency(DEMO.tenantId, op.opId)).toBeUndefined();
    store.failNext = false;
    expect((await t.app.request(`${VENUE}/ops`, postOp(op, t.as.manager))).status).toBe(201);
  });

  it('INV-OS-9 scope safety: a cursor is not reused across scope sets', async () => {
    const t = await makeTestApp();
    const snapshot = Snapshot.parse(
      await (
        await t.app.request(`${VENUE}/snapshot?scopes=ticket`, { headers: t.as.kitchen })
      ).json(),
    );
    const res = await t.app.request(
      `${VENUE}/feed?scopes=menu&cursor=${encodeURIComponent(snapshot.cursor)}`,
      { headers: t.as.kitchen },
    );
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ kind: 're_bootstrap' });
  });
});
