import { expect } from '@esm-bundle/chai';
import { deleteDB, openDB } from 'idb';
import { dumpPageStorage } from '../support/card-scan-browser.ts';

// The page-side half of the card-number scan: whatever the page keeps in IndexedDB (strings,
// numbers, binary, nested), Web Storage or Cache Storage shows up in the dump, so an empty scan
// of the dump means the page keeps no card number. The dump is also run from its own source
// text, as a Playwright page's evaluate runs it.

const VISA = '4242424242424242';
const AMEX = '378282246310005';
const MASTERCARD = '5555555555554444';
const DISCOVER = '6011111111111117';

describe('dumpPageStorage', () => {
  const dbName = `hearth-card-scan-${crypto.randomUUID()}`;
  const cacheName = `hearth-card-scan-${crypto.randomUUID()}`;

  before(async () => {
    const db = await openDB(dbName, 3, {
      upgrade(d) {
        d.createObjectStore('payments', { keyPath: 'id' });
        d.createObjectStore('blobs');
      },
    });
    await db.put('payments', {
      id: '01JEKX7Q8ZC4M2R6T9V3W5Y1AB',
      amount: 125000,
      card: { last4: '4242', raw: VISA },
      at: new Date(Date.UTC(2026, 11, 7, 13, 15)),
      tags: new Set(['a']),
      big: 1n,
    });
    await db.put('blobs', new Blob([`pan=${AMEX}`]), 'blob');
    await db.put('blobs', new TextEncoder().encode(`x${MASTERCARD}x`).buffer, 'buffer');
    db.close();
    localStorage.setItem('hearth-card-scan', `card ${DISCOVER}`);
    sessionStorage.setItem('hearth-card-scan', 'session value');
    const cache = await caches.open(cacheName);
    await cache.put(`/card-scan/${VISA}`, new Response('ok'));
  });

  after(async () => {
    await deleteDB(dbName);
    localStorage.removeItem('hearth-card-scan');
    sessionStorage.removeItem('hearth-card-scan');
    await caches.delete(cacheName);
  });

  it('shows every store’s records, Web Storage and cached request URLs', async () => {
    const dump = await dumpPageStorage();
    const lines = dump.split('\n');
    expect(lines).to.include(`indexeddb ${dbName} v3 payments: 1 records`);
    expect(lines).to.include(
      `indexeddb ${dbName} payments "01JEKX7Q8ZC4M2R6T9V3W5Y1AB" {"id":"01JEKX7Q8ZC4M2R6T9V3W5Y1AB","amount":125000,"card":{"last4":"4242","raw":"${VISA}"},"at":"2026-12-07T13:15:00.000Z","tags":["a"],"big":"1"}`,
    );
    expect(lines).to.include(`indexeddb ${dbName} v3 blobs: 2 records`);
    expect(lines).to.include(`indexeddb ${dbName} blobs "blob" "pan=${AMEX}"`);
    expect(lines).to.include(`indexeddb ${dbName} blobs "buffer" "x${MASTERCARD}x"`);
    expect(lines).to.include(`localStorage "hearth-card-scan" card ${DISCOVER}`);
    expect(lines).to.include('sessionStorage "hearth-card-scan" session value');
    expect(lines).to.include(`cache ${cacheName} ${location.origin}/card-scan/${VISA}`);
  });

  it('runs from its own source text, needing nothing from its module', async () => {
    const fromSource = new Function(
      `return (${dumpPageStorage.toString()})();`,
    ) as () => Promise<string>;
    const dump = await fromSource();
    expect(dump).to.equal(await dumpPageStorage());
    expect(dump).to.contain(`"raw":"${VISA}"`);
  });
});
