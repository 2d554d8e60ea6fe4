import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyOnce,
  computeTotals,
  decide,
  decideUnknown,
  type EntityChange,
  type EntityKind,
  entitySchemas,
  getEntity,
  type Ledger,
  listEntities,
  OPERATION_TYPES,
  type Operation,
  type Principal,
  project,
  type VenueState,
} from '#protocol';
import { expectEqual } from './support/expect-equal.ts';
import { materialize, PRELUDE, type Step, step } from './support/op-arbitrary.ts';
import { ctxFor, NOW, TENANT, venueState } from './support/venue-fixture.ts';

const RUNS = 1000;
/**
 * Sequences for the replay property: 300 in the unit run (each resends about half its ops, then
 * all of them). PROPERTY_RUNS=5000 (or any count) searches further on demand; above 1,000 it
 * raises the decide/project property's count too, which stays at 1,000 or more because its tally
 * asks every op type to apply more than ten times.
 */
const EXTRA_RUNS = Number(process.env.PROPERTY_RUNS ?? 0);
const REPLAY_RUNS = EXTRA_RUNS || 300;
const PROJECT_RUNS = Math.max(RUNS, EXTRA_RUNS);
/**
 * A bound on waiting, not a speed claim: 1,000 sequences took ~125 s on one core here before the
 * payment ops joined the generator (12.4 s per 100), and ~230 s with them on a loaded machine.
 */
const PROPERTY_TIMEOUT_MS = 600_000;
const sequence = fc
  .array(step, { minLength: 5, maxLength: 40, size: 'max' })
  .map((steps) => [...PRELUDE, ...steps]);

/** Every entity validates against its schema and every order's totals are the protocol's. */
function assertInvariants(state: VenueState): void {
  const settings = getEntity(state.entities, 'settings', TENANT);
  if (!settings) throw new Error('settings vanished');
  for (const kind of Object.keys(entitySchemas) as EntityKind[]) {
    for (const entity of listEntities(state.entities, kind)) {
      const parsed = entitySchemas[kind].safeParse(entity);
      if (!parsed.success)
        throw new Error(`${kind} ${JSON.stringify(entity)} is invalid: ${parsed.error.message}`);
    }
  }
  for (const order of listEntities(state.entities, 'order')) {
    expect(order.totals).toEqual(computeTotals(order.lines, settings));
    // Closed by order.close (its one settlement) or by payments that reached the total.
    if (order.status === 'closed')
      expect(order.payment !== null || (order.paid ?? 0) >= order.totals.total).toBe(true);
    if (order.payment !== null) expect(order.status).toBe('closed');
    if (order.status === 'closed' && order.payment?.method === 'cash') {
      expect(order.payment.amount).toBe(order.totals.cashTotal);
    }
  }
  for (const payment of listEntities(state.entities, 'payment')) {
    // Never more given back than was taken, counting refunds still waiting for the processor.
    const refunds = listEntities(state.entities, 'refund').filter(
      (r) => r.paymentId === payment.id && r.status !== 'failed',
    );
    expect(refunds.reduce((sum, r) => sum + r.amount, 0)).toBeLessThanOrEqual(
      payment.amount + payment.tip,
    );
    expect(payment.refunded).toBe(
      refunds.filter((r) => r.status === 'refunded').reduce((sum, r) => sum + r.amount, 0),
    );
  }
  const open = listEntities(state.entities, 'drawer').filter((d) => d.status === 'open');
  expect(new Set(open.map((d) => d.deviceId)).size).toBe(open.length);
  for (const ticket of listEntities(state.entities, 'ticket')) {
    expect(getEntity(state.entities, 'order', ticket.orderId)).toBeDefined();
  }
}

/** Runs steps through the plain decider; returns the ops made, the final state and all changes. */
async function runDecider(steps: readonly Step[], tally?: Map<string, number>) {
  let state = venueState();
  const made: { op: Operation; principal: Principal }[] = [];
  const changes: EntityChange[] = [];
  for (const s of steps) {
    const { op, principal } = await materialize(s, state);
    made.push({ op, principal });
    const decision = decide(state, op, ctxFor(principal));
    const outcome =
      decision.kind === 'applied'
        ? decision.changes.length > 0
          ? 'applied'
          : 'unchanged'
        : decision.code;
    tally?.set(`${op.type} ${outcome}`, (tally.get(`${op.type} ${outcome}`) ?? 0) + 1);
    if (decision.kind === 'applied') {
      // The entries a decision emits, projected, are exactly the state the decider built.
      expectEqual(project(state.entities, decision.changes), decision.state.entities);
      for (const change of decision.changes) {
        const held = getEntity(state.entities, change.entity, change.id);
        expect(change.version).toBe((held?.version ?? 0) + 1);
      }
      changes.push(...decision.changes);
      state = decision.state;
    }
  }
  return { made, state, changes };
}

