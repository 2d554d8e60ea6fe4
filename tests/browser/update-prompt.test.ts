import { expect } from '@esm-bundle/chai';
import '../../web/app/update-prompt.ts';
import { serious } from './guest-support.ts';

// "A new version is ready" on every page's theme: its text and button stay readable (axe's
// colour contrast) on the kitchen's light accent as on the dark ones.

async function themed(href: string | null): Promise<HTMLElement> {
  for (const old of document.head.querySelectorAll('link[data-theme]')) old.remove();
  if (href) {
    const link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = href;
    link.dataset.theme = '';
    const loaded = new Promise((resolve, reject) => {
      link.onload = resolve;
      link.onerror = reject;
    });
    document.head.append(link);
    await loaded;
  }
  const frame = document.createElement('main');
  frame.style.cssText = 'background:var(--hearth-bg,#fff);color:var(--hearth-fg,#111);padding:16px';
  frame.append(document.createElement('hearth-update-prompt'));
  document.body.replaceChildren(frame);
  await frame.querySelector('hearth-update-prompt')?.updateComplete;
  return frame;
}

describe('<hearth-update-prompt>', () => {
  afterEach(() => {
    for (const old of document.head.querySelectorAll('link[data-theme]')) old.remove();
    document.body.replaceChildren();
  });

  it('is readable on the kitchen display’s light accent', async () => {
    const frame = await themed('/web/styles/kitchen.css');
    expect(await serious(frame)).to.deep.equal([]);
  });

  it('is readable on the default dark accent', async () => {
    const frame = await themed(null);
    expect(await serious(frame)).to.deep.equal([]);
  });
});
