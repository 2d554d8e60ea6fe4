import { expect } from '@esm-bundle/chai';
import type { FloorPage } from '../../web/floor/floor-page.ts';
import { waitFor } from '../support/wait-for.ts';
import { DECLINED_ID, orderOf, paymentOf, STORED_ID } from '../web/payments-fixtures.ts';
import {
  deep,
  type FloorWorld,
  floorWorld,
  mountFloor,
  typePin,
  unmountFloorPage,
} from './floor-page-support.ts';
import { clean } from './floor-support.ts';

// The floor page with payments in its local view: a manager's Payments tab and the Sync tab's
// count of payments to follow up, the inbox's "Open the check" landing on the table; a server
// sees neither the tab nor the buttons.

const text = (el: Element | null): string =>
  (el?.shadowRoot ?? el)?.textContent?.replace(/\s+/g, ' ').trim() ?? '';

function world(): FloorWorld {
  const w = floorWorld();
  const hourAgo = new Date(Date.now() - 60 * 60_000).toISOString();
  w.entities = {
    ...w.entities,
    order: [orderOf('order-2', 'table-2', 2_500, { status: 'sent', closedAt: null, paid: 0 })],
    payment: [
      paymentOf(DECLINED_ID, 'order-2', 'table-2', 2_500, {
        status: 'declined_later',
        offline: true,
        declineCode: 'do_not_honor',
        takenAt: hourAgo,
        settledAt: hourAgo,
        task: 'open',
      }),
      paymentOf(STORED_ID, 'order-3', 'table-3', 1_500, {
        status: 'stored',
        offline: true,
        takenAt: hourAgo,
      }),
    ],
  };
  return w;
}

async function signedIn(w: FloorWorld, pin: string): Promise<FloorPage> {
  const page = mountFloor(w);
  await typePin(page, pin);
  await waitFor('signed in', () => deep(page, '[data-signed-in]'));
  return page;
}

const tab = (page: FloorPage, view: string) =>
  page.shadowRoot?.querySelector<HTMLButtonElement>(`nav [data-view="${view}"]`) ?? null;

describe('<hearth-floor-page>: payments', () => {
  afterEach(unmountFloorPage);

  it('a manager has a Payments tab, lazily loaded, and the Sync tab counts the payment to follow up', async () => {
    const page = await signedIn(world(), '3333');
    const sync = await waitFor('the sync tab', () => tab(page, 'sync'));
    expect(text(sync.querySelector('.count'))).to.equal('1');
    tab(page, 'payments')?.click();
    const view = await waitFor('the payments view', () =>
      deep(page, `hearth-floor-payments >> [data-stored="${STORED_ID}"]`),
    );
    expect(text(view)).to.contain('Table 3');
    expect(location.hash).to.equal('#payments');
    await clean(page);
  });

  it('the inbox’s Open the check opens the table whose card was declined', async () => {
    const page = await signedIn(world(), '3333');
    tab(page, 'sync')?.click();
    const open = await waitFor('the task', () =>
      deep<HTMLButtonElement>(
        page,
        'hearth-floor-sync >> hearth-failed-ops >> [data-action="open-check"]',
      ),
    );
    expect(
      text(deep(page, `hearth-floor-sync >> hearth-failed-ops >> [data-task="${DECLINED_ID}"]`)),
    ).to.contain('the card’s bank declined it');
    open.click();
    await waitFor('the table', () => location.hash === '#table/table-2');
    await waitFor('the order pad', () => deep(page, 'hearth-order-pad'));
  });

  it('a server has no Payments tab and reads the task without buttons', async () => {
    const page = await signedIn(world(), '1111');
    await waitFor('the tabs', () => tab(page, 'sync'));
    expect(tab(page, 'payments')).to.equal(null);
    expect(text(tab(page, 'sync')?.querySelector('.count') ?? null)).to.equal('');
    tab(page, 'sync')?.click();
    const line = await waitFor('the task line', () =>
      deep(page, `hearth-floor-sync >> hearth-failed-ops >> [data-task="${DECLINED_ID}"]`),
    );
    expect(text(line)).to.contain('A manager follows it up');
    expect(line.querySelector('button')).to.equal(null);
  });
});
