import { expect } from '@esm-bundle/chai';
import { UNDO_WINDOW_MS } from '#protocol/domain/kitchen-rules.ts';
import { gridFor } from '../../web/kitchen/kds-board.ts';
import { kdsStatusOf } from '../../web/kitchen/kds-status.ts';
import { iso, MIN, manyTickets, SEC, T0, ticket, view } from '../web/kds-fixtures.ts';
import {
  card,
  cards,
  inBoard,
  inCard,
  type Mounted,
  mount,
  press,
  tap,
  text,
  touch,
  unmountAll,
} from './kds-support.ts';

// The kitchen display in Chromium, one behaviour per test: what a cook reads on a card, what
// each touch or key sends, with the clocks and colours on a fake time the test moves.
// Timers: warn at 300 s, late at 600 s (tests/web/kds-fixtures.ts).

const EXPO = { kind: 'expo' } as const;

const rgb = (el: Element, property: 'borderTopColor' | 'backgroundColor') =>
  getComputedStyle(el)[property];

/**
 * An element as its markup, or null: a failing assertion on an element itself makes chai walk
 * its whole object graph (Lit's parts, the document) and hangs the page.
 */
const markup = (el: Element | null | undefined): string | null => el?.outerHTML ?? null;

/** Ops sent, as [type, payload] pairs. */
const sent = (m: Mounted) => m.ops.map((op) => [op.type, op.payload]);

afterEach(unmountAll);

describe('<hearth-kds-board> clocks and colours', () => {
  it('both clocks tick as venue time moves, in words', async () => {
    const m = await mount({
      tickets: [ticket({ id: 'a', status: 'in_progress', startedAt: iso(T0 + 10 * SEC) })],
      at: 42 * SEC,
    });
    const c = card(m.board, 'ticket:a');
    expect(text(inCard(c, '[data-clock="fired"]'))).to.equal('0:42');
    expect(text(inCard(c, '[data-clock="started"]'))).to.equal('started 0:32');
    await m.at(2 * MIN + 5 * SEC);
    expect(text(inCard(c, '[data-clock="fired"]'))).to.equal('2 min');
    expect(text(inCard(c, '[data-clock="started"]'))).to.equal('started 1 min');
  });

  it('turns orange with WARN at the warn time and red with LATE at the late time', async () => {
    const m = await mount({ tickets: [ticket({ id: 'a' })], at: 300 * SEC - 1 });
    const c = card(m.board, 'ticket:a');
    const article = inCard(c, 'article');
    expect(article.dataset.tone).to.equal('ok');
    expect(rgb(article, 'borderTopColor')).to.equal('rgb(47, 143, 85)');
    expect(text(inCard(c, '.age'))).to.equal('4 min');
    expect(markup(c.shadowRoot?.querySelector('.tone-word'))).to.equal(null);

    await m.at(300 * SEC);
    expect(article.dataset.tone).to.equal('warn');
    expect(rgb(article, 'borderTopColor')).to.equal('rgb(240, 180, 41)');
    expect(text(inCard(c, '.age'))).to.match(/^5 min/);
    expect(text(inCard(c, '.tone-word'))).to.equal('WARN');
    expect(article.getAttribute('aria-label')).to.match(/5 min since fired, warn$/);

    await m.at(600 * SEC - 1);
    expect(article.dataset.tone).to.equal('warn');
    await m.at(600 * SEC);
    expect(article.dataset.tone).to.equal('late');
    expect(rgb(article, 'borderTopColor')).to.equal('rgb(255, 107, 91)');
    expect(text(inCard(c, '.age'))).to.match(/^10 min/);
    expect(text(inCard(c, '.tone-word'))).to.equal('LATE');
  });
});

