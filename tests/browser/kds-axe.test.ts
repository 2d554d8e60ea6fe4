import { expect } from '@esm-bundle/chai';
// axe-core is a UMD script: imported for its side effect, it sets `window.axe`.
import 'axe-core';
import type { AxeResults, RunOptions } from 'axe-core';
import type { Ticket } from '#protocol';
import { type KdsStatus, kdsStatusOf } from '../../web/kitchen/kds-status.ts';
import { iso, MIN, manyTickets, SEC, T0, ticket, view } from '../web/kds-fixtures.ts';
import { card, inCard, type MountOptions, mount, press, tap, unmountAll } from './kds-support.ts';

// The kitchen display checked by axe-core in each state a cook meets: empty, busy, a thousand
// tickets; live, cached, alarmed; a card with every flag; the side panels open. The board's own
// styles set its colours; the frame around it carries the page's dark theme (kitchen.css).
// No serious or critical violation may stand.

interface Axe {
  run(context: Element, options?: RunOptions): Promise<AxeResults>;
}
const axe = (window as unknown as { axe: Axe }).axe;

const OPTIONS: RunOptions = {
  runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
  resultTypes: ['violations'],
};

async function serious(root: Element): Promise<string[]> {
  const results = await axe.run(root, OPTIONS);
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help}\n${v.nodes
          .slice(0, 5)
          .map((n) => `  ${JSON.stringify(n.target)} ${n.failureSummary ?? ''}`)
          .join('\n')}`,
    );
}

async function check(
  options: MountOptions,
  before?: (m: Awaited<ReturnType<typeof mount>>) => Promise<void>,
) {
  const m = await mount(options);
  await before?.(m);
  const found = await serious(m.board.parentElement as HTMLElement);
  expect(found, found.join('\n\n')).to.deep.equal([]);
  return m;
}

const NOW = 5_000_000;
const statusOf = (v: Parameters<typeof view>[0], now = NOW): KdsStatus =>
  kdsStatusOf(view(v), now, NOW - 60_000, () => '19:42');
const RELAY = statusOf({
  mode: 'connected',
  target: 'relay',
  lastSyncAt: NOW - 1_000,
  outboxDepth: 2,
});
const CLOUD = statusOf({ mode: 'connected', target: 'cloud', lastSyncAt: NOW - 1_000 });
const CACHED = statusOf({ mode: 'offline', target: null, lastSyncAt: NOW - 10_000, failedOps: 1 });
const ALARM = statusOf({ mode: 'offline', target: null, lastSyncAt: NOW - 45_000 });

/** One of each: VOID, CHANGED with a struck line, HELD, an add-on, an allergy note, late, ready. */
const FLAGGED: Ticket[] = [
  ticket({ id: 'void', orderId: 'o-void', voidedAt: iso(T0 + MIN), attention: 'void' }),
  ticket({
    id: 'change',
    orderId: 'o-change',
    attention: 'change',
    firedMs: SEC,
    lines: [
      { name: 'Burger', note: 'peanut allergy', modifiers: ['no bun', 'well done'] },
      { name: 'Salad', voidedAt: iso(T0 + MIN) },
      { name: 'Fries', readyAt: iso(T0 + MIN) },
    ],
  }),
  ticket({
    id: 'change-addon',
    orderId: 'o-change',
    firedMs: 2 * MIN,
    lines: [{ lineId: 'line-9', name: 'Shake', note: 'extra thick' }],
  }),
  ticket({ id: 'held', orderId: 'o-held', status: 'held', course: 2, firedMs: 2 * SEC }),
  ticket({
    id: 'late',
    orderId: 'o-late',
    status: 'in_progress',
    startedAt: iso(T0 + MIN),
    firedMs: 3 * SEC,
    server: 'Ana',
    covers: 4,
  }),
  ticket({ id: 'fry', orderId: 'o-late', station: 'fry', firedMs: 3 * SEC }),
  ticket({
    id: 'ready',
    orderId: 'o-ready',
    status: 'ready',
    readyAt: iso(T0 + 5 * MIN),
    attention: 'change',
  }),
];

afterEach(unmountAll);

describe('<hearth-kds-board> accessibility (axe-core)', function () {
  // axe over a board of cards takes a few hundred ms; well within the suite's timeout.
  this.timeout(10_000);

  it('axe is loaded and finds low contrast inside the board’s shadow DOM (the check can fail)', async () => {
    expect(typeof axe?.run).to.equal('function');
    const m = await mount({ tickets: manyTickets(1) });
    const faint = document.createElement('p');
    faint.textContent = 'faint';
    faint.setAttribute('style', 'color:#3a3a3a;background:#1d1d1d;margin:0');
    m.board.shadowRoot?.querySelector('.side')?.append(faint);
    const found = await serious(m.board.parentElement as HTMLElement);
    expect(found.map((f) => f.split(' ')[0])).to.deep.equal(['color-contrast']);
  });

  it('no tickets, live via the relay', async () => {
    await check({ tickets: [], status: RELAY });
  });

  it('12 tickets, live via the cloud, one started and one selected', async () => {
    await check({ tickets: manyTickets(12), status: CLOUD, at: 6 * MIN }, async (m) => {
      press('ArrowRight');
      await m.settle();
    });
  });

  it('1,000 tickets, cached copy', async () => {
    await check({ tickets: manyTickets(1000), status: CACHED, at: 20 * MIN });
  });

  it('the silence alarm', async () => {
    await check({ tickets: manyTickets(3), status: ALARM });
  });

  it('cards with VOID, CHANGED, HELD, ADD-ON, allergy, late and ready', async () => {
    await check({ tickets: FLAGGED, status: RELAY, at: 12 * MIN }, async (m) => {
      // The add-on arrives after the screen opened: unseen, highlighted.
      expect(card(m.board, 'ticket:change').card?.attention).to.equal('change');
      expect(inCard(card(m.board, 'ticket:late'), 'article').dataset.tone).to.equal('late');
    });
  });

  it('expo: shares ready and not, a new ticket flashing', async () => {
    await check(
      { station: { kind: 'expo' }, tickets: FLAGGED.slice(0, 4), status: RELAY, at: 4 * MIN },
      async (m) => {
        m.board.tickets = [
          ...FLAGGED,
          ticket({ id: 'new', orderId: 'o-new', station: 'cold', firedMs: 4 * MIN }),
        ];
        await m.settle();
        expect(card(m.board, 'order:o-new#1').hasAttribute('fresh')).to.equal(true);
      },
    );
  });

  it('all-day and recently bumped panels open, the undo offer showing', async () => {
    const tickets = [
      ...manyTickets(6),
      ticket({ id: 'r1', status: 'ready', readyAt: iso(T0 + 2 * MIN) }),
      ticket({ id: 'r2', status: 'ready', readyAt: iso(T0 + 3 * MIN) }),
    ];
    await check({ tickets, status: CLOUD, at: 5 * MIN }, async (m) => {
      press('S');
      press('L');
      await m.settle();
      await tap(m, inCard(card(m.board, 'ticket:t0000'), 'footer .bump'));
      const root = m.board.shadowRoot;
      expect(root?.querySelector('[aria-label="All day"]')).to.not.equal(null);
      expect(root?.querySelectorAll('[aria-label="Recently bumped"] button').length).to.equal(2);
      expect(root?.querySelector('.undo')).to.not.equal(null);
    });
  });
});
