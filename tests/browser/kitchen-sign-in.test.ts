import { expect } from '@esm-bundle/chai';
import { deleteDB } from 'idb';
import { DEVICE_REVOKED_MESSAGE } from '../../web/device/device-revoked.ts';
import { CACHE_DB_NAME } from '../../web/device/local-db.ts';
import { CHANNEL } from '../../web/device/messages.ts';
import '../../web/kitchen/kitchen-page.ts';
import type { KitchenPage } from '../../web/kitchen/kitchen-page.ts';
import { waitFor } from '../support/wait-for.ts';
import { serious, text } from './guest-support.ts';
import { staff, T0 } from './outbox-fixtures.ts';

// The kitchen display's sign-in (`<hearth-sign-in-form>` in `<hearth-kitchen-page>`): a PIN
// refused because of the device says the server's words and how to pair the display, as the
// floor's PIN pad does; a wrong PIN does not; a revoke while signed in says why. The page's own
// services, with the network answered here (its `fetch` port is the window's).

/** The frame of the kitchen's page; its colours come from the page's own stylesheet. */
const FRAME =
  'background:var(--hearth-bg);color:var(--hearth-fg);font-family:system-ui,sans-serif;' +
  'font-size:16px;width:1024px;padding:16px;';

const refusal = (status: number, code: string, title: string, detail: string) => ({
  type: 'about:blank',
  title,
  status,
  kind: status === 401 ? 'sign_in' : 'fix_request',
  code,
  detail,
});

const NOT_PAIRED = refusal(
  403,
  'DEVICE_NOT_PAIRED',
  'Device not paired',
  'This device is not paired with the venue. Ask a manager to pair it: Floor › Devices › Pair a device.',
);

describe('kitchen display sign-in', () => {
  const realFetch = window.fetch;
  let answer: () => Response;

  before(async () => {
    // The display's theme (web/styles/kitchen.css), as its index.html links it.
    const link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = '/web/styles/kitchen.css';
    const loaded = new Promise((resolve, reject) => {
      link.onload = resolve;
      link.onerror = reject;
    });
    document.head.append(link);
    await loaded;
  });

  beforeEach(() => {
    window.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = new URL(String(input instanceof Request ? input.url : input), location.href);
      if (url.pathname.endsWith('/v1/auth/staff') && init?.method === 'POST') return answer();
      if (url.pathname.endsWith('/v1/auth/logout')) return new Response(null, { status: 204 });
      return new Response('not here', { status: 404 });
    };
  });

  afterEach(async () => {
    window.fetch = realFetch;
    for (const frame of document.querySelectorAll('.kitchen-frame')) frame.remove();
  });

  after(async () => {
    await deleteDB(CACHE_DB_NAME);
  });

  function mountKitchen(): KitchenPage {
    const frame = document.createElement('main');
    frame.className = 'kitchen-frame';
    frame.setAttribute('style', FRAME);
    const page = document.createElement('hearth-kitchen-page');
    frame.append(page);
    document.body.append(frame);
    return page;
  }

  const form = (page: KitchenPage) =>
    page.shadowRoot?.querySelector('hearth-sign-in-form') ?? undefined;

  async function signInWith(page: KitchenPage, pin: string): Promise<ShadowRoot> {
    const found = await waitFor('the sign-in form', () => form(page));
    await found.updateComplete;
    const root = found.shadowRoot as ShadowRoot;
    const input = root.querySelector<HTMLInputElement>('input[name="pin"]');
    if (input) input.value = pin;
    root.querySelector<HTMLButtonElement>('button[type="submit"]')?.click();
    return root;
  }

  it('shows the server’s words and how to pair when the display is not paired', async () => {
    answer = () => Response.json(NOT_PAIRED, { status: 403 });
    const page = mountKitchen();
    const root = await signInWith(page, '1234');
    const alert = await waitFor('the refusal', () => root.querySelector('[role="alert"]'));
    expect(text(alert)).to.equal(`Device not paired: ${NOT_PAIRED.detail}`);
    const help = root.querySelector<HTMLDetailsElement>(
      '[data-device-problem="DEVICE_NOT_PAIRED"] details',
    );
    expect(text(help?.querySelector('summary'))).to.equal('How to pair this device');
    help?.querySelector('summary')?.click();
    expect(help?.open).to.equal(true);
    expect(text(help)).to.contain('Kitchen display');
    const summary = help?.querySelector('summary')?.getBoundingClientRect();
    expect(summary?.height).to.be.at.least(44);
    const found = await serious(page.parentElement as HTMLElement);
    expect(found, found.join('\n\n')).to.deep.equal([]);
  });

  it('a revoked display: the same help under the server’s words', async () => {
    answer = () =>
      Response.json(
        refusal(
          403,
          'DEVICE_REVOKED',
          'Device revoked',
          'this device is no longer paired with the venue',
        ),
        { status: 403 },
      );
    const root = await signInWith(mountKitchen(), '1234');
    await waitFor('the help', () => root.querySelector('[data-device-problem="DEVICE_REVOKED"]'));
    expect(text(root.querySelector('[role="alert"]'))).to.equal(
      'Device revoked: this device is no longer paired with the venue',
    );
  });

  it('a wrong PIN offers no pairing help', async () => {
    answer = () =>
      Response.json(refusal(401, 'UNAUTHENTICATED', 'Wrong PIN', 'try again'), { status: 401 });
    const root = await signInWith(mountKitchen(), '9999');
    await waitFor('the refusal', () => root.querySelector('[role="alert"]'));
    expect(root.querySelector('[data-device-problem]')).to.equal(null);
  });

  it('says why when a manager revokes the display while a cook is signed in', async () => {
    answer = () =>
      Response.json({
        token: 'token',
        expiresAt: new Date(T0 + 3_600_000).toISOString(),
        principal: staff('cook-1'),
      });
    const page = mountKitchen();
    await signInWith(page, '1234');
    await waitFor('signed in', () => !form(page));

    const channel = new BroadcastChannel(CHANNEL);
    channel.postMessage({ type: 'device-revoked' });
    channel.close();

    const root = await waitFor('the sign-in form again', () => form(page)?.shadowRoot);
    await waitFor('the reason', () => text(root.querySelector('[role="alert"]')));
    expect(text(root.querySelector('[role="alert"]'))).to.equal(DEVICE_REVOKED_MESSAGE);
    expect(root.querySelector('[data-device-problem="DEVICE_REVOKED"]')).not.to.equal(null);
  });
});
