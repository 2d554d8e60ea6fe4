import { describe, expect, it } from 'vitest';
import {
  allowedRoles,
  applyOnce,
  type Decision,
  decide,
  getEntity,
  type Ledger,
  listEntities,
  type Operation,
  onThePass,
  type Principal,
  project,
  RECALL_WINDOW_MS,
  type Ticket,
  ticketIdFor,
  ticketSourceOpId,
  type VenueState,
} from '#protocol';
import { applyAll } from './support/run-ops.ts';
import { ctxFor, guest, NOW, opOf, staff, venueState } from './support/venue-fixture.ts';

const ORDER = '01JD0000000000000000000K01';
const SEND = '01JD0000000000000000000K02';
const SEND_2 = '01JD0000000000000000000K03';
const owner = staff('owner', 'boss'); // a team member: Olu
const manager = staff('manager'); // manager-1: no team member by that id
const kitchen = staff('kitchen');

/** NOW plus `minutes`. */
const at = (minutes: number): string => new Date(Date.parse(NOW) + minutes * 60_000).toISOString();

type Line = { lineId: string; itemId: string; quantity: number; course?: number; note?: string };

const create = (lines: Line[], by: Principal = owner, orderId = ORDER, tableId = 'table-1') =>
  opOf('order.create', { orderId, tableId, guestCount: 3, lines }, by);
const send = (payload: object = {}, opId = SEND, by: Principal = owner) =>
  opOf('order.sendToKitchen', { orderId: ORDER, ...payload }, by, { opId });
const addLines = (lines: Line[]) => opOf('order.addLines', { orderId: ORDER, lines }, owner);
const fire = (course: number, orderId = ORDER) =>
  opOf('order.fireCourse', { orderId, course }, kitchen);
const voidLine = (lineId: string) =>
  opOf('order.voidLine', { orderId: ORDER, lineId, reason: 'sent back' }, owner);
const mark = (ticketId: string, lineId: string, ready: boolean) =>
  opOf('ticket.markLine', { ticketId, lineId, ready }, kitchen);
const transition = (ticketId: string, action: string) =>
  opOf('ticket.transition', { ticketId, action }, kitchen);
const recall = (ticketId: string) => opOf('ticket.recall', { ticketId }, kitchen);
const acknowledge = (ticketId: string) => opOf('ticket.acknowledge', { ticketId }, kitchen);

/** Decides `op` as its maker (the op's actor decides who that is) at `now`. */
function run(state: VenueState, op: Operation, now = NOW): Decision {
  const by: Principal =
    op.actorId === 'boss' ? owner : op.actorId === 'kitchen-1' ? kitchen : manager;
  return decide(state, op, ctxFor(by, now));
}

/** Applies ops in order, each at its own time; a rejection is a broken setup. */
function applyAt(state: VenueState, steps: readonly (readonly [Operation, string])[]): VenueState {
  let current = state;
  for (const [op, now] of steps) {
    const decision = run(current, op, now);
    if (decision.kind === 'rejected')
      throw new Error(`setup ${op.type} rejected: ${decision.code} ${decision.message}`);
    current = decision.state;
  }
  return current;
}

function applied(decision: Decision): VenueState {
  if (decision.kind === 'rejected') throw new Error(`${decision.code}: ${decision.message}`);
  return decision.state;
}

const ticket = (state: VenueState, id: string): Ticket => {
  const found = getEntity(state.entities, 'ticket', id);
  if (!found) throw new Error(`no ticket ${id}`);
  return found;
};
const ticketsOfOrder = (state: VenueState) =>
  listEntities(state.entities, 'ticket').filter((t) => t.orderId === ORDER);
const order = (state: VenueState) => {
  const found = getEntity(state.entities, 'order', ORDER);
  if (!found) throw new Error('no order');
  return found;
};

const GRILL = ticketIdFor(SEND, 'grill');
const FRY = ticketIdFor(SEND, 'fry');

/** Burger and fries (course 1), salad and a second burger (course 2). */
const COURSED: Line[] = [
  { lineId: 'burger', itemId: 'burger', quantity: 1 },
  { lineId: 'fries', itemId: 'fries', quantity: 2 },
  { lineId: 'salad', itemId: 'salad', quantity: 1, course: 2 },
  { lineId: 'burger-2', itemId: 'burger', quantity: 1, course: 2 },
];

