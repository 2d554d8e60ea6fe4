import { expect } from '@esm-bundle/chai';
import '../../web/pair/pair-page.ts';
import { encodeBase64Url } from '../../protocol/cursor/base64url.ts';
import type { PairDeps, PairPage } from '../../web/pair/pair-page.ts';
import { waitFor } from '../support/wait-for.ts';
import { clean, floorFrame, settle, targetsFit, text, unmountFloor } from './floor-support.ts';

// `<hearth-pair-page>` in Chromium: the code from the address's fragment, the name, the POST
// with this install's deviceId, and each answer as the cloud or the relay gives it.

const part = (value: unknown) => encodeBase64Url(new TextEncoder().encode(JSON.stringify(value)));
const codeFor = (role: 'floor' | 'kitchen') =>
  `${part({ alg: 'ES256', typ: 'JWT', kid: 'relay:r1' })}.${part({
    kind: 'pairing',
    sub: 'member-mia',
    role,
    jti: '01JQ0000000000000000000001',
    tenantId: 'demo',
    venueId: 'demo-bistro',
    iat: 1_800_000_000,
    exp: 1_800_000_600,
  })}.c2lnbmF0dXJl`;

interface Call {
  readonly url: string;
  readonly init: RequestInit | undefined;
  readonly body: Record<string, unknown>;
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/problem+json' },
  });

async function mount(hash: string, answer: () => Response | Promise<Response>) {
  history.replaceState(null, '', `${location.pathname}${location.search}${hash}`);
  const calls: Call[] = [];
  const went: string[] = [];
  const deps: PairDeps = {
    fetch: async (input, init) => {
      calls.push({ url: String(input), init, body: JSON.parse(String(init?.body)) });
      return answer();
    },
    deviceId: async () => '01JQDEVICE0000000000000001',
    controlled: () => false,
    navigate: (url) => went.push(url),
    pageVenue: 'demo-bistro',
    redirectMs: 10,
  };
  const el = document.createElement('hearth-pair-page');
  el.deps = deps;
  floorFrame(390).append(el);
  await el.updateComplete;
  return { el, calls, went };
}

const $ = <T extends Element = HTMLElement>(el: PairPage, selector: string): T => {
  const found = el.shadowRoot?.querySelector<T>(selector);
  if (!found) throw new Error(`no ${selector}`);
  return found;
};
const nameInput = (el: PairPage) => $<HTMLInputElement>(el, 'input[name="device-name"]');
const press = async (el: PairPage) => {
  $(el, '[data-action="pair"]').click();
  await settle(el);
};
const message = (el: PairPage) => text(el.shadowRoot?.querySelector('[data-message]'));

afterEach(() => {
  unmountFloor();
  history.replaceState(null, '', location.pathname + location.search);
});

const PAIRED = {
  deviceId: '01JQDEVICE0000000000000001',
  name: 'Bar tablet',
  role: 'floor',
  venueId: 'demo-bistro',
  tenantId: 'demo',
};

describe('<hearth-pair-page>', () => {
  it('takes the code out of the address, pairs with the name and deviceId, then opens the floor', async () => {
    const code = codeFor('floor');
    const { el, calls, went } = await mount(`#code=${code}`, () => json(201, PAIRED));
    // Not left in the address bar, the history or a bookmark.
    expect(location.hash).to.equal('');
    expect(nameInput(el).value).to.equal('Floor tablet');
    expect(text(el.shadowRoot)).to.contain('This code pairs a floor tablet with demo-bistro');
    targetsFit(el);
    await clean(el);

    nameInput(el).value = '  Bar tablet ';
    nameInput(el).dispatchEvent(new Event('input'));
    await press(el);
    expect(calls).to.have.length(1);
    expect(calls[0]?.url).to.equal('/v1/devices/pair');
    expect(calls[0]?.init?.method).to.equal('POST');
    expect(calls[0]?.init?.credentials).to.equal('same-origin');
    expect(calls[0]?.body).to.deep.equal({
      code,
      deviceId: '01JQDEVICE0000000000000001',
      name: 'Bar tablet',
    });
    expect(message(el)).to.equal(
      'This tablet is now paired with demo-bistro. Staff can sign in with their PIN.',
    );
    expect($<HTMLAnchorElement>(el, '[data-screen]').getAttribute('href')).to.equal('/ops/');
    await clean(el);
    await waitFor('the floor screen', () => went.length === 1);
    expect(went).to.deep.equal(['/ops/']);
  });

  it('a kitchen code: named for the kitchen, and opens the kitchen display', async () => {
    const { el, calls, went } = await mount(`#code=${codeFor('kitchen')}`, () =>
      json(201, { ...PAIRED, name: 'Kitchen display', role: 'kitchen' }),
    );
    expect(nameInput(el).value).to.equal('Kitchen display');
    await press(el);
    expect(calls[0]?.body.name).to.equal('Kitchen display');
    expect(message(el)).to.contain('This kitchen display is now paired');
    await waitFor('the kitchen screen', () => went.length === 1);
    expect(went).to.deep.equal(['/kitchen/']);
  });

  it('an empty name is said, with the focus on the field, and nothing is sent', async () => {
    const { el, calls } = await mount(`#code=${codeFor('floor')}`, () => json(201, PAIRED));
    nameInput(el).value = ' ';
    nameInput(el).dispatchEvent(new Event('input'));
    await press(el);
    expect(calls).to.deep.equal([]);
    expect(text($(el, '#name-error'))).to.contain('Give this device a name');
    expect(nameInput(el).getAttribute('aria-invalid')).to.equal('true');
    expect(nameInput(el).getAttribute('aria-describedby')).to.equal('name-error');
    expect(el.shadowRoot?.activeElement).to.equal(nameInput(el));
    await clean(el);
  });

  for (const [status, code, words] of [
    [410, 'PAIRING_EXPIRED', 'This code has expired. Ask the manager for a new one.'],
    [409, 'PAIRING_USED', 'This code has already been used.'],
    [401, 'PAIRING_INVALID', 'This code is not one this venue made'],
  ] as const) {
    it(`${code}: said with what to do, and nothing opened`, async () => {
      const { el, went } = await mount(`#code=${codeFor('floor')}`, () =>
        json(status, { title: 'Refused', status, kind: 'fix', code }),
      );
      await press(el);
      expect(message(el)).to.contain(words);
      expect($(el, '[data-message]').className).to.equal('error');
      // The form stays for another try.
      expect(nameInput(el).value).to.equal('Floor tablet');
      await clean(el);
      await new Promise((resolve) => setTimeout(resolve, 30));
      expect(went).to.deep.equal([]);
    });
  }

  it('offline: says so, and Pair works once the connection is back', async () => {
    let online = false;
    const { el, went } = await mount(`#code=${codeFor('floor')}`, () => {
      if (!online) throw new TypeError('Failed to fetch');
      return json(201, PAIRED);
    });
    await press(el);
    expect(message(el)).to.equal(
      'No connection to the venue’s server. Connect this device to the venue’s Wi-Fi and press Pair again.',
    );
    online = true;
    await press(el);
    expect(message(el)).to.contain('now paired');
    await waitFor('the floor screen', () => went.length === 1);
  });

  it('without a code: says how to get one, and offers no form', async () => {
    const { el, calls } = await mount('', () => json(201, PAIRED));
    expect(text($(el, '[data-error="no-code"]'))).to.contain(
      'a manager opens Floor › Devices › Pair a device',
    );
    expect(el.shadowRoot?.querySelector('form')).to.equal(null);
    expect(calls).to.deep.equal([]);
    await clean(el);
  });
});
