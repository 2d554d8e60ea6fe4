// The kitchen display bench's page (bundled by tests/bench/kds-bench.ts with esbuild, loaded
// into Chromium with page.setContent + addScriptTag). JavaScript, like the PWA bench's page:
// tsconfig.json checks tests/** without the DOM libs. Two boards, measured the same way:
//
//   ours: <hearth-kds-board> given 1,000 tickets of one station (one page of cards in the DOM)
//   raw:  a minimal LitElement rendering 1,000 items with `repeat` (every item in the DOM)
//
// One update = one ticket (item) replaced in a new array, set on the element, its update
// awaited. It starts at the top of an animation frame (a rAF callback) and ends in a macrotask
// posted once the update is done: that task runs after the frame has done its style, layout and
// paint, so the elapsed time is the update applied AND painted, not a wait for the next vsync.

import { css, html, LitElement } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { boardOf } from '../../../web/kitchen/board.ts';
import '../../../web/kitchen/kds-board.ts';

/** @typedef {import('#protocol').Ticket} Ticket */
/** @typedef {{ id: string, label: string, done: boolean }} Item */
/**
 * @typedef {object} Run
 * @property {number[]} times    update → painted, ms
 * @property {number[]} applied  the same updates up to the element's update done (no style,
 *   layout or paint)
 * @property {number[]} boardOf  `boardOf` alone on the same tickets (ours only), per update
 * @property {number} inDom      cards (ours) or rows (raw) in the DOM after the run
 */

/** The framework floor: a LitElement with 1,000 keyed rows, nothing else. */
class RawList extends LitElement {
  static properties = { items: { attribute: false } };
  static styles = css`
    :host {
      display: grid;
      grid-template-columns: repeat(6, 1fr);
      gap: 2px;
      font: 14px sans-serif;
      color: #f4f1ee;
    }
    .done {
      text-decoration: line-through;
    }
  `;
  constructor() {
    super();
    /** @type {Item[]} */
    this.items = [];
  }
  render() {
    return repeat(
      this.items,
      (item) => item.id,
      (item) => html`<div class=${item.done ? 'done' : ''}>${item.label}</div>`,
    );
  }
}
customElements.define('bench-raw-list', RawList);

/** A macrotask: after the current frame's rendering when posted from inside a rAF callback. */
const task = () =>
  new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => resolve(undefined);
    channel.port2.postMessage(null);
  });
const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));

/**
 * Runs `update` at the top of a frame: ms until it was applied (the element's update done) and
 * until the frame it changed has been painted.
 * @param {() => Promise<unknown>} update
 */
async function timed(update) {
  await frame();
  const t0 = performance.now();
  await update();
  const applied = performance.now() - t0;
  await task();
  return { applied, painted: performance.now() - t0 };
}

/** @param {number} ms */
const iso = (ms) => new Date(ms).toISOString();

/**
 * The next state of a ticket in a cycle a cook goes through: started, a dish done, recalled.
 * @param {Ticket} ticket
 * @param {number} at
 * @returns {Ticket}
 */
function step(ticket, at) {
  const [first, ...rest] = ticket.lines;
  if (!first) return ticket;
  if (ticket.status === 'queued')
    return { ...ticket, status: 'in_progress', startedAt: iso(at), version: ticket.version + 1 };
  if (!first.readyAt)
    return {
      ...ticket,
      lines: [{ ...first, readyAt: iso(at) }, ...rest],
      version: ticket.version + 1,
    };
  return {
    ...ticket,
    status: 'queued',
    startedAt: null,
    lines: [{ ...first, readyAt: null }, ...rest],
    version: ticket.version + 1,
  };
}

/**
 * @param {Ticket[]} input
 * @param {object} settings
 * @param {number} now
 * @param {number} updates
 * @param {number} warmups
 * @returns {Promise<Run>}
 */
async function ours(input, settings, now, updates, warmups) {
  document.body.replaceChildren();
  const board = document.createElement('hearth-kds-board');
  board.style.height = '100vh';
  board.settings = settings;
  board.station = { kind: 'prep', id: 'grill' };
  board.now = now;
  board.stationLabel = 'Grill';
  board.tickets = input;
  document.body.append(board);
  await board.updateComplete;
  // The page size follows the grid's size (ResizeObserver): let it settle.
  for (let i = 0; i < 5; i++) await frame();
  await board.updateComplete;
  const cards = () => [...(board.shadowRoot?.querySelectorAll('hearth-ticket-card') ?? [])];
  const onPage = cards().length;
  if (onPage === 0) throw new Error('no card painted');
  let tickets = [...input];
  const times = [];
  const applied = [];
  for (let i = 0; i < warmups + updates; i++) {
    // A ticket on the page on screen: its card changes (a card repaints, the worst case).
    const index = i % onPage;
    const next = [...tickets];
    next[index] = step(tickets[index], now - 1_000);
    tickets = next;
    const ms = await timed(async () => {
      board.tickets = next;
      await board.updateComplete;
      await Promise.all(cards().map((card) => card.updateComplete));
    });
    if (i >= warmups) {
      times.push(ms.painted);
      applied.push(ms.applied);
    }
  }
  const shown = board.board.cards.length;
  if (shown !== input.length) throw new Error(`board shows ${shown} of ${input.length} tickets`);
  const pure = [];
  for (let i = 0; i < warmups + updates; i++) {
    const t0 = performance.now();
    boardOf({ tickets, station: { kind: 'prep', id: 'grill' }, settings, now });
    if (i >= warmups) pure.push(performance.now() - t0);
  }
  return { times, applied, boardOf: pure, inDom: cards().length };
}

/**
 * @param {number} count
 * @param {number} updates
 * @param {number} warmups
 * @returns {Promise<Run>}
 */
async function raw(count, updates, warmups) {
  document.body.replaceChildren();
  const list = /** @type {RawList} */ (document.createElement('bench-raw-list'));
  /** @type {Item[]} */
  let items = Array.from({ length: count }, (_, i) => ({
    id: `item-${i}`,
    label: `#${1000 + i} · 2 × Bistro burger`,
    done: false,
  }));
  list.items = items;
  document.body.append(list);
  await list.updateComplete;
  for (let i = 0; i < 5; i++) await frame();
  const times = [];
  const applied = [];
  for (let i = 0; i < warmups + updates; i++) {
    // One of the rows on screen (the first 18: three rows of six).
    const index = i % 18;
    const next = [...items];
    next[index] = { ...items[index], done: !items[index].done };
    items = next;
    const ms = await timed(async () => {
      list.items = next;
      await list.updateComplete;
    });
    if (i >= warmups) {
      times.push(ms.painted);
      applied.push(ms.applied);
    }
  }
  return {
    times,
    applied,
    boardOf: [],
    inDom: list.shadowRoot?.querySelectorAll('div').length ?? 0,
  };
}

globalThis.kdsBench = { ours, raw };
