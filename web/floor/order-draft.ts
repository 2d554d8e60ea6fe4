import type { MenuItem, MenuModifier, Order, OrderLine, Ticket } from '#protocol';
import type { LineInput } from '#protocol/ops/payloads/line-input.ts';
import type { TrackedOp } from '../app/op-controller.ts';

/*
 * The order pad's lines, pure and free of zod: what the server has picked on this device and
 * not added yet (the draft), what this device added that the local view does not show yet, and
 * the order's own lines, each with its kitchen stage from the tickets and the op that carried it.
 */

/** A line picked on this device, not on the order yet. */
export interface DraftLine {
  /** A ULID made on the device; kept when the line goes to the order. */
  readonly lineId: string;
  readonly itemId: string;
  readonly quantity: number;
  readonly modifierIds: readonly string[];
  readonly note: string;
  /** 1…covers, or undefined for none. */
  readonly seat?: number | undefined;
  /** 1 = first. */
  readonly course: number;
}

export const inputOfDraft = (line: DraftLine): LineInput => ({
  lineId: line.lineId,
  itemId: line.itemId,
  quantity: line.quantity,
  modifierIds: [...line.modifierIds],
  ...(line.note.trim() ? { note: line.note.trim() } : {}),
  ...(line.seat === undefined ? {} : { seat: line.seat }),
  course: line.course,
});

/** Where a line is in the kitchen: not sent yet, or its ticket's state (served = bumped). */
export type LineStage =
  | 'new'
  | 'held'
  | 'queued'
  | 'in_progress'
  | 'ready'
  | 'served'
  | 'sent'
  | 'voided';

export const STAGE_WORDS: Readonly<Record<LineStage, string>> = {
  new: 'not sent to the kitchen',
  held: 'held',
  queued: 'queued',
  in_progress: 'in progress',
  ready: 'ready',
  served: 'served',
  sent: 'sent',
  voided: 'voided',
};

export interface PadLine {
  readonly lineId: string;
  readonly itemId: string;
  readonly name: string;
  /** Modifiers and note in words ("Medium rare, Extra cheese · no pickles"). */
  readonly details: string;
  readonly quantity: number;
  readonly modifierIds: readonly string[];
  readonly note: string;
  readonly seat: number | undefined;
  readonly course: number;
  /** draft: only here; adding: its op is made, the order does not show it yet; order: on it. */
  readonly where: 'draft' | 'adding' | 'order';
  readonly stage: LineStage;
  /** A line added after the order went to the kitchen. */
  readonly addOn: boolean;
}

export interface Names {
  readonly itemById: ReadonlyMap<string, MenuItem>;
  readonly modifierById: ReadonlyMap<string, MenuModifier>;
}

const detailsOf = (modifiers: readonly string[], note: string): string =>
  [modifiers.join(', '), note.trim()].filter((t) => t !== '').join(' · ');

/** A sent line's stage from the tickets that carry it. */
export function stageOf(
  line: Pick<OrderLine, 'id' | 'sentAt' | 'voidedAt'>,
  tickets: readonly Ticket[],
): LineStage {
  if (line.voidedAt) return 'voided';
  if (line.sentAt === null) return 'new';
  const ticket = tickets.find((t) => t.lines.some((l) => l.lineId === line.id));
  const onTicket = ticket?.lines.find((l) => l.lineId === line.id);
  if (!ticket || !onTicket) return 'sent';
  if (onTicket.voidedAt) return 'voided';
  if (ticket.status === 'bumped') return 'served';
  if (onTicket.readyAt) return 'ready';
  return ticket.status;
}

/**
 * Every line of the order as the pad lists it: the order's lines, then those this device added
 * that the order does not show yet, then the draft. Unsent lines of an order already in the
 * kitchen are add-ons.
 */
export function padLinesOf(
  order: Pick<Order, 'lines'> | undefined,
  adding: readonly DraftLine[],
  draft: readonly DraftLine[],
  tickets: readonly Ticket[],
  names: Names,
): PadLine[] {
  const onOrder = order?.lines ?? [];
  const started = onOrder.some((l) => l.sentAt !== null);
  const known = new Set(onOrder.map((l) => l.id));
  const fromOrder = onOrder.map((line): PadLine => {
    const stage = stageOf(line, tickets);
    return {
      lineId: line.id,
      itemId: line.itemId,
      name: line.name,
      details: detailsOf(
        line.modifiers.map((m) => m.name),
        line.note ?? '',
      ),
      quantity: line.quantity,
      modifierIds: line.modifiers.map((m) => m.id),
      note: line.note ?? '',
      seat: line.seat,
      course: line.course ?? 1,
      where: 'order',
      stage,
      addOn: started && stage === 'new',
    };
  });
  const fromDevice = (line: DraftLine, where: 'draft' | 'adding'): PadLine => ({
    lineId: line.lineId,
    itemId: line.itemId,
    name: names.itemById.get(line.itemId)?.name ?? 'A dish',
    details: detailsOf(
      line.modifierIds.flatMap((id) => names.modifierById.get(id)?.name ?? []),
      line.note,
    ),
    quantity: line.quantity,
    modifierIds: line.modifierIds,
    note: line.note,
    seat: line.seat,
    course: line.course,
    where,
    stage: 'new',
    addOn: started,
  });
  return [
    ...fromOrder,
    ...adding.filter((l) => !known.has(l.lineId)).map((l) => fromDevice(l, 'adding')),
    ...draft.map((l) => fromDevice(l, 'draft')),
  ];
}

/** Courses with lines not sent to the kitchen, ascending. */
export const unsentCourses = (lines: readonly PadLine[]): number[] =>
  [...new Set(lines.filter((l) => l.stage === 'new').map((l) => l.course))].sort((a, b) => a - b);

/** Courses whose tickets wait held for a fire, ascending. */
export const heldCourses = (tickets: readonly Ticket[]): number[] =>
  [...new Set(tickets.filter((t) => t.status === 'held').map((t) => t.course ?? 1))].sort(
    (a, b) => a - b,
  );

/** The lines an op carries (create, addLines) or names (removeLine, voidLine). */
function lineIdsOf(op: TrackedOp['op']): string[] {
  const payload = op.payload as { lines?: readonly { lineId: string }[]; lineId?: string };
  return [
    ...(payload.lines ?? []).map((l) => l.lineId),
    ...(payload.lineId ? [payload.lineId] : []),
  ];
}

/** The latest op this device made that carried the line (ops come latest first). */
export const lineOpOf = (ops: readonly TrackedOp[], lineId: string): TrackedOp | undefined =>
  ops.find((tracked) => lineIdsOf(tracked.op).includes(lineId));

/** The seats a line may take: 1…covers. */
export const seatsOf = (covers: number): number[] =>
  Array.from({ length: Math.max(0, Math.min(covers, 50)) }, (_, i) => i + 1);
