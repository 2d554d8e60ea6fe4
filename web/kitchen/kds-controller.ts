import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { OperationType } from '#protocol';
import { UNDO_WINDOW_MS } from '#protocol/domain/kitchen-rules.ts';
import type { Board, Card, CardLine, RecentEntry, StationChoice } from './board.ts';

/*
 * The display's own state and its actions: which card is selected, which page shows, what can
 * be undone for 5 s, which tickets and add-ons the cooks have not touched yet (they flash), the
 * all-day panel. Every action is an op through the outbox (`submit`), so it works offline and a
 * repeated or replayed one changes nothing more. Keys follow a bump bar's: see KEY_ACTIONS.
 */

/** Makes an op and sends it through the outbox (`OpController.submit`). */
export type Submit = (
  label: string,
  type: OperationType,
  payload: () => Record<string, unknown>,
) => Promise<unknown>;

export interface UndoOffer {
  readonly label: string;
  readonly ticketIds: readonly string[];
  readonly station: StationChoice['kind'];
  /** Device time the offer ends. */
  readonly until: number;
}

export interface KdsDeps {
  readonly submit: Submit;
  /** Device time, ms (undo windows are the device's own). */
  readonly clock: () => number;
  /** Plays the new-ticket sound when it is on. */
  readonly chime?: () => void;
}

export type KdsKeyAction =
  | 'left'
  | 'right'
  | 'up'
  | 'down'
  | 'bump'
  | 'start'
  | 'recall'
  | 'undo'
  | 'allDay'
  | 'pageUp'
  | 'pageDown'
  | 'fire'
  | 'acknowledge'
  | 'recent'
  | 'sound';

/** Bump-bar and keyboard keys (KeyboardEvent.key). Digits 1–9 bump that item of the selection. */
export const KEY_ACTIONS: Readonly<Record<string, KdsKeyAction>> = {
  ArrowLeft: 'left',
  ArrowRight: 'right',
  ArrowUp: 'up',
  ArrowDown: 'down',
  Enter: 'bump',
  ' ': 'start',
  r: 'recall',
  R: 'recall',
  u: 'undo',
  U: 'undo',
  s: 'allDay',
  S: 'allDay',
  PageUp: 'pageUp',
  PageDown: 'pageDown',
  f: 'fire',
  F: 'fire',
  a: 'acknowledge',
  A: 'acknowledge',
  l: 'recent',
  L: 'recent',
};

export class KdsController implements ReactiveController {
  readonly #host: ReactiveControllerHost;
  readonly #deps: KdsDeps;
  #board: Board = { cards: [], allDay: [], recent: [] };
  #station: StationChoice | undefined;
  #selectedKey: string | undefined;
  #selectedIndex = 0;
  #pageSize = 8;
  #undo: UndoOffer | undefined;
  #undoTimer: ReturnType<typeof setTimeout> | undefined;
  #seen = new Set<string>();
  /** Every line key the board has shown: a key not in it is a new arrival (the chime). */
  #known = new Set<string>();
  #walked = new WeakSet<object>();
  #seeded = false;
  allDayOpen = false;
  recentOpen = false;
  soundOn = false;

