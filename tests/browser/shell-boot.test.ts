import { expect } from '@esm-bundle/chai';
import '../../web/app/update-prompt.ts';
import { keepScreenAwake } from '../../web/app/wake-lock.ts';

// The shell's pieces around the screens: the update prompt and the kitchen's wake lock.

describe('<hearth-update-prompt>', () => {
  it('says a new version is ready and asks to reload', async () => {
    const prompt = document.createElement('hearth-update-prompt');
    document.body.append(prompt);
    try {
      await prompt.updateComplete;
      const root = prompt.shadowRoot;
      expect(
        root?.querySelector('[role="alert"]')?.textContent?.replace(/\s+/g, ' ').trim(),
      ).to.equal('A new version is ready Reload');
      let reloads = 0;
      document.body.addEventListener('hearth-reload', () => reloads++, { once: true });
      root?.querySelector('button')?.click();
      expect(reloads).to.equal(1);
    } finally {
      prompt.remove();
    }
  });
});

class FakeSentinel extends EventTarget {
  released = false;
  readonly type = 'screen' as const;
  onrelease = null;
  async release(): Promise<void> {
    this.released = true;
  }
}

/** A document whose visibility the test sets, and a wake lock that counts requests. */
function fakes() {
  const doc = new EventTarget() as EventTarget & { visibilityState: DocumentVisibilityState };
  doc.visibilityState = 'visible';
  const sentinels: FakeSentinel[] = [];
  const wakeLock = {
    async request(type: 'screen') {
      expect(type).to.equal('screen');
      const sentinel = new FakeSentinel();
      sentinels.push(sentinel);
      return sentinel as unknown as WakeLockSentinel;
    },
  } as WakeLock;
  const show = (state: DocumentVisibilityState) => {
    doc.visibilityState = state;
    doc.dispatchEvent(new Event('visibilitychange'));
  };
  return { doc: doc as unknown as Document, wakeLock, sentinels, show };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('keepScreenAwake', () => {
  it('takes the lock, and takes it again when the page is shown after the browser released it', async () => {
    const { doc, wakeLock, sentinels, show } = fakes();
    const stop = keepScreenAwake(doc, wakeLock);
    await tick();
    expect(sentinels).to.have.length(1);

    // Hidden: the browser releases the lock by itself.
    show('hidden');
    const first = sentinels[0];
    if (first) first.released = true;
    await tick();
    expect(sentinels).to.have.length(1);

    show('visible');
    await tick();
    expect(sentinels).to.have.length(2);

    // Shown again while the lock still holds: no second request.
    show('visible');
    await tick();
    expect(sentinels).to.have.length(2);

    stop();
    await tick();
    expect(sentinels[1]?.released).to.equal(true);
    show('visible');
    await tick();
    expect(sentinels).to.have.length(2);
  });

  it('does nothing where there is no wake lock', () => {
    const { doc } = fakes();
    const stop = keepScreenAwake(doc, undefined);
    stop();
  });
});