describe('routing by station and course', () => {
  it('makes one ticket per (station, course), course 1 keeping the old id', async () => {
    const state = applyAt(venueState(), [
      [await create(COURSED), NOW],
      [await send(), NOW],
    ]);
    const ids = ticketsOfOrder(state).map((t) => t.id);
    expect(new Set(ids)).toEqual(
      new Set([`${SEND}-grill`, `${SEND}-fry`, `${SEND}-cold-c2`, `${SEND}-grill-c2`]),
    );
    expect(ticketIdFor(SEND, 'cold', 2)).toBe(`${SEND}-cold-c2`);
    expect(ticketSourceOpId(`${SEND}-grill-c2`)).toBe(SEND);
    expect(ticket(state, `${SEND}-grill-c2`)).toMatchObject({
      course: 2,
      status: 'queued',
      covers: 3,
      server: 'Olu',
      attention: null,
      voidedAt: null,
      lines: [{ lineId: 'burger-2', readyAt: null }],
    });
    expect(ticket(state, GRILL)).toMatchObject({ course: 1, lines: [{ lineId: 'burger' }] });
    expect(order(state).lines.find((l) => l.id === 'salad')?.course).toBe(2);
    // A line given no course carries none (it reads as course 1).
    expect(order(state).lines.find((l) => l.id === 'burger')).not.toHaveProperty('course');
  });

  it('names the server from the team, "guest" for a guest order, nobody otherwise', async () => {
    const byManager = applyAt(venueState(), [
      [await create(COURSED.slice(0, 1), manager), NOW],
      [await send({}, SEND, manager), NOW],
    ]);
    expect(ticket(byManager, GRILL)).not.toHaveProperty('server');
    const atTable = guest('table-1', 'session-1');
    const guestOrder = applyAll(
      venueState(),
      [await create(COURSED.slice(0, 1), atTable)],
      atTable,
    );
    // A guest's order goes straight to the kitchen (the venue asks for no approval).
    expect(ticketsOfOrder(guestOrder).map((t) => t.server)).toEqual(['guest']);
  });

  it('sends one course alone; a course with nothing waiting is NOTHING_TO_SEND', async () => {
    const made = applyAt(venueState(), [[await create(COURSED), NOW]]);
    const state = applied(run(made, await send({ course: 2 })));
    expect(ticketsOfOrder(state).map((t) => t.course)).toEqual([2, 2]);
    const lines = order(state).lines;
    expect(lines.filter((l) => l.sentAt !== null).map((l) => l.id)).toEqual(['salad', 'burger-2']);
    expect(run(state, await send({ course: 2 }, SEND_2))).toMatchObject({
      code: 'NOTHING_TO_SEND',
    });
    expect(run(state, await send({ course: 3 }, SEND_2))).toMatchObject({
      code: 'NOTHING_TO_SEND',
    });
    // Without a course: what is left, as before.
    const rest = applied(run(state, await send({}, SEND_2)));
    expect(order(rest).lines.every((l) => l.sentAt !== null)).toBe(true);
  });
});

describe('holding and firing a course', () => {
  it('holds, fires (queued, clock from the fire), and a second fire is harmless', async () => {
    const held = applyAt(venueState(), [
      [await create(COURSED), NOW],
      [await send({ course: 2, hold: true }), NOW],
    ]);
    expect(ticketsOfOrder(held).map((t) => t.status)).toEqual(['held', 'held']);
    expect(run(held, await fire(3))).toMatchObject({ code: 'NOTHING_TO_FIRE' });
    // Course 1 has lines but no tickets yet: nothing to fire either.
    expect(run(held, await fire(1))).toMatchObject({ code: 'NOTHING_TO_FIRE' });
    const fired = applied(run(held, await fire(2), at(20)));
    for (const t of ticketsOfOrder(fired))
      expect(t).toMatchObject({ status: 'queued', firedAt: at(20) });
    expect(run(fired, await fire(2), at(21))).toMatchObject({ kind: 'applied', changes: [] });
  });

  it('refuses an unknown order and a closed one', async () => {
    expect(run(venueState(), await fire(1))).toMatchObject({ code: 'NOT_FOUND' });
    const closed = applyAt(venueState(), [
      [await create(COURSED.slice(0, 1)), NOW],
      [await send({ hold: true }), NOW],
      [
        await opOf(
          'order.close',
          { orderId: ORDER, payment: { method: 'cash', tendered: 100_000 } },
          owner,
        ),
        NOW,
      ],
    ]);
    expect(run(closed, await fire(1))).toMatchObject({ code: 'INVALID_STATE_TRANSITION' });
  });

  it('a held ticket refuses marks and recalls', async () => {
    const held = applyAt(venueState(), [
      [await create(COURSED.slice(0, 1)), NOW],
      [await send({ hold: true }), NOW],
    ]);
    expect(run(held, await mark(GRILL, 'burger', true))).toMatchObject({
      code: 'INVALID_STATE_TRANSITION',
    });
    expect(run(held, await recall(GRILL))).toMatchObject({ code: 'INVALID_STATE_TRANSITION' });
  });
});

