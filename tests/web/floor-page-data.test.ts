import { describe, expect, it } from 'vitest';
import type { EntityKind } from '#protocol';
import type { LocalSnapshot } from '../../web/app/local-view-controller.ts';
import {
  floorDataOf,
  guestOriginOf,
  namesForOps,
  tableOrder,
  waitingCount,
} from '../../web/floor/floor-data.ts';
import { parseRoute, routeHash, viewsFor } from '../../web/floor/floor-nav.ts';
import { MIN, order, request, table } from './floor-fixtures.ts';
import { items, settings } from './guest-fixtures.ts';

// The floor page's pure parts: its route in the hash, the views by role, which order a table's
// pad continues, the Requests count, the names ops are read with, and the QR codes' origin.

describe('floor route', () => {
  it('reads each view and a table from the hash, and anything else as the floor', () => {
    expect(parseRoute('#table/table-5')).toEqual({ view: 'table', tableId: 'table-5' });
    expect(parseRoute('#requests')).toEqual({ view: 'requests' });
    expect(parseRoute('#/sync')).toEqual({ view: 'sync' });
    expect(parseRoute('')).toEqual({ view: 'floor' });
    expect(parseRoute('#nowhere')).toEqual({ view: 'floor' });
    expect(parseRoute('#table/')).toEqual({ view: 'floor' });
    expect(parseRoute('#table/<script>')).toEqual({ view: 'floor' });
  });

  it('writes the hash it reads', () => {
    for (const hash of ['#table/table-5', '#requests', '#floor', '#qr'])
      expect(routeHash(parseRoute(hash))).toBe(hash);
  });

  it('gives the team and QR views to managers and owners only', () => {
    expect(viewsFor('server')).toEqual(['floor', 'requests', 'kitchen', 'menu', 'sync', 'drawer']);
    expect(viewsFor('kitchen')).not.toContain('team');
    for (const role of ['manager', 'owner']) expect(viewsFor(role)).toContain('qr');
  });
});

/** A local-view snapshot of these entities, each kind a fresh array as every read makes. */
function snapshotOf(byKind: Partial<Record<EntityKind, readonly unknown[]>>): LocalSnapshot {
  return {
    items: ((kind: EntityKind) =>
      (byKind[kind] ?? []).map((entity) => ({
        entity,
        badge: { state: 'synced' as const },
      }))) as LocalSnapshot['items'],
    pendingCount: 0,
    savedLocalCount: 0,
  };
}

describe('floor data', () => {
  const t5 = table('5');

  it('keeps each list of the read before whose entities did not change, and only those', () => {
    const menu = items();
    const first = floorDataOf(snapshotOf({ menuItem: menu, table: [t5], order: [] }));
    const placed = order({ id: 'order-a', tableId: t5.id, status: 'open', at: 0 });
    const next = floorDataOf(
      snapshotOf({ menuItem: [...menu], table: [t5], order: [placed] }),
      first,
    );
    expect(next.items).toBe(first.items);
    expect(next.tables).toBe(first.tables);
    expect(next.orders).not.toBe(first.orders);
    expect(next.orders).toEqual([placed]);
    const soldOut = menu.map((item, i) => (i === 0 ? { ...item, available: false } : item));
    const later = floorDataOf(
      snapshotOf({ menuItem: soldOut, table: [t5], order: [placed] }),
      next,
    );
    expect(later.items).not.toBe(next.items);
    expect(later.items[0]?.available).toBe(false);
    expect(later.orders).toBe(next.orders);
  });

  it("continues the order this device opened, else the table's oldest open one", () => {
    const older = order({ id: 'order-a', tableId: t5.id, status: 'sent', at: 0 });
    const newer = order({ id: 'order-b', tableId: t5.id, status: 'open', at: MIN });
    const closed = order({ id: 'order-c', tableId: t5.id, status: 'closed', at: -MIN });
    const orders = [newer, closed, older];
    expect(tableOrder(orders, t5.id, undefined)?.id).toBe('order-a');
    expect(tableOrder(orders, t5.id, 'order-b')?.id).toBe('order-b');
    expect(tableOrder(orders, t5.id, 'order-c')?.id).toBe('order-a');
    expect(tableOrder(orders, 'table-9', undefined)).toBeUndefined();
  });

  it('counts open calls, and guest orders waiting only where the venue approves them', () => {
    const guest = order({
      id: 'order-g',
      tableId: t5.id,
      source: 'guest',
      lines: [{ sent: false }],
    });
    const base = {
      venue: undefined,
      tables: [t5],
      orderBadges: new Map(),
      tickets: [],
      sections: [],
      members: [],
      items: [],
      categories: [],
      modifiers: [],
      orders: [guest],
      requests: [
        request('req-1', t5.id, 'call_waiter', 'open'),
        request('req-2', t5.id, 'bill', 'done'),
      ],
    };
    expect(waitingCount({ ...base, settings: settings() })).toBe(1);
    const approving = settings({
      guestOrdering: { approval: true, lineNotes: true, callCooldownSec: 60 },
    });
    expect(waitingCount({ ...base, settings: approving })).toBe(2);
  });

  it('names tables, their orders and dishes for ops read in words', () => {
    const names = namesForOps(
      {
        tables: [t5],
        orders: [order({ id: 'order-a', tableId: t5.id })],
        items: [{ id: 'item-chips', name: 'Chips' }],
      } as never,
      new Map([['member-sam', 'Sam']]),
    );
    expect(names.get('order-a')).toBe('Table 5');
    expect(names.get(t5.id)).toBe('Table 5');
    expect(names.get('item-chips')).toBe('Chips');
    expect(names.get('member-sam')).toBe('Sam');
  });

  it("points QR codes at the cloud the relay names, else this page's origin", () => {
    const here = 'https://relay.local:8443';
    expect(guestOriginOf({ cloudOrigin: 'https://cloud.example/x' }, here)).toBe(
      'https://cloud.example',
    );
    expect(guestOriginOf({ cloudOrigin: 'javascript:alert(1)' }, here)).toBe(here);
    expect(guestOriginOf({ cloudOrigin: 'not a url' }, here)).toBe(here);
    expect(guestOriginOf({ status: 'ok' }, here)).toBe(here);
    expect(guestOriginOf(null, here)).toBe(here);
  });
});
