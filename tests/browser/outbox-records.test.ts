import { expect } from '@esm-bundle/chai';
import { deleteDB, openDB } from 'idb';
import type * as z from 'zod';
import { compileCheck } from '#protocol/check/json-schema-check.ts';
import { WIRE_SHAPES } from '#protocol/check/wire-shapes.gen.ts';
import { OutboxDb } from '../../web/device/outbox-db.ts';
import { outboxRecordShapes } from '../../web/sw/generated-shapes.ts';
import { OUTBOX_RECORD_SHAPES } from '../../web/sw/outbox-records.gen.ts';
import {
  DeviceRecord,
  LeaseRecord,
  type OUTBOX_RECORD_SOURCES,
  OutboxEntry,
} from '../../web/sw/outbox-records.ts';
import { mutate, seeded } from '../protocol/support/mutations.ts';
import { closeOrder, createOrder, entryFor, op, T0 } from './outbox-fixtures.ts';

// The outbox's IndexedDB records are read with the checker generated from their zod schemas
// (the service worker carries no zod): the generated file is current, the checker and zod
// agree on seeded mutants of every record, and a record that does not parse is skipped and
// left where it is.

const RECORDS = { ...WIRE_SHAPES, ...OUTBOX_RECORD_SHAPES };

function agree(schema: z.ZodType, name: keyof typeof OUTBOX_RECORD_SOURCES, input: unknown) {
  const expected = schema.safeParse(input);
  const actual = compileCheck(RECORDS, name)(input);
  const label = `${name} ${JSON.stringify(input)}`;
  expect(actual.ok, label).to.equal(expected.success);
  // JSON round trip: an explicit `undefined` member zod keeps, the checker drops.
  if (expected.success && actual.ok) {
    expect(JSON.parse(JSON.stringify(actual.value)), label).to.deep.equal(
      JSON.parse(JSON.stringify(expected.data)),
    );
  }
  return expected.success;
}

const PAYMENT = '01JD0000000000000000000300';

/** Payment, refund, drawer and settings ops a device queues, one of each type. */
async function paymentOps() {
  return Promise.all([
    op('payment.cash', {
      paymentId: PAYMENT,
      orderId: 'order-1',
      amount: 1250,
      tip: 100,
      tendered: 2000,
      drawerId: 'drawer-1',
    }),
    op('payment.resolveTask', { paymentId: PAYMENT, note: 'paid the next day' }),
    op('refund.request', {
      refundId: '01JD0000000000000000000301',
      paymentId: PAYMENT,
      amount: 250,
      reason: 'cold soup',
    }),
    op('drawer.open', { drawerId: 'drawer-1', float: 10_000 }),
    op('drawer.payout', { drawerId: 'drawer-1', payoutId: 'po-1', amount: 500, reason: 'ice' }),
    op('drawer.close', { drawerId: 'drawer-1', counted: 10_700, reason: 'tips left in' }),
    op('settings.offlineCard.set', {
      policy: {
        enabled: false,
        perTransaction: 5000,
        withManagerApproval: 10_000,
        perDevice: 20_000,
        perVenue: 50_000,
        alertAfterMs: [3_600_000],
        noNewAfterMs: 86_400_000,
        absoluteMs: 259_200_000,
      },
    }),
  ]);
}

async function entries(): Promise<unknown[]> {
  const create = await createOrder('order-1');
  const close = await closeOrder('order-1');
  const base = entryFor(create);
  const payments = (await paymentOps()).map((paid, index) =>
    entryFor(paid, { seq: 10 + index, lane: 'priority' }),
  );
  return [
    base,
    {
      ...base,
      seq: 2,
      opId: close.opId,
      op: close,
      lane: 'priority',
      status: 'synced',
      result: {
        opId: close.opId,
        status: 'applied',
        seq: 4,
        changed: [],
        at: '2026-11-22T18:00:01Z',
      },
      settledAt: T0 + 1000,
    },
    {
      ...base,
      status: 'failed',
      tries: 10,
      lastError: { code: 'RETRIES_EXHAUSTED', message: 'x' },
    },
    ...payments,
  ];
}

describe('outbox records (generated checker)', () => {
  it('are current: regenerating from the zod schemas gives the committed file', () => {
    expect(OUTBOX_RECORD_SHAPES).to.deep.equal(outboxRecordShapes());
  });

  it('agree with zod on entries, leases and device records, and 300 mutants of each', async () => {
    const random = seeded(11);
    const corpus: [z.ZodType, keyof typeof OUTBOX_RECORD_SOURCES, unknown[]][] = [
      [OutboxEntry, 'OutboxEntry', await entries()],
      [LeaseRecord, 'LeaseRecord', [{ key: 'lease', holder: 'sw-1', expiresAt: T0 }]],
      [
        DeviceRecord,
        'DeviceRecord',
        [
          { key: 'device', deviceId: 'tablet-1', principal: null },
          {
            key: 'device',
            deviceId: 'tablet-1',
            principal: {
              kind: 'staff',
              tenantId: 'demo',
              venueId: 'demo-bistro',
              actorId: 'server-1',
              role: 'server',
            },
          },
        ],
      ],
    ];
    let refused = 0;
    for (const [schema, name, values] of corpus) {
      for (const value of values) {
        expect(agree(schema, name, value), `valid ${name}`).to.equal(true);
        for (let i = 0; i < 300; i++) if (!agree(schema, name, mutate(random, value))) refused++;
      }
    }
    expect(refused).to.be.greaterThan(1000);
  });

  it('refuse a stored server-made op, as zod does (a device never queues one)', async () => {
    const card = await op('payment.card', {
      paymentId: PAYMENT,
      orderId: 'order-1',
      amount: 1000,
      tip: 0,
      outcome: 'approved',
      reference: 'ref-1',
      brand: 'visa',
      last4: '4242',
      entry: 'reader',
    });
    expect(agree(OutboxEntry, 'OutboxEntry', entryFor(card))).to.equal(false);
  });

  it('skips a stored entry that does not parse and leaves it in place', async () => {
    const name = `outbox-records-${crypto.randomUUID()}`;
    const db = await OutboxDb.open(name);
    try {
      const [good] = await entries();
      const raw = await openDB(name);
      await raw.put('ops', { ...(good as object), seq: 1 });
      await raw.put('ops', { ...(good as object), seq: 2, opId: 'not-a-ulid', tries: -1 });
      raw.close();
      const read = await db.readOps((ops) => ops.all());
      expect(read.map((entry) => entry.seq)).to.deep.equal([1]);
      const again = await openDB(name);
      expect(await again.count('ops')).to.equal(2);
      again.close();
    } finally {
      db.close();
      await deleteDB(name);
    }
  });
});
