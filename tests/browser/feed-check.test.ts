import { expect } from '@esm-bundle/chai';
import { FeedPage } from '#protocol';
import { Coalescer, InvalidEntityError } from '../../web/device/local-coalesce.ts';
import { checkFeedPage } from '../../web/hydrator/feed-check.ts';

// The hydrator's zod-free envelope check beside protocol's FeedPage: the same verdict on every
// page whose entities are well-formed; entity data is parsed later, once per surviving entity.

const at = '2026-01-01T12:00:00.000Z';
const opId = '01JDQ3X4Y5Z6A7B8C9D0E1F2G3';
const table = (id: string, version: number, seats: unknown = 4) => ({
  id,
  label: id,
  seats,
  version,
});
const upsert = (over: Record<string, unknown> = {}) => ({
  seq: 7,
  entity: 'table',
  id: 't-1',
  op: 'upsert',
  version: 2,
  at,
  opId,
  data: table('t-1', 2),
  ...over,
});
const tombstone = (over: Record<string, unknown> = {}) => ({
  seq: 8,
  entity: 'menuItem',
  id: 'burger',
  op: 'tombstone',
  version: 3,
  at,
  ...over,
});
const page = (entries: unknown[], over: Record<string, unknown> = {}) => ({
  entries,
  cursor: 'c-1',
  hasMore: false,
  ...over,
});

describe('feed-check: the envelope of a /feed page, without zod', () => {
  const good: [string, unknown][] = [
    ['an upsert', page([upsert()])],
    ['a tombstone', page([tombstone()])],
    ['no opId', page([upsert({ opId: undefined })])],
    ['an offset timestamp', page([upsert({ at: '2026-01-01T12:00:00+02:00' })])],
    [
      'a readable slug id',
      page([upsert({ id: 'demo-bistro:t_1.a~b', data: table('demo-bistro:t_1.a~b', 2) })]),
    ],
    ['no entries', page([], { hasMore: true })],
  ];
  const bad: [string, unknown][] = [
    ['not an object', 'nope'],
    ['entries missing', { cursor: 'c', hasMore: false }],
    ['cursor missing', { entries: [], hasMore: false }],
    ['hasMore not boolean', page([], { hasMore: 'yes' })],
    ['seq 0', page([upsert({ seq: 0 })])],
    ['seq not an integer', page([upsert({ seq: 1.5 })])],
    ['seq a string', page([upsert({ seq: '7' })])],
    ['unknown kind', page([upsert({ entity: 'spaceship' })])],
    ['id not URL-safe', page([upsert({ id: 't 1', data: table('t 1', 2) })])],
    ['id too long', page([upsert({ id: 'x'.repeat(81), data: table('x'.repeat(81), 2) })])],
    ['empty id', page([tombstone({ id: '' })])],
    ['version 0', page([tombstone({ version: 0 })])],
    ['at not a timestamp', page([upsert({ at: 'yesterday' })])],
    ['at without a zone', page([upsert({ at: '2026-01-01T12:00:00' })])],
    ['at on 30 February', page([upsert({ at: '2026-02-30T12:00:00Z' })])],
    ['opId not a ULID', page([upsert({ opId: 'op-1' })])],
    ['op unknown', page([upsert({ op: 'patch' })])],
    ['upsert without data', page([upsert({ data: undefined })])],
    ['data.id not the id', page([upsert({ data: table('t-2', 2) })])],
    ['a bad entry after good ones', page([upsert(), tombstone(), upsert({ seq: -1 })])],
  ];

  for (const [what, value] of good) {
    it(`accepts ${what}, as zod does`, () => {
      expect(FeedPage.safeParse(value).success, 'zod').to.equal(true);
      const checked = checkFeedPage(value);
      expect(checked.ok, checked.ok ? '' : checked.detail).to.equal(true);
    });
  }
  for (const [what, value] of bad) {
    it(`refuses ${what}, as zod does`, () => {
      expect(FeedPage.safeParse(value).success, 'zod').to.equal(false);
      expect(checkFeedPage(value).ok).to.equal(false);
    });
  }

  it('names the entry that failed', () => {
    const checked = checkFeedPage(page([upsert(), upsert({ seq: 0 })]));
    expect(checked).to.deep.equal({ ok: false, detail: 'entries[1].seq: not an integer ≥ 1' });
  });
});

describe('Coalescer.batch(): the entity schema, once per surviving entity', () => {
  it('parses the survivors (unknown keys dropped, as zod drops them)', () => {
    const folder = new Coalescer();
    folder.add([
      { entity: 'table', id: 't-1', op: 'upsert', version: 2, data: table('t-1', 2) },
      { entity: 'table', id: 't-1', op: 'upsert', version: 3, data: { ...table('t-1', 3), x: 1 } },
    ]);
    const { changes } = folder.batch();
    expect(changes).to.have.length(1);
    expect(changes[0]).to.deep.include({ op: 'put', version: 3, data: table('t-1', 3) });
  });

  it('refuses a batch whose surviving entity does not fit its schema', () => {
    const folder = new Coalescer();
    folder.add([
      { entity: 'table', id: 't-1', op: 'upsert', version: 2, data: table('t-1', 2) },
      { entity: 'table', id: 't-2', op: 'upsert', version: 4, data: table('t-2', 4, 'many') },
    ]);
    expect(() => folder.batch())
      .to.throw(InvalidEntityError)
      .with.property('message')
      .that.matches(/^table t-2 v4: seats/);
  });

  it('never parses a version superseded in the batch, nor a tombstoned one', () => {
    const folder = new Coalescer();
    folder.add([
      { entity: 'table', id: 't-1', op: 'upsert', version: 2, data: table('t-1', 2, 'bad') },
      { entity: 'table', id: 't-1', op: 'upsert', version: 3, data: table('t-1', 3) },
      { entity: 'table', id: 't-2', op: 'upsert', version: 2, data: table('t-2', 2, 'bad') },
      { entity: 'table', id: 't-2', op: 'tombstone', version: 3 },
    ]);
    const { changes } = folder.batch();
    expect(changes.map((c) => [c.id, c.op, c.version])).to.deep.equal([
      ['t-1', 'put', 3],
      ['t-2', 'delete', 3],
    ]);
  });
});
