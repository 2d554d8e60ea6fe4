/*
 * The guest's basket and the orders this phone placed that the table's tab does not show yet,
 * pure, plus where they are kept. Plain data only (dish and modifier ids, quantity, note, the
 * line's device-made id): never a token, never a price — prices are the menu's at every reading.
 */

/** One line of the basket; `lineId` becomes the order line's id, so a resend cannot double it. */
export interface BasketLine {
  readonly lineId: string;
  readonly itemId: string;
  readonly modifierIds: readonly string[];
  readonly quantity: number;
  readonly note?: string;
  /** The dish's name when it was added: shown if the dish leaves the menu. */
  readonly name: string;
}

/** An order this phone placed, until the table's tab shows its lines. */
export interface PlacedOrder {
  /** Made on the device when the guest pressed Place. */
  readonly key: string;
  /** The op's id, once it is made: its status comes from the outbox. */
  readonly opId?: string;
  /** Device time, ms. */
  readonly placedAt: number;
  readonly lines: readonly BasketLine[];
}

/** Everything one phone keeps for one table. */
export interface TableBasket {
  readonly lines: readonly BasketLine[];
  readonly placed: readonly PlacedOrder[];
  /** Why lines came back from a refused order, and what to do ("Chips sold out …"). */
  readonly notice?: string;
}

export const EMPTY_BASKET: TableBasket = { lines: [], placed: [] };

/** protocol's LineInput limits: 1–99 of a line, 100 lines an order. */
export const MAX_QUANTITY = 99;
export const MAX_LINES = 100;

const sameChoice = (a: BasketLine, b: Omit<BasketLine, 'lineId'>): boolean =>
  a.itemId === b.itemId &&
  (a.note ?? '') === (b.note ?? '') &&
  a.modifierIds.length === b.modifierIds.length &&
  [...a.modifierIds].sort().join() === [...b.modifierIds].sort().join();

/**
 * The basket with `line` added: the same dish with the same choices and note adds to that
 * line's quantity (up to 99); otherwise a new line, unless the basket is full.
 */
export function addLine(basket: TableBasket, line: BasketLine): TableBasket {
  const same = basket.lines.find((l) => sameChoice(l, line));
  if (same) {
    const quantity = Math.min(MAX_QUANTITY, same.quantity + line.quantity);
    return setQuantity(basket, same.lineId, quantity);
  }
  if (basket.lines.length >= MAX_LINES) return basket;
  const quantity = Math.max(1, Math.min(MAX_QUANTITY, Math.floor(line.quantity)));
  return { ...basket, lines: [...basket.lines, { ...line, quantity }] };
}

/** The line's quantity set (1–99); 0 or less removes it. */
export function setQuantity(basket: TableBasket, lineId: string, quantity: number): TableBasket {
  if (quantity < 1) return removeLine(basket, lineId);
  const q = Math.min(MAX_QUANTITY, Math.floor(quantity));
  return {
    ...basket,
    lines: basket.lines.map((l) => (l.lineId === lineId ? { ...l, quantity: q } : l)),
  };
}

export function removeLine(basket: TableBasket, lineId: string): TableBasket {
  return { ...basket, lines: basket.lines.filter((l) => l.lineId !== lineId) };
}

/** Pressing Place: the lines leave the basket for a placed order (kept until the tab shows it). */
export function placeBasket(basket: TableBasket, key: string, at: number): TableBasket {
  const { notice: _notice, ...rest } = basket;
  return {
    ...rest,
    lines: [],
    placed: [...basket.placed, { key, placedAt: at, lines: basket.lines }],
  };
}

/** The placed order's op is made: its id, to follow in the outbox. */
export function withOpId(basket: TableBasket, key: string, opId: string): TableBasket {
  return { ...basket, placed: basket.placed.map((p) => (p.key === key ? { ...p, opId } : p)) };
}

/**
 * A placed order that did not go: its lines back in the basket (ahead of anything added since)
 * with the reason, minus any `ordered` already (a resend the tab holds), never silently dropped.
 */
export function returnPlaced(
  basket: TableBasket,
  key: string,
  notice: string,
  ordered: ReadonlySet<string> = new Set(),
): TableBasket {
  const placed = basket.placed.find((p) => p.key === key);
  if (!placed) return basket;
  const back = placed.lines.filter((l) => !ordered.has(l.lineId));
  const kept = basket.lines.filter((l) => !back.some((b) => b.lineId === l.lineId));
  return {
    lines: [...back, ...kept].slice(0, MAX_LINES),
    placed: basket.placed.filter((p) => p.key !== key),
    notice,
  };
}

