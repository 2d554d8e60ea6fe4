import { expect } from '@esm-bundle/chai';
import '../../web/floor/pin-pad.ts';
import type { Device } from '#protocol';
import { AppError } from '../../web/app/app-error.ts';
import { signIn } from '../../web/app/sign-in.ts';
import type { FloorDevices } from '../../web/floor/devices-panel.ts';
import type { PinPad } from '../../web/floor/pin-pad.ts';
import { waitFor } from '../support/wait-for.ts';
import { snapshotOf } from '../web/guest-fixtures.ts';
import { deep, floorWorld, mountFloor, typePin, unmountFloorPage } from './floor-page-support.ts';
import { clean, floorFrame, targetsFit, text, unmountFloor } from './floor-support.ts';

// Paired devices on the floor app: a PIN refused because the device is not paired (or was
// revoked) says so and how to pair, never "wrong PIN"; the Devices view is a manager's.

const NOT_PAIRED = {
  type: 'about:blank',
  title: 'Device not paired',
  status: 403,
  kind: 'fix',
  code: 'DEVICE_NOT_PAIRED',
  detail:
    'This device is not paired with the venue. Ask a manager to pair it: Floor › Devices › Pair a device.',
};

const BAR_TABLET: Device = {
  id: '01JQDEVICE0000000000000001',
  name: 'Bar tablet',
  role: 'floor',
  pairingId: '01JQ0000000000000000000001',
  credentialDigest: 'A'.repeat(43),
  pairedBy: 'member-mia',
  pairedAt: '2026-12-07T18:00:00.000Z',
  revoked: false,
  revokedBy: null,
  revokedAt: null,
  version: 1,
};

async function pad(message: string, problem: string | undefined): Promise<PinPad> {
  const el = document.createElement('hearth-pin-pad');
  el.status = { status: 'error', message };
  el.problem = problem;
  floorFrame().append(el);
  await el.updateComplete;
  return el;
}

afterEach(() => {
  unmountFloor();
  unmountFloorPage();
});

describe('sign-in refused for the device', () => {
  it('signIn keeps the problem code of the refusal', async () => {
    const fetchFake: typeof fetch = async () =>
      new Response(JSON.stringify(NOT_PAIRED), {
        status: 403,
        headers: { 'Content-Type': 'application/problem+json' },
      });
    let caught: unknown;
    try {
      await signIn(fetchFake, '/v1/auth/staff', { kind: 'staff', venueId: 'v', pin: '1111' });
    } catch (error) {
      caught = error;
    }
    expect(caught).to.be.instanceOf(AppError);
    expect((caught as AppError).problem).to.equal('DEVICE_NOT_PAIRED');
    expect((caught as AppError).status).to.equal(403);
    expect((caught as AppError).message).to.equal(`Device not paired: ${NOT_PAIRED.detail}`);
  });

  it('the PIN pad shows the server’s message and how to pair, not a wrong PIN', async () => {
    const el = await pad(`Device not paired: ${NOT_PAIRED.detail}`, 'DEVICE_NOT_PAIRED');
    const status = text(el.shadowRoot?.querySelector('[data-status]'));
    expect(status).to.equal(`Device not paired: ${NOT_PAIRED.detail}`);
    expect(status).not.to.match(/wrong/i);
    const help = el.shadowRoot?.querySelector<HTMLDetailsElement>(
      '[data-device-problem="DEVICE_NOT_PAIRED"] details',
    );
    expect(text(help?.querySelector('summary'))).to.equal('How to pair this device');
    help?.querySelector('summary')?.click();
    expect(help?.open).to.equal(true);
    expect(text(help)).to.contain('a manager opens Floor › Devices');
    targetsFit(el);
    await clean(el);
  });

  it('a revoked device: the words stand in when the server sent none', async () => {
    const el = await pad('', 'DEVICE_REVOKED');
    expect(text(el.shadowRoot?.querySelector('[data-status]'))).to.equal(
      'This device’s pairing was revoked. Ask a manager to pair it again: Floor › Devices › Pair a device.',
    );
    expect(el.shadowRoot?.querySelector('[data-device-problem="DEVICE_REVOKED"]')).not.to.equal(
      null,
    );
  });

  it('a wrong PIN offers no pairing help', async () => {
    const el = await pad('Wrong PIN', 'UNAUTHENTICATED');
    expect(text(el.shadowRoot?.querySelector('[data-status]'))).to.equal('Wrong PIN');
    expect(el.shadowRoot?.querySelector('[data-device-problem]')).to.equal(null);
  });

  it('the floor page hands the refusal’s code to its PIN pad', async () => {
    const page = mountFloor(floorWorld());
    await typePin(page, '9999');
    const el = await waitFor('the refusal', () => {
      const found = deep<PinPad>(page, 'hearth-pin-pad');
      return found?.problem ? found : null;
    });
    expect(el.problem).to.equal('UNAUTHENTICATED');
  });
});

describe('the Devices view', () => {
  const views = (root: Element) =>
    [...(root.shadowRoot?.querySelectorAll('nav [data-view]') ?? [])].map((b) =>
      b.getAttribute('data-view'),
    );

  it('is not offered to a server', async () => {
    const page = mountFloor(floorWorld());
    await typePin(page, '1111');
    await waitFor('signed in', () => deep(page, '[data-signed-in]'));
    expect(views(page)).not.to.include('devices');
  });

  it('is a manager’s: its tab loads the panel, with the devices of the local view', async () => {
    const w = floorWorld();
    w.entities = { ...w.entities, device: [BAR_TABLET] };
    const page = mountFloor(w);
    await typePin(page, '3333');
    await waitFor('signed in', () => deep(page, '[data-signed-in]'));
    expect(views(page)).to.include('devices');
    (deep(page, 'nav [data-view="devices"]') as HTMLButtonElement).click();
    const panel = await waitFor(
      'the devices panel',
      () => customElements.get('hearth-floor-devices') && deep(page, 'hearth-floor-devices'),
    );
    expect(location.hash).to.equal('#devices');
    await waitFor('its pair buttons', () => deep(panel as Element, '[data-pair="floor"]'));
    const el = panel as FloorDevices;
    expect(el.localDevices).to.deep.equal([
      {
        id: BAR_TABLET.id,
        name: 'Bar tablet',
        role: 'floor',
        pairedAt: BAR_TABLET.pairedAt,
        revoked: false,
        revokedAt: null,
      },
    ]);
    // The list could not be fetched (this world has no devices route): the feed's copy shows.
    await waitFor('the local row', () => deep(el, `[data-device="${BAR_TABLET.id}"]`));
    await clean(page);

    // The feed brings the revoke: the panel hears it.
    w.entities = { ...w.entities, device: [{ ...BAR_TABLET, revoked: true }] };
    for (const listener of w.views) listener(snapshotOf(w.entities));
    await waitFor('the revoke heard', () => el.localDevices?.[0]?.revoked === true);
  });
});
