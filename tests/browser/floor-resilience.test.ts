import { expect } from '@esm-bundle/chai';
import '../../web/floor/resilience-view.ts';
import type { ResilienceViewElement } from '../../web/floor/resilience-view.ts';
import { eveningReport, MIN, T0 } from '../web/resilience-fixtures.ts';
import { clean, floorFrame, targetsFit, text, unmountFloor } from './floor-support.ts';

// `<hearth-resilience-view>` in Chromium: a venue offline from the cloud with a relay, three
// devices (one silent) and an hour of samples; the chart drawn by uPlot from them.

async function mount(props: Partial<ResilienceViewElement> = {}, width = 390) {
  const el = document.createElement('hearth-resilience-view');
  el.now = T0;
  el.report = eveningReport();
  el.names = new Map([['dev-floor-phone-0002', 'Sam’s phone']]);
  Object.assign(el, props);
  floorFrame(width).append(el);
  await el.updateComplete;
  return el;
}

const q = (el: HTMLElement, selector: string) =>
  el.shadowRoot?.querySelector<HTMLElement>(selector);
const rows = (el: HTMLElement, table: string) =>
  [...(el.shadowRoot?.querySelectorAll(`[data-table="${table}"] tbody tr`) ?? [])].map((tr) =>
    [...tr.querySelectorAll('th, td')].map((cell) => text(cell)),
  );
const chartOf = async (el: HTMLElement) => {
  const chart = q(el, 'hearth-resilience-chart') as
    | (HTMLElement & { drawn: Promise<void>; updateComplete: Promise<unknown> })
    | null
    | undefined;
  if (!chart) throw new Error('no chart');
  await chart.updateComplete;
  await chart.drawn;
  return chart;
};

/** A time of day as this browser's locale writes it ("19:40" or "07:40 PM"). */
const T = String.raw`\d\d?:\d\d(?:\s?[AP]M)?`;
const re = (source: string) => new RegExp(source);

afterEach(unmountFloor);

