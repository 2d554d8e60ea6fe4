import { expect } from '@esm-bundle/chai';
import '../../web/floor/pin-pad.ts';
import type { SignInInput } from '../../web/app/session-controller.ts';
import type { PinPad } from '../../web/floor/pin-pad.ts';
import { clean, floorFrame, settle, targetsFit, text, unmountFloor } from './floor-support.ts';

// `<hearth-pin-pad>` in Chromium: taps and the physical keyboard, the hidden digits, the
// sign-in event and what the page's session says back.

async function mount(props: Partial<Pick<PinPad, 'length' | 'signedInName'>> = {}) {
  const el = document.createElement('hearth-pin-pad');
  Object.assign(el, props);
  const signIns: SignInInput[] = [];
  const frame = floorFrame();
  frame.addEventListener('hearth-sign-in', (e) => signIns.push((e as CustomEvent).detail));
  frame.append(el);
  await el.updateComplete;
  return { el, signIns };
}

const $ = <T extends Element = HTMLButtonElement>(el: PinPad, selector: string): T => {
  const found = el.shadowRoot?.querySelector<T>(selector);
  if (!found) throw new Error(`no ${selector}`);
  return found;
};
const tap = async (el: PinPad, ...keys: string[]) => {
  for (const key of keys) $(el, `[data-key="${key}"]`).click();
  await el.updateComplete;
};
const press = async (el: PinPad, key: string) => {
  document.body.dispatchEvent(
    new KeyboardEvent('keydown', { key, bubbles: true, composed: true, cancelable: true }),
  );
  await el.updateComplete;
};
const dots = (el: PinPad) => text($(el, '.dots'));
const signInButton = (el: PinPad) => $(el, '[data-sign-in]');

afterEach(unmountFloor);

describe('<hearth-pin-pad>', () => {
  it('hides the digits, enables Sign in at the PIN length, and signs in with one more tap', async () => {
    const { el, signIns } = await mount();
    expect(signInButton(el).disabled).to.equal(true);
    await tap(el, '1', '2', '3');
    expect(dots(el)).to.equal('●●●○');
    expect(text($(el, '[data-count]'))).to.equal('3 of 4 digits entered');
    expect(el.shadowRoot?.textContent).not.to.contain('123');
    expect(signInButton(el).disabled).to.equal(true);

    await tap(el, '4');
    expect(signInButton(el).disabled).to.equal(false);
    // A fifth digit is not taken.
    await tap(el, '5');
    expect(dots(el)).to.equal('●●●●');
    signInButton(el).click();
    await el.updateComplete;

    expect(signIns).to.deep.equal([{ kind: 'staff', pin: '1234' }]);
    expect(dots(el)).to.equal('○○○○');
    targetsFit(el);
    for (const key of el.shadowRoot?.querySelectorAll<HTMLElement>('.keys button') ?? []) {
      const box = key.getBoundingClientRect();
      expect(box.height, key.textContent ?? '').to.be.at.least(56);
      expect(box.width, key.textContent ?? '').to.be.at.least(56);
    }
    await clean(el);
  });

  it('takes the physical keyboard: digits, Backspace and Enter', async () => {
    const { el, signIns } = await mount({ length: 6 });
    for (const key of ['4', '2', '9', 'Backspace', '7', 'x', '1', '1']) await press(el, key);
    expect(dots(el)).to.equal('●●●●●○');
    await press(el, 'Enter');
    expect(signIns).to.deep.equal([]);

    await press(el, '0');
    await press(el, 'Enter');
    expect(signIns).to.deep.equal([{ kind: 'staff', pin: '427110' }]);
  });

  it('Enter on a focused digit signs in once and types nothing more', async () => {
    const { el, signIns } = await mount();
    await tap(el, '5', '5', '5', '5');
    const zero = $(el, '[data-key="0"]');
    zero.focus();
    zero.dispatchEvent(
      new KeyboardEvent('keydown', {
        key: 'Enter',
        bubbles: true,
        composed: true,
        cancelable: true,
      }),
    );
    await settle(el);
    expect(signIns).to.deep.equal([{ kind: 'staff', pin: '5555' }]);
    expect(dots(el)).to.equal('○○○○');
  });

  it('leaves keys typed into a field elsewhere on the page alone', async () => {
    const { el } = await mount();
    const input = document.createElement('input');
    el.parentElement?.append(input);
    input.dispatchEvent(new KeyboardEvent('keydown', { key: '7', bubbles: true, composed: true }));
    await el.updateComplete;
    expect(dots(el)).to.equal('○○○○');
  });

  it('says Checking… and the error from the session in a live region', async () => {
    const { el, signIns } = await mount();
    el.status = { status: 'pending' };
    await el.updateComplete;
    const live = $<HTMLElement>(el, '[role="status"][data-status]');
    expect(text(live)).to.equal('Checking…');
    expect(signInButton(el).getAttribute('aria-busy')).to.equal('true');
    await tap(el, '1');
    expect(dots(el)).to.equal('○○○○');

    el.status = { status: 'error', message: 'Wrong PIN' };
    await el.updateComplete;
    expect(text(live)).to.equal('Wrong PIN');
    await tap(el, '1', '1', '1', '1');
    await press(el, 'Enter');
    expect(signIns).to.have.length(1);
    await clean(el);
  });

  it('switching: names who is signed in, and Cancel or Escape backs out', async () => {
    const { el } = await mount({ signedInName: 'Sam' });
    expect(text($(el, 'h2'))).to.equal('Switch from Sam');
    let cancels = 0;
    el.addEventListener('hearth-pin-cancel', () => {
      cancels += 1;
    });
    await tap(el, '1', '2');
    $(el, '[data-cancel]').click();
    await el.updateComplete;
    expect(dots(el)).to.equal('○○○○');
    await press(el, 'Escape');
    expect(cancels).to.equal(2);
    targetsFit(el);
    await clean(el);
  });
});