/** Placed orders whose every line the table's tab now shows are done here. */
export function settlePlaced(basket: TableBasket, ordered: ReadonlySet<string>): TableBasket {
  const placed = basket.placed.filter((p) => !p.lines.every((l) => ordered.has(l.lineId)));
  return placed.length === basket.placed.length ? basket : { ...basket, placed };
}

export function dismissNotice(basket: TableBasket): TableBasket {
  const { notice: _notice, ...rest } = basket;
  return rest;
}

/** Dishes in the basket, counting quantities. */
export const itemCount = (basket: TableBasket): number =>
  basket.lines.reduce((sum, l) => sum + l.quantity, 0);

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const isId = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 64;

function lineOf(value: unknown): BasketLine | undefined {
  if (!isRecord(value)) return undefined;
  const { lineId, itemId, modifierIds, quantity, note, name } = value;
  if (!isId(lineId) || !isId(itemId)) return undefined;
  if (!Array.isArray(modifierIds) || !modifierIds.every(isId)) return undefined;
  if (typeof quantity !== 'number' || !Number.isInteger(quantity)) return undefined;
  if (quantity < 1 || quantity > MAX_QUANTITY) return undefined;
  if (note !== undefined && (typeof note !== 'string' || note.length > 200)) return undefined;
  return {
    lineId,
    itemId,
    modifierIds,
    quantity,
    ...(note ? { note } : {}),
    name: typeof name === 'string' ? name.slice(0, 120) : '',
  };
}

const linesOf = (value: unknown): BasketLine[] =>
  Array.isArray(value) ? value.flatMap((v) => lineOf(v) ?? []) : [];

/**
 * Reads what storage held: anything not a basket (another version, a hand edit) reads as
 * empty, and a bad line is dropped rather than the whole basket.
 */
export function parseBasket(text: string | null): TableBasket {
  if (!text) return EMPTY_BASKET;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return EMPTY_BASKET;
  }
  if (!isRecord(value) || value.v !== 1) return EMPTY_BASKET;
  const placed = Array.isArray(value.placed)
    ? value.placed.flatMap((p): PlacedOrder[] => {
        if (!isRecord(p) || !isId(p.key) || typeof p.placedAt !== 'number') return [];
        const lines = linesOf(p.lines);
        if (lines.length === 0) return [];
        return [
          { key: p.key, placedAt: p.placedAt, lines, ...(isId(p.opId) ? { opId: p.opId } : {}) },
        ];
      })
    : [];
  const notice = typeof value.notice === 'string' ? value.notice.slice(0, 500) : undefined;
  return {
    lines: linesOf(value.lines).slice(0, MAX_LINES),
    placed,
    ...(notice ? { notice } : {}),
  };
}

export const serializeBasket = (basket: TableBasket): string => JSON.stringify({ v: 1, ...basket });

/** Where the basket outlives a reload, closing the app and going offline. */
export interface BasketStorage {
  load(venueId: string, tableId: string): TableBasket;
  save(venueId: string, tableId: string, basket: TableBasket): void;
}

const keyOf = (venueId: string, tableId: string): string =>
  `hearth.guest.basket:${venueId}:${tableId}`;

/**
 * localStorage: read synchronously, so a reopened page shows the basket in its first render
 * with no database to open; a basket is a few hundred bytes of plain data, and a guest's phone
 * keeps it per origin (a private window forgets it on close, as it should).
 */
export function browserBasketStorage(storage: Storage = window.localStorage): BasketStorage {
  return {
    load: (venueId, tableId) => {
      try {
        return parseBasket(storage.getItem(keyOf(venueId, tableId)));
      } catch {
        // Storage refused (blocked cookies): an empty basket that lives as long as the page.
        return EMPTY_BASKET;
      }
    },
    save: (venueId, tableId, basket) => {
      const key = keyOf(venueId, tableId);
      try {
        if (basket.lines.length === 0 && basket.placed.length === 0 && !basket.notice)
          storage.removeItem(key);
        else storage.setItem(key, serializeBasket(basket));
      } catch (error) {
        console.warn('the basket could not be kept on this phone', error);
      }
    },
  };
}
