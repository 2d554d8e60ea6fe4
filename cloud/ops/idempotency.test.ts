import { describe, expect, it } from 'vitest';
import { newUlid, type Operation } from '#protocol';
import { DEMO } from '../seed/demo-seed.ts';
import type { CloudStore, TenantTx } from '../store/cloud-store.ts';
import { MemoryCloudStore } from '../store/memory-store.ts';
import { demoOp, postBatch, postOp } from '../testing/ops.ts';
import { makeTestApp } from '../testing/test-app.ts';

const URL = `/v1/venues/${DEMO.venueId}/ops`;
const order = (orderId = newUlid()) =>
  demoOp('order.create', {
    orderId,
    tableId: 'table-3',
    lines: [{ lineId: 'l1', itemId: 'burger', quantity: 1 }],
  });

/** A store whose transactions wait for a gate: lets a test hold a write "in flight". */
class GatedStore extends MemoryCloudStore {
  gate: Promise<void> | undefined;
  override transact<T>(tenantId: string, work: (tx: TenantTx) => Promise<T>): Promise<T> {
    return super.transact(tenantId, async (tx) => {
      await this.gate;
      return work(tx);
    });
  }
}

describe('idempotency (IETF Idempotency-Key semantics)', () => {
  it('same key and payload → the first response, byte-identical, marked as a replay; one effect', async () => {
    const { app, as, store } = await makeTestApp();
    const op = await order();
    const first = await app.request(URL, postOp(op, as.manager));
    const firstBody = await first.text();
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const head = await store.head(DEMO.venueId);
    const again = await app.request(URL, postOp(op, as.manager));
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await again.text()).toBe(firstBody);
    expect(await store.head(DEMO.venueId)).toBe(head);
  });

  it('a rejected op replays its same 422', async () => {
    const { app, as } = await makeTestApp();
    const op = await demoOp('order.sendToKitchen', { orderId: newUlid() });
    const first = await app.request(URL, postOp(op, as.manager));
    expect(first.status).toBe(422);
    const body = await first.text();
    expect(JSON.parse(body)).toMatchObject({
      kind: 'stop',
      code: 'NOT_FOUND',
      result: { status: 'rejected' },
    });
    const again = await app.request(URL, postOp(op, as.manager));
    expect([again.status, again.headers.get('idempotent-replayed'), await again.text()]).toEqual([
      422,
      'true',
      body,
    ]);
  });

  it('same key with a different payload → 422 and nothing changes', async () => {
    const { app, as, store } = await makeTestApp();
    const op = await order();
    await app.request(URL, postOp(op, as.manager));
    const head = await store.head(DEMO.venueId);
    const other = await demoOp(
      'order.create',
      { orderId: newUlid(), tableId: 'table-4' },
      { opId: op.opId },
    );
    const res = await app.request(URL, postOp(other, as.manager));
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', kind: 'fix_request' });
    expect(await store.head(DEMO.venueId)).toBe(head);
  });

  it('same key still in flight → 409 with Retry-After; exactly one effect; then the replay', async () => {
    const store = new GatedStore();
    const { app, as } = await makeTestApp({ store });
    const op = await order();
    let open: () => void = () => {};
    store.gate = new Promise((resolve) => {
      open = resolve;
    });
    const head = await store.head(DEMO.venueId);
    const firstPending = app.request(URL, postOp(op, as.manager));
    await new Promise((r) => setTimeout(r, 20));
    const second = await app.request(URL, postOp(op, as.manager));
    expect(second.status).toBe(409);
    expect(second.headers.get('retry-after')).toBe('1');
    expect(await second.json()).toMatchObject({
      code: 'IDEMPOTENCY_IN_FLIGHT',
      kind: 'retry_later',
    });
    open();
    const first = await firstPending;
    expect(first.status).toBe(201);
    const third = await app.request(URL, postOp(op, as.manager));
    expect(third.headers.get('idempotent-replayed')).toBe('true');
    expect(await store.head(DEMO.venueId)).toBe(head + 1);
  });

  it('refuses a write with no key, a key that is not a ULID, or a key that is not the opId', async () => {
    const { app, as, store } = await makeTestApp();
    const op = await order();
    const head = await store.head(DEMO.venueId);
    const cases: [string | null, string][] = [
      [null, 'IDEMPOTENCY_KEY_MISSING'],
      ['not-a-ulid', 'IDEMPOTENCY_KEY_INVALID'],
      [newUlid(), 'IDEMPOTENCY_KEY_MISMATCH'],
    ];
    for (const [key, code] of cases) {
      const res = await app.request(URL, postOp(op, as.manager, key));
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ code, kind: 'fix_request' });
    }
    expect(await store.head(DEMO.venueId)).toBe(head);
  });

  it('takes the key from the body as _idempotencyKey when a client cannot set headers', async () => {
    const { app, as } = await makeTestApp();
    const op = await order();
    const res = await app.request(URL, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...as.manager },
      body: JSON.stringify({ ...op, _idempotencyKey: op.opId }),
    });
    expect(res.status).toBe(201);
  });

  it('scopes keys by tenant: another tenant may use the same opId', async () => {
    const store = new MemoryCloudStore();
    const t = await makeTestApp({ store });
    await store.createTenant({ tenantId: 'other', name: 'Other' });
    await store.createVenue({ tenantId: 'other', venueId: 'other-cafe', name: 'Other Cafe' });
    const op = await order();
    expect((await t.app.request(URL, postOp(op, t.as.manager))).status).toBe(201);
    const foreign = { ...op, tenantId: 'other', venueId: 'other-cafe' } as Operation;
    const bearer = t.bearer({
      kind: 'staff',
      tenantId: 'other',
      venueId: 'other-cafe',
      actorId: op.actorId,
      role: 'manager',
    });
    const res = await t.app.request('/v1/venues/other-cafe/ops', postOp(foreign, bearer));
    // Decided afresh for the other tenant (whose venue has no tables yet), not a replay of ours.
    expect(res.headers.get('idempotent-replayed')).toBeNull();
    expect(await res.json()).toMatchObject({
      result: { opId: op.opId, status: 'rejected', code: 'NOT_FOUND' },
    });
  });
});

