import { expect } from '@esm-bundle/chai';
import { sendKeys, setViewport } from '@web/test-runner-commands';
import type { Order, ServiceRequest, Table, TeamSection, Ticket } from '#protocol';
import '../../web/floor/floor-plan.ts';
import {
  ATTENTION_BACKGROUND,
  type FloorPlan,
  STATE_COLOURS,
  TILE_BACKGROUND,
} from '../../web/floor/floor-plan.ts';
import { FLOOR_TICK_MS } from '../../web/floor/minute-clock.ts';
import { MIN, order, request, section, T0, table, ticket } from '../web/floor-fixtures.ts';
import { HandTime, serious, text } from './guest-support.ts';

// The floor plan in Chromium: tiles by section, each state in words, colour and icon from the
// entities, tap and Enter open the table, the seated minutes follow the clock, "My section".

interface MountOptions {
  readonly tables?: readonly Table[];
  readonly orders?: readonly Order[];
  readonly tickets?: readonly Ticket[];
  readonly requests?: readonly ServiceRequest[];
  readonly sections?: readonly TeamSection[];
  readonly approval?: boolean;
  readonly sectionId?: string | null;
  readonly width?: number;
  /** Device time, ms after T0. */
  readonly at?: number;
}

const mounted: HTMLElement[] = [];

async function mount(options: MountOptions = {}) {
  const time = new HandTime(T0 + (options.at ?? 0));
  const frame = document.createElement('div');
  frame.setAttribute('style', `width:${options.width ?? 1280}px;font-size:16px;`);
  const plan = document.createElement('hearth-floor-plan');
  plan.tables = options.tables ?? [];
  plan.orders = options.orders ?? [];
  plan.tickets = options.tickets ?? [];
  plan.requests = options.requests ?? [];
  plan.sections = options.sections ?? [];
  plan.approval = options.approval ?? false;
  plan.sectionId = options.sectionId ?? null;
  plan.clock = time.clock;
  plan.timers = time.timers;
  frame.append(plan);
  document.body.append(frame);
  mounted.push(frame);
  await plan.updateComplete;
  return { plan, time };
}

const tile = (plan: FloorPlan, tableId: string): HTMLButtonElement => {
  const found = plan.shadowRoot?.querySelector<HTMLButtonElement>(`[data-table="${tableId}"]`);
  if (!found) throw new Error(`no tile for ${tableId}`);
  return found;
};
const groups = (plan: FloorPlan) =>
  [...(plan.shadowRoot?.querySelectorAll('section') ?? [])].map((s) => [
    text(s.querySelector('h2')),
    [...s.querySelectorAll<HTMLElement>('.tile .label')].map((l) => text(l)),
  ]);

const summary = (plan: FloorPlan) =>
  [...(plan.shadowRoot?.querySelectorAll('.summary li') ?? [])].map((li) => text(li));

afterEach(() => {
  for (const frame of mounted.splice(0)) frame.remove();
});

// One table per state, all in one dining room.
const TABLES = ['1', '2', '3', '4', '5', '6', '7', '8', '10', 'Bar 1'].map((l) => table(l, 4));
const SECTIONS = [
  section('s-window', 'Window', ['table-1', 'table-2', 'table-10']),
  section('s-back', 'Back room', ['table-3', 'table-4', 'table-5', 'table-6', 'table-7']),
];
const ORDERS = [
  order({ id: 'o2', tableId: 'table-2', guestCount: 3, at: -42 * MIN }),
  order({ id: 'o3', tableId: 'table-3', lines: [{ sent: true }] }),
  order({ id: 'o4', tableId: 'table-4', lines: [{ sent: true }] }),
  order({ id: 'o5', tableId: 'table-5', lines: [{ sent: true }] }),
  order({ id: 'o6', tableId: 'table-6', source: 'guest', lines: [{}] }),
  order({ id: 'o7', tableId: 'table-7', guestCount: 1 }),
];
const TICKETS = [ticket('t3', 'o3', 'in_progress'), ticket('t4', 'o4', 'bumped')];
const REQUESTS = [
  request('r5', 'table-5', 'bill'),
  request('r7', 'table-7', 'call_waiter'),
  request('r8', 'table-8', 'water'),
];
const ALL: MountOptions = {
  tables: TABLES,
  orders: ORDERS,
  tickets: TICKETS,
  requests: REQUESTS,
  sections: SECTIONS,
  approval: true,
};

