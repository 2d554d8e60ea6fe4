import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  PAYMENT_EVENTS,
  PAYMENT_STATES,
  type PaymentEvent,
  type PaymentOutcome,
  type PaymentState,
  paymentOutcome,
  paymentStep,
} from '#protocol';
import type { Verdict } from './support/run-ops.ts';

// Every state × every event of a card payment attempt. A timed-out attempt is only ever asked
// again (same reference), never charged again; the four answered states are final.
const table: Record<PaymentState, Record<PaymentEvent, Verdict>> = {
  requested: {
    approve: { moved: 'approved' },
    decline: { moved: 'declined' },
    time_out: { moved: 'timed_out' },
    store: { moved: 'stored' },
    authorise_later: 'refused',
    decline_later: 'refused',
    ask_again: 'refused',
  },
  approved: {
    approve: 'unchanged',
    decline: 'refused',
    time_out: 'refused',
    store: 'refused',
    authorise_later: 'refused',
    decline_later: 'refused',
    ask_again: 'refused',
  },
  declined: {
    approve: 'refused',
    decline: 'unchanged',
    time_out: 'refused',
    store: 'refused',
    authorise_later: 'refused',
    decline_later: 'refused',
    ask_again: 'refused',
  },
  timed_out: {
    approve: 'refused',
    decline: 'refused',
    time_out: 'unchanged',
    store: 'refused',
    authorise_later: 'refused',
    decline_later: 'refused',
    ask_again: { moved: 'requested' },
  },
  stored: {
    approve: 'refused',
    decline: 'refused',
    time_out: 'refused',
    store: 'unchanged',
    authorise_later: { moved: 'approved_later' },
    decline_later: { moved: 'declined_later' },
    ask_again: 'refused',
  },
  approved_later: {
    approve: 'refused',
    decline: 'refused',
    time_out: 'refused',
    store: 'refused',
    authorise_later: 'unchanged',
    decline_later: 'refused',
    ask_again: 'refused',
  },
  declined_later: {
    approve: 'refused',
    decline: 'refused',
    time_out: 'refused',
    store: 'refused',
    authorise_later: 'refused',
    decline_later: 'unchanged',
    ask_again: 'refused',
  },
};

describe('the card payment state machine', () => {
  const cells = PAYMENT_STATES.flatMap((from) => PAYMENT_EVENTS.map((e) => [from, e] as const));

  it('has a row for every state and a cell for every event', () => {
    expect(Object.keys(table).sort()).toEqual([...PAYMENT_STATES].sort());
    for (const state of PAYMENT_STATES)
      expect(Object.keys(table[state]).sort()).toEqual([...PAYMENT_EVENTS].sort());
    expect(cells).toHaveLength(7 * 7);
  });

  it.each(cells)('%s × %s follows the table', (from, event) => {
    const expected = table[from][event];
    const result = paymentStep(from, event);
    if (expected === 'refused') expect(result).toEqual({ kind: 'refused', from });
    else if (expected === 'unchanged')
      expect(result).toEqual({ kind: 'unchanged', from, to: from });
    else expect(result).toEqual({ kind: 'moved', from, to: expected.moved });
  });

  it('whatever the processor reports, in any order, an attempt is charged at most once', () => {
    const charged = (s: PaymentState) => paymentOutcome(s) === 'charged';
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...PAYMENT_EVENTS), { maxLength: 30 }), (events) => {
        let state: PaymentState = 'requested';
        let charges = 0;
        for (const event of events) {
          const next = paymentStep(state, event);
          if (next.kind === 'moved') {
            if (charged(next.to)) charges += 1;
            state = next.to;
          }
        }
        expect(charges).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('tells what each state means for the bill', () => {
    const outcomes: Record<PaymentState, PaymentOutcome> = {
      requested: 'unknown',
      approved: 'charged',
      declined: 'not_charged',
      timed_out: 'unknown',
      stored: 'stored',
      approved_later: 'charged',
      declined_later: 'not_charged',
    };
    for (const state of PAYMENT_STATES) expect(paymentOutcome(state)).toBe(outcomes[state]);
  });
});
