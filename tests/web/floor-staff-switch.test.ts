import { describe, expect, it } from 'vitest';
import type { Principal } from '#protocol';
import type { AsyncStatus } from '../../web/app/async-status.ts';
import type { HeldOutbox } from '../../web/app/held-outbox.ts';
import type { SignInInput } from '../../web/app/session-controller.ts';
import { SessionStore } from '../../web/app/session-store.ts';
import type { Broadcast } from '../../web/device/messages.ts';
import type { OutboxEntry } from '../../web/device/outbox-types.ts';
import { namesOf } from '../../web/floor/held-ops.ts';
import { StaffSwitchController } from '../../web/floor/staff-switch-controller.ts';

// The shared tablet changing hands: the pad up and down, the sign-in as the next person, and
// the held ops re-read after it, after an outbox-changed and after a discard.

const staff = (actorId: string, role: 'server' | 'manager'): Principal => ({
  kind: 'staff',
  tenantId: 'demo',
  venueId: 'demo-bistro',
  actorId,
  role,
});

function entry(seq: number, actorId: string): OutboxEntry {
  return {
    seq,
    opId: `op-${seq}`,
    op: { actorId } as OutboxEntry['op'],
    lane: 'default',
    status: 'pending',
    tries: 0,
    nextAttemptAt: seq,
    lastError: null,
    result: null,
    createdAt: seq,
    settledAt: null,
  };
}

const PINS: Record<string, Principal> = {
  '1111': staff('m-sam', 'server'),
  '2222': staff('m-mia', 'manager'),
};

function setup(outboxEntries: OutboxEntry[]) {
  const store = new SessionStore();
  let status: AsyncStatus<Principal> = { status: 'initial' };
  const session = {
    get principal() {
      return store.principal;
    },
    get status() {
      return status;
    },
    async signIn(input: SignInInput) {
      const principal = input.kind === 'staff' ? PINS[input.pin] : undefined;
      if (!principal) {
        status = { status: 'error', message: 'Wrong PIN' };
        return;
      }
      store.set(principal);
      status = { status: 'complete', value: principal };
    },
  };
  let entries = outboxEntries;
  const discarded: { opIds: readonly string[]; actor: string }[] = [];
  const outbox: HeldOutbox = {
    entries: async () => entries,
    async discardHeld(opIds, actor) {
      discarded.push({ opIds, actor });
      const before = entries.length;
      entries = entries.filter((e) => !(opIds.includes(e.opId) && e.op.actorId !== actor));
      return before - entries.length;
    },
  };
  const listeners = new Set<(m: Broadcast) => void>();
  const broadcasts = {
    subscribe(listener: (m: Broadcast) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  let updates = 0;
  const host = {
    addController() {},
    removeController() {},
    requestUpdate() {
      updates += 1;
    },
    updateComplete: Promise.resolve(true),
  };
  const switcher = new StaffSwitchController(host, {
    session,
    sessionStore: store,
    outbox,
    broadcasts,
    nameOf: namesOf([
      { id: 'm-sam', name: 'Sam' },
      { id: 'm-mia', name: 'Mia' },
    ]),
  });
  const say = (m: Broadcast) => {
    for (const listener of listeners) listener(m);
  };
  const setEntries = (next: OutboxEntry[]) => {
    entries = next;
  };
  return { switcher, store, say, setEntries, discarded, updates: () => updates, listeners };
}

const flush = () => new Promise((resolve) => setTimeout(resolve));

describe('StaffSwitchController', () => {
  it('signs in the next person, puts the pad away, and shows who the device waits for', async () => {
    const { switcher, store } = setup([entry(1, 'm-sam'), entry(2, 'm-sam')]);
    store.set(PINS['1111'] ?? null);
    switcher.hostConnected();
    await flush();
    expect(switcher.groups).toEqual([]);

    switcher.start();
    expect(switcher.switching).toBe(true);
    await switcher.signIn({ kind: 'staff', pin: '9999' });
    // A wrong PIN keeps the pad up (the pad shows the session's error).
    expect(switcher.switching).toBe(true);

    await switcher.signIn({ kind: 'staff', pin: '2222' });
    expect(switcher.switching).toBe(false);
    expect(switcher.groups.map((g) => [g.name, g.count])).toEqual([['Sam', 2]]);
  });

  it('reads the outbox again on outbox-changed, and stops listening when disconnected', async () => {
    const { switcher, store, say, setEntries, listeners } = setup([]);
    store.set(PINS['2222'] ?? null);
    switcher.hostConnected();
    await flush();
    setEntries([entry(1, 'm-sam')]);
    say({ type: 'outbox-changed' });
    await flush();
    expect(switcher.groups.map((g) => g.opIds)).toEqual([['op-1']]);

    switcher.hostDisconnected();
    expect(listeners.size).toBe(0);
  });

  it('discards for a manager as the signed-in actor, and refuses a server', async () => {
    const { switcher, store, discarded } = setup([entry(1, 'm-sam'), entry(2, 'm-mia')]);
    store.set(PINS['2222'] ?? null);
    switcher.hostConnected();
    await flush();

    await switcher.discard({ actorId: 'm-sam', opIds: ['op-1'] });
    expect(discarded).toEqual([{ opIds: ['op-1'], actor: 'm-mia' }]);
    expect(switcher.groups).toEqual([]);
    expect(switcher.error).toBeUndefined();

    store.set(PINS['1111'] ?? null);
    await switcher.discard({ actorId: 'm-mia', opIds: ['op-2'] });
    expect(discarded).toHaveLength(1);
    expect(switcher.error).toContain('Only a manager');
  });

  it('cancel puts the pad away without signing anyone in', () => {
    const { switcher } = setup([]);
    switcher.start();
    switcher.cancel();
    expect(switcher.switching).toBe(false);
  });
});
