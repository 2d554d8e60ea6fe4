import { expect } from '@esm-bundle/chai';
import { startOfflineUse } from '../../web/app/boot.ts';
import { offlineNoticeText } from '../../web/app/offline-notice.ts';
import { offlineOffReason } from '../../web/app/offline-use.ts';

// "Offline use is off on this device", on every screen that boots where no service worker can
// keep changes: the runner's page is a secure context, so the browser's reading is given.

const noticeText = async (): Promise<string | undefined> => {
  const notice = document.querySelector('hearth-offline-notice');
  await notice?.updateComplete;
  return notice?.shadowRoot?.textContent?.replace(/\s+/g, ' ').trim();
};

describe('offline use', () => {
  afterEach(() => {
    for (const notice of document.querySelectorAll('hearth-offline-notice')) notice.remove();
  });

  it('is off without a secure context or a service worker, on with both', () => {
    expect(offlineOffReason({ secureContext: false, serviceWorker: false })).to.equal('insecure');
    expect(offlineOffReason({ secureContext: false, serviceWorker: true })).to.equal('insecure');
    expect(offlineOffReason({ secureContext: true, serviceWorker: false })).to.equal(
      'no-service-worker',
    );
    expect(offlineOffReason({ secureContext: true, serviceWorker: true })).to.equal(null);
  });

  it('says what is off, why and what to do, for each reason', () => {
    for (const reason of ['insecure', 'registration-failed', 'no-service-worker'] as const) {
      const text = offlineNoticeText(reason);
      expect(text.headline).to.equal('Offline use is off on this device');
      expect(text.why).to.not.equal('');
      expect(text.todo).to.not.equal('');
    }
    expect(offlineNoticeText('insecure').why).to.contain('not secure');
    expect(offlineNoticeText('insecure').todo).to.contain('trust the venue certificate');
  });

  it('puts a persistent polite notice first in the main landmark of a page that is not a secure context', async () => {
    const main = document.createElement('main');
    document.body.prepend(main);
    try {
      const off = await startOfflineUse('/sw.js', { secureContext: false, serviceWorker: false });
      expect(off).to.equal('insecure');
      const notice = document.querySelector('hearth-offline-notice');
      expect(main.firstElementChild).to.equal(notice);
      expect(
        notice?.shadowRoot?.querySelector('[role="status"]')?.getAttribute('aria-live'),
      ).to.equal('polite');
      expect(await noticeText()).to.equal(
        `Offline use is off on this device ${offlineNoticeText('insecure').why} ${offlineNoticeText('insecure').todo}`,
      );
      // Booting again (another entry on the page) keeps one notice.
      await startOfflineUse('/sw.js', { secureContext: false, serviceWorker: false });
      expect(document.querySelectorAll('hearth-offline-notice')).to.have.length(1);
    } finally {
      main.remove();
    }
  });

  it('says so when the browser refuses the service worker', async () => {
    // A script that is not there: registration fails as it does for an untrusted certificate.
    const off = await startOfflineUse('/no-such-worker.js', {
      secureContext: true,
      serviceWorker: true,
    });
    expect(off).to.equal('registration-failed');
    expect(await noticeText()).to.contain('does not trust the venue certificate');
    expect(await navigator.serviceWorker.getRegistrations()).to.have.length(0);
  });
});
