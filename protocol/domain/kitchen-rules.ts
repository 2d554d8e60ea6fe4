import type { Ticket, TicketLine } from '../entities/ticket.ts';

/** How long after its bump a ticket may be recalled to the pass (`ticket.recall`). */
export const RECALL_WINDOW_MS = 15 * 60_000;
/** How long the display offers undo after a bump. */
export const UNDO_WINDOW_MS = 5_000;
/** How many bumped tickets the display's "recently bumped" list keeps (within the window). */
export const RECENTLY_BUMPED_LIMIT = 50;

/** A line's or ticket's course; absent (made before courses existed) is course 1. */
export function courseOf(value: { readonly course?: number | undefined }): number {
  return value.course ?? 1;
}

/** Lines still to cook: not voided. */
export function standingLines(ticket: Pick<Ticket, 'lines'>): TicketLine[] {
  return ticket.lines.filter((line) => !line.voidedAt);
}

/** True when every standing line is marked done (a ticket with none standing is not). */
export function allLinesReady(ticket: Pick<Ticket, 'lines'>): boolean {
  const standing = standingLines(ticket);
  return standing.length > 0 && standing.every((line) => Boolean(line.readyAt));
}

/**
 * Words that make a note an allergy note, shown with a warning shape and the word ALLERGY,
 * never by colour alone. Matched on word starts, case-insensitively.
 */
const ALLERGY_WORDS =
  /\b(allerg|anaphyla|coeliac|celiac|gluten|nut|peanut|tree nut|sesame|shellfish|crustacean|mollus|lactose|dairy|egg|soy|fish|mustard|celery|lupin|sulphite|sulfite)/i;

export function isAllergyNote(note: string | undefined): boolean {
  return note !== undefined && ALLERGY_WORDS.test(note);
}

/**
 * The number a kitchen calls a ticket by: three digits from the order id, the same on every
 * station's ticket for that order and on every device, with no counter to agree on offline.
 * Two open orders may share one (1 in 1,000 per pair); the table and time tell them apart.
 */
export function ticketNumber(orderId: string): string {
  // FNV-1a, 32-bit.
  let hash = 0x811c9dc5;
  for (let i = 0; i < orderId.length; i++) {
    hash ^= orderId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return String(hash % 1000).padStart(3, '0');
}

/**
 * True while a ticket belongs on a station's screen: not bumped, and not a void the kitchen has
 * already acknowledged.
 */
export function onThePass(ticket: Ticket): boolean {
  if (ticket.status === 'bumped') return false;
  return !(ticket.voidedAt && !ticket.attention);
}