async function feedOf(store: CloudStore) {
  const entries = await store.readFeed(DEMO.venueId, 0, { limit: 10_000 });
  return entries.map(({ at: _at, ...rest }) => rest);
}

describe('two lanes, one truth', () => {
  it('the same ops through the direct lane or the batch lane make the same state and feed', async () => {
    const orderId = newUlid();
    const ops = [
      await demoOp('order.create', {
        orderId,
        tableId: 'table-2',
        lines: [{ lineId: 'a', itemId: 'burger', quantity: 2 }],
      }),
      await demoOp('order.addLines', {
        orderId,
        lines: [{ lineId: 'b', itemId: 'draft-beer', quantity: 2 }],
      }),
      await demoOp('order.sendToKitchen', { orderId }),
      await demoOp('order.removeLine', { orderId, lineId: 'a' }),
      await demoOp('order.close', { orderId, payment: { method: 'cash', tendered: 10_000 } }),
    ];
    const direct = await makeTestApp();
    for (const op of ops) await direct.app.request(URL, postOp(op, direct.as.manager));
    const batch = await makeTestApp();
    const res = await batch.app.request(
      `${URL}/batch`,
      postBatch('tablet-1', ops, batch.as.manager),
    );
    const { results } = (await res.json()) as { results: { status: string; code?: string }[] };
    expect(results.map((r) => r.code ?? r.status)).toEqual([
      'applied',
      'applied',
      'applied',
      'LINE_ALREADY_SENT',
      'applied',
    ]);
    expect(await feedOf(batch.store)).toEqual(await feedOf(direct.store));
    expect(await batch.store.loadSnapshot(DEMO.venueId)).toEqual(
      await direct.store.loadSnapshot(DEMO.venueId),
    );
    // A batch replayed whole answers every op as a duplicate of its first result.
    const again = await batch.app.request(
      `${URL}/batch`,
      postBatch('tablet-1', ops, batch.as.manager),
    );
    const replayed = (await again.json()) as { results: { status: string }[] };
    expect(replayed.results.every((r) => r.status === 'duplicate')).toBe(true);
  });

  it('an op whose dependency was rejected is rejected; one whose dependency is unseen waits, and so do the ops after it', async () => {
    const { app, as, store } = await makeTestApp();
    const bad = await demoOp('order.sendToKitchen', { orderId: newUlid() });
    const dependent = await demoOp(
      'order.close',
      { orderId: newUlid(), payment: { method: 'cash', tendered: 1 } },
      { dependsOn: [bad.opId] },
    );
    const waiting = await demoOp(
      'order.sendToKitchen',
      { orderId: newUlid() },
      { dependsOn: [newUlid()] },
    );
    const after = await order();
    const head = await store.head(DEMO.venueId);
    const res = await app.request(
      `${URL}/batch`,
      postBatch('tablet-1', [bad, dependent, waiting, after], as.manager),
    );
    const { results } = (await res.json()) as { results: { status: string; code?: string }[] };
    expect(results.map((r) => `${r.status}:${r.code ?? ''}`)).toEqual([
      'rejected:NOT_FOUND',
      'rejected:DEPENDENCY_REJECTED',
      'retryable:DEPENDENCY_PENDING',
      'retryable:NOT_PROCESSED',
    ]);
    expect(await store.head(DEMO.venueId)).toBe(head);
  });

  it('holds an op whose dependency no one sent for the hold bound, then rejects it DEPENDENCY_UNKNOWN for good; the device’s next op goes on', async () => {
    const { app, as, clock, store } = await makeTestApp({ limits: { dependencyHoldMs: 60_000 } });
    const never = newUlid();
    const orphan = await order();
    const bogus = { ...orphan, dependsOn: [never] } as Operation;
    const next = await order();
    const send = () =>
      app.request(`${URL}/batch`, postBatch('tablet-1', [bogus, next], as.manager));
    const codes = async () => {
      const { results } = (await (await send()).json()) as {
        results: { status: string; code?: string; first?: { code?: string } }[];
      };
      return results.map((r) => `${r.status}:${r.code ?? r.first?.code ?? ''}`);
    };
    expect(await codes()).toEqual(['retryable:DEPENDENCY_PENDING', 'retryable:NOT_PROCESSED']);
    clock.advance(59_000);
    expect(await codes()).toEqual(['retryable:DEPENDENCY_PENDING', 'retryable:NOT_PROCESSED']);
    clock.advance(1_000);
    const head = await store.head(DEMO.venueId);
    expect(await codes()).toEqual(['rejected:DEPENDENCY_UNKNOWN', 'applied:']);
    expect(await store.head(DEMO.venueId)).toBeGreaterThan(head);
    // Final: the same answer after the dependency turns up at last.
    expect((await codes())[0]).toBe('duplicate:DEPENDENCY_UNKNOWN');
  });
});
