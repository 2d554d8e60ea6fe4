import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeOperation, newUlid } from '#protocol';
import { flatten, differences, type VenueHarness, venueHarness, json } from './support/relay-process.ts';

let h: VenueHarness;
beforeAll(async () => { h = await venueHarness(); }, 60_000);
afterAll(async () => { await h?.close(); });

describe('smoke', () => {
  it('works', async () => {
    console.log(await h.relay.health());
    const op = await makeOperation({ type: 'order.create', payload: { orderId: newUlid(), tableId: 'table-1', guestCount: 2, lines: [{ lineId: newUlid(), itemId: 'burger', quantity: 1 }] }, deviceId: 'tab-1', tenantId: 'demo', venueId: 'demo-bistro', actorId: 'demo-server' });
    const r = await h.postRelay(op, 'server');
    console.log(r.status, r.text);
    console.log([...(await h.countInCloud()).entries()].map(([k, v]) => [k, v.length]));
    const rs = await h.relaySnapshot(); const cs = await h.cloudSnapshot();
    console.log(rs.records.length, cs.records.length);
    await new Promise((r) => setTimeout(r, 500));
    console.log(differences(flatten(await h.relayEntities()), flatten(await h.cloudEntities())));
    console.log(h.relay.transitions());
    h.proxy.cut();
    const t0 = Date.now();
    await h.relay.waitForConnectivity('offline_local', 5000);
    console.log('offline after', Date.now() - t0);
    const op2 = await makeOperation({ type: 'order.create', payload: { orderId: newUlid(), tableId: 'table-2', guestCount: 2, lines: [{ lineId: newUlid(), itemId: 'burger', quantity: 1 }] }, deviceId: 'tab-1', tenantId: 'demo', venueId: 'demo-bistro', actorId: 'demo-server' });
    const r2 = await h.postRelay(op2, 'server');
    console.log(r2.status, r2.text);
    h.proxy.restore();
    const t1 = Date.now();
    await h.waitSettled();
    console.log('settled after', Date.now() - t1);
    await new Promise((r) => setTimeout(r, 500));
    console.log(differences(flatten(await h.relayEntities()), flatten(await h.cloudEntities())));
    console.log(h.relay.transitions());
    console.log(h.proxy.stats());
  }, 60_000);
});
