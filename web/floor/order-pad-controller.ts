import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { MenuItem, OperationType, Order } from '#protocol';
import type { NewId, TrackedOp } from '../app/op-controller.ts';
import type { Selection } from '../guest/item-selection.ts';
import { type DraftLine, inputOfDraft, type PadLine } from './order-draft.ts';
import type { PadRules } from './pad-rules.ts';

/** The page's OpController.submit, passed in so the pad's ops go through the outbox. */
export type Submit = (
  label: string,
  type: OperationType,
  payload: (newId: NewId) => unknown,
) => Promise<TrackedOp | undefined>;

/** What the controller reads from its element. */
export interface PadHost extends ReactiveControllerHost {
  readonly order: Order | undefined;
  readonly tableId: string | null;
  readonly tableLabel: string;
  readonly covers: number;
  readonly submit: Submit | undefined;
}

/** The item sheet open on one dish: its choices, plus where the line goes. */
export interface SheetState {
  readonly item: MenuItem;
  readonly selection: Selection;
  readonly seat: number | undefined;
  readonly course: number;
  /** The line it replaces (a change), if any. */
  readonly replaces?: PadLine;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * The order pad's state: the draft (lines picked here, not on the order yet), the lines sent
 * to the order and not shown by the local view yet, the item sheet, and the ops that add, send,
 * hold, fire and void (paying is the pay panel's: pay-controller.ts). Ops go through `submit` one after the other (the outbox keeps a
 * device's ops in order); the draft and its send are one op, so one round trip.
 */
export class OrderPadController implements ReactiveController {
  readonly #host: PadHost;
  readonly #say: (text: string) => void;
  readonly #opened: (orderId: string) => void;
  #rules: PadRules | undefined;
  #draft: DraftLine[] = [];
  #adding: DraftLine[] = [];
  #orderId: string | undefined;
  #sheet: SheetState | undefined;
  #busy = false;
  readonly #removed = new Set<string>();
  /** The seat and course a tapped dish gets. */
  seat: number | undefined = undefined;
  course = 1;

  /** `say` speaks through the pad's live region; `opened` hears a new order's id once made. */
  constructor(
    host: PadHost,
    say: (text: string) => void,
    opened: (orderId: string) => void = () => {},
  ) {
    this.#host = host;
    this.#say = say;
    this.#opened = opened;
    host.addController(this);
  }

  /** Forgets everything of the last table (the pad was pointed at another one). */
  reset(): void {
    this.#draft = [];
    this.#adding = [];
    this.#orderId = undefined;
    this.#sheet = undefined;
    this.#removed.clear();
    this.seat = undefined;
    this.course = 1;
    this.#host.requestUpdate();
  }

  hostConnected(): void {
    // zod and the protocol's pricing come after the pad's first paint (the frame after its
    // first render), so the dishes show before the rules that price them have loaded.
    void this.#host.updateComplete
      .then(() => new Promise((resolve) => requestAnimationFrame(resolve)))
      .then(() => import('./pad-rules.ts'))
      .then((rules) => {
        this.#rules = rules;
        this.#host.requestUpdate();
      })
      .catch((error: unknown) => console.error('order pad: the rules did not load', error));
  }

  get rules(): PadRules | undefined {
    return this.#rules;
  }
  get draft(): readonly DraftLine[] {
    return this.#draft;
  }
  get adding(): readonly DraftLine[] {
    return this.#adding;
  }
  get sheet(): SheetState | undefined {
    return this.#sheet;
  }
  /** Lines this device removed from the order, hidden until the order drops them. */
  get removed(): ReadonlySet<string> {
    return this.#removed;
  }
  get busy(): boolean {
    return this.#busy;
  }
  /** The order's id: the property's, or the one this device made for a new order. */
  get orderId(): string | undefined {
    return this.#host.order?.id ?? this.#orderId;
  }

  /** A tap on a dish: straight into the draft, or the sheet when it has modifier groups. */
  pick(item: MenuItem): void {
    const rules = this.#rules;
    if (!item.available || !rules) return;
    if ((item.modifierGroups ?? []).length > 0) {
      this.#sheet = {
        item,
        selection: rules.newSelection(item.id),
        seat: this.seat,
        course: this.course,
      };
      this.#host.requestUpdate();
      return;
    }
    this.#put({
      lineId: rules.newId(),
      itemId: item.id,
      quantity: 1,
      modifierIds: [],
      note: '',
      seat: this.seat,
      course: this.course,
    });
    this.#say(
      `Added ${item.name}${this.seat ? ` for seat ${this.seat}` : ''}, course ${this.course}`,
    );
  }

  /** Opens the sheet on a line to change it (quantity, seat, course, note, choices). */
  edit(line: PadLine, item: MenuItem): void {
    this.#sheet = {
      item,
      selection: {
        itemId: item.id,
        chosen: [...line.modifierIds],
        quantity: line.quantity,
        note: line.note,
      },
      seat: line.seat,
      course: line.course,
      replaces: line,
    };
    this.#host.requestUpdate();
  }

  /** The sheet with a change. */
  change(patch: Partial<Omit<SheetState, 'item' | 'replaces'>>): void {
    if (!this.#sheet) return;
    this.#sheet = { ...this.#sheet, ...patch };
    this.#host.requestUpdate();
  }

  closeSheet(): void {
    this.#sheet = undefined;
    this.#host.requestUpdate();
  }

  /**
   * The sheet's line into the draft. A change to a line already on the order removes it there
   * (`order.removeLine`) and adds it again as a new line; a draft line is just replaced.
   */
  async confirmSheet(): Promise<void> {
    const sheet = this.#sheet;
    const rules = this.#rules;
    if (!sheet || !rules) return;
    const line: DraftLine = {
      lineId: rules.newId(),
      itemId: sheet.item.id,
      quantity: sheet.selection.quantity,
      modifierIds: [...sheet.selection.chosen],
      note: sheet.selection.note,
      seat: sheet.seat,
      course: sheet.course,
    };
    this.#sheet = undefined;
    const old = sheet.replaces;
    if (old?.where === 'order' && !(await this.#removeFromOrder(old))) return;
    if (old?.where === 'draft') this.#draft = this.#draft.filter((l) => l.lineId !== old.lineId);
    this.#put(line);
    this.#say(`${old ? 'Changed' : 'Added'} ${line.quantity} × ${sheet.item.name}`);
  }

  /** Drops a draft line, or removes an unsent line from the order. */
  async remove(line: PadLine): Promise<void> {
    if (line.where === 'draft') {
      this.#draft = this.#draft.filter((l) => l.lineId !== line.lineId);
      this.#host.requestUpdate();
      this.#say(`Removed ${line.name}`);
      return;
    }
    if (line.where === 'order' && line.stage === 'new' && (await this.#removeFromOrder(line)))
      this.#say(`Removed ${line.name} from the order`);
  }

  /**
   * Sends to the kitchen in one op: the draft with the send (`order.create` with `send` for a
   * new order, else `order.addLines` with `send`), or, with no draft, `order.sendToKitchen` for
   * the unsent lines already on the order. Every unsent line or one course, held when asked
   * (fired later with `fire`).
   */
  async send(options: { course?: number; hold?: boolean } = {}): Promise<void> {
    const submit = this.#host.submit;
    const rules = this.#rules;
    if (!submit || !rules || this.#busy) return;
    this.#busy = true;
    this.#host.requestUpdate();
    try {
      const sendPart = {
        ...(options.course ? { course: options.course } : {}),
        ...(options.hold ? { hold: true } : {}),
      };
      const what = options.course ? `course ${options.course}` : 'all new lines';
      const verb = `${options.hold ? 'hold' : 'send'} ${what}`;
      let sent: TrackedOp | undefined;
      if (this.#draft.length > 0) sent = await this.#addDraft(submit, sendPart, verb);
      else {
        const orderId = this.orderId;
        if (!orderId) return;
        sent = await submit(
          `Table ${this.#host.tableLabel}: ${verb}`,
          'order.sendToKitchen',
          () => ({
            orderId,
            ...sendPart,
          }),
        );
      }
      if (sent)
        this.#say(
          options.hold
            ? `Course ${options.course} held for the kitchen`
            : `Sent ${what} to the kitchen`,
        );
    } finally {
      this.#busy = false;
      this.#host.requestUpdate();
    }
  }

  /** Fires a held course (`order.fireCourse`). */
  async fire(course: number): Promise<void> {
    const orderId = this.orderId;
    const submit = this.#host.submit;
    if (!orderId || !submit) return;
    const made = await submit(
      `Table ${this.#host.tableLabel}: fire course ${course}`,
      'order.fireCourse',
      () => ({
        orderId,
        course,
      }),
    );
    if (made) this.#say(`Course ${course} fired`);
  }

  /** Voids the whole order (`order.void`: a server's before anything is sent, then a manager's). */
  async voidOrder(reason: string): Promise<boolean> {
    const orderId = this.orderId;
    const submit = this.#host.submit;
    if (!orderId || !submit || reason.trim() === '') return false;
    const made = await submit(`Table ${this.#host.tableLabel}: void`, 'order.void', () => ({
      orderId,
      reason: reason.trim(),
    }));
    if (made) this.#say('Order voided');
    return made !== undefined;
  }

  /** The draft onto the order with its send, as one op; undefined when it could not be made. */
  async #addDraft(
    submit: Submit,
    send: { course?: number; hold?: boolean },
    verb: string,
  ): Promise<TrackedOp | undefined> {
    const lines = this.#draft;
    const inputs = lines.map(inputOfDraft);
    const existing = this.orderId;
    const label = `Table ${this.#host.tableLabel}: ${plural(lines.length, 'line')}, ${verb}`;
    let made: TrackedOp | undefined;
    if (existing) {
      made = await submit(label, 'order.addLines', () => ({
        orderId: existing,
        lines: inputs,
        send,
      }));
    } else {
      let orderId: string | undefined;
      made = await submit(label, 'order.create', (newId) => {
        orderId = newId();
        return {
          orderId,
          tableId: this.#host.tableId,
          guestCount: this.#host.covers,
          lines: inputs,
          send,
        };
      });
      if (made && orderId) {
        this.#orderId = orderId;
        this.#opened(orderId);
      }
    }
    if (!made) return undefined;
    const sent = new Set(lines.map((l) => l.lineId));
    this.#draft = this.#draft.filter((l) => !sent.has(l.lineId));
    this.#adding = [...this.#adding, ...lines];
    this.#host.requestUpdate();
    return made;
  }

  async #removeFromOrder(line: PadLine): Promise<boolean> {
    const orderId = this.orderId;
    const submit = this.#host.submit;
    if (!orderId || !submit) return false;
    const made = await submit(
      `Table ${this.#host.tableLabel}: remove ${line.name}`,
      'order.removeLine',
      () => ({
        orderId,
        lineId: line.lineId,
      }),
    );
    if (made) this.#removed.add(line.lineId);
    this.#host.requestUpdate();
    return made !== undefined;
  }

  #put(line: DraftLine): void {
    this.#draft = [...this.#draft, line];
    this.#host.requestUpdate();
  }
}