describe('<hearth-kds-board> what a card says', () => {
  it('an allergy note carries ⚠ ALLERGY in words; another note does not', async () => {
    const m = await mount({
      tickets: [
        ticket({
          id: 'a',
          lines: [
            { name: 'Burger', note: 'sesame allergy' },
            { name: 'Fries', note: 'extra crispy' },
          ],
        }),
      ],
    });
    const c = card(m.board, 'ticket:a');
    expect(text(inCard(c, '.note.allergy'))).to.equal('⚠ ALLERGY: sesame allergy');
    expect(c.shadowRoot?.querySelectorAll('.note.allergy').length).to.equal(1);
    expect(text(inCard(c, '[data-line="line-2"] .note'))).to.equal('extra crispy');
    // A screen reader hears the note too: the item's name is what it shows.
    const item = inCard(c, '[data-line="line-1"]');
    expect(item.getAttribute('aria-label') ?? text(item)).to.contain('⚠ ALLERGY: sesame allergy');
  });

  it('names the other stations cooking the same order: ALSO AT', async () => {
    const m = await mount({
      tickets: [
        ticket({ id: 'g', orderId: 'o1', station: 'grill' }),
        ticket({ id: 'f', orderId: 'o1', station: 'fry' }),
        ticket({ id: 'lone', orderId: 'o2', station: 'grill' }),
      ],
    });
    expect(text(inCard(card(m.board, 'ticket:g'), '.also'))).to.equal('ALSO AT: Fry');
    expect(markup(card(m.board, 'ticket:lone').shadowRoot?.querySelector('.also'))).to.equal(null);
  });

  it('a later send to the station comes under ADD-ON on the open card, unseen until touched', async () => {
    const first = ticket({ id: 'a', orderId: 'o-a', lines: [{ name: 'Burger' }] });
    const m = await mount({ tickets: [first] });
    expect(markup(card(m.board, 'ticket:a').shadowRoot?.querySelector('.addon'))).to.equal(null);
    m.board.tickets = [
      first,
      ticket({
        id: 'a2',
        orderId: 'o-a',
        firedMs: MIN,
        lines: [{ lineId: 'line-2', name: 'Shake' }],
      }),
    ];
    await m.settle();
    const c = card(m.board, 'ticket:a');
    expect(text(inCard(c, '.addon'))).to.equal('ADD-ON');
    const added = inCard(c, '[data-line="line-2"]');
    expect(added.classList.contains('unseen')).to.equal(true);
    expect(inCard(c, '[data-line="line-1"]').classList.contains('unseen')).to.equal(false);
    // The card was on screen already: it does not flash as a new ticket.
    expect(c.hasAttribute('fresh')).to.equal(false);
    touch(c);
    await m.settle();
    expect(inCard(c, '[data-line="line-2"]').classList.contains('unseen')).to.equal(false);
  });

  it('a voided line is struck through with VOIDED, and the card says CHANGED', async () => {
    const m = await mount({
      tickets: [
        ticket({
          id: 'a',
          attention: 'change',
          lines: [{ name: 'Burger' }, { name: 'Salad', voidedAt: iso(T0 + MIN) }],
        }),
      ],
    });
    const c = card(m.board, 'ticket:a');
    const voided = inCard<HTMLButtonElement>(c, '[data-line="line-2"]');
    expect(text(voided)).to.contain('VOIDED');
    expect(voided.disabled).to.equal(true);
    expect(getComputedStyle(inCard(c, '[data-line="line-2"] .name')).textDecorationLine).to.equal(
      'line-through',
    );
    expect(getComputedStyle(inCard(c, '[data-line="line-1"] .name')).textDecorationLine).to.equal(
      'none',
    );
    const flag = inCard(c, '.flag.change');
    expect(flag.getAttribute('role')).to.equal('alert');
    expect(text(flag)).to.match(/^CHANGED/);
  });

  it('a voided order shows VOID, and its only action is Seen (ticket.acknowledge)', async () => {
    const m = await mount({
      tickets: [ticket({ id: 'a', voidedAt: iso(T0 + MIN), attention: 'void' })],
      at: 2 * MIN,
    });
    const c = card(m.board, 'ticket:a');
    const flag = inCard(c, '.flag.void');
    expect(flag.getAttribute('role')).to.equal('alert');
    expect(text(flag)).to.equal('VOID Seen');
    expect(markup(c.shadowRoot?.querySelector('footer'))).to.equal(null);
    expect([...(c.shadowRoot?.querySelectorAll('.line.voided') ?? [])].length).to.equal(1);
    await tap(m, flag.querySelector('button') as HTMLButtonElement);
    expect(sent(m)).to.deep.equal([['ticket.acknowledge', { ticketId: 'a' }]]);
  });

  it('a held course is grey with HELD and a Fire button, nothing to bump', async () => {
    const m = await mount({
      tickets: [ticket({ id: 'h', status: 'held', course: 2 })],
      at: 20 * MIN,
    });
    const c = card(m.board, 'ticket:h');
    const article = inCard(c, 'article');
    expect(article.dataset.tone).to.equal('held');
    expect(rgb(article, 'backgroundColor')).to.equal('rgb(38, 38, 38)');
    expect(rgb(article, 'borderTopColor')).to.equal('rgb(110, 110, 110)');
    expect(text(inCard(c, '.flag.held'))).to.equal('HELD — course 2 Fire');
    expect(markup(c.shadowRoot?.querySelector('footer'))).to.equal(null);
    expect(inCard<HTMLButtonElement>(c, '[data-line="line-1"]').disabled).to.equal(true);
    // Not LATE however long it is held.
    expect(markup(c.shadowRoot?.querySelector('.tone-word'))).to.equal(null);
  });
});

