import { expect } from '@esm-bundle/chai';
import type { FloorPage } from '../../web/floor/floor-page.ts';
import { waitFor } from '../support/wait-for.ts';
import { order } from '../web/floor-fixtures.ts';
import { entry, eveningReport, rejected } from '../web/resilience-fixtures.ts';
import {
  deep,
  type FloorWorld,
  floorWorld,
  MIA,
  mountFloor,
  queuedBy,
  SAM,
  typePin,
  unmountFloorPage,
} from './floor-page-support.ts';
import { clean } from './floor-support.ts';

// The floor app as a server and a manager use it: the PIN pad, the floor plan, a table's
// order pad, the views by role, and a shared tablet changing hands with ops still queued.

/** What a person reads in an element: its text, or its shadow root's for a panel. */
const text = (el: Element | null): string =>
  (el?.shadowRoot ?? el)?.textContent?.replace(/\s+/g, ' ').trim() ?? '';

async function signedIn(w: FloorWorld, pin: string, width?: number): Promise<FloorPage> {
  const page = mountFloor(w, width);
  await typePin(page, pin);
  await waitFor('signed in', () => deep(page, '[data-signed-in]'));
  return page;
}

const views = (page: FloorPage) =>
  [...(page.shadowRoot?.querySelectorAll('nav [data-view]') ?? [])].map((b) =>
    b.getAttribute('data-view'),
  );

