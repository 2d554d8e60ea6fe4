import { expect } from '@esm-bundle/chai';
import '../../web/floor/held-ops-list.ts';
import type { HeldGroup } from '../../web/floor/held-ops.ts';
import type { DiscardHeldDetail, HeldOpsList } from '../../web/floor/held-ops-list.ts';
import { clean, floorFrame, targetsFit, text, unmountFloor } from './floor-support.ts';

// `<hearth-held-ops>` in Chromium: one line per person whose changes wait on this device, and
// a manager's discard behind a second tap.

const SAM: HeldGroup = {
  actorId: 'm-sam',
  name: 'Sam',
  count: 3,
  oldestAt: 1,
  opIds: ['op-1', 'op-2', 'op-3'],
};
const ANA: HeldGroup = { actorId: 'm-ana', name: 'Ana', count: 1, oldestAt: 2, opIds: ['op-9'] };

async function mount(role: 'server' | 'manager' | 'owner', groups = [SAM, ANA]) {
  const el = document.createElement('hearth-held-ops');
  el.groups = groups;
  el.staffRole = role;
  const asked: DiscardHeldDetail[] = [];
  const frame = floorFrame();
  frame.addEventListener('hearth-discard-held', (e) => asked.push((e as CustomEvent).detail));
  frame.append(el);
  await el.updateComplete;
  return { el, asked };
}

const $ = <T extends Element = HTMLButtonElement>(el: HeldOpsList, selector: string): T => {
  const found = el.shadowRoot?.querySelector<T>(selector);
  if (!found) throw new Error(`no ${selector}`);
  return found;
};
const click = async (el: HeldOpsList, selector: string) => {
  $(el, selector).click();
  await el.updateComplete;
};

afterEach(unmountFloor);

describe('<hearth-held-ops>', () => {
  it('says whose changes wait and when they go; a server gets no discard', async () => {
    const { el } = await mount('server');
    expect(text($(el, '[data-actor="m-sam"] p'))).to.equal(
      '3 changes waiting for Sam — they send when Sam signs in here',
    );
    expect(text($(el, '[data-actor="m-ana"] p'))).to.equal(
      '1 change waiting for Ana — it sends when Ana signs in here',
    );
    expect(el.shadowRoot?.querySelector('[data-discard]')).to.equal(null);
    await clean(el);
  });

  it('a manager discards after a second tap, with the opIds that were counted', async () => {
    const { el, asked } = await mount('manager');
    await click(el, '[data-discard="m-sam"]');
    expect(asked).to.deep.equal([]);
    expect(text($(el, '[data-discard="m-sam"]'))).to.equal('Discard 3 changes for good?');
    targetsFit(el);
    await clean(el);

    // A new op of Sam's arriving meanwhile is not discarded unseen.
    el.groups = [{ ...SAM, count: 4, opIds: [...SAM.opIds, 'op-4'] }, ANA];
    await el.updateComplete;
    await click(el, '[data-discard="m-sam"]');
    expect(asked).to.deep.equal([{ actorId: 'm-sam', opIds: ['op-1', 'op-2', 'op-3'] }]);
    expect(text($(el, '[role="status"]'))).to.equal('Discarding 3 changes by Sam');
    expect(text($(el, '[data-discard="m-sam"]'))).to.equal('Discard');
  });

  it('Keep and Escape back out, focus back on Discard', async () => {
    const { el, asked } = await mount('owner');
    await click(el, '[data-discard="m-ana"]');
    await click(el, '[data-keep]');
    await el.updateComplete;
    expect(text($(el, '[data-discard="m-ana"]'))).to.equal('Discard');
    expect(el.shadowRoot?.activeElement).to.equal($(el, '[data-discard="m-ana"]'));

    await click(el, '[data-discard="m-ana"]');
    $(el, '[data-discard="m-ana"]').dispatchEvent(
      new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, composed: true }),
    );
    await el.updateComplete;
    expect(el.shadowRoot?.querySelector('[data-keep]')).to.equal(null);
    // A tap on another person's Discard asks about that person instead.
    await click(el, '[data-discard="m-sam"]');
    await click(el, '[data-discard="m-ana"]');
    expect(asked).to.deep.equal([]);
    expect(text($(el, '[data-discard="m-ana"]'))).to.equal('Discard 1 change for good?');
  });

  it('shows nothing when no one is waited for', async () => {
    const { el } = await mount('manager', []);
    expect(el.shadowRoot?.querySelector('section')).to.equal(null);
    await clean(el);
  });
});
