import { expect } from '@esm-bundle/chai';
import { type DBSchema, deleteDB, type IDBPDatabase, openDB } from 'idb';

// Proves the browser's real IndexedDB, as driven through idb, keeps committed writes across
// connections and discards aborted ones: the ground the PWA's outbox will stand on.

interface Ticket {
  id: string;
  table: number;
  items: string[];
}

interface ProbeDb extends DBSchema {
  tickets: {
    key: string;
    value: Ticket;
    indexes: { byTable: number };
  };
}

const OYSTERS: Ticket = { id: 't-1', table: 4, items: ['oysters', 'sourdough'] };
const NEGRONI: Ticket = { id: 't-2', table: 7, items: ['negroni'] };
const TART: Ticket = { id: 't-3', table: 4, items: ['tart'] };
const TICKETS = [OYSTERS, NEGRONI, TART];

function openProbeDb(name: string): Promise<IDBPDatabase<ProbeDb>> {
  return openDB<ProbeDb>(name, 1, {
    upgrade(db) {
      const store = db.createObjectStore('tickets', { keyPath: 'id' });
      store.createIndex('byTable', 'table');
    },
  });
}

describe('IndexedDB through idb', () => {
  let name = '';

  beforeEach(() => {
    name = `hearth-probe-${crypto.randomUUID()}`;
  });

  afterEach(async () => {
    await deleteDB(name);
  });

  it('reads back strictly durable writes from a new connection', async () => {
    const writer = await openProbeDb(name);
    const tx = writer.transaction('tickets', 'readwrite', { durability: 'strict' });
    await Promise.all([...TICKETS.map((ticket) => tx.store.put(ticket)), tx.done]);
    writer.close();

    const reader = await openProbeDb(name);
    try {
      expect(await reader.count('tickets')).to.equal(3);
      expect(await reader.get('tickets', 't-2')).to.deep.equal(NEGRONI);
      const atTable4 = await reader.getAllFromIndex('tickets', 'byTable', 4);
      expect(atTable4.map((ticket) => ticket.id)).to.deep.equal(['t-1', 't-3']);
      expect(await reader.getAll('tickets')).to.deep.equal(TICKETS);
    } finally {
      reader.close();
    }
  });

  it('leaves nothing behind when a transaction aborts', async () => {
    const db = await openProbeDb(name);
    try {
      const tx = db.transaction('tickets', 'readwrite', { durability: 'strict' });
      await tx.store.put(OYSTERS);
      await tx.store.put(NEGRONI);
      // Visible inside the transaction before it aborts, so the abort is what removes them.
      expect(await tx.store.count()).to.equal(2);
      tx.abort();
      let abortError: unknown;
      await tx.done.catch((error: unknown) => {
        abortError = error;
      });
      expect(abortError).to.be.instanceOf(DOMException).and.have.property('name', 'AbortError');

      expect(await db.count('tickets')).to.equal(0);
      expect(await db.get('tickets', 't-1')).to.equal(undefined);
    } finally {
      db.close();
    }
  });
});