describe('<hearth-floor-plan>', () => {
  it('groups the tiles by section, sections by name, labels in number order, the rest under Other', async () => {
    const { plan } = await mount(ALL);
    expect(groups(plan)).to.deep.equal([
      ['Back room', ['Table 3', 'Table 4', 'Table 5', 'Table 6', 'Table 7']],
      ['Window', ['Table 1', 'Table 2', 'Table 10']],
      ['Other', ['Table 8', 'Table Bar 1']],
    ]);
  });

  it('says each state in words, with its colour and its own icon', async () => {
    const { plan } = await mount(ALL);
    const expected: [string, string, string][] = [
      ['table-1', 'free', 'Free'],
      ['table-2', 'seated', 'Seated'],
      ['table-3', 'ordered', 'Ordered'],
      ['table-4', 'food_out', 'Food out'],
      ['table-5', 'bill', 'Bill asked'],
      ['table-6', 'attention', 'Needs attention'],
      ['table-7', 'attention', 'Needs attention'],
      ['table-8', 'free', 'Free'],
    ];
    const icons = new Map<string, string>();
    for (const [id, state, words] of expected) {
      const t = tile(plan, id);
      expect(t.dataset.state, id).to.equal(state);
      const stateEl = t.querySelector('.state') as HTMLElement;
      expect(text(stateEl), id).to.equal(words);
      expect(getComputedStyle(stateEl).color, id).to.equal(
        STATE_COLOURS[state as keyof typeof STATE_COLOURS],
      );
      expect(getComputedStyle(t).borderInlineStartColor, id).to.equal(
        STATE_COLOURS[state as keyof typeof STATE_COLOURS],
      );
      icons.set(state, stateEl.querySelector('svg')?.innerHTML ?? '');
    }
    // Six states, six different shapes.
    expect(new Set(icons.values()).size).to.equal(6);
    expect(getComputedStyle(tile(plan, 'table-1')).backgroundColor).to.equal(TILE_BACKGROUND);
    expect(getComputedStyle(tile(plan, 'table-7')).backgroundColor).to.equal(ATTENTION_BACKGROUND);
  });

  it('badges the waiting request and the guest order to approve; free tables show their seats', async () => {
    const { plan } = await mount(ALL);
    expect(text(tile(plan, 'table-7').querySelector('.badges'))).to.equal('Waiter called');
    expect(text(tile(plan, 'table-5').querySelector('.badges'))).to.equal('Bill');
    expect(text(tile(plan, 'table-8').querySelector('.badges'))).to.equal('Water');
    expect(text(tile(plan, 'table-6').querySelector('.badges'))).to.equal('Guest order to approve');
    expect(tile(plan, 'table-2').querySelector('.badges')).to.equal(null);
    expect(text(tile(plan, 'table-1').querySelector('[data-meta]'))).to.equal('4 seats');
    expect(text(tile(plan, 'table-7').querySelector('[data-meta]'))).to.equal('0 min · 1 cover');
  });

  it('the summary counts the tables in each state', async () => {
    const { plan } = await mount(ALL);
    expect(summary(plan)).to.deep.equal([
      'Needs attention: 2',
      'Bill asked: 1',
      'Food out: 1',
      'Ordered: 1',
      'Seated: 1',
      'Free: 4',
    ]);
  });

  it('a tap, Enter or Space on a tile fires hearth-open-table with its id', async () => {
    const { plan } = await mount(ALL);
    const opened: string[] = [];
    document.body.addEventListener('hearth-open-table', (e) =>
      opened.push((e as CustomEvent<string>).detail),
    );
    tile(plan, 'table-3').click();
    const five = tile(plan, 'table-5');
    five.focus();
    expect(plan.shadowRoot?.activeElement).to.equal(five);
    // A button turns Enter and Space into a click; the keys are sent as a keyboard would.
    await sendKeys({ press: 'Enter' });
    tile(plan, 'table-10').focus();
    await sendKeys({ press: 'Space' });
    expect(opened).to.deep.equal(['table-3', 'table-5', 'table-10']);
  });

  it('seated minutes move with the clock', async () => {
    const { plan, time } = await mount({ ...ALL, at: 0 });
    const meta = () => text(tile(plan, 'table-2').querySelector('[data-meta]'));
    expect(meta()).to.equal('42 min · 3 covers');
    expect(time.running).to.equal(1);
    time.now += 30 * MIN;
    time.advance(FLOOR_TICK_MS);
    await plan.updateComplete;
    expect(meta()).to.equal('1 h 12 min · 3 covers');
  });

  it('new entities change a tile: the bill asked, then the table free again', async () => {
    const { plan } = await mount(ALL);
    plan.requests = [...REQUESTS, request('r4', 'table-4', 'bill')];
    await plan.updateComplete;
    expect(tile(plan, 'table-4').dataset.state).to.equal('bill');
    plan.orders = ORDERS.map((o) => (o.id === 'o4' ? { ...o, status: 'closed' as const } : o));
    plan.requests = REQUESTS;
    await plan.updateComplete;
    expect(tile(plan, 'table-4').dataset.state).to.equal('free');
  });

  it('"My section" shows the server’s tables only, and all again', async () => {
    const { plan } = await mount({ ...ALL, sectionId: 's-window' });
    const filter = plan.shadowRoot?.querySelector<HTMLButtonElement>('.filter');
    expect(text(filter)).to.equal('My section: Window');
    expect(filter?.getAttribute('aria-pressed')).to.equal('false');
    filter?.click();
    await plan.updateComplete;
    expect(filter?.getAttribute('aria-pressed')).to.equal('true');
    expect(groups(plan)).to.deep.equal([['Window', ['Table 1', 'Table 2', 'Table 10']]]);
    expect(summary(plan)).to.deep.equal(['Seated: 1', 'Free: 2']);
    filter?.click();
    await plan.updateComplete;
    expect(groups(plan).length).to.equal(3);
  });

  it('no "My section" without a section, or for a section the venue no longer has', async () => {
    for (const sectionId of [null, 's-gone']) {
      const { plan } = await mount({ ...ALL, sectionId });
      expect(plan.shadowRoot?.querySelector('.filter')).to.equal(null);
      plan.remove();
    }
  });

  it('no tables yet says so', async () => {
    const { plan } = await mount({});
    expect(text(plan.shadowRoot?.querySelector('.muted'))).to.contain(
      'No tables on this device yet',
    );
  });

  it('stops its timer when taken off the page', async () => {
    const { plan, time } = await mount(ALL);
    plan.remove();
    expect(time.running).to.equal(0);
  });

  it('axe sees into the plan’s shadow DOM (the contrast check can fail)', async () => {
    const { plan } = await mount(ALL);
    const faint = document.createElement('span');
    faint.textContent = 'faint';
    faint.setAttribute('style', 'color:#3a3a3a');
    tile(plan, 'table-1').append(faint);
    const found = await serious(plan.parentElement as HTMLElement);
    expect(found.map((f) => f.split(' ')[0])).to.deep.equal(['color-contrast']);
  });

  for (const [name, width, height] of [
    ['a tablet, 1280×800', 1280, 800],
    ['a phone, 390×844', 390, 844],
  ] as const) {
    it(`on ${name}: every target at least 44 px, no serious axe finding`, async () => {
      await setViewport({ width, height });
      const { plan } = await mount({ ...ALL, sectionId: 's-window', width, at: 5 * MIN });
      expect(plan.getBoundingClientRect().width).to.be.at.most(width);
      const targets = [...(plan.shadowRoot?.querySelectorAll('button') ?? [])];
      expect(targets.length).to.equal(TABLES.length + 1);
      for (const b of targets) {
        const box = b.getBoundingClientRect();
        expect(box.width, b.textContent ?? '').to.be.at.least(44);
        expect(box.height, b.textContent ?? '').to.be.at.least(44);
      }
      expect(await serious(plan.parentElement as HTMLElement)).to.deep.equal([]);
      // The phone shows two tiles a row, the tablet more.
      const tops = new Set(
        targets.slice(1, 6).map((b) => Math.round(b.getBoundingClientRect().top)),
      );
      expect(tops.size).to.equal(width === 390 ? 3 : 1);
    });
  }
});