describe('<hearth-floor-page>', () => {
  afterEach(unmountFloorPage);

  it('signs a server in by PIN and shows the floor plan, with no manager views', async () => {
    const w = floorWorld();
    const page = mountFloor(w);
    await waitFor('the PIN pad', () => deep(page, 'hearth-pin-pad'));
    await clean(page);
    await typePin(page, '1111');
    const who = await waitFor('signed in', () => deep(page, '[data-signed-in]'));
    expect(text(who)).to.equal('Sam · server');
    await waitFor('the tiles', () => deep(page, 'hearth-floor-plan >> [data-table]'));
    expect(views(page)).to.deep.equal(['floor', 'requests', 'kitchen', 'menu', 'sync', 'drawer']);
    await clean(page);
  });

  it('refuses a wrong PIN in words and stays on the pad', async () => {
    const page = mountFloor(floorWorld());
    await typePin(page, '9999');
    await waitFor('the refusal', () =>
      /Wrong PIN/.test(text(deep(page, 'hearth-pin-pad >> [data-status]'))),
    );
    expect(deep(page, '[data-signed-in]')).to.equal(null);
  });

  it('opens a table from the plan and sends its order: create, then send to the kitchen', async () => {
    const w = floorWorld();
    const page = await signedIn(w, '1111');
    (
      await waitFor('table 2', () =>
        deep<HTMLElement>(page, 'hearth-floor-plan >> [data-table="table-2"]'),
      )
    ).click();
    expect(location.hash).to.equal('#table/table-2');
    const dish = await waitFor('a dish', () =>
      deep<HTMLButtonElement>(page, 'hearth-order-pad >> button.dish:not([disabled])'),
    );
    // A dish without choices goes straight to the draft.
    const plain = [...(dish.parentElement?.parentElement?.querySelectorAll('button.dish') ?? [])]
      .filter((b) => !/choices/.test(b.textContent ?? ''))
      .at(0) as HTMLButtonElement;
    // The pad's rules load just after it paints: a tap before then says so and adds nothing.
    (
      await waitFor('the draft line', () => {
        plain.click();
        return deep<HTMLElement>(page, 'hearth-order-pad >> [data-action="send-all"]');
      })
    ).click();
    await waitFor('the op', () => w.ops.length === 1);
    expect(w.ops.map((op) => [op.type, 'send' in op.payload && op.payload.send])).to.deep.equal([
      ['order.create', {}],
    ]);
    expect(w.ops[0]?.payload).to.include({ tableId: 'table-2' });
    await clean(page);
    // Back to the floor by the button a server's thumb finds.
    const back = [...(page.shadowRoot?.querySelectorAll('.table-head button') ?? [])].find((b) =>
      /Floor/.test(b.textContent ?? ''),
    ) as HTMLButtonElement;
    back.click();
    await waitFor('the plan again', () => deep(page, 'hearth-floor-plan'));
    expect(location.hash).to.equal('#floor');
  });

  it('counts calls waiting on the Requests tab and shows them there', async () => {
    const w = floorWorld();
    w.entities = {
      ...w.entities,
      serviceRequest: [
        {
          id: 'request-1',
          tableId: 'table-3',
          kind: 'call_waiter',
          note: null,
          status: 'open',
          createdAt: new Date(Date.now() - 4 * 60_000).toISOString(),
          acknowledgedBy: null,
          acknowledgedAt: null,
          resolvedAt: null,
          version: 1,
        } as never,
      ],
    };
    const page = await signedIn(w, '1111');
    const tab = await waitFor('requests tab', () =>
      page.shadowRoot?.querySelector<HTMLButtonElement>('nav [data-view="requests"]'),
    );
    expect(text(tab.querySelector('.count'))).to.equal('1');
    tab.click();
    await waitFor('the call listed', () =>
      /Waiter called/.test(text(deep(page, 'hearth-service-requests'))),
    );
    expect(tab.getAttribute('aria-current')).to.equal('page');
    await clean(page);
  });

  it('hands the tablet to a manager: Sam’s queued ops wait for Sam, and the manager may discard them', async () => {
    const w = floorWorld();
    const page = await signedIn(w, '1111');
    (deep(page, '[data-action="switch"]') as HTMLButtonElement).click();
    await waitFor('the pad for switching', () =>
      /Switch from Sam/.test(text(deep(page, 'hearth-pin-pad'))),
    );
    // Sam made two changes the outbox still holds when Mia takes over.
    w.outbox = [queuedBy(SAM.id, 1), queuedBy(SAM.id, 2)];
    await typePin(page, '3333');
    await waitFor('Mia signed in', () => text(deep(page, '[data-signed-in]')) === 'Mia · manager');
    expect(views(page)).to.include.members(['team', 'qr']);
    const held = await waitFor('held ops', () =>
      /2 changes waiting for Sam/.test(text(deep(page, 'hearth-held-ops')))
        ? deep(page, 'hearth-held-ops')
        : null,
    );
    const discard = () =>
      deep<HTMLButtonElement>(held as HTMLElement, `[data-discard="${SAM.id}"]`);
    (await waitFor('discard', discard)).click();
    // A second tap confirms: nothing goes on the first.
    expect(w.discarded).to.deep.equal([]);
    (await waitFor('confirm', () => (/for good/.test(text(discard())) ? discard() : null))).click();
    await waitFor('discarded', () => w.discarded.length === 1);
    expect(w.discarded[0]).to.have.length(2);
    expect(MIA.role).to.equal('manager');
    await clean(page);
  });

  it('loads a manager’s team view when first shown', async () => {
    const page = await signedIn(floorWorld(), '3333');
    (deep(page, 'nav [data-view="team"]') as HTMLButtonElement).click();
    await waitFor(
      'the team',
      () => customElements.get('hearth-team-admin') && deep(page, 'hearth-team-admin'),
    );
    await waitFor('Sam listed', () => /Sam/.test(text(deep(page, 'hearth-team-admin'))));
    await clean(page);
  });

  it('shows a manager the failed-operations inbox and the venue’s sync report on the Sync view', async () => {
    const w = floorWorld();
    const failed = entry(
      'order.addLines',
      { orderId: 'order-1', lines: [{ lineId: 'line-1', itemId: 'item-x', quantity: 1 }] },
      { status: 'failed', result: rejected('x', 'ITEM_UNAVAILABLE', 'Chips is sold out') },
    );
    w.outbox = [{ ...failed, op: { ...failed.op, actorId: MIA.id } }];
    w.report = eveningReport();
    const page = await signedIn(w, '3333');
    (deep(page, 'nav [data-view="sync"]') as HTMLButtonElement).click();
    const inbox = await waitFor('the inbox', () =>
      /sold out/i.test(text(deep(page, 'hearth-floor-sync >> hearth-failed-ops')))
        ? deep(page, 'hearth-floor-sync >> hearth-failed-ops')
        : null,
    );
    expect(text(inbox)).to.match(/tell the guest/i);
    await waitFor('the report', () =>
      /since/i.test(text(deep(page, 'hearth-floor-sync >> hearth-resilience-view'))),
    );
    await clean(page);
  });

  it('asks a manager’s PIN to void a sent order, then offers the void to the manager', async () => {
    const w = floorWorld();
    w.entities = {
      ...w.entities,
      order: [order({ id: 'order-1', tableId: 'table-1', lines: [{ sent: true }] })],
    };
    const page = await signedIn(w, '1111');
    location.hash = '#table/table-1';
    const ask = await waitFor('the manager button', () =>
      deep<HTMLButtonElement>(page, 'hearth-order-pad >> [data-action="manager"]'),
    );
    expect(deep(page, 'hearth-order-pad >> [data-action="void"]')).to.equal(null);
    ask.click();
    await waitFor('why the PIN', () => /to void this order/.test(text(deep(page, '[data-why]'))));
    await typePin(page, '3333');
    await waitFor('Mia signed in', () => text(deep(page, '[data-signed-in]')) === 'Mia · manager');
    // Back on the same table, now with the void and its reason.
    const reason = await waitFor('the reason', () =>
      deep<HTMLInputElement>(page, 'hearth-order-pad >> #void-reason'),
    );
    reason.value = 'Guest left before the food';
    reason.dispatchEvent(new InputEvent('input'));
    deep<HTMLButtonElement>(page, 'hearth-order-pad >> [data-action="void"]')?.click();
    await waitFor('the void sent', () => w.ops.some((op) => op.type === 'order.void'));
    expect(w.ops.find((op) => op.type === 'order.void')?.payload).to.include({
      orderId: 'order-1',
      reason: 'Guest left before the food',
    });
  });
});
