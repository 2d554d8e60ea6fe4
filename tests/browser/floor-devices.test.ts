import { expect } from '@esm-bundle/chai';
import '../../web/floor/devices-panel.ts';
import { alwaysVisible } from '../../web/app/page-visibility.ts';
import type { FloorDevices } from '../../web/floor/devices-panel.ts';
import type { DeviceRow } from '../../web/floor/devices-state.ts';
import { waitFor } from '../support/wait-for.ts';
import {
  clean,
  floorFrame,
  HandTime,
  recorder,
  settle,
  targetsFit,
  text,
  unmountFloor,
} from './floor-support.ts';

// `<hearth-floor-devices>` in Chromium: the list and the pairing code from a fetch of our own
// that answers as the relay's routes do, time in the test's hands, revokes landing in a list.

const NOW = Date.parse('2026-12-07T20:00:00.000Z');
const ago = (ms: number) => new Date(NOW - ms).toISOString();
const VENUE = 'demo-bistro';

const row = (id: string, name: string, patch: Partial<DeviceRow> = {}): DeviceRow => ({
  id,
  name,
  role: 'floor',
  pairedAt: ago(86_400_000),
  revoked: false,
  revokedAt: null,
  lastSeenAt: null,
  outboxDepth: null,
  ...patch,
});

interface Call {
  readonly method: string;
  readonly url: string;
  readonly body: unknown;
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });

function world(time: HandTime) {
  const calls: Call[] = [];
  const state = {
    devices: [
      row('dev-kds', 'Pass display', { role: 'kitchen', lastSeenAt: ago(4 * 60_000) }),
      row('dev-bar', 'Bar tablet', { lastSeenAt: ago(5_000), outboxDepth: 3 }),
      row('dev-old', 'Old tablet', {
        revoked: true,
        revokedAt: ago(3_600_000),
        lastSeenAt: ago(7_200_000),
        outboxDepth: 0,
      }),
    ] as DeviceRow[],
    listStatus: 200,
    pairing: undefined as Response | undefined,
    codes: 0,
  };
  const fetchFake: typeof fetch = async (input, init) => {
    const url = String(input);
    const method = init?.method ?? 'GET';
    const body: unknown = init?.body ? JSON.parse(String(init.body)) : undefined;
    calls.push({ method, url, body });
    if (method === 'GET' && url === `/api/v1/venues/${VENUE}/devices`)
      return state.listStatus === 200
        ? json(200, { devices: state.devices })
        : json(state.listStatus, { title: 'Not now', status: state.listStatus });
    if (method === 'POST' && url === `/api/v1/venues/${VENUE}/devices/pairings`) {
      if (state.pairing) return state.pairing;
      state.codes += 1;
      const code = `header.claims-${state.codes}.signature`;
      return json(201, {
        code,
        pairUrl: `https://relay.demo.local/pair#code=${code}`,
        expiresAt: new Date(time.now + 600_000).toISOString(),
      });
    }
    return json(404, { title: 'Not found' });
  };
  return { calls, state, fetch: fetchFake };
}

async function mount(role: 'manager' | 'owner' | 'server' = 'manager') {
  const time = new HandTime(NOW);
  const w = world(time);
  const { sent, submit } = recorder(() => 'pending');
  const el = document.createElement('hearth-floor-devices');
  el.services = {
    venueId: VENUE,
    fetch: w.fetch,
    serviceWorker: { controlled: () => true, post: () => true },
    visibility: alwaysVisible,
    clock: time.clock,
  };
  el.timers = time.timers;
  el.staffRole = role;
  el.submit = submit;
  floorFrame(600).append(el);
  await el.updateComplete;
  return { el, w, time, sent };
}

const $ = <T extends Element = HTMLElement>(el: FloorDevices, selector: string): T => {
  const found = el.shadowRoot?.querySelector<T>(selector);
  if (!found) throw new Error(`no ${selector}`);
  return found;
};
const rows = (el: FloorDevices) =>
  [...(el.shadowRoot?.querySelectorAll<HTMLElement>('[data-device]') ?? [])].map(
    (li) => li.dataset.device,
  );
const listed = (el: FloorDevices) => waitFor('the list', () => rows(el).length > 0);
const live = (el: FloorDevices) =>
  text(el.shadowRoot?.querySelector('.visually-hidden[role="status"]'));
const gets = (w: ReturnType<typeof world>) => w.calls.filter((c) => c.method === 'GET').length;

afterEach(unmountFloor);