  constructor(host: ReactiveControllerHost, deps: KdsDeps) {
    this.#host = host;
    this.#deps = deps;
    host.addController(this);
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    clearTimeout(this.#undoTimer);
  }

  get board(): Board {
    return this.#board;
  }

  /** The bump that can still be undone, until its window ends. */
  get undo(): UndoOffer | undefined {
    const offer = this.#undo;
    return offer && this.#deps.clock() <= offer.until ? offer : undefined;
  }

  get pageSize(): number {
    return this.#pageSize;
  }

  get selectedIndex(): number {
    return this.#selectedIndex;
  }

  get selected(): Card | undefined {
    return this.#board.cards[this.#selectedIndex];
  }

  get page(): number {
    return Math.floor(this.#selectedIndex / this.#pageSize);
  }

  get pageCount(): number {
    return Math.max(1, Math.ceil(this.#board.cards.length / this.#pageSize));
  }

  /** The cards on the page the selection is on. */
  get pageCards(): readonly Card[] {
    const start = this.page * this.#pageSize;
    return this.#board.cards.slice(start, start + this.#pageSize);
  }

  /**
   * Takes the board for the station. A line is news (its card flashes, the chime sounds) when
   * it reaches the screen after the first board and was fired at or after `since` (venue ms):
   * a display opening on an empty cache is not told that the whole kitchen is new when its
   * first sync brings it.
   */
  setBoard(board: Board, station: StationChoice, since = Number.NEGATIVE_INFINITY): void {
    if (this.#station && !sameStation(this.#station, station)) {
      this.#seeded = false;
      this.#known.clear();
      this.#walked = new WeakSet();
      this.#selectedKey = undefined;
    }
    this.#station = station;
    this.#board = board;
    let arrived = false;
    for (const card of board.cards) {
      // A card object seen before (boardOf reuses unchanged ones) has no new lines.
      if (this.#walked.has(card)) continue;
      this.#walked.add(card);
      for (const section of card.sections) {
        const old = !this.#seeded || section.firedAt < since;
        for (const line of section.lines) {
          const key = `${line.ticketId}/${line.lineId}`;
          if (this.#known.has(key)) continue;
          this.#known.add(key);
          if (old) this.#seen.add(key);
          else arrived = true;
        }
      }
    }
    if (arrived && this.soundOn) this.#deps.chime?.();
    this.#seeded = true;
    const at = this.#selectedKey
      ? board.cards.findIndex((card) => card.key === this.#selectedKey)
      : -1;
    this.#selectedIndex =
      at >= 0 ? at : Math.max(0, Math.min(this.#selectedIndex, board.cards.length - 1));
    this.#selectedKey = board.cards[this.#selectedIndex]?.key;
  }

  setPageSize(size: number): void {
    const next = Math.max(1, Math.floor(size));
    if (next === this.#pageSize) return;
    this.#pageSize = next;
    this.#host.requestUpdate();
  }

  /** Not one of the card's lines was on screen before: the whole card flashes. */
  isNew(card: Card): boolean {
    return card.lineKeys.length > 0 && card.lineKeys.every((key) => !this.#seen.has(key));
  }

  /** An add-on line not touched yet flashes (on a card already seen). */
  isUnseen(line: CardLine): boolean {
    return !this.#seen.has(`${line.ticketId}/${line.lineId}`);
  }

  /** A cook touched the card: it stops flashing, and it is the selection. */
  touch(card: Card): void {
    for (const key of card.lineKeys) this.#seen.add(key);
    this.select(card.key);
  }

  select(key: string): void {
    const at = this.#board.cards.findIndex((card) => card.key === key);
    if (at < 0) return;
    this.#selectedIndex = at;
    this.#selectedKey = key;
    this.#host.requestUpdate();
  }

  #selectIndex(index: number): void {
    const count = this.#board.cards.length;
    if (count === 0) return;
    this.#selectedIndex = Math.max(0, Math.min(count - 1, index));
    this.#selectedKey = this.#board.cards[this.#selectedIndex]?.key;
    this.#host.requestUpdate();
  }

  /** Runs a key's action; true when the key was the display's. */
  key(action: KdsKeyAction, columns: number): boolean {
    const card = this.selected;
    switch (action) {
      case 'left':
        this.#selectIndex(this.#selectedIndex - 1);
        return true;
      case 'right':
        this.#selectIndex(this.#selectedIndex + 1);
        return true;
      case 'up':
        this.#selectIndex(this.#selectedIndex - Math.max(1, columns));
        return true;
      case 'down':
        this.#selectIndex(this.#selectedIndex + Math.max(1, columns));
        return true;
      case 'pageUp':
        this.#selectIndex((this.page - 1) * this.#pageSize);
        return true;
      case 'pageDown':
        if (this.page + 1 < this.pageCount) this.#selectIndex((this.page + 1) * this.#pageSize);
        return true;
      case 'bump':
        if (card) void this.bump(card);
        return true;
      case 'start':
        if (card) void this.start(card);
        return true;
      case 'recall':
        void this.recall();
        return true;
      case 'undo':
        void this.undoLast();
        return true;
      case 'allDay':
        this.allDayOpen = !this.allDayOpen;
        this.#host.requestUpdate();
        return true;
      case 'recent':
        this.recentOpen = !this.recentOpen;
        this.#host.requestUpdate();
        return true;
      case 'sound':
        this.soundOn = !this.soundOn;
        this.#host.requestUpdate();
        return true;
      case 'fire':
        if (card?.held) void this.fire(card);
        return true;
      case 'acknowledge':
        if (card?.attention) void this.acknowledge(card);
        return true;
    }
  }

  /** Start cooking: queued tickets to in progress (its second clock starts). */
  async start(card: Card): Promise<void> {
    this.touch(card);
    const queued = card.sections.filter((s) => s.status === 'queued');
    for (const section of queued) {
      await this.#transition(`Start #${card.number}`, section.ticketId, 'start');
    }
  }

  /**
   * Bump. A void or change waiting is acknowledged first (the card asks for it); a held
   * course cannot be bumped. Prep: the ticket is ready (done here). Expo: every share is
   * handed out (ready first where a station has not said so).
   */
  async bump(card: Card): Promise<void> {
    this.touch(card);
    if (card.attention) {
      await this.acknowledge(card);
      if (card.voided) return;
    }
    if (card.held) return;
    const station = this.#station;
    if (!station) return;
    const label = `Bump #${card.number}`;
    const ids: string[] = [];
    for (const section of card.sections) {
      if (section.status === 'held' || section.status === 'bumped') continue;
      if (section.lines.every((line) => line.voided)) continue;
      if (station.kind === 'prep') {
        // Already ready (the bump only acknowledged a change): nothing for undo to take back.
        if (section.status === 'ready') continue;
        ids.push(section.ticketId);
        await this.#transition(label, section.ticketId, 'ready');
      } else {
        ids.push(section.ticketId);
        if (section.status !== 'ready') await this.#transition(label, section.ticketId, 'ready');
        await this.#transition(label, section.ticketId, 'bump');
      }
    }
    if (ids.length > 0) this.#offerUndo(label, ids, station.kind);
  }

  /** Bump one item: marks the line done, or not done again. */
  async bumpLine(card: Card, line: CardLine): Promise<void> {
    this.touch(card);
    if (line.voided || card.held) return;
    await this.#deps.submit(
      `${line.ready ? 'Reopen' : 'Done'}: ${line.name}`,
      'ticket.markLine',
      () => ({ ticketId: line.ticketId, lineId: line.lineId, ready: !line.ready }),
    );
  }

  async acknowledge(card: Card): Promise<void> {
    this.touch(card);
    for (const section of card.sections) {
      await this.#deps.submit(`Seen #${card.number}`, 'ticket.acknowledge', () => ({
        ticketId: section.ticketId,
      }));
    }
  }

  /** Fires a held course (expo or the station, when the server asks for it). */
  async fire(card: Card): Promise<void> {
    this.touch(card);
    await this.#deps.submit(
      `Fire course ${card.course} #${card.number}`,
      'order.fireCourse',
      () => ({
        orderId: card.orderId,
        course: card.course,
      }),
    );
  }

  /** Undo the last bump, within UNDO_WINDOW_MS of it. */
  async undoLast(): Promise<void> {
    const offer = this.#undo;
    if (!offer || this.#deps.clock() > offer.until) return;
    this.#clearUndo();
    await this.#bringBack(`Undo ${offer.label}`, offer.ticketIds, offer.station);
  }

  /** Recall: the given recently bumped entry, or the latest one. */
  async recall(entry?: RecentEntry): Promise<void> {
    const target = entry ?? this.#board.recent[0];
    const station = this.#station;
    if (!target || !station) return;
    await this.#bringBack(`Recall #${target.number}`, target.ticketIds, station.kind);
  }

  async #bringBack(label: string, ticketIds: readonly string[], kind: StationChoice['kind']) {
    for (const ticketId of ticketIds) {
      if (kind === 'prep') await this.#transition(label, ticketId, 'recall');
      else await this.#deps.submit(label, 'ticket.recall', () => ({ ticketId }));
    }
  }

  #transition(label: string, ticketId: string, action: 'start' | 'ready' | 'bump' | 'recall') {
    return this.#deps.submit(label, 'ticket.transition', () => ({ ticketId, action }));
  }

  #offerUndo(label: string, ticketIds: readonly string[], station: StationChoice['kind']): void {
    clearTimeout(this.#undoTimer);
    this.#undo = { label, ticketIds, station, until: this.#deps.clock() + UNDO_WINDOW_MS };
    this.#undoTimer = setTimeout(() => this.#clearUndo(), UNDO_WINDOW_MS);
    this.#host.requestUpdate();
  }

  #clearUndo(): void {
    clearTimeout(this.#undoTimer);
    this.#undo = undefined;
    this.#host.requestUpdate();
  }
}

const sameStation = (a: StationChoice, b: StationChoice): boolean =>
  a.kind === b.kind && (a.kind === 'expo' || (b.kind === 'prep' && a.id === b.id));
