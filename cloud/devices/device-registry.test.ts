import { describe, expect, it } from 'vitest';
import type { Device, EntityChange } from '#protocol';
import { FeedBus } from '../../server/feed-bus.ts';
import { DEMO } from '../seed/demo-seed.ts';
import { MemoryCloudStore } from '../store/memory-store.ts';
import { makeTestApp, TestClock } from '../testing/test-app.ts';
import { DEVICES_FRESH_MS, DeviceRegistry } from './device-registry.ts';

const V = DEMO.venueId;
const device = (version: number, revoked: boolean): Device => ({
  id: 'bar-tablet',
  name: 'Bar tablet',
  role: 'floor',
  pairingId: '01JD0000000000000000000106',
  credentialDigest: 'a'.repeat(43),
  pairedBy: 'demo-manager',
  pairedAt: '2026-11-23T19:30:00.000Z',
  revoked,
  revokedBy: revoked ? 'demo-manager' : null,
  revokedAt: revoked ? '2026-11-23T19:31:00.000Z' : null,
  version,
});
const upsert = (d: Device): EntityChange => ({
  entity: 'device',
  id: d.id,
  op: 'upsert',
  data: d,
  version: d.version,
});

async function setup() {
  const store = (await makeTestApp()).store as MemoryCloudStore;
  const bus = new FeedBus();
  const clock = new TestClock();
  const registry = new DeviceRegistry({ store, bus, clock: clock.now });
  const commit = (d: Device) =>
    store.transact(DEMO.tenantId, (tx) =>
      tx.append(V, [upsert(d)], { at: clock.now().toISOString() }),
    );
  return { store, bus, clock, registry, commit };
}

describe('DeviceRegistry', () => {
  it('hears a revoke this process publishes at once, and tells its listeners once', async () => {
    const { bus, registry, commit } = await setup();
    await commit(device(1, false));
    expect((await registry.get(V, 'bar-tablet'))?.revoked).toBe(false);
    const heard: string[] = [];
    registry.onRevoked((venueId, deviceId) => heard.push(`${venueId}/${deviceId}`));
    const entries = await commit(device(2, true));
    bus.publish(V, entries);
    bus.publish(V, entries);
    expect((await registry.get(V, 'bar-tablet'))?.revoked).toBe(true);
    expect(heard).toEqual([`${V}/bar-tablet`]);
  });

  it("sees another instance's revoke (never published here) within DEVICES_FRESH_MS", async () => {
    const { clock, registry, commit } = await setup();
    await commit(device(1, false));
    expect((await registry.withCredential(V, 'a'.repeat(43)))?.revoked).toBe(false);
    await commit(device(2, true));
    clock.advance(DEVICES_FRESH_MS - 1);
    expect((await registry.get(V, 'bar-tablet'))?.revoked).toBe(false);
    clock.advance(1);
    expect((await registry.get(V, 'bar-tablet'))?.revoked).toBe(true);
  });

  it('an older entry never overwrites a newer one', async () => {
    const { bus, registry, commit } = await setup();
    await commit(device(1, false));
    await registry.list(V);
    const [revoked] = await commit(device(2, true));
    if (!revoked) throw new Error('nothing committed');
    bus.publish(V, [revoked]);
    // A late copy of the first version (a slow listener, a re-read) arrives after it.
    bus.publish(V, [{ ...revoked, version: 1, data: device(1, false) } as typeof revoked]);
    expect((await registry.get(V, 'bar-tablet'))?.revoked).toBe(true);
  });

  it('remembers when each device was last seen', async () => {
    const store = new MemoryCloudStore();
    const clock = new TestClock();
    const registry = new DeviceRegistry({ store, bus: new FeedBus(), clock: clock.now });
    expect(registry.lastSeenAt(V, 'bar-tablet')).toBeUndefined();
    registry.seen(V, 'bar-tablet');
    expect(registry.lastSeenAt(V, 'bar-tablet')).toBe(clock.now().getTime());
  });
});
