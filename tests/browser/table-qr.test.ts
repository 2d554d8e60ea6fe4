import { expect } from '@esm-bundle/chai';
import { emulateMedia, setViewport } from '@web/test-runner-commands';
import { renderSVG } from 'uqr';
import type { Table } from '#protocol';
import '../../web/floor/table-qr.ts';
import { guestUrl, type TableQrSheet } from '../../web/floor/table-qr.ts';
import { table } from '../web/floor-fixtures.ts';
import { serious, text } from './guest-support.ts';

// The printable sheet of table QR codes in Chromium: one card per table with the guest app's
// URL for that table, the library loaded on demand, a Print button, print styles.

const ORIGIN = 'https://hearth.example';
const TABLES = ['10', '2', 'Bar 3', '1'].map((l) => table(l));

const mounted: HTMLElement[] = [];

async function mount(
  tables: readonly Table[] = TABLES,
  guestOrigin = ORIGIN,
  venueId = 'demo-bistro',
): Promise<TableQrSheet> {
  const frame = document.createElement('div');
  frame.setAttribute('style', 'background:#fff;padding:8px;font-size:16px;');
  const sheet = document.createElement('hearth-table-qr');
  sheet.tables = tables;
  sheet.guestOrigin = guestOrigin;
  sheet.venueId = venueId;
  frame.append(sheet);
  document.body.append(frame);
  mounted.push(frame);
  await sheet.loaded;
  await sheet.updateComplete;
  return sheet;
}

const cards = (sheet: TableQrSheet) => [...(sheet.shadowRoot?.querySelectorAll('.card') ?? [])];

afterEach(async () => {
  for (const frame of mounted.splice(0)) frame.remove();
  await emulateMedia({ media: 'screen' });
});

describe('guestUrl', () => {
  it('names the venue and the table label, encoded; one slash after the origin', () => {
    expect(guestUrl(ORIGIN, 'demo-bistro', '5')).to.equal(
      'https://hearth.example/guest/?venue=demo-bistro&table=5',
    );
    expect(guestUrl(`${ORIGIN}/`, 'demo-bistro', 'Bar 3')).to.equal(
      'https://hearth.example/guest/?venue=demo-bistro&table=Bar%203',
    );
    // What the guest page reads back from it.
    const read = new URL(guestUrl(ORIGIN, 'v&1', 'A/1 #2')).searchParams;
    expect([read.get('venue'), read.get('table')]).to.deep.equal(['v&1', 'A/1 #2']);
  });
});

describe('<hearth-table-qr>', () => {
  it('one card per table in label order: an SVG code, "Table n", "Scan to order", the URL', async () => {
    const sheet = await mount();
    const all = cards(sheet);
    expect(all.length).to.equal(4);
    expect(all.map((c) => text(c.querySelector('h2')))).to.deep.equal([
      'Table 1',
      'Table 2',
      'Table 10',
      'Table Bar 3',
    ]);
    for (const card of all) {
      const label = text(card.querySelector('h2')).replace('Table ', '');
      expect(card.querySelector('.code svg'), label).to.not.equal(null);
      expect(card.querySelector('.code svg path'), label).to.not.equal(null);
      expect(card.querySelector('.code')?.getAttribute('aria-label')).to.equal(
        `QR code for table ${label}`,
      );
      expect(text(card.querySelector('.cta'))).to.equal('Scan to order');
      expect(text(card.querySelector('.url'))).to.equal(guestUrl(ORIGIN, 'demo-bistro', label));
    }
    expect(text(all[3]?.querySelector('.url'))).to.equal(
      'https://hearth.example/guest/?venue=demo-bistro&table=Bar%203',
    );
  });

  it('each code is the table’s URL as the library encodes it', async () => {
    const sheet = await mount();
    const modules = (svg: Element | null | undefined) =>
      svg?.querySelector('path')?.getAttribute('d');
    for (const card of cards(sheet)) {
      const url = text(card.querySelector('.url'));
      const expected = document.createElement('template');
      expected.innerHTML = renderSVG(url, { ecc: 'M', border: 2 });
      expect(modules(card.querySelector('.code svg')), url).to.equal(
        modules(expected.content.firstElementChild),
      );
    }
  });

  it('each table gets its own code', async () => {
    const sheet = await mount();
    const codes = cards(sheet).map((c) => c.querySelector('.code svg')?.innerHTML);
    expect(new Set(codes).size).to.equal(4);
  });

  it('a new table adds a card; a new origin makes new codes', async () => {
    const sheet = await mount();
    const before = cards(sheet)[0]?.querySelector('.code svg')?.innerHTML;
    sheet.tables = [...TABLES, table('11')];
    await sheet.updateComplete;
    expect(cards(sheet).length).to.equal(5);
    sheet.guestOrigin = 'https://other.example';
    await sheet.updateComplete;
    expect(text(cards(sheet)[0]?.querySelector('.url'))).to.equal(
      'https://other.example/guest/?venue=demo-bistro&table=1',
    );
    expect(cards(sheet)[0]?.querySelector('.code svg')?.innerHTML).to.not.equal(before);
  });

  it('Print calls window.print', async () => {
    const sheet = await mount();
    const original = window.print;
    let printed = 0;
    window.print = () => {
      printed += 1;
    };
    try {
      const print = sheet.shadowRoot?.querySelector<HTMLButtonElement>('.toolbar button');
      expect(text(print)).to.equal('Print');
      expect(print?.disabled).to.equal(false);
      print?.click();
    } finally {
      window.print = original;
    }
    expect(printed).to.equal(1);
  });

  it('without the guest app’s origin or the venue: says so, no cards, nothing to print', async () => {
    for (const [origin, venue] of [
      ['', 'demo-bistro'],
      [ORIGIN, ''],
    ]) {
      const sheet = await mount(TABLES, origin, venue);
      expect(cards(sheet).length).to.equal(0);
      expect(text(sheet.shadowRoot?.querySelector('[role="status"]'))).to.equal(
        "The guest app's address is not known yet.",
      );
      expect(sheet.shadowRoot?.querySelector('button')?.disabled).to.equal(true);
    }
  });

  it('prints the cards alone (no buttons), two across, none split', async () => {
    const sheet = await mount();
    await emulateMedia({ media: 'print' });
    const toolbar = sheet.shadowRoot?.querySelector('.toolbar') as HTMLElement;
    expect(getComputedStyle(toolbar).display).to.equal('none');
    const [first, second, third] = cards(sheet);
    expect(getComputedStyle(first as Element).breakInside).to.equal('avoid');
    const top = (el: Element | undefined) => Math.round(el?.getBoundingClientRect().top ?? -1);
    expect(top(first)).to.equal(top(second));
    expect(top(third)).to.be.greaterThan(top(first));
  });

  it('every target at least 44 px, no serious axe finding (tablet and phone)', async () => {
    for (const [width, height] of [
      [1280, 800],
      [390, 844],
    ] as const) {
      await setViewport({ width, height });
      const sheet = await mount();
      for (const b of sheet.shadowRoot?.querySelectorAll('button') ?? []) {
        const box = b.getBoundingClientRect();
        expect(box.width).to.be.at.least(44);
        expect(box.height).to.be.at.least(44);
      }
      expect(await serious(sheet.parentElement as HTMLElement)).to.deep.equal([]);
      sheet.parentElement?.remove();
    }
  });
});
