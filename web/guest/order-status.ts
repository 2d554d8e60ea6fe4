import type { Order, OrderLine, Ticket, TicketLine } from '#protocol';
import type { OpStatus } from '../app/outbox-reader.ts';
import { OP_STATUS_LABEL } from '../app/sync-labels.ts';
import type { GuestData } from './guest-data.ts';
import type { MoneyFormat } from './money-format.ts';

/*
 * Where each dish of the table's tab stands, pure, from the order and its tickets:
 *
 *   not sent, approval on ─▶ Waiting for staff to confirm
 *   not sent / sent, no ticket yet, or its course held ─▶ Received
 *   ticket queued or in progress ─▶ In the kitchen
 *   ticket ready, or the line marked ready ─▶ Ready
 *   ticket bumped (handed out) ─▶ Served
 *   line or order voided by staff ─▶ Removed by staff
 *
 * Lines from every phone at the table show: they share one tab.
 */

export type LineStage =
  | 'awaiting_approval'
  | 'received'
  | 'in_kitchen'
  | 'ready'
  | 'served'
  | 'removed';

export const STAGE_WORDS: Readonly<Record<LineStage, string>> = {
  awaiting_approval: 'Waiting for staff to confirm',
  received: 'Received',
  in_kitchen: 'In the kitchen',
  ready: 'Ready',
  served: 'Served',
  removed: 'Removed by staff',
};

/** The line's latest ticket share (a line is on one ticket per send). */
interface Cooked {
  readonly ticket: Ticket;
  readonly line: TicketLine;
}

function cookedByLine(tickets: readonly Ticket[], orderId: string): Map<string, Cooked> {
  const byLine = new Map<string, Cooked>();
  const ordered = tickets
    .filter((t) => t.orderId === orderId)
    .sort((a, b) => a.firedAt.localeCompare(b.firedAt));
  for (const ticket of ordered)
    for (const line of ticket.lines) byLine.set(line.lineId, { ticket, line });
  return byLine;
}

export function lineStageOf(
  line: OrderLine,
  cooked: Cooked | undefined,
  approval: boolean,
): LineStage {
  if (line.voidedAt || cooked?.line.voidedAt || cooked?.ticket.voidedAt) return 'removed';
  if (line.sentAt === null) return approval ? 'awaiting_approval' : 'received';
  if (!cooked) return 'received';
  const { ticket } = cooked;
  if (ticket.status === 'bumped') return 'served';
  if (ticket.status === 'ready' || cooked.line.readyAt) return 'ready';
  if (ticket.status === 'held') return 'received';
  return 'in_kitchen';
}

export interface StatusLine {
  readonly lineId: string;
  readonly name: string;
  readonly quantity: number;
  /** Modifiers and note, in words. */
  readonly details: string;
  readonly stage: LineStage;
  readonly words: string;
}

export interface OrderStatusView {
  readonly orderId: string;
  readonly lines: readonly StatusLine[];
  /** The order's total as the protocol keeps it, formatted; '' without the currency. */
  readonly total: string;
}

export const detailsOf = (modifiers: readonly string[], note: string | undefined): string =>
  [...modifiers, ...(note ? [`“${note}”`] : [])].join(', ');

/** The table's open orders as the guest follows them, each line with its stage. */
export function tableStatusOf(
  orders: readonly Order[],
  tickets: readonly Ticket[],
  options: {
    readonly approval: boolean;
    readonly money?: MoneyFormat | undefined;
  },
): OrderStatusView[] {
  return orders
    .filter((o) => o.lines.length > 0)
    .map((order) => {
      const cooked = cookedByLine(tickets, order.id);
      return {
        orderId: order.id,
        total: options.money ? options.money.price(order.totals.total) : '',
        lines: order.lines.map((line) => {
          const stage = lineStageOf(line, cooked.get(line.id), options.approval);
          return {
            lineId: line.id,
            name: line.name,
            quantity: line.quantity,
            details: detailsOf(
              line.modifiers.map((m) => m.name),
              line.note,
            ),
            stage,
            words: STAGE_WORDS[stage],
          };
        }),
      };
    });
}

/** Every line id the table's tab holds. */
export const orderedLineIds = (data: Pick<GuestData, 'orders'>): Set<string> =>
  new Set(data.orders.flatMap((o) => o.lines.map((l) => l.id)));

/** Where an order placed on this phone stands before the tab shows it. */
export type PlacedPhase = 'sending' | 'not_sent' | 'sent' | 'retrying' | 'unknown';

/** The op's state as this phone knows it: from the send's answer, then from the outbox. */
export type PlacedState =
  | { readonly status: 'sending' | OpStatus; readonly final?: boolean; readonly waiting?: boolean }
  | undefined;

const capital = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

/** "Not sent yet — will send when you're back online", in sync-labels' words. */
export const NOT_SENT_WORDS = `${capital(OP_STATUS_LABEL.pending)} — will send when you’re back online`;

/** What the placed order says, and whether the guest can do something about it. */
export function placedPhaseOf(
  state: PlacedState,
  offline: boolean,
): { readonly phase: PlacedPhase; readonly words: string } {
  if (!state) {
    return {
      phase: 'unknown',
      words:
        'We can’t tell whether this order reached the restaurant — put it back in your basket to send it again, or ask a member of staff',
    };
  }
  switch (state.status) {
    case 'sending':
      return { phase: 'sending', words: 'Sending…' };
    case 'pending':
      return offline || state.waiting
        ? { phase: 'not_sent', words: NOT_SENT_WORDS }
        : { phase: 'sending', words: 'Sending…' };
    case 'delivered_local':
    case 'synced':
      return { phase: 'sent', words: 'Sent — the restaurant has your order' };
    case 'failed':
      return offline
        ? { phase: 'retrying', words: 'Not sent — will try again when you’re back online' }
        : { phase: 'retrying', words: 'Not sent — the connection dropped. Try again' };
  }
}

/** Each line's stage, to compare the next reading with. */
export const stagesOf = (orders: readonly OrderStatusView[]): Map<string, LineStage> =>
  new Map(orders.flatMap((o) => o.lines.map((l) => [l.lineId, l.stage] as const)));

/**
 * What changed since the last reading, to announce: "2 × Bistro burger: Ready". Lines new to
 * the tab are not news here (this phone announces its own order as it sends it).
 */
export function stageNews(
  before: ReadonlyMap<string, LineStage> | undefined,
  orders: readonly OrderStatusView[],
): string[] {
  if (!before) return [];
  return orders.flatMap((o) =>
    o.lines.flatMap((l) => {
      const was = before.get(l.lineId);
      return was !== undefined && was !== l.stage ? [`${l.quantity} × ${l.name}: ${l.words}`] : [];
    }),
  );
}