describe('add-ons', () => {
  const sentOnce = async () =>
    applyAt(venueState(), [
      [await create(COURSED.slice(0, 2)), NOW],
      [await send(), NOW],
      [await addLines([{ lineId: 'extra', itemId: 'burger', quantity: 1 }]), NOW],
    ]);

  it('get tickets of their own whatever the earlier ticket’s state, so a replay decides the same', async () => {
    // The bump and the add-on come from two devices; a replay may put them in either order.
    const base = await sentOnce();
    const ready = applyAt(base, [[await transition(GRILL, 'ready'), NOW]]);
    const started = applyAt(base, [[await transition(GRILL, 'start'), NOW]]);
    const bumped = applyAt(ready, [[await transition(GRILL, 'bump'), NOW]]);
    for (const state of [base, started, ready, bumped]) {
      const next = applied(run(state, await send({}, SEND_2), at(5)));
      expect(ticket(next, ticketIdFor(SEND_2, 'grill'))).toMatchObject({
        status: 'queued',
        firedAt: at(5),
        lines: [expect.objectContaining({ lineId: 'extra', readyAt: null })],
      });
      expect(ticket(next, GRILL).lines.map((l) => l.lineId)).toEqual(['burger']);
      // The first send's grill and fry tickets, and the second send's grill ticket.
      expect(ticketsOfOrder(next)).toHaveLength(3);
    }
  });

  it('a held send makes held tickets beside the open one', async () => {
    const next = applied(run(await sentOnce(), await send({ hold: true }, SEND_2)));
    expect(ticket(next, ticketIdFor(SEND_2, 'grill'))).toMatchObject({ status: 'held' });
    expect(ticket(next, GRILL).lines).toHaveLength(1);
  });
});