describe('decide and project agree (property)', () => {
  it(
    `project(entries decide emits) equals the decider's state over ${PROJECT_RUNS} random sequences`,
    async () => {
      const tally = new Map<string, number>();
      await fc.assert(
        fc.asyncProperty(sequence, async (steps) => {
          const { state, changes } = await runDecider(steps, tally);
          expectEqual(project(venueState().entities, changes), state.entities);
          // At-least-once delivery: the whole feed applied twice converges to the same set.
          expectEqual(project(project(venueState().entities, changes), changes), state.entities);
          assertInvariants(state);
        }),
        { numRuns: PROJECT_RUNS },
      );
      // The generator must reach real transitions, not just bounce off NOT_FOUND.
      for (const type of OPERATION_TYPES)
        expect(tally.get(`${type} applied`) ?? 0, type).toBeGreaterThan(10);
      for (const code of ['FORBIDDEN', 'INVALID_STATE_TRANSITION', 'NOT_FOUND']) {
        expect(
          [...tally].some(([key]) => key.endsWith(code)),
          code,
        ).toBe(true);
      }
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    `replaying the same op twice yields the same state over ${REPLAY_RUNS} random sequences`,
    async () => {
      await fc.assert(
        fc.asyncProperty(sequence, async (steps) => {
          const { made, state: expected } = await runDecider(steps);
          let state = venueState();
          let ledger: Ledger = new Map();
          for (const [index, { op, principal }] of made.entries()) {
            const first = applyOnce(state, ledger, op, ctxFor(principal));
            expect(first.kind).toBe('first');
            state = first.state;
            ledger = first.ledger;
            if (steps[index]?.repeatPrevious) {
              const again = applyOnce(
                state,
                ledger,
                op,
                ctxFor(principal, '2026-11-23T23:59:00.000Z'),
              );
              expect(again.kind).toBe('duplicate');
              if (first.kind === 'first' && again.kind === 'duplicate')
                expect(again.record).toBe(first.record);
              expect(again.state).toBe(state);
            }
          }
          expectEqual(state.entities, expected.entities);
          // The whole sequence again, as a reconnecting device would: every op a duplicate, nothing changes.
          for (const { op, principal } of made) {
            const again = applyOnce(state, ledger, op, ctxFor(principal));
            expect(again.kind).toBe('duplicate');
            expect(again.state).toBe(state);
          }
        }),
        { numRuns: REPLAY_RUNS },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});

describe('bad input never throws (property)', () => {
  const ctx = ctxFor(
    {
      kind: 'staff',
      tenantId: TENANT,
      venueId: 'demo-bistro',
      actorId: 'manager-1',
      role: 'manager',
    },
    NOW,
  );

  it(
    'any JSON value given to decideUnknown comes back as a typed rejection',
    () => {
      fc.assert(
        fc.property(fc.jsonValue(), (input) => {
          const decision = decideUnknown(venueState(), input, ctx);
          expect(decision).toMatchObject({ kind: 'rejected', code: 'VALIDATION' });
        }),
        { numRuns: RUNS },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    'a valid op with one field replaced by junk is rejected or decided, never thrown',
    async () => {
      const { op } = await materialize(
        {
          command: {
            k: 'order.create',
            order: 0,
            table: 0,
            lines: [{ line: 0, item: 0, quantity: 1, modifiers: [] }],
          },
          role: 'manager',
          repeatPrevious: false,
        },
        venueState(),
      );
      const fields = [...Object.keys(op), ...Object.keys(op.payload).map((k) => `payload.${k}`)];
      fc.assert(
        fc.property(fc.constantFrom(...fields), fc.anything(), (field, junk) => {
          const broken = structuredClone(op) as Record<string, unknown>;
          const [head, tail] = field.split('.') as [string, string | undefined];
          if (tail === undefined) broken[head] = junk;
          else (broken[head] as Record<string, unknown>)[tail] = junk;
          const decision = decideUnknown(venueState(), broken, ctx);
          expect(['applied', 'rejected']).toContain(decision.kind);
        }),
        { numRuns: RUNS },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});