describe('<hearth-floor-devices>', () => {
  it('a server sees no devices and the panel asks the server nothing', async () => {
    const { el, w } = await mount('server');
    await settle(el);
    expect(text(el.shadowRoot)).to.contain('Only managers and owners');
    expect(el.shadowRoot?.querySelector('[data-pair]')).to.equal(null);
    expect(w.calls).to.deep.equal([]);
    await clean(el);
  });

  it('lists paired devices first, most recently seen first, in words', async () => {
    const { el } = await mount('owner');
    await listed(el);
    expect(rows(el)).to.deep.equal(['dev-bar', 'dev-kds', 'dev-old']);
    expect(text($(el, '[data-device="dev-bar"]'))).to.equal(
      'Bar tablet · Floor tablet Paired Last seen just now Outbox 3 waiting Revoke',
    );
    expect(text($(el, '[data-device="dev-kds"] [data-seen]'))).to.equal('4 min ago');
    expect(text($(el, '[data-device="dev-kds"] [data-outbox]'))).to.equal('not reported');
    expect(text($(el, '[data-device="dev-old"] [data-status]'))).to.equal('Revoked');
    expect(text($(el, '[data-device="dev-old"] [data-seen]'))).to.equal('2 h ago');
    // A revoked device cannot be revoked again.
    expect(el.shadowRoot?.querySelector('[data-revoke="dev-old"]')).to.equal(null);
    expect(text($(el, '#devices-heading'))).to.equal('Paired devices (2)');
    targetsFit(el);
    await clean(el);
  });

  it('fetches again every 15 s, when the feed changes the devices, and keeps the list on a failure', async () => {
    const { el, w, time } = await mount();
    await listed(el);
    expect(gets(w)).to.equal(1);
    time.advance(15_000);
    await waitFor('a second fetch', () => gets(w) === 2);

    // The local view brings a device: the list is fetched at once.
    const bar = w.state.devices[1] as DeviceRow;
    el.localDevices = [bar];
    await settle(el);
    expect(gets(w)).to.equal(2);
    el.localDevices = [bar, row('dev-new', 'New tablet')];
    await waitFor('a fetch on the feed', () => gets(w) === 3);
    // Shown at once, before the list names it.
    await waitFor('the new device', () => rows(el).includes('dev-new'));

    w.state.listStatus = 503;
    time.advance(15_000);
    await waitFor('the error', () => el.shadowRoot?.querySelector('[data-list-error]'));
    expect(text($(el, '[data-list-error]'))).to.equal('Not now');
    expect(rows(el)).to.deep.equal(['dev-bar', 'dev-kds', 'dev-new', 'dev-old']);
  });

  it('offline: the local view’s devices, and Revoke still goes to the outbox', async () => {
    const time = new HandTime(NOW);
    const { sent, submit } = recorder(() => 'pending');
    const el = document.createElement('hearth-floor-devices');
    el.services = {
      venueId: VENUE,
      fetch: async () => {
        throw new TypeError('Failed to fetch');
      },
      serviceWorker: { controlled: () => true, post: () => true },
      visibility: alwaysVisible,
      clock: time.clock,
    };
    el.timers = time.timers;
    el.staffRole = 'manager';
    el.submit = submit;
    el.localDevices = [row('dev-bar', 'Bar tablet'), row('dev-kds', 'Pass display')];
    floorFrame(600).append(el);
    await waitFor('the error', () => el.shadowRoot?.querySelector('[data-list-error]'));
    expect(text($(el, '[data-list-error]'))).to.equal(
      'No connection to the venue’s server: the device list could not be loaded',
    );
    expect(rows(el)).to.deep.equal(['dev-bar', 'dev-kds']);
    expect(text($(el, '[data-device="dev-bar"] [data-seen]'))).to.equal('unknown');
    $(el, '[data-revoke="dev-kds"]').click();
    await settle(el);
    $(el, '[data-action="confirm-revoke"]').click();
    await settle(el);
    expect(sent.map((s) => s.payload)).to.deep.equal([{ deviceId: 'dev-kds' }]);
    expect(text($(el, '[data-device="dev-kds"] [data-status]'))).to.equal('Revoked');
    await clean(el);
  });

  it('pairs a kitchen display: a QR code of the link, the link, a countdown to expiry, then Done', async () => {
    const { el, w, time } = await mount();
    await listed(el);
    $(el, '[data-pair="kitchen"]').click();
    await waitFor('the code', () => el.shadowRoot?.querySelector('[data-qr] svg'));
    const post = w.calls.find((c) => c.method === 'POST');
    expect(post?.body).to.deep.equal({ role: 'kitchen' });
    expect(text($(el, '#code-heading'))).to.equal('Pair a kitchen display');
    expect(el.shadowRoot?.activeElement).to.equal($(el, '#code-heading'));
    const link = $<HTMLAnchorElement>(el, '[data-link]');
    expect(link.href).to.equal('https://relay.demo.local/pair#code=header.claims-1.signature');
    expect(text($(el, '[data-countdown]'))).to.equal('10:00');
    expect(live(el)).to.contain('Expires in 10 minutes');
    // Big enough to scan from a tablet held at arm's length.
    const qr = $(el, '[data-qr]').getBoundingClientRect();
    expect(qr.width).to.be.at.least(280);
    expect($(el, '[data-qr]').getAttribute('aria-label')).to.equal(
      'QR code to pair a kitchen display',
    );
    targetsFit(el);
    await clean(el);

    time.advance(1000);
    await el.updateComplete;
    expect(text($(el, '[data-countdown]'))).to.equal('9:59');
    for (let i = 0; i < 60; i += 1) time.advance(1000);
    await el.updateComplete;
    expect(text($(el, '[data-countdown]'))).to.equal('8:59');
    expect(live(el)).to.contain('Expires in 9 minutes');

    // Past its expiry: no code to scan, a new one offered; the clock stops.
    time.advance(540_000);
    await el.updateComplete;
    expect(el.shadowRoot?.querySelector('[data-qr]')).to.equal(null);
    expect(text($(el, '[data-expired]'))).to.equal('This code has expired. Make a new one.');
    $(el, '[data-action="new-code"]').click();
    await waitFor('a new code', () =>
      $<HTMLAnchorElement>(el, '[data-link]').href.endsWith('claims-2.signature'),
    );
    expect(text($(el, '[data-countdown]'))).to.equal('10:00');

    const before = gets(w);
    $(el, '[data-action="done"]').click();
    await settle(el);
    expect(el.shadowRoot?.querySelector('[data-code]')).to.equal(null);
    expect(el.shadowRoot?.activeElement).to.equal($(el, '[data-pair="kitchen"]'));
    // The new device shows at once rather than in 15 s.
    expect(gets(w)).to.equal(before + 1);
  });

  it('says why no code was made', async () => {
    const { el, w } = await mount();
    await listed(el);
    w.state.pairing = json(403, { title: 'Forbidden', status: 403 });
    $(el, '[data-pair="floor"]').click();
    await waitFor('the error', () => el.shadowRoot?.querySelector('[data-pair-error]'));
    expect(text($(el, '[data-pair-error]'))).to.equal(
      'Only a manager or owner sees and pairs the venue’s devices',
    );
    expect(el.shadowRoot?.querySelector('[data-qr]')).to.equal(null);
  });

  it('revokes after a confirmation naming the device: device.revoke through the outbox', async () => {
    const { el, sent } = await mount();
    await listed(el);
    const revoke = $<HTMLButtonElement>(el, '[data-revoke="dev-bar"]');
    expect(revoke.getAttribute('aria-label')).to.equal('Revoke Bar tablet');

    // Cancel first: nothing is sent, the focus goes back.
    revoke.click();
    await settle(el);
    const dialog = $<HTMLDialogElement>(el, 'dialog');
    expect(dialog.open).to.equal(true);
    expect(text($(el, '#revoke-title'))).to.equal('Revoke Bar tablet?');
    expect(el.shadowRoot?.activeElement).to.equal($(el, '[data-action="cancel-revoke"]'));
    await clean(el);
    $(el, '[data-action="cancel-revoke"]').click();
    await settle(el);
    expect(dialog.open).to.equal(false);
    expect(sent).to.deep.equal([]);
    expect(el.shadowRoot?.activeElement).to.equal(revoke);

    revoke.click();
    await settle(el);
    $(el, '[data-action="confirm-revoke"]').click();
    await settle(el);
    expect(sent.map(({ label, type, payload }) => ({ label, type, payload }))).to.deep.equal([
      { label: 'Revoke Bar tablet', type: 'device.revoke', payload: { deviceId: 'dev-bar' } },
    ]);
    expect(dialog.open).to.equal(false);
    // Shown revoked at once, with the op's state, before the list says so.
    expect(text($(el, '[data-device="dev-bar"] [data-status]'))).to.equal('Revoked');
    expect(text($(el, '[data-device="dev-bar"] [data-sync]'))).to.equal('not sent yet');
    expect(el.shadowRoot?.querySelector('[data-revoke="dev-bar"]')).to.equal(null);
    expect(rows(el)).to.deep.equal(['dev-kds', 'dev-bar', 'dev-old']);
    expect(live(el)).to.equal('Bar tablet revoked');

    // Refused: paired again, with the reason, and Revoke back.
    el.ops = [{ opId: 'op-1', status: 'failed', detail: 'Not found' }];
    await settle(el);
    expect(text($(el, '[data-device="dev-bar"] [data-status]'))).to.equal('Paired');
    expect(text($(el, '[data-device="dev-bar"] [data-sync]'))).to.equal('failed: Not found');
    expect(el.shadowRoot?.querySelector('[data-revoke="dev-bar"]')).not.to.equal(null);
  });
});