describe('order.voidLine', () => {
  const sent = async () =>
    applyAt(venueState(), [
      [await create(COURSED.slice(0, 2)), NOW],
      [await send(), NOW],
      [await addLines([{ lineId: 'unsent', itemId: 'beer', quantity: 1 }]), NOW],
    ]);

  /** Two burgers sent: one grill ticket with two lines. */
  const twoBurgersSent = async () =>
    applyAt(venueState(), [
      [
        await create([
          { lineId: 'burger', itemId: 'burger', quantity: 1 },
          { lineId: 'burger-b', itemId: 'burger', quantity: 1 },
        ]),
        NOW,
      ],
      [await send(), NOW],
    ]);

  it('refuses a line the order lacks, or one not sent yet (remove it instead)', async () => {
    const state = await sent();
    expect(run(state, await voidLine('nope'))).toMatchObject({ code: 'NOT_FOUND' });
    const unsent = run(state, await voidLine('unsent'));
    expect(unsent).toMatchObject({ code: 'LINE_NOT_SENT' });
    expect(unsent.kind === 'rejected' && unsent.message).toMatch(/remove it instead/);
  });

  it('voids the line: out of the totals, struck on its ticket, which asks for an ack', async () => {
    const state = await sent();
    const before = order(state).totals.total;
    const after = applied(run(state, await voidLine('fries'), at(4)));
    expect(order(after).lines.find((l) => l.id === 'fries')).toMatchObject({
      voidedAt: at(4),
      voidReason: 'sent back',
    });
    expect(order(after).totals.total).toBe(before - 2 * 450);
    // Fries were the fry ticket's only line: the ticket is void, and says so until seen.
    expect(ticket(after, FRY)).toMatchObject({
      attention: 'void',
      voidedAt: at(4),
      lines: [{ lineId: 'fries', voidedAt: at(4) }],
    });
    // The grill ticket does not hold that line: untouched.
    expect(ticket(after, GRILL)).toEqual(ticket(state, GRILL));
    expect(run(after, await voidLine('fries'), at(5))).toMatchObject({
      kind: 'applied',
      changes: [],
    });
  });

  it('voids a ticket whose every line is voided: VOID until acknowledged, then off the pass', async () => {
    const state = await twoBurgersSent();
    const one = applied(run(state, await voidLine('burger'), at(1)));
    expect(ticket(one, GRILL)).toMatchObject({ voidedAt: null, attention: 'change' });
    const both = applied(run(one, await voidLine('burger-b'), at(2)));
    expect(ticket(both, GRILL)).toMatchObject({
      status: 'queued',
      voidedAt: at(2),
      attention: 'void',
    });
    expect(onThePass(ticket(both, GRILL))).toBe(true);
    const seen = applied(run(both, await acknowledge(GRILL), at(3)));
    expect(onThePass(ticket(seen, GRILL))).toBe(false);
  });

  it('makes a ticket ready when the line voided was the last still cooking', async () => {
    const state = applyAt(await twoBurgersSent(), [[await mark(GRILL, 'burger', true), at(1)]]);
    expect(ticket(state, GRILL).status).toBe('queued');
    const after = applied(run(state, await voidLine('burger-b'), at(2)));
    // Marking a line does not start the ticket; arriving at ready does.
    expect(ticket(after, GRILL)).toMatchObject({
      status: 'ready',
      startedAt: at(2),
      readyAt: at(2),
    });
  });

  it('leaves a bumped ticket alone and refuses on a closed order', async () => {
    const bumped = applyAt(await sent(), [
      [await transition(FRY, 'ready'), NOW],
      [await transition(FRY, 'bump'), NOW],
    ]);
    const after = applied(run(bumped, await voidLine('fries')));
    expect(ticket(after, FRY)).toEqual(ticket(bumped, FRY));
    expect(order(after).lines.find((l) => l.id === 'fries')?.voidedAt).toBe(NOW);
    const closed = applyAt(await sent(), [
      [
        await opOf(
          'order.close',
          { orderId: ORDER, payment: { method: 'cash', tendered: 100_000 } },
          owner,
        ),
        NOW,
      ],
    ]);
    expect(run(closed, await voidLine('fries'))).toMatchObject({
      code: 'INVALID_STATE_TRANSITION',
    });
  });
});

describe('order.void', () => {
  it('marks every ticket not bumped VOID, held ones too, and leaves bumped ones', async () => {
    const state = applyAt(venueState(), [
      [await create(COURSED), NOW],
      [await send({ course: 1 }), NOW],
      [await send({ course: 2, hold: true }, SEND_2), NOW],
      [await transition(FRY, 'ready'), NOW],
      [await transition(FRY, 'bump'), NOW],
    ]);
    const voided = applied(
      run(state, await opOf('order.void', { orderId: ORDER, reason: 'left' }, manager), at(3)),
    );
    expect(voided.entities.ticket.size).toBe(state.entities.ticket.size);
    for (const before of ticketsOfOrder(state)) {
      const after = ticket(voided, before.id);
      if (before.status === 'bumped') expect(after).toEqual(before);
      else
        expect(after).toMatchObject({ status: before.status, voidedAt: at(3), attention: 'void' });
    }
    expect(ticketsOfOrder(voided).filter((t) => t.attention === 'void')).toHaveLength(3);
  });

  const server = staff('server');
  const voidBy = (by: Principal, reason = 'walked out') =>
    opOf('order.void', { orderId: ORDER, reason }, by);

  it('lets a server void an order nothing of which was sent, with its reason', async () => {
    const state = applyAt(venueState(), [[await create(COURSED), NOW]]);
    const voided = applied(decide(state, await voidBy(server), ctxFor(server, at(2))));
    expect(order(voided)).toMatchObject({
      status: 'voided',
      voidReason: 'walked out',
      closedAt: at(2),
    });
    expect(ticketsOfOrder(voided)).toHaveLength(0);
  });

  it('refuses a server the void of an order with anything sent; a manager may', async () => {
    const sentOnce = applyAt(venueState(), [
      [await create(COURSED), NOW],
      [await send({ course: 1 }), NOW],
    ]);
    // Only course 2 went, held: nothing is cooking, but the kitchen has its tickets.
    const heldOnly = applyAt(venueState(), [
      [await create(COURSED), NOW],
      [await send({ course: 2, hold: true }), NOW],
    ]);
    for (const state of [sentOnce, heldOnly]) {
      const before = structuredClone(order(state));
      const refused = decide(state, await voidBy(server), ctxFor(server, at(2)));
      expect(refused).toMatchObject({
        kind: 'rejected',
        code: 'FORBIDDEN',
        message: 'a manager voids an order already sent to the kitchen',
        current: before,
      });
      expect(order(state)).toEqual(before);
      const voided = applied(decide(state, await voidBy(manager), ctxFor(manager, at(2))));
      expect(order(voided)).toMatchObject({ status: 'voided', voidReason: 'walked out' });
    }
  });

  it('needs a reason to void', async () => {
    await expect(voidBy(server, '')).rejects.toThrow();
  });
});