describe('<hearth-resilience-view>', () => {
  it('says how the venue reaches the cloud now, with its history newest first', async () => {
    const el = await mount();
    expect(text(q(el, '[data-connectivity]'))).to.match(
      re(`^Offline from the cloud since ${T} \\(20 min\\)$`),
    );
    const history = rows(el, 'history');
    expect(history.map((r) => r[1])).to.deep.equal([
      'Offline from the cloud',
      'Connection to the cloud unreliable',
      'Online with the cloud',
    ]);
    expect(history[0]?.[2]).to.equal('now (20 min)');
    expect(history[1]?.[2]).to.equal('5 min');
    const headers = [...(el.shadowRoot?.querySelectorAll('[data-table="history"] thead th') ?? [])];
    expect(headers.map((th) => [text(th), th.getAttribute('scope')])).to.deep.equal([
      ['From', 'col'],
      ['State', 'col'],
      ['For', 'col'],
    ]);
  });

  it('the journal, each relay and each device: stale ones flagged in words, troubled devices first', async () => {
    const el = await mount();
    expect(text(q(el, '[data-journal]'))).to.match(
      re(`^12 changes not in the cloud yet, oldest from ${T} \\(18 min\\)$`),
    );
    expect(text(q(el, '[data-head]'))).to.equal('1234');
    const nodes = rows(el, 'nodes');
    expect(nodes[0]).to.deep.include.members([
      'Offline from the cloud',
      '1220',
      '14 entries behind',
    ]);
    expect(nodes[0]?.[0]).to.not.contain('Not heard from');
    expect(nodes[1]?.[0]).to.contain('Terrace').and.contain('Not heard from');
    expect(nodes[1]?.[1]).to.equal('No report yet');
    const devices = rows(el, 'devices');
    expect(devices.map((r) => r[0])).to.deep.equal([
      'Sam’s phone',
      'Device …0003 Silent',
      'Device …0001',
    ]);
    expect(devices[0]?.slice(1, 4)).to.deep.equal(['5', '12 min', '2']);
    expect(devices[1]?.[5]).to.equal('Cloud');
    expect(devices[2]?.[5]).to.equal('Relay Back office');
    const stale = el.shadowRoot?.querySelector('[data-device="dev-terrace-0003"]');
    expect(stale?.getAttribute('data-stale')).to.equal('true');
  });

  it('draws the chart from the samples with uPlot, and says the same in words beside it', async () => {
    const el = await mount();
    const chart = await chartOf(el);
    const canvas = chart.shadowRoot?.querySelector('canvas');
    expect(canvas, 'a canvas').to.exist;
    expect(canvas?.width).to.be.greaterThan(100);
    expect(chart.shadowRoot?.querySelector('.uplot')).to.exist;
    // uPlot's own stylesheet is adopted into the chart's shadow root.
    const adopted = chart.shadowRoot?.adoptedStyleSheets ?? [];
    const rules = adopted.flatMap((sheet) => [...sheet.cssRules].map((r) => r.cssText));
    expect(rules.some((r) => r.includes('.u-wrap'))).to.equal(true);
    expect(chart.shadowRoot?.querySelector('.plot')?.getAttribute('aria-hidden')).to.equal('true');
    const summary = text(chart.shadowRoot?.querySelector('[data-summary]'));
    const at = (minute: number) => String.raw`\d\d?:${minute}(?:\s?[AP]M)?`;
    expect(summary).to.match(
      re(`Ops waiting on devices: peak 42 at ${at(48)}; back to 0 at ${at(53)}\\.`),
    );
    expect(summary).to.match(re(`Sending queued changes: ${at(49)}–${at(53)}\\.`));
  });

  it('the chart follows new samples, and says so when there are none', async () => {
    const el = await mount({ report: eveningReport({ samples: [] }) });
    let chart = await chartOf(el);
    expect(chart.shadowRoot?.querySelector('canvas')).to.not.exist;
    expect(text(chart.shadowRoot?.querySelector('[data-summary]'))).to.contain('No samples');
    el.report = eveningReport();
    await el.updateComplete;
    chart = await chartOf(el);
    expect(chart.shadowRoot?.querySelector('canvas')).to.exist;
  });

  it('an older cloud without connectivity or samples still shows the rest', async () => {
    const { connectivity: _c, samples: _s, ...old } = eveningReport();
    const el = await mount({ report: old });
    expect(text(q(el, '[data-connectivity]'))).to.contain('does not say');
    expect(q(el, 'hearth-resilience-chart')).to.not.exist;
    expect(rows(el, 'devices')).to.have.length(3);
  });

  it('an error is shown as an alert, above the last report kept', async () => {
    const el = await mount({ report: null, error: 'Only a manager sees the venue’s sync report' });
    expect(text(q(el, '[role="alert"]'))).to.equal('Only a manager sees the venue’s sync report');
    expect(q(el, '[data-connectivity]')).to.not.exist;
    el.report = eveningReport();
    el.error = 'No connection to the server: the sync report could not be loaded';
    await el.updateComplete;
    expect(text(q(el, '[role="alert"]'))).to.contain('No connection');
    expect(q(el, '[data-connectivity]')).to.exist;
  });

  it('"Check now" asks the page to fetch again (bubbling, composed); off while loading', async () => {
    const el = await mount();
    let asked = 0;
    document.body.addEventListener('hearth-refresh', () => asked++, { once: true });
    const button = q(el, 'button') as HTMLButtonElement;
    expect(text(button)).to.equal('Check now');
    button.click();
    expect(asked).to.equal(1);
    el.loading = true;
    await el.updateComplete;
    expect(button.disabled).to.equal(true);
    expect(text(button)).to.equal('Checking…');
  });

  it('no serious axe finding, 44 px targets, tables scroll inside a 390 px phone', async () => {
    const el = await mount();
    await chartOf(el);
    targetsFit(el);
    expect(el.getBoundingClientRect().width).to.be.at.most(390);
    await clean(el);
  });

  it('ages move with `now`', async () => {
    const el = await mount();
    el.now = T0 + 10 * MIN;
    await el.updateComplete;
    expect(text(q(el, '[data-connectivity]'))).to.contain('(30 min)');
  });
});
