import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { BasketLine } from './basket.ts';
import type { GuestData } from './guest-data.ts';
import type { GuestRules } from './guest-rules.ts';
import type { Selection, SheetView } from './item-selection.ts';

/*
 * The open item sheet: which dish, what the guest has picked, how many, the note. The sheet's
 * words and whether Add is allowed come from item-selection.ts (the protocol's group rules),
 * re-read on every render, so a dish or choice that sells out while the sheet is open shows it.
 */

export interface ItemSheetDeps {
  readonly data: () => GuestData | undefined;
  readonly rules: () => GuestRules | undefined;
  readonly add: (line: BasketLine) => void;
}

export class ItemSheetController implements ReactiveController {
  readonly #host: ReactiveControllerHost;
  readonly #deps: ItemSheetDeps;
  #itemId: string | undefined;
  #selection: Selection | undefined;

  constructor(host: ReactiveControllerHost, deps: ItemSheetDeps) {
    this.#host = host;
    this.#deps = deps;
    host.addController(this);
  }

  hostConnected(): void {}

  /** The dish whose sheet is open. */
  get itemId(): string | undefined {
    return this.#itemId;
  }

  /** The sheet as it stands; undefined when closed (or the protocol has not loaded yet). */
  view(): SheetView | undefined {
    const data = this.#deps.data();
    const rules = this.#deps.rules();
    const item = this.#itemId ? data?.itemById.get(this.#itemId) : undefined;
    if (!data?.settings || !data.money || !rules || !item) return undefined;
    this.#selection ??= rules.newSelection(item.id);
    return rules.sheetViewOf(item, this.#selection, {
      entities: rules.menuEntitiesOf(data.items, data.modifierById.values()),
      modifierById: data.modifierById,
      money: data.money,
      lineNotes: rules.orderingOf(data.settings).lineNotes,
    });
  }

  open(itemId: string): void {
    this.#itemId = itemId;
    this.#selection = undefined;
    this.#host.requestUpdate();
  }

  close(): void {
    this.#itemId = undefined;
    this.#selection = undefined;
    this.#host.requestUpdate();
  }

  /** A tap on a modifier (or on a radio group's "None": `modifierId` null). */
  toggle(groupId: string | null, modifierId: string | null): void {
    const item = this.#itemId ? this.#deps.data()?.itemById.get(this.#itemId) : undefined;
    const rules = this.#deps.rules();
    const selection = this.#selection;
    if (!item || !rules || !selection) return;
    const chosen = rules.toggleModifier(item, selection.chosen, groupId, modifierId);
    this.#selection = { ...selection, chosen };
    this.#host.requestUpdate();
  }

  setQuantity(quantity: number): void {
    if (!this.#selection) return;
    this.#selection = { ...this.#selection, quantity: Math.max(1, Math.min(99, quantity)) };
    this.#host.requestUpdate();
  }

  setNote(note: string): void {
    if (!this.#selection) return;
    this.#selection = { ...this.#selection, note: note.slice(0, 200) };
    this.#host.requestUpdate();
  }

  /** Adds the line when the sheet allows it, and closes; true when it was added. */
  add(): boolean {
    const view = this.view();
    const rules = this.#deps.rules();
    const selection = this.#selection;
    if (!view?.canAdd || !rules || !selection) return false;
    const note = view.note?.trim();
    this.#deps.add({
      lineId: rules.newId(),
      itemId: view.itemId,
      modifierIds: [...selection.chosen],
      quantity: selection.quantity,
      ...(note ? { note } : {}),
      name: view.name,
    });
    this.close();
    return true;
  }
}
