// axe-core is a UMD script: imported for its side effect, it sets `window.axe`.
import 'axe-core';
import type { AxeResults, RunOptions } from 'axe-core';

// What the guest components' browser tests share: a page frame as the guest page gives it (a
// 360 px phone, the page's light theme), hand-driven time, and axe-core's serious findings.

interface Axe {
  run(context: Element, options?: RunOptions): Promise<AxeResults>;
}
const axe = (window as unknown as { axe: Axe }).axe;

const OPTIONS: RunOptions = {
  runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
  resultTypes: ['violations'],
};

/** Serious or critical axe violations inside `root`, one line each with where. */
export async function serious(root: Element): Promise<string[]> {
  const results = await axe.run(root, OPTIONS);
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help}\n${v.nodes
          .slice(0, 5)
          .map((n) => `  ${JSON.stringify(n.target)} ${n.failureSummary ?? ''}`)
          .join('\n')}`,
    );
}

/** A frame like the guest page's `<main>` on a 360 px phone, with the page's colours. */
export function phoneFrame(): HTMLElement {
  const frame = document.createElement('main');
  frame.className = 'guest-frame';
  frame.setAttribute(
    'style',
    'width:360px;padding:16px;box-sizing:border-box;background:#fbf7f4;color:#231411;' +
      'font-family:system-ui,sans-serif;font-size:16px;line-height:1.4;',
  );
  document.body.append(frame);
  return frame;
}

export function unmountFrames(): void {
  for (const frame of document.querySelectorAll('.guest-frame')) frame.remove();
}

/** Time in the test's hands: the clock and the repeating timers move only when told. */
export class HandTime {
  now: number;
  readonly #runs = new Set<() => void>();

  constructor(start: number) {
    this.now = start;
  }

  readonly clock = (): number => this.now;

  readonly timers = {
    every: (_ms: number, run: () => void): (() => void) => {
      this.#runs.add(run);
      return () => this.#runs.delete(run);
    },
  };

  /** How many repeating timers run now. */
  get running(): number {
    return this.#runs.size;
  }

  /** Moves on by `ms` and runs the timers once. */
  advance(ms: number): void {
    this.now += ms;
    for (const run of [...this.#runs]) run();
  }
}

/** Text as a guest reads it: whitespace collapsed. */
export const text = (node: Node | null | undefined): string =>
  node?.textContent?.replace(/\s+/g, ' ').trim() ?? '';
