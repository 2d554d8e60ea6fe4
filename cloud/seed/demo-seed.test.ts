import { describe, expect, it } from 'vitest';
import type { StaffRole } from '#protocol';
import { importCloudKeys } from '../auth/keys.ts';
import { pinDigest } from '../auth/pin-digest.ts';
import { MemoryCloudStore } from '../store/memory-store.ts';
import { TEST_KEYS, TEST_NOW } from '../testing/test-app.ts';
import { DEMO, DEMO_LAKESIDE, isEmpty, seedDemo } from './demo-seed.ts';

const ROLES: readonly StaffRole[] = ['server', 'kitchen', 'manager', 'owner'];

async function seeded() {
  const store = new MemoryCloudStore();
  const { pinKey } = await importCloudKeys(TEST_KEYS);
  expect(await isEmpty(store)).toBe(true);
  await seedDemo(store, { pinKey, now: TEST_NOW });
  return { store, pinKey };
}

describe('the demo seed', () => {
  it('seeds two tenants, each with one venue of its own', async () => {
    const { store } = await seeded();
    expect(await isEmpty(store)).toBe(false);
    expect((await store.listVenues(DEMO.tenantId)).map((v) => v.venueId)).toEqual([DEMO.venueId]);
    expect((await store.listVenues(DEMO_LAKESIDE.tenantId)).map((v) => v.venueId)).toEqual([
      DEMO_LAKESIDE.venueId,
    ]);
  });

  it("gives each venue its own menu, tables and team: no entity id or name is the other's", async () => {
    const { store } = await seeded();
    const text = async (venueId: string) => JSON.stringify(await store.loadSnapshot(venueId));
    const bistro = await text(DEMO.venueId);
    const lakeside = await text(DEMO_LAKESIDE.venueId);
    expect(lakeside).toContain('"Lake perch and chips"');
    expect(lakeside).not.toContain('"Steak frites"');
    expect(bistro).not.toMatch(/lakeside|Lakeside/);
    expect(lakeside).not.toMatch(/demo-|Demo /);
    const tables = (await store.loadSnapshot(DEMO_LAKESIDE.venueId)).records.filter(
      (r) => r.entity === 'table',
    );
    expect(tables).toHaveLength(DEMO_LAKESIDE.tables.length);
  });

  it('seeds the demo venue with as many tables as asked, labelled from 1', async () => {
    const store = new MemoryCloudStore();
    const { pinKey } = await importCloudKeys(TEST_KEYS);
    await seedDemo(store, { pinKey, now: TEST_NOW }, { tables: 32 });
    const labels = (await store.loadSnapshot(DEMO.venueId)).records
      .filter((r) => r.entity === 'table')
      .map((r) => (r.data as { label: string }).label);
    expect(labels).toHaveLength(32);
    expect(new Set(labels)).toEqual(new Set(Array.from({ length: 32 }, (_, i) => String(i + 1))));
  });

  it("signs each venue's PINs in at that venue only", async () => {
    const { store, pinKey } = await seeded();
    for (const role of ROLES) {
      for (const [own, other] of [
        [DEMO, DEMO_LAKESIDE],
        [DEMO_LAKESIDE, DEMO],
      ] as const) {
        const pin = own.pins[role];
        const atOwn = await store.findStaffByPinDigest(
          own.venueId,
          await pinDigest(pinKey, own.venueId, pin),
        );
        expect(atOwn?.role).toBe(role);
        expect(atOwn?.tenantId).toBe(own.tenantId);
        // The other venue's digest of the same PIN finds no one: the PINs differ, and digests are
        // keyed per venue.
        expect(
          await store.findStaffByPinDigest(
            other.venueId,
            await pinDigest(pinKey, other.venueId, pin),
          ),
        ).toBeUndefined();
      }
    }
  });
});