describe('ticket.markLine', () => {
  const twoBurgers = async () =>
    applyAt(venueState(), [
      [
        await create([
          { lineId: 'burger', itemId: 'burger', quantity: 1 },
          { lineId: 'burger-b', itemId: 'burger', quantity: 1 },
        ]),
        NOW,
      ],
      [await send(), NOW],
    ]);

  it('refuses an unknown ticket or line, and a voided line', async () => {
    const state = await twoBurgers();
    expect(run(state, await mark('nope', 'burger', true))).toMatchObject({ code: 'NOT_FOUND' });
    expect(run(state, await mark(GRILL, 'nope', true))).toMatchObject({ code: 'NOT_FOUND' });
    const voided = applyAt(state, [[await voidLine('burger-b'), NOW]]);
    expect(run(voided, await mark(GRILL, 'burger-b', true))).toMatchObject({
      code: 'INVALID_STATE_TRANSITION',
    });
  });

  it('marks lines done; the last one makes the ticket ready; a repeat changes nothing', async () => {
    const first = applied(run(await twoBurgers(), await mark(GRILL, 'burger', true), at(1)));
    expect(ticket(first, GRILL)).toMatchObject({
      status: 'queued',
      lines: [
        { lineId: 'burger', readyAt: at(1) },
        { lineId: 'burger-b', readyAt: null },
      ],
    });
    expect(run(first, await mark(GRILL, 'burger', true), at(2))).toMatchObject({
      kind: 'applied',
      changes: [],
    });
    const both = applied(run(first, await mark(GRILL, 'burger-b', true), at(3)));
    expect(ticket(both, GRILL)).toMatchObject({
      status: 'ready',
      startedAt: at(3),
      readyAt: at(3),
    });
    // An earlier start is kept.
    const started = applyAt(first, [[await transition(GRILL, 'start'), at(2)]]);
    expect(
      ticket(applied(run(started, await mark(GRILL, 'burger-b', true), at(3))), GRILL),
    ).toMatchObject({ status: 'ready', startedAt: at(2), readyAt: at(3) });
  });

  it('un-marking reopens a ready ticket; un-marking an unmarked line changes nothing', async () => {
    const ready = applyAt(await twoBurgers(), [
      [await mark(GRILL, 'burger', true), at(1)],
      [await mark(GRILL, 'burger-b', true), at(2)],
    ]);
    const reopened = applied(run(ready, await mark(GRILL, 'burger', false), at(3)));
    expect(ticket(reopened, GRILL)).toMatchObject({
      status: 'in_progress',
      readyAt: null,
      lines: [
        { lineId: 'burger', readyAt: null },
        { lineId: 'burger-b', readyAt: at(2) },
      ],
    });
    expect(run(reopened, await mark(GRILL, 'burger', false))).toMatchObject({
      kind: 'applied',
      changes: [],
    });
  });

  it('on a bumped ticket: the same mark changes nothing, another is refused (recall first)', async () => {
    const bumped = applyAt(await twoBurgers(), [
      [await mark(GRILL, 'burger', true), at(1)],
      [await mark(GRILL, 'burger-b', true), at(2)],
      [await transition(GRILL, 'bump'), at(3)],
    ]);
    expect(run(bumped, await mark(GRILL, 'burger', true))).toMatchObject({
      kind: 'applied',
      changes: [],
    });
    const refused = run(bumped, await mark(GRILL, 'burger', false));
    expect(refused).toMatchObject({ code: 'INVALID_STATE_TRANSITION' });
    expect(refused.kind === 'rejected' && refused.message).toMatch(/recall it first/);
  });
});

