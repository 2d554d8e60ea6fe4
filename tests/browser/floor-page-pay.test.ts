import { expect } from '@esm-bundle/chai';
import { resolveScopes } from '#protocol/feed/scope-rules.ts';
import type { FloorPage } from '../../web/floor/floor-page.ts';
import { waitFor } from '../support/wait-for.ts';
import { check, drawer, payment } from '../web/pay-fixtures.ts';
import {
  deep,
  type FloorWorld,
  floorWorld,
  mountFloor,
  typePin,
  unmountFloorPage,
} from './floor-page-support.ts';
import { clean } from './floor-support.ts';

// The floor page paying a check and keeping the drawer: the pay panel in a table's pad reads
// the local view's payments and drawers (scope payment), cash goes out as an op, a card over
// the offline limit hands the tablet to a manager and back to the same check; the Drawer view.

const text = (el: Element | null): string =>
  (el?.shadowRoot ?? el)?.textContent?.replace(/\s+/g, ' ').trim() ?? '';

async function signedIn(w: FloorWorld, pin: string): Promise<FloorPage> {
  const page = mountFloor(w);
  await typePin(page, pin);
  await waitFor('signed in', () => deep(page, '[data-signed-in]'));
  return page;
}

const inPanel = <E extends HTMLElement = HTMLElement>(page: FloorPage, selector: string) =>
  waitFor(selector, () => deep<E>(page, `hearth-order-pad >> hearth-pay-panel >> ${selector}`));

describe('<hearth-floor-page> paying and the drawer', () => {
  afterEach(unmountFloorPage);

  it('pays part of a check in cash into this tablet’s drawer, from the local view’s payments', async () => {
    const w = floorWorld();
    w.entities = {
      ...w.entities,
      order: [check(1000, { tableId: 'table-1' })],
      payment: [payment({ amount: 1000, tableId: 'table-1' })],
      drawer: [drawer({ deviceId: 'device-1' })],
    };
    const page = await signedIn(w, '1111');
    location.hash = '#table/table-1';
    expect(text(await inPanel(page, '[data-balance]'))).to.equal('€20.00');
    expect(await inPanel(page, '[data-payment]')).to.not.equal(null);
    (await inPanel(page, '[data-amount-choice="typed"]')).click();
    const amount = await inPanel<HTMLInputElement>(page, '#pay-amount');
    amount.value = '5';
    amount.dispatchEvent(new InputEvent('input'));
    (await inPanel(page, '[data-tender="500"]')).click();
    await clean(page);
    (await inPanel(page, '[data-action="pay-cash"]')).click();
    await waitFor('the cash op', () => w.ops.some((op) => op.type === 'payment.cash'));
    expect(w.ops.find((op) => op.type === 'payment.cash')?.payload).to.include({
      orderId: 'order-1',
      amount: 500,
      tip: 0,
      tendered: 500,
      drawerId: 'drawer-1',
    });
  });

  it('a card over the offline limit: Manager PIN…, then the manager charges the same amount', async () => {
    const w = floorWorld();
    w.entities = { ...w.entities, order: [check(0, { tableId: 'table-1' })] };
    const page = await signedIn(w, '1111');
    const services = page.services;
    if (!services) throw new Error('no services');
    const bodies: Record<string, unknown>[] = [];
    const answers = [
      () =>
        new Response(
          JSON.stringify({
            title: 'Payment refused',
            status: 422,
            code: 'OFFLINE_CARD_OVER_TRANSACTION_LIMIT',
            kind: 'stop',
          }),
          { status: 422, headers: { 'Content-Type': 'application/problem+json' } },
        ),
      () =>
        new Response(
          JSON.stringify({ outcome: 'approved', payment: { brand: 'visa', last4: '4242' } }),
          {
            status: 200,
            headers: { 'Content-Type': 'application/json' },
          },
        ),
    ];
    const original = services.fetch;
    // The page's own fetch, with the card route answered here (the support answers the rest).
    Object.assign(services, {
      fetch: async (input: RequestInfo | URL, init?: RequestInit) => {
        if (String(input).endsWith('/payments/card')) {
          bodies.push(JSON.parse(String(init?.body)) as Record<string, unknown>);
          const next = answers.shift();
          if (!next) throw new Error('no answer scripted');
          return next();
        }
        return original(input, init);
      },
    });
    location.hash = '#table/table-1';
    (await inPanel(page, '[data-method="card"]')).click();
    (await inPanel(page, '[data-action="pay-card"]')).click();
    (await inPanel(page, '[data-action="card-manager"]')).click();
    await waitFor('why the PIN', () => /card payment offline/.test(text(deep(page, '[data-why]'))));
    await typePin(page, '3333');
    await waitFor('Mia signed in', () => text(deep(page, '[data-signed-in]')) === 'Mia · manager');
    const again = await inPanel(page, '[data-action="card-again"]');
    expect(text(again)).to.equal('Charge €30.00 as manager');
    again.click();
    await inPanel(page, '[data-phase="approved"]');
    expect(bodies.map((b) => [b.amount, b.tip, b.reader, b.deviceId])).to.deep.equal([
      [3000, 0, 'counter-1', 'device-1'],
      [3000, 0, 'counter-1', 'device-1'],
    ]);
    expect(bodies[1]?.paymentId).to.not.equal(bodies[0]?.paymentId);
  });

  it('reads the payment scope, then opens this tablet’s drawer from the Drawer view', async () => {
    const w = floorWorld();
    const page = mountFloor(w);
    const services = page.services;
    if (!services) throw new Error('no services');
    const asked: (readonly string[])[] = [];
    // The page's controllers hold this very object: its start is what they call.
    Object.assign(services.cacheSync, {
      start: async (_principal: unknown, scopes: readonly string[]) => {
        asked.push(scopes);
      },
    });
    await typePin(page, '1111');
    await waitFor('signed in', () => deep(page, '[data-signed-in]'));
    // No scopes named: the role's default, which for staff includes payments, refunds and drawers.
    await waitFor('the cache started', () => asked.length > 0);
    expect(asked[0]).to.deep.equal([]);
    const kinds = resolveScopes('server', undefined);
    expect(kinds.ok && kinds.kinds).to.include.members(['payment', 'refund', 'drawer']);
    (
      await waitFor('the Drawer tab', () =>
        deep<HTMLButtonElement>(page, 'nav [data-view="drawer"]'),
      )
    ).click();
    const float = await waitFor('the float', () =>
      deep<HTMLInputElement>(page, 'hearth-drawer-view >> #float'),
    );
    float.value = '100';
    float.dispatchEvent(new InputEvent('input'));
    await clean(page);
    deep<HTMLButtonElement>(page, 'hearth-drawer-view >> [data-action="drawer-open"]')?.click();
    await waitFor('the drawer op', () => w.ops.some((op) => op.type === 'drawer.open'));
    expect(w.ops.find((op) => op.type === 'drawer.open')?.payload).to.include({ float: 10000 });
    expect(location.hash).to.equal('#drawer');
  });
});
