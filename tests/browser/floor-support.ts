import { expect } from '@esm-bundle/chai';
import { serious } from './guest-support.ts';

export { HandTime, text } from './guest-support.ts';

// What the floor panels' browser tests share: a dark frame like the floor page's on a phone held by
// a server (390 px), axe's serious findings, every target's size, and ops landing in a list.

export function floorFrame(width = 390): HTMLElement {
  const frame = document.createElement('main');
  frame.className = 'floor-frame';
  frame.setAttribute(
    'style',
    `width:${width}px;padding:16px;box-sizing:border-box;background:#15110f;color:#f5eeea;` +
      'font-family:system-ui,sans-serif;font-size:16px;line-height:1.4;',
  );
  document.body.append(frame);
  return frame;
}

export function unmountFloor(): void {
  for (const frame of document.querySelectorAll('.floor-frame')) frame.remove();
}

/** No serious or critical axe finding in the element's frame. */
export async function clean(el: HTMLElement): Promise<void> {
  const found = await serious(el.parentElement as HTMLElement);
  expect(found, found.join('\n\n')).to.deep.equal([]);
}

/** Every button, select and input (a checkbox with its label) in the shadow root is at least 44 × 44 px. */
export function targetsFit(el: HTMLElement): void {
  const targets = [...(el.shadowRoot?.querySelectorAll('button, select, input') ?? [])];
  for (const target of targets) {
    // A checkbox's target is its label: a press anywhere on it ticks the box.
    const hit = target.matches('[type="checkbox"]') ? (target.closest('label') ?? target) : target;
    const box = hit.getBoundingClientRect();
    const name =
      target.getAttribute('aria-label') ?? target.textContent?.trim() ?? target.localName;
    expect(box.height, `${name} height`).to.be.at.least(44);
    expect(box.width, `${name} width`).to.be.at.least(44);
  }
}

export interface Sent {
  readonly label: string;
  readonly type: string;
  readonly payload: Record<string, unknown>;
  readonly opId: string;
}

/** A `submit` that keeps each op in `sent` and answers `status`. */
export function recorder(status: () => 'synced' | 'pending' | 'failed' = () => 'synced') {
  const sent: Sent[] = [];
  let n = 0;
  const submit = async (label: string, type: string, payload: (newId: () => string) => unknown) => {
    const opId = `op-${++n}`;
    sent.push({ label, type, payload: payload(() => `new-${n}`) as Record<string, unknown>, opId });
    return { opId, status: status() };
  };
  return { sent, submit };
}

/** Lets the element answer a press: the submit's promise, then a render. */
export async function settle(el: { updateComplete: Promise<unknown> }): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve));
  await el.updateComplete;
  await new Promise((resolve) => setTimeout(resolve));
  await el.updateComplete;
}
