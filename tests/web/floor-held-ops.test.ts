import { describe, expect, it } from 'vitest';
import type { OutboxEntry } from '../../web/device/outbox-types.ts';
import {
  discardQuestion,
  heldGroups,
  heldLine,
  namesOf,
  UNKNOWN_NAME,
} from '../../web/floor/held-ops.ts';

// Ops waiting for their person, pure: who made what, still to deliver, grouped and named.

let seq = 0;
function entry(actorId: string, status: OutboxEntry['status'], createdAt: number): OutboxEntry {
  seq += 1;
  return {
    seq,
    opId: `op-${seq}`,
    op: { actorId } as OutboxEntry['op'],
    lane: 'default',
    status,
    tries: 0,
    nextAttemptAt: createdAt,
    lastError: null,
    result: null,
    createdAt,
    settledAt: null,
  };
}

const names = namesOf([
  { id: 'm-sam', name: 'Sam' },
  { id: 'm-ana', name: 'Ana' },
  { id: 'm-mia', name: 'Mia' },
]);

describe('heldGroups', () => {
  it("groups others' undelivered ops by person, longest waiting first", () => {
    const entries = [
      entry('m-ana', 'pending', 300),
      entry('m-sam', 'pending', 200),
      entry('m-mia', 'pending', 100),
      entry('m-sam', 'failed', 250),
      entry('m-sam', 'sending', 260),
      entry('m-sam', 'synced', 50),
      entry('m-ana', 'delivered_local', 40),
    ];
    const groups = heldGroups(entries, 'm-mia', names);
    expect(groups).toEqual([
      {
        actorId: 'm-sam',
        name: 'Sam',
        count: 3,
        oldestAt: 200,
        opIds: [entries[1]?.opId, entries[3]?.opId, entries[4]?.opId],
      },
      { actorId: 'm-ana', name: 'Ana', count: 1, oldestAt: 300, opIds: [entries[0]?.opId] },
    ]);
  });

  it('with nobody signed in, every undelivered op waits for its person', () => {
    const groups = heldGroups([entry('m-mia', 'pending', 1)], null, names);
    expect(groups.map((g) => g.name)).toEqual(['Mia']);
  });

  it('names someone the team list does not know in words', () => {
    const [group] = heldGroups([entry('m-gone', 'pending', 1)], 'm-mia', names);
    expect(group?.name).toBe(UNKNOWN_NAME);
  });

  it('is empty when only the signed-in person has ops waiting', () => {
    expect(heldGroups([entry('m-mia', 'pending', 1)], 'm-mia', names)).toEqual([]);
  });
});

describe('the words', () => {
  it('says how many, for whom, and when they go', () => {
    expect(heldLine({ count: 3, name: 'Sam' })).toBe(
      '3 changes waiting for Sam — they send when Sam signs in here',
    );
    expect(heldLine({ count: 1, name: 'Sam' })).toBe(
      '1 change waiting for Sam — it sends when Sam signs in here',
    );
    expect(discardQuestion(3)).toBe('Discard 3 changes for good?');
    expect(discardQuestion(1)).toBe('Discard 1 change for good?');
  });
});