describe('<hearth-kds-board> actions send ops', () => {
  it('prep: Start sends ticket.transition start', async () => {
    const m = await mount({ tickets: [ticket({ id: 'a' })] });
    await tap(m, inCard(card(m.board, 'ticket:a'), 'footer .start'));
    expect(sent(m)).to.deep.equal([['ticket.transition', { ticketId: 'a', action: 'start' }]]);
  });

  it('prep: Bump marks the ticket ready (done at this station)', async () => {
    const m = await mount({ tickets: [ticket({ id: 'a', status: 'in_progress' })] });
    await tap(m, inCard(card(m.board, 'ticket:a'), 'footer .bump'));
    expect(sent(m)).to.deep.equal([['ticket.transition', { ticketId: 'a', action: 'ready' }]]);
  });

  it('expo: Bump readies the shares not ready yet, then hands every share out', async () => {
    const m = await mount({
      station: EXPO,
      tickets: [
        ticket({ id: 'g', orderId: 'o1', station: 'grill', status: 'ready', readyAt: iso(T0) }),
        ticket({ id: 'f', orderId: 'o1', station: 'fry', status: 'in_progress', firedMs: SEC }),
      ],
    });
    const c = card(m.board, 'order:o1#1');
    expect(markup(c.shadowRoot?.querySelector('footer .start'))).to.equal(null);
    expect(text(inCard(c, '.station[data-status="ready"]'))).to.equal('Grill ✓ ready');
    await tap(m, inCard(c, 'footer .bump'));
    expect(sent(m)).to.deep.equal([
      ['ticket.transition', { ticketId: 'g', action: 'bump' }],
      ['ticket.transition', { ticketId: 'f', action: 'ready' }],
      ['ticket.transition', { ticketId: 'f', action: 'bump' }],
    ]);
  });

  it('a tap on an item marks it done, a tap on a done item reopens it (ticket.markLine)', async () => {
    const m = await mount({
      tickets: [
        ticket({ id: 'a', lines: [{ name: 'Burger' }, { name: 'Fries', readyAt: iso(T0) }] }),
      ],
    });
    const c = card(m.board, 'ticket:a');
    await tap(m, inCard(c, '[data-line="line-1"]'));
    await tap(m, inCard(c, '[data-line="line-2"]'));
    expect(sent(m)).to.deep.equal([
      ['ticket.markLine', { ticketId: 'a', lineId: 'line-1', ready: true }],
      ['ticket.markLine', { ticketId: 'a', lineId: 'line-2', ready: false }],
    ]);
  });

  it('Seen acknowledges the change on every share of the card (ticket.acknowledge)', async () => {
    const m = await mount({
      station: EXPO,
      tickets: [
        ticket({ id: 'g', orderId: 'o1', station: 'grill', attention: 'change' }),
        ticket({ id: 'f', orderId: 'o1', station: 'fry', firedMs: SEC }),
      ],
    });
    await tap(m, inCard(card(m.board, 'order:o1#1'), '.flag.change button'));
    expect(sent(m)).to.deep.equal([
      ['ticket.acknowledge', { ticketId: 'g' }],
      ['ticket.acknowledge', { ticketId: 'f' }],
    ]);
  });

  it('Fire sends order.fireCourse for the held course', async () => {
    const m = await mount({
      tickets: [ticket({ id: 'h', orderId: 'o9', status: 'held', course: 2 })],
    });
    await tap(m, inCard(card(m.board, 'ticket:h'), '.flag.held button'));
    expect(sent(m)).to.deep.equal([['order.fireCourse', { orderId: 'o9', course: 2 }]]);
  });

  it('undo within 5 s brings a prep bump back (ticket.transition recall)', async () => {
    const m = await mount({ tickets: [ticket({ id: 'a', status: 'in_progress' })] });
    await tap(m, inCard(card(m.board, 'ticket:a'), 'footer .bump'));
    await m.advance(UNDO_WINDOW_MS - 1);
    const offer = inBoard(m.board, '.undo');
    expect(text(offer)).to.match(/^Bump #\d{3} — undo for 1 s Undo \(U\)$/);
    press('U');
    await m.settle();
    expect(sent(m)).to.deep.equal([
      ['ticket.transition', { ticketId: 'a', action: 'ready' }],
      ['ticket.transition', { ticketId: 'a', action: 'recall' }],
    ]);
    expect(markup(inBoard(m.board, '.undo'))).to.equal(null);
  });

  it('undo on expo sends ticket.recall for each share handed out', async () => {
    const m = await mount({
      station: EXPO,
      tickets: [
        ticket({ id: 'g', orderId: 'o1', status: 'ready', readyAt: iso(T0) }),
        ticket({ id: 'f', orderId: 'o1', station: 'fry', status: 'ready', readyAt: iso(T0) }),
      ],
    });
    await tap(m, inCard(card(m.board, 'order:o1#1'), 'footer .bump'));
    m.ops.length = 0;
    await tap(m, inBoard(m.board, '.undo button') as HTMLElement);
    expect(sent(m)).to.deep.equal([
      ['ticket.recall', { ticketId: 'f' }],
      ['ticket.recall', { ticketId: 'g' }],
    ]);
  });

  it('prep: bumping a ready ticket that only had a change to see acknowledges it, nothing to undo', async () => {
    const m = await mount({
      tickets: [ticket({ id: 'a', status: 'ready', readyAt: iso(T0), attention: 'change' })],
    });
    await tap(m, inCard(card(m.board, 'ticket:a'), 'footer .bump'));
    expect(sent(m)).to.deep.equal([['ticket.acknowledge', { ticketId: 'a' }]]);
    // Undo must not send the finished ticket back to cooking.
    expect(markup(inBoard(m.board, '.undo'))).to.equal(null);
    press('U');
    await m.settle();
    expect(sent(m)).to.have.length(1);
  });

  it('after 5 s the undo offer is gone and U does nothing', async () => {
    const m = await mount({ tickets: [ticket({ id: 'a', status: 'in_progress' })] });
    await tap(m, inCard(card(m.board, 'ticket:a'), 'footer .bump'));
    expect(inBoard(m.board, '.undo')).to.not.equal(null);
    await m.advance(UNDO_WINDOW_MS + 1);
    expect(markup(inBoard(m.board, '.undo'))).to.equal(null);
    press('U');
    await m.settle();
    expect(m.ops.map((op) => op.payload.action)).to.deep.equal(['ready']);
  });

  it('R recalls the latest bumped ticket; the Bumped list recalls any of them', async () => {
    const m = await mount({
      at: 10 * MIN,
      tickets: [
        ticket({ id: 'old', status: 'ready', readyAt: iso(T0 + 2 * MIN) }),
        ticket({ id: 'new', status: 'ready', readyAt: iso(T0 + 8 * MIN) }),
        ticket({ id: 'cooking', status: 'in_progress' }),
      ],
    });
    press('R');
    await m.settle();
    expect(sent(m)).to.deep.equal([['ticket.transition', { ticketId: 'new', action: 'recall' }]]);

    press('L');
    await m.settle();
    const list = inBoard(m.board, '[aria-label="Recently bumped"]');
    const entries = [...(list?.querySelectorAll<HTMLButtonElement>('button[data-recall]') ?? [])];
    expect(entries.map((b) => b.dataset.recall)).to.deep.equal(['ticket:new', 'ticket:old']);
    expect(text(entries[1])).to.match(/^Recall #\d{3} · Table 4 · 8 min ago — 1 × Burger$/);
    await tap(m, entries[1] as HTMLButtonElement);
    expect(sent(m)[1]).to.deep.equal(['ticket.transition', { ticketId: 'old', action: 'recall' }]);
  });

  it('expo recalls a handed-out order with ticket.recall', async () => {
    const m = await mount({
      station: EXPO,
      at: 10 * MIN,
      tickets: [ticket({ id: 'g', orderId: 'o1', status: 'bumped', bumpedAt: iso(T0 + 9 * MIN) })],
    });
    press('r');
    await m.settle();
    expect(sent(m)).to.deep.equal([['ticket.recall', { ticketId: 'g' }]]);
  });
});

describe('<hearth-kds-board> new tickets flash', () => {
  it('tickets on screen when it opens do not; a new one does until touched', async () => {
    const m = await mount({ tickets: [ticket({ id: 'a' })] });
    expect(card(m.board, 'ticket:a').hasAttribute('fresh')).to.equal(false);
    m.board.tickets = [ticket({ id: 'a' }), ticket({ id: 'b', firedMs: MIN })];
    await m.at(MIN);
    const b = card(m.board, 'ticket:b');
    expect(b.hasAttribute('fresh')).to.equal(true);
    expect(card(m.board, 'ticket:a').hasAttribute('fresh')).to.equal(false);
    // The clock ticking does not make it news again, nor stop the flash.
    await m.at(2 * MIN);
    expect(b.hasAttribute('fresh')).to.equal(true);
    touch(b);
    await m.settle();
    expect(b.hasAttribute('fresh')).to.equal(false);
    expect(b.hasAttribute('selected')).to.equal(true);
  });
});

describe('<hearth-kds-board> a display opening on an empty cache', () => {
  it('does not flash what its first sync brings; a ticket fired since it opened does', async () => {
    const m = await mount({ tickets: [], at: 10 * SEC });
    m.board.openedAt = T0 + 10 * SEC;
    await m.settle();
    // The first sync fills the cache: tickets fired before the display opened are not news.
    m.board.tickets = [ticket({ id: 'a' }), ticket({ id: 'b', firedMs: 5 * SEC })];
    await m.settle();
    expect(cards(m.board).map((c) => c.hasAttribute('fresh'))).to.deep.equal([false, false]);
    m.board.tickets = [...m.board.tickets, ticket({ id: 'c', firedMs: 12 * SEC })];
    await m.at(13 * SEC);
    expect(card(m.board, 'ticket:c').hasAttribute('fresh')).to.equal(true);
    expect(card(m.board, 'ticket:a').hasAttribute('fresh')).to.equal(false);
  });
});

describe('<hearth-kds-board> all day', () => {
  it('S opens and closes the all-day counts', async () => {
    const m = await mount({
      tickets: [
        ticket({ id: 'a', lines: [{ name: 'Burger', quantity: 2 }, { name: 'Fries' }] }),
        ticket({ id: 'b', lines: [{ name: 'Burger', quantity: 3 }] }),
        ticket({ id: 'f', station: 'fry', lines: [{ name: 'Fries', quantity: 9 }] }),
      ],
    });
    expect(markup(inBoard(m.board, '[aria-label="All day"]'))).to.equal(null);
    press('S');
    await m.settle();
    const items = [...(inBoard(m.board, '.all-day')?.querySelectorAll('li') ?? [])].map(text);
    expect(items).to.deep.equal(['5 × Burger', '1 × Fries']);
    press('s');
    await m.settle();
    expect(markup(inBoard(m.board, '[aria-label="All day"]'))).to.equal(null);
  });
});

describe('<hearth-kds-board> keys', () => {
  const twelve = () => manyTickets(12);
  const selectedKey = (m: Mounted) => cards(m.board).find((c) => c.selected)?.card?.key;

  it('arrows move the selection; up and down by a row', async () => {
    const m = await mount({ tickets: twelve() });
    const columns = Number(
      getComputedStyle(inBoard(m.board, '.grid') as Element).gridTemplateColumns.split(' ').length,
    );
    expect(columns).to.be.greaterThan(1);
    expect(selectedKey(m)).to.equal('ticket:t0000');
    press('ArrowRight');
    await m.settle();
    expect(selectedKey(m)).to.equal('ticket:t0001');
    press('ArrowDown');
    await m.settle();
    expect(selectedKey(m)).to.equal(`ticket:t${String(1 + columns).padStart(4, '0')}`);
    press('ArrowUp');
    press('ArrowLeft');
    press('ArrowLeft');
    await m.settle();
    expect(selectedKey(m)).to.equal('ticket:t0000');
    expect(m.ops).to.deep.equal([]);
  });

  it('Enter bumps the selected card, Space starts it', async () => {
    const m = await mount({ tickets: twelve() });
    press('ArrowRight');
    press(' ');
    press('Enter');
    await m.settle();
    expect(sent(m)).to.deep.equal([
      ['ticket.transition', { ticketId: 't0001', action: 'start' }],
      ['ticket.transition', { ticketId: 't0001', action: 'ready' }],
    ]);
  });

  it('digits bump that item of the selected card; one past its items does nothing', async () => {
    const m = await mount({ tickets: twelve() });
    press('2');
    press('3');
    await m.settle();
    expect(sent(m)).to.deep.equal([
      ['ticket.markLine', { ticketId: 't0000', lineId: 'line-2', ready: true }],
    ]);
  });

  it('PgDn and PgUp move a page at a time', async () => {
    const m = await mount({ tickets: manyTickets(20) });
    const size = m.board.kds.pageSize;
    expect(size).to.be.within(2, 19);
    const page = () => cards(m.board).map((c) => c.card?.key);
    expect(page()[0]).to.equal('ticket:t0000');
    press('PageDown');
    await m.settle();
    expect(page()[0]).to.equal(`ticket:t${String(size).padStart(4, '0')}`);
    expect(selectedKey(m)).to.equal(page()[0]);
    expect(inBoard(m.board, '[data-page]')?.getAttribute('data-page')).to.equal('2');
    press('PageUp');
    await m.settle();
    expect(page()[0]).to.equal('ticket:t0000');
    expect(inBoard(m.board, '[data-page]')?.getAttribute('data-page')).to.equal('1');
  });
});

describe('<hearth-kds-board> kiosk', () => {
  it('a long press opens no context menu, and nothing on the board can be selected', async () => {
    const m = await mount({ tickets: [ticket({ id: 'a' })] });
    const target = inCard(card(m.board, 'ticket:a'), '[data-line]');
    const press = new MouseEvent('contextmenu', {
      bubbles: true,
      composed: true,
      cancelable: true,
    });
    target.dispatchEvent(press);
    expect(press.defaultPrevented).to.equal(true);
    expect(getComputedStyle(m.board).userSelect).to.equal('none');
  });
});

describe('<hearth-kds-board> touch targets', () => {
  it('every button on a card and in the bar is at least 48 × 48 px', async () => {
    const m = await mount({
      tickets: [
        ticket({
          id: 'a',
          attention: 'change',
          lines: [
            { name: 'Burger', note: 'nut allergy', modifiers: ['no onion'] },
            { name: 'Salad', voidedAt: iso(T0) },
          ],
        }),
        ticket({
          id: 'a2',
          orderId: 'order-a',
          firedMs: MIN,
          lines: [{ lineId: 'line-3', name: 'Shake' }],
        }),
        ticket({ id: 'h', status: 'held', course: 2, firedMs: SEC }),
        ticket({ id: 'r', status: 'ready', readyAt: iso(T0), firedMs: 2 * SEC }),
      ],
      at: 3 * MIN,
    });
    await tap(m, inCard(card(m.board, 'ticket:a'), 'footer .bump'));
    const buttons: HTMLElement[] = [
      ...(m.board.shadowRoot?.querySelectorAll<HTMLElement>('.bar button, .undo button') ?? []),
      ...cards(m.board).flatMap((c) => [
        ...(c.shadowRoot?.querySelectorAll<HTMLElement>('button') ?? []),
      ]),
    ];
    // Bar (6), undo (1), change card (Seen, 3 lines, Start, Bump), held card (Fire, 1 line).
    expect(buttons.length).to.be.at.least(15);
    const small = buttons
      .map((b) => ({ b, r: b.getBoundingClientRect() }))
      .filter(({ r }) => r.width < 48 || r.height < 48)
      .map(({ b, r }) => `${text(b) || b.getAttribute('aria-label')}: ${r.width}×${r.height}`);
    expect(small).to.deep.equal([]);
  });
});

describe('<hearth-kds-board> layout', () => {
  it('without a status line the cards still fill the board (and no resize loop)', async () => {
    const m = await mount({ tickets: manyTickets(12) });
    const grid = inBoard(m.board, '.grid') as HTMLElement;
    const side = inBoard(m.board, '.side') as HTMLElement;
    // The board is 784 px tall: the cards take what the bar leaves, the empty side panel none.
    expect(grid.getBoundingClientRect().height).to.be.greaterThan(600);
    expect(side.getBoundingClientRect().height).to.equal(0);
    expect(m.board.kds.pageSize).to.equal(8);
  });

  it('the page size follows the screen after the first tickets reach an empty board', async () => {
    const status = kdsStatusOf(view({ lastSyncAt: 1 }), 2, 0);
    const m = await mount({ tickets: [], status });
    expect(text(inBoard(m.board, '.grid'))).to.equal('No open tickets');
    m.board.tickets = manyTickets(12);
    await m.settle();
    expect(m.board.kds.pageSize).to.equal(8);
    (m.board.parentElement as HTMLElement).style.width = '700px';
    await m.settle();
    // 684 px wide: two columns of cards; as many rows as the grid's height holds.
    const grid = (inBoard(m.board, '.grid') as HTMLElement).getBoundingClientRect();
    const { columns, rows } = gridFor(grid.width, grid.height);
    expect(columns).to.equal(2);
    expect(m.board.kds.pageSize).to.equal(columns * rows);
    expect(cards(m.board).length).to.equal(columns * rows);
  });
});

describe('<hearth-kds-board> a thousand tickets', () => {
  it('renders one page of cards, and paging reaches the last', async () => {
    const m = await mount({ tickets: manyTickets(1000) });
    const size = m.board.kds.pageSize;
    expect(cards(m.board).length).to.equal(size);
    expect(size).to.be.lessThan(20);
    expect(text(inBoard(m.board, '.bar h2'))).to.contain('1000 open');
    const pages = Math.ceil(1000 / size);
    for (let i = 0; i < pages + 2; i++) press('PageDown');
    await m.settle();
    const last = cards(m.board);
    expect(last.length).to.equal(1000 - (pages - 1) * size);
    expect(last.at(-1)?.card?.key).to.equal('ticket:t0999');
    expect(text(inBoard(m.board, '[data-page]'))).to.equal(`${pages}/${pages}`);
    expect((inBoard(m.board, '[aria-label="Next page"]') as HTMLButtonElement).disabled).to.equal(
      true,
    );
  });
});

describe('<hearth-kds-board> status line', () => {
  const NOW = 5_000_000;
  const status = (v: Parameters<typeof view>[0], now = NOW) =>
    kdsStatusOf(view(v), now, NOW - 60_000, () => '19:42');

  const rows: [string, Parameters<typeof view>[0], string][] = [
    [
      'relay',
      { mode: 'connected', target: 'relay', lastSyncAt: NOW - 1_000 },
      'Live via the venue relay',
    ],
    [
      'cloud',
      { mode: 'connected', target: 'cloud', lastSyncAt: NOW - 1_000 },
      'Live via the cloud',
    ],
    [
      'offline',
      { mode: 'offline', target: null, lastSyncAt: NOW - 1_000 },
      'Cached copy — last update 19:42',
    ],
  ];
  for (const [name, v, headline] of rows) {
    it(`${name}: “${headline}”, no alarm`, async () => {
      const m = await mount({ tickets: [ticket({ id: 'a' })], status: status(v) });
      const line = inBoard(m.board, '.status');
      expect(line?.getAttribute('role')).to.equal('status');
      expect(text(line?.querySelector('.headline'))).to.equal(headline);
      expect(markup(line?.querySelector('[role="alert"]'))).to.equal(null);
    });
  }

  it('30 s without a word: the alarm, as an alert', async () => {
    const heard = NOW - 30_000;
    const m = await mount({
      tickets: [ticket({ id: 'a' })],
      status: status({ mode: 'offline', target: null, lastSyncAt: heard, outboxDepth: 2 }),
    });
    const line = inBoard(m.board, '.status');
    expect(line?.dataset.tone).to.equal('alarm');
    expect(text(line)).to.contain('2 actions of this screen waiting to send');
    expect(text(line?.querySelector('[role="alert"]'))).to.equal(
      'NO UPDATES for 30 s (since 19:42) — new orders may not be showing. Check the network.',
    );
    m.board.status = status({ mode: 'offline', target: null, lastSyncAt: heard + 1 });
    await m.settle();
    expect(markup(line?.querySelector('[role="alert"]'))).to.equal(null);
  });
});
