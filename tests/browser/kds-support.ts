import type { Ticket } from '#protocol';
import type { StationChoice } from '../../web/kitchen/board.ts';
import '../../web/kitchen/kds-board.ts';
import type { KdsBoard } from '../../web/kitchen/kds-board.ts';
import type { KdsStatus } from '../../web/kitchen/kds-status.ts';
import type { TicketCard } from '../../web/kitchen/ticket-card.ts';
import { SETTINGS, T0 } from '../web/kds-fixtures.ts';

// Mounts `<hearth-kds-board>` as the kitchen page does, with time in the test's hands: venue
// time (`now`, the clocks and colours) and device time (`clock`, the undo window) move only
// when a test moves them, and every action lands in `ops` instead of an outbox.

export interface SentOp {
  readonly label: string;
  readonly type: string;
  readonly payload: Record<string, unknown>;
}

/** The page's dark theme, as web/styles/kitchen.css gives the board's host. */
export const THEME =
  'background:#101010;color:#f4f1ee;font-family:system-ui,sans-serif;font-size:16px;';

export interface Mounted {
  readonly board: KdsBoard;
  readonly ops: SentOp[];
  /** Sets venue time to T0 + ms and waits for the render. */
  at(ms: number): Promise<void>;
  /** Moves device time on by ms (venue time follows) and waits for the render. */
  advance(ms: number): Promise<void>;
  /** Device time now. */
  device(): number;
  settle(): Promise<void>;
}

export interface MountOptions {
  readonly tickets?: readonly Ticket[];
  readonly station?: StationChoice;
  /** Venue time, ms after T0. */
  readonly at?: number;
  readonly status?: KdsStatus;
  readonly width?: number;
  readonly height?: number;
}

const DEVICE0 = 1_000_000;

export async function mount(options: MountOptions = {}): Promise<Mounted> {
  const ops: SentOp[] = [];
  let device = DEVICE0;
  let venueOffset = T0 + (options.at ?? 0) - DEVICE0;
  const frame = document.createElement('div');
  frame.className = 'kds-frame';
  frame.setAttribute(
    'style',
    `${THEME}width:${options.width ?? 1200}px;height:${options.height ?? 800}px;padding:8px;box-sizing:border-box;`,
  );
  const board = document.createElement('hearth-kds-board');
  board.tickets = options.tickets ?? [];
  board.settings = SETTINGS;
  board.station = options.station ?? { kind: 'prep', id: 'grill' };
  board.now = device + venueOffset;
  board.status = options.status;
  board.stationLabel = board.station.kind === 'expo' ? 'Expo' : 'Grill';
  board.clock = () => device;
  board.submit = async (label, type, payload) => {
    ops.push({ label, type, payload: payload() });
    return undefined;
  };
  frame.append(board);
  document.body.append(frame);
  const settle = async () => {
    // Lit renders in a microtask; the ResizeObserver (page size) reports after the next frame's
    // animation callbacks, so two frames see its answer rendered.
    await board.updateComplete;
    for (let i = 0; i < 2; i++) {
      await new Promise((resolve) => requestAnimationFrame(resolve));
      await board.updateComplete;
    }
    for (const card of cards(board)) await card.updateComplete;
  };
  await settle();
  return {
    board,
    ops,
    device: () => device,
    settle,
    async at(ms) {
      venueOffset = T0 + ms - device;
      board.now = device + venueOffset;
      await settle();
    },
    async advance(ms) {
      device += ms;
      board.now = device + venueOffset;
      await settle();
    },
  };
}

export function unmountAll(): void {
  for (const frame of document.querySelectorAll('.kds-frame')) frame.remove();
}

export const cards = (board: KdsBoard): TicketCard[] => [
  ...(board.shadowRoot?.querySelectorAll('hearth-ticket-card') ?? []),
];

/** The card showing `key` (`ticket:<id>` or `order:<orderId>#<course>`). */
export function card(board: KdsBoard, key: string): TicketCard {
  const found = cards(board).find((c) => c.card?.key === key);
  if (!found) throw new Error(`no card ${key} on the page`);
  return found;
}

export const inCard = <E extends Element = HTMLElement>(c: TicketCard, selector: string): E => {
  const found = c.shadowRoot?.querySelector<E>(selector);
  if (!found) throw new Error(`no ${selector} in ${c.card?.key}`);
  return found;
};

export const inBoard = <E extends Element = HTMLElement>(b: KdsBoard, selector: string): E | null =>
  b.shadowRoot?.querySelector<E>(selector) ?? null;

/** Text as a cook reads it: whitespace collapsed. */
export const text = (node: Node | null | undefined): string =>
  (node instanceof Element && node.shadowRoot ? node.shadowRoot : node)?.textContent
    ?.replace(/\s+/g, ' ')
    .trim() ?? '';

/** A key from the bump bar or keyboard (the board listens on the window). */
export function press(key: string): void {
  window.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true }));
}

/** The card the cook's finger landed on (pointerdown on the card). */
export function touch(c: TicketCard): void {
  inCard(c, 'article').dispatchEvent(
    new PointerEvent('pointerdown', { bubbles: true, composed: true }),
  );
}

/** Clicks a button inside a card and lets the board's async action finish. */
export async function tap(m: Mounted, button: HTMLElement): Promise<void> {
  button.click();
  await m.settle();
}