describe('ticket.recall', () => {
  const bumpedAt = async (minutes: number) =>
    applyAt(venueState(), [
      [await create(COURSED.slice(0, 1)), NOW],
      [await send(), NOW],
      [await transition(GRILL, 'ready'), NOW],
      [await transition(GRILL, 'bump'), at(minutes)],
    ]);

  it('brings a bumped ticket back as ready within the window, to the millisecond', async () => {
    const state = await bumpedAt(1);
    const edge = new Date(Date.parse(at(1)) + RECALL_WINDOW_MS).toISOString();
    const recalled = applied(run(state, await recall(GRILL), edge));
    expect(ticket(recalled, GRILL)).toMatchObject({
      status: 'ready',
      bumpedAt: null,
      readyAt: NOW,
    });
    const late = new Date(Date.parse(at(1)) + RECALL_WINDOW_MS + 1).toISOString();
    expect(run(state, await recall(GRILL), late)).toMatchObject({
      code: 'RECALL_WINDOW_PASSED',
    });
  });

  it('leaves a ticket still on the pass as it is, and refuses an unknown one', async () => {
    const ready = applyAt(venueState(), [
      [await create(COURSED.slice(0, 1)), NOW],
      [await send(), NOW],
    ]);
    for (const state of [
      ready,
      applyAt(ready, [[await transition(GRILL, 'start'), NOW]]),
      applyAt(ready, [[await transition(GRILL, 'ready'), NOW]]),
    ])
      expect(run(state, await recall(GRILL))).toMatchObject({ kind: 'applied', changes: [] });
    expect(run(ready, await recall('nope'))).toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('ticket.acknowledge', () => {
  it('clears what the ticket asked for; nothing to clear changes nothing', async () => {
    const state = applyAt(venueState(), [
      [await create(COURSED.slice(0, 2)), NOW],
      [await send(), NOW],
      [await voidLine('fries'), NOW],
    ]);
    // Its only line voided: the ticket asks for its VOID to be seen.
    expect(ticket(state, FRY).attention).toBe('void');
    const seen = applied(run(state, await acknowledge(FRY)));
    expect(ticket(seen, FRY).attention).toBeNull();
    expect(run(seen, await acknowledge(FRY))).toMatchObject({ kind: 'applied', changes: [] });
    expect(run(seen, await acknowledge(GRILL))).toMatchObject({ kind: 'applied', changes: [] });
    expect(run(seen, await acknowledge('nope'))).toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('old clients and old tickets', () => {
  it('a send in the old shape fires every line as one queued ticket per station, as before', async () => {
    const state = applyAt(venueState(), [
      [await create(COURSED.slice(0, 2), manager), NOW],
      [await send({}, SEND, manager), NOW],
    ]);
    expect(ticketsOfOrder(state).map((t) => t.id)).toEqual([GRILL, FRY].sort());
    expect(ticket(state, GRILL)).toMatchObject({
      orderId: ORDER,
      tableLabel: '1',
      station: 'grill',
      status: 'queued',
      firedAt: NOW,
      startedAt: null,
      readyAt: null,
      bumpedAt: null,
      assigneeId: null,
      lines: [{ lineId: 'burger', name: 'Burger', quantity: 1, modifiers: [] }],
    });
  });

  it('ticket.transition recall still sends a bumped ticket back to cooking, whenever', async () => {
    const bumped = applyAt(venueState(), [
      [await create(COURSED.slice(0, 1)), NOW],
      [await send(), NOW],
      [await transition(GRILL, 'ready'), NOW],
      [await transition(GRILL, 'bump'), NOW],
    ]);
    const recalled = applied(run(bumped, await transition(GRILL, 'recall'), at(60 * 24)));
    expect(ticket(recalled, GRILL)).toMatchObject({ status: 'in_progress', bumpedAt: null });
  });

  it('a ticket stored before these fields reads as course 1 and takes marks', async () => {
    const state = applyAt(venueState(), [
      [await create(COURSED.slice(0, 1)), NOW],
      [await send(), NOW],
      [await addLines([{ lineId: 'extra', itemId: 'burger', quantity: 1 }]), NOW],
    ]);
    const t = ticket(state, GRILL);
    const {
      course: _c,
      covers: _v,
      server: _s,
      voidedAt: _d,
      attention: _a,
      ...old
    } = { ...t, lines: t.lines.map(({ readyAt: _r, ...line }) => line), version: t.version + 1 };
    const oldState = {
      ...state,
      entities: project(state.entities, [
        { entity: 'ticket', id: GRILL, op: 'upsert', data: old, version: old.version },
      ]),
    };
    const sentAgain = applied(run(oldState, await send({}, SEND_2)));
    expect(ticket(sentAgain, ticketIdFor(SEND_2, 'grill')).course).toBe(1);
    const done = applied(run(sentAgain, await mark(GRILL, 'burger', true)));
    expect(ticket(done, GRILL).status).toBe('ready');
    expect(ticket(done, GRILL).lines[0]?.readyAt).toBe(NOW);
  });
});

describe('lines sent in the same op (`send` on order.create and order.addLines)', () => {
  const createSending = (lines: Line[], sendPart: object, by: Principal = owner, opId = SEND) =>
    opOf(
      'order.create',
      { orderId: ORDER, tableId: 'table-1', guestCount: 3, lines, send: sendPart },
      by,
      { opId },
    );
  const addSending = (lines: Line[], sendPart: object, opId = SEND_2, by: Principal = owner) =>
    opOf('order.addLines', { orderId: ORDER, lines, send: sendPart }, by, { opId });
  /** What the kitchen sees of the order's tickets, less the ids the two ways name differently. */
  const kitchenView = (state: VenueState) =>
    ticketsOfOrder(state)
      .map(({ id, version, ...rest }) => rest)
      .sort((a, b) => `${a.station}${a.course}`.localeCompare(`${b.station}${b.course}`));

  it('creates the order and its tickets in one decision, as create then send would', async () => {
    const decision = run(venueState(), await createSending(COURSED, {}));
    const state = applied(decision);
    const twoOps = applyAt(venueState(), [
      [await create(COURSED), NOW],
      [await send({}, SEND_2), NOW],
    ]);
    expect(kitchenView(state)).toEqual(kitchenView(twoOps));
    expect(new Set(ticketsOfOrder(state).map((t) => t.id))).toEqual(
      new Set([`${SEND}-grill`, `${SEND}-fry`, `${SEND}-cold-c2`, `${SEND}-grill-c2`]),
    );
    const { version: _v1, ...made } = order(state);
    const { version: _v2, ...madeInTwo } = order(twoOps);
    expect(made).toEqual(madeInTwo);
    // One op, one version step for each entity it changes.
    expect(order(state)).toMatchObject({ status: 'sent', version: 1 });
    // One change per entity: the order first (as sent), then its four tickets.
    expect(decision.kind === 'applied' && decision.changes.map((c) => c.entity)).toEqual([
      'order',
      'ticket',
      'ticket',
      'ticket',
      'ticket',
    ]);
    if (decision.kind === 'applied')
      expect(project(venueState().entities, decision.changes)).toEqual(state.entities);
  });

  it('adds lines to an open order and sends every unsent line, as addLines then send would', async () => {
    const made = applyAt(venueState(), [[await create(COURSED.slice(0, 1)), NOW]]);
    const extra: Line[] = [{ lineId: 'extra', itemId: 'fries', quantity: 1 }];
    const state = applied(run(made, await addSending(extra, {})));
    expect(order(state).lines.map((l) => [l.id, l.sentAt])).toEqual([
      ['burger', NOW],
      ['extra', NOW],
    ]);
    const twoOps = applyAt(made, [
      [await addLines(extra), NOW],
      [await send({}, SEND_2), NOW],
    ]);
    expect(kitchenView(state)).toEqual(kitchenView(twoOps));
    expect(ticketsOfOrder(state).map((t) => t.id)).toEqual(
      [ticketIdFor(SEND_2, 'fry'), ticketIdFor(SEND_2, 'grill')].sort(),
    );
  });

  it('adds an add-on to a sent order and sends just it', async () => {
    const sent = applied(run(venueState(), await createSending(COURSED.slice(0, 2), {})));
    const next = applied(
      run(sent, await addSending([{ lineId: 'extra', itemId: 'burger', quantity: 1 }], {})),
    );
    expect(ticket(next, ticketIdFor(SEND_2, 'grill')).lines.map((l) => l.lineId)).toEqual([
      'extra',
    ]);
    expect(ticketsOfOrder(next)).toHaveLength(3);
  });

  it('holds, and sends one course, as sendToKitchen with that course and hold', async () => {
    const held = applied(
      run(venueState(), await createSending(COURSED, { course: 2, hold: true })),
    );
    expect(ticketsOfOrder(held).map((t) => [t.course, t.status])).toEqual([
      [2, 'held'],
      [2, 'held'],
    ]);
    // Course 1 stays unsent, for a later sendToKitchen.
    expect(
      order(held)
        .lines.filter((l) => l.sentAt === null)
        .map((l) => l.id),
    ).toEqual(['burger', 'fries']);
    const fired = applied(run(held, await fire(2), at(3)));
    for (const t of ticketsOfOrder(fired)) expect(t).toMatchObject({ status: 'queued' });
    const rest = applied(run(fired, await send({}, SEND_2)));
    expect(order(rest).lines.every((l) => l.sentAt !== null)).toBe(true);
  });

  it('refuses a guest’s send (FORBIDDEN); a guest’s own lines still go as before', async () => {
    const atTable = guest('table-1', 'session-1');
    const asGuest = (decision: Promise<Operation>) =>
      decision.then((op) => decide(venueState(), op, ctxFor(atTable)));
    const lines = COURSED.slice(0, 1);
    expect(await asGuest(createSending(lines, {}, atTable))).toMatchObject({
      kind: 'rejected',
      code: 'FORBIDDEN',
    });
    const made = applyAll(venueState(), [await create(lines, atTable)], atTable);
    const addOp = await addSending(
      [{ lineId: 'g2', itemId: 'fries', quantity: 1 }],
      {},
      SEND_2,
      atTable,
    );
    expect(decide(made, addOp, ctxFor(atTable))).toMatchObject({
      kind: 'rejected',
      code: 'FORBIDDEN',
    });
  });

  it('an invalid send rejects the whole op with the send’s code and changes nothing', async () => {
    // Course 3 has no line: NOTHING_TO_SEND, and the order is not made.
    expect(run(venueState(), await createSending(COURSED, { course: 3 }))).toEqual({
      kind: 'rejected',
      code: 'NOTHING_TO_SEND',
      message: 'course 3 has no line waiting to be sent',
    });
    const made = applyAt(venueState(), [[await create(COURSED.slice(0, 1)), NOW]]);
    const refused = run(
      made,
      await addSending([{ lineId: 'extra', itemId: 'fries', quantity: 1 }], { course: 2 }),
    );
    expect(refused).toMatchObject({ kind: 'rejected', code: 'NOTHING_TO_SEND' });
    // Shown as it stands: without the line that was never added.
    expect(refused.kind === 'rejected' && refused.current).toEqual(order(made));
    // The lines part's own rejection comes first, as before.
    expect(
      run(made, await addSending([{ lineId: 'burger', itemId: 'fries', quantity: 1 }], {})),
    ).toMatchObject({ code: 'ALREADY_EXISTS' });
  });

  it('a repeat of the op (same opId) is a duplicate and changes nothing', async () => {
    const op = await createSending(COURSED, {});
    const first = applyOnce(venueState(), new Map() as Ledger, op, ctxFor(owner));
    expect(first.kind).toBe('first');
    const again = applyOnce(first.state, first.ledger, op, ctxFor(owner, at(1)));
    expect(again.kind).toBe('duplicate');
    expect(again.state).toBe(first.state);
    expect(ticketsOfOrder(again.state)).toHaveLength(4);
  });
});

describe('who may make the kitchen ops', () => {
  it('servers void lines, expo fires courses, only the kitchen side marks, recalls and acknowledges', () => {
    expect(allowedRoles['order.voidLine']).toEqual(['server', 'manager', 'owner']);
    // A server's void of an order already sent is still refused, by the decider.
    expect(allowedRoles['order.void']).toEqual(['server', 'manager', 'owner']);
    expect(allowedRoles['order.fireCourse']).toEqual(['kitchen', 'server', 'manager', 'owner']);
    for (const type of ['ticket.markLine', 'ticket.recall', 'ticket.acknowledge'] as const)
      expect(allowedRoles[type]).toEqual(['kitchen', 'manager', 'owner']);
  });
});
