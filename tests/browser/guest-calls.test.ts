import { expect } from '@esm-bundle/chai';
import { formatClock } from '../../web/app/resilience-text.ts';
import type { CallOpState } from '../../web/guest/guest-calls-controller.ts';
import '../../web/guest/guest-calls.ts';
import type { GuestCalls } from '../../web/guest/guest-calls.ts';
import type { CallRequest } from '../../web/guest/guest-calls-state.ts';
import { HandTime, phoneFrame, serious, text, unmountFrames } from './guest-support.ts';

// `<hearth-guest-calls>` in Chromium as the guest page mounts it: its ops land in a list
// instead of an outbox, the table's requests are set by hand as the feed would bring them, and
// time moves only when the test moves it.

const T0 = Date.parse('2026-11-23T20:14:00.000Z');
const SEC = 1000;

interface Sent {
  readonly label: string;
  readonly type: string;
  readonly payload: { requestId: string; tableId: string; kind: string };
  readonly opId: string;
}

async function mount(options: { status?: CallOpState['status']; cooldownSec?: number } = {}) {
  const time = new HandTime(T0);
  const sent: Sent[] = [];
  const el = document.createElement('hearth-guest-calls');
  el.tableId = 'table-4';
  el.settings = { guestOrdering: { callCooldownSec: options.cooldownSec ?? 30 } };
  el.clock = time.clock;
  el.timers = time.timers;
  let n = 0;
  el.submit = async (label, type, payload) => {
    const opId = `op-${++n}`;
    sent.push({ label, type, payload: payload(() => `req-${n}`), opId });
    return { opId, status: options.status ?? 'synced' };
  };
  phoneFrame().append(el);
  await el.updateComplete;
  const settle = async () => {
    await new Promise((resolve) => setTimeout(resolve));
    await el.updateComplete;
  };
  return { el, time, sent, settle };
}

const button = (el: GuestCalls, kind: string) => {
  const found = el.shadowRoot?.querySelector<HTMLButtonElement>(`[data-kind="${kind}"] button`);
  if (!found) throw new Error(`no ${kind} button`);
  return found;
};
const status = (el: GuestCalls, kind: string) =>
  text(el.shadowRoot?.querySelector(`[data-kind="${kind}"] .status`));
const live = (el: GuestCalls) => text(el.shadowRoot?.querySelector('[role="status"]'));

const request = (over: Partial<CallRequest>): CallRequest => ({
  id: 'req-1',
  tableId: 'table-4',
  kind: 'call_waiter',
  status: 'open',
  createdAt: new Date(T0).toISOString(),
  ...over,
});

async function clean(el: GuestCalls): Promise<void> {
  const found = await serious(el.parentElement as HTMLElement);
  expect(found, found.join('\n\n')).to.deep.equal([]);
}

afterEach(unmountFrames);

describe('<hearth-guest-calls>', () => {
  it('two big buttons, one thumb wide on a 360 px phone, nothing said yet', async () => {
    const { el } = await mount();
    for (const kind of ['call_waiter', 'bill']) {
      const box = button(el, kind).getBoundingClientRect();
      expect(box.height, kind).to.be.at.least(44);
      expect(box.width, kind).to.be.at.least(300);
      expect(button(el, kind).getAttribute('aria-disabled')).to.equal('false');
    }
    expect(text(button(el, 'call_waiter'))).to.equal('Call a waiter');
    expect(text(button(el, 'bill'))).to.equal('Ask for the bill');
    expect(live(el)).to.equal('');
    await clean(el);
  });

  it('calls: sent, then on the way when staff acknowledge, then a cooldown that counts down and ends', async () => {
    const { el, time, sent, settle } = await mount();
    button(el, 'call_waiter').click();
    await settle();
    expect(sent).to.deep.equal([
      {
        label: 'Call a waiter',
        type: 'serviceRequest.create',
        payload: { requestId: 'req-1', tableId: 'table-4', kind: 'call_waiter' },
        opId: 'op-1',
      },
    ]);
    const called = `Waiter called at ${formatClock(T0, T0)}`;
    expect(status(el, 'call_waiter')).to.equal(called);
    expect(live(el)).to.equal(`${called}.`);
    expect(button(el, 'call_waiter').getAttribute('aria-disabled')).to.equal('true');
    expect(button(el, 'bill').getAttribute('aria-disabled')).to.equal('false');
    await clean(el);

    // The feed brings the request, then a waiter acknowledges it.
    el.requests = [request({})];
    await settle();
    expect(status(el, 'call_waiter')).to.equal(called);
    el.requests = [request({ status: 'acknowledged' })];
    await settle();
    expect(status(el, 'call_waiter')).to.equal(
      'On the way — a member of staff is coming to your table',
    );
    expect(live(el)).to.equal('On the way — a member of staff is coming to your table.');
    await clean(el);

    // A second press while it is open makes no second call: it says why.
    button(el, 'call_waiter').click();
    await settle();
    expect(sent.length).to.equal(1);
    expect(live(el)).to.contain('On the way');

    // Done 10 s after the call: 20 s of the 30 s cooldown left.
    time.now = T0 + 10 * SEC;
    el.requests = [request({ status: 'done' })];
    await settle();
    expect(status(el, 'call_waiter')).to.equal('You can call again in 20 s');
    expect(live(el)).to.equal(
      'A member of staff has answered your call. You can call again in 20 s.',
    );
    expect(time.running).to.equal(1);
    await clean(el);

    time.advance(5 * SEC);
    await settle();
    expect(status(el, 'call_waiter')).to.contain('You can call again in 15 s');
    // The countdown is shown, not read out every second.
    expect(live(el)).to.equal(
      'A member of staff has answered your call. You can call again in 20 s.',
    );
    button(el, 'call_waiter').click();
    await settle();
    expect(sent.length).to.equal(1);

    time.advance(15 * SEC);
    await settle();
    expect(button(el, 'call_waiter').getAttribute('aria-disabled')).to.equal('false');
    expect(live(el)).to.equal(
      'A member of staff has answered your call. You can call a waiter again.',
    );
    expect(time.running).to.equal(0);
    button(el, 'call_waiter').click();
    await settle();
    expect(sent.map((s) => s.payload.kind)).to.deep.equal(['call_waiter', 'call_waiter']);
  });

  it('offline: the call is queued and says it will go when the phone is back online', async () => {
    const { el, settle } = await mount({ status: 'pending' });
    button(el, 'bill').click();
    await settle();
    expect(status(el, 'bill')).to.equal(
      `Bill asked for at ${formatClock(T0, T0)} not sent yet — will send when you’re back online`,
    );
    expect(live(el)).to.contain('Not sent yet — will send when you’re back online.');
    await clean(el);

    // The outbox sends it: the page's ops say synced.
    el.ops = [{ opId: 'op-1', status: 'synced' }];
    await settle();
    expect(status(el, 'bill')).to.equal(`Bill asked for at ${formatClock(T0, T0)}`);
  });

  it('keyboard: native buttons, and the focus stays on the one pressed while it rests', async () => {
    const { el, sent, settle } = await mount();
    const waiter = button(el, 'call_waiter');
    expect(waiter.localName).to.equal('button');
    expect(waiter.getAttribute('type')).to.equal('button');
    waiter.focus();
    waiter.click();
    await settle();
    expect(sent.length).to.equal(1);
    // aria-disabled, not disabled: a disabled button would drop the focus to the page.
    expect(el.shadowRoot?.activeElement).to.equal(waiter);
    expect(waiter.getAttribute('aria-describedby')).to.equal('status-call_waiter');
  });
});
