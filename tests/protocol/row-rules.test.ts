import { describe, expect, it } from 'vitest';
import {
  type FeedEntry,
  LiveSession,
  rowRuleFor,
  type SnapshotRecord,
  visibleEntries,
  visibleRecords,
} from '#protocol';
import { guest, staff } from './support/venue-fixture.ts';

// What a guest's phone may read of the table-bound kinds: their own table's rows only.

const AT = '2026-11-23T19:30:00.000Z';
const rule = rowRuleFor(guest('table-1'));

const request = (seq: number, tableId: string, status = 'open'): FeedEntry =>
  ({
    seq,
    entity: 'serviceRequest',
    id: `request-${seq}`,
    op: 'upsert',
    version: 1,
    at: AT,
    data: {
      id: `request-${seq}`,
      tableId,
      kind: 'call_waiter',
      status,
      createdAt: AT,
      acknowledgedBy: null,
      version: 1,
    },
  }) as FeedEntry;

const menuGone = (seq: number): FeedEntry => ({
  seq,
  entity: 'menuItem',
  id: 'burger',
  op: 'tombstone',
  version: 2,
  at: AT,
});

const orderGone = (seq: number): FeedEntry => ({
  seq,
  entity: 'order',
  id: 'order-1',
  op: 'tombstone',
  version: 2,
  at: AT,
});

const order = (id: string, tableId: string, status: string): SnapshotRecord =>
  ({ entity: 'order', data: { id, tableId, status } }) as unknown as SnapshotRecord;
const ticket = (id: string, orderId: string, tableId: string): SnapshotRecord =>
  ({ entity: 'ticket', data: { id, orderId, tableId } }) as unknown as SnapshotRecord;
const req = (id: string, tableId: string, status: string): SnapshotRecord =>
  ({ entity: 'serviceRequest', data: { id, tableId, status } }) as unknown as SnapshotRecord;
const table = (id: string): SnapshotRecord =>
  ({ entity: 'table', data: { id } }) as unknown as SnapshotRecord;

describe('row rules', () => {
  it('let staff see every row, untouched', () => {
    expect(rowRuleFor(staff('server'))).toBeUndefined();
    expect(rowRuleFor(undefined)).toBeUndefined();
    const entries = [request(1, 'table-2'), orderGone(2)];
    expect(visibleEntries(entries, undefined)).toBe(entries);
  });

  it("show a guest their table's rows and every menu change; no table-bound tombstone", () => {
    const entries = [request(1, 'table-1'), request(2, 'table-2'), menuGone(3), orderGone(4)];
    expect(visibleEntries(entries, rule).map((e) => e.seq)).toEqual([1, 3]);
  });

  it("give a guest's snapshot only the table's open business", () => {
    const records = [
      table('table-1'),
      order('open-1', 'table-1', 'sent'),
      order('closed-1', 'table-1', 'closed'),
      order('open-2', 'table-2', 'open'),
      ticket('t-open', 'open-1', 'table-1'),
      ticket('t-closed', 'closed-1', 'table-1'),
      ticket('t-other', 'open-2', 'table-2'),
      req('r-open', 'table-1', 'acknowledged'),
      req('r-done', 'table-1', 'done'),
      req('r-other', 'table-2', 'open'),
    ];
    const ids = visibleRecords(records, rule).map((r) => (r.data as { id: string }).id);
    expect(ids).toEqual(['table-1', 'open-1', 't-open', 'r-open']);
    expect(visibleRecords(records, undefined)).toHaveLength(records.length);
  });

  it("cover another table's rows in a live session without sending them", () => {
    const session = new LiveSession(0, ['serviceRequest'], rule);
    // The usual publish: one commit, contiguous.
    const first = session.published([request(1, 'table-2'), request(2, 'table-1')]);
    expect(first).toEqual({ entries: [request(2, 'table-1')], throughSeq: 2 });
    // Out of order from the bus, then a gap filled by a store read.
    expect(session.published([request(5, 'table-2')])).toBeUndefined();
    const read = session.nextRead();
    expect(read).toEqual({ afterSeq: 2, throughSeq: 4 });
    const batch = session.read(
      read as NonNullable<typeof read>,
      [request(3, 'table-1'), request(4, 'table-2')],
      false,
    );
    expect(batch).toEqual({ entries: [request(3, 'table-1')], throughSeq: 5 });
    expect(session.cursorSeq).toBe(5);
  });
});
