import * as z from 'zod';
import { ENTITY_KINDS, type EntityKind, isUlid } from '#protocol';

/*
 * A feed page's ENVELOPE, checked without zod: everything the hydrator needs to order and fold
 * an entry (seq, entity kind, id, op, version, at, opId) and the page's cursor and hasMore. The
 * entity inside an upsert (`data`) is only required to be an object whose `id` is the entry's:
 * its full schema is checked later, once per entity that survives coalescing
 * (`Coalescer.batch()`), not once per entry — a catch-up of 100k entries over 5k entities
 * validates 5k entities.
 *
 * The rules are protocol's `FeedEntry`/`FeedPage` (protocol/feed/feed-entry.ts), restated;
 * tests/browser/feed-check.test.ts holds them side by side on good and bad input. A page with
 * one malformed envelope is refused whole, as zod's `FeedPage` refused it.
 */

/** A feed entry whose envelope is checked; `data` (upserts) is unchecked until it survives. */
export type CheckedEntry =
  | {
      readonly seq: number;
      readonly entity: EntityKind;
      readonly id: string;
      readonly op: 'upsert';
      readonly version: number;
      readonly at: string;
      readonly opId?: string;
      readonly data: { readonly id: string };
    }
  | {
      readonly seq: number;
      readonly entity: EntityKind;
      readonly id: string;
      readonly op: 'tombstone';
      readonly version: number;
      readonly at: string;
      readonly opId?: string;
    };

export interface CheckedFeedPage {
  readonly entries: readonly CheckedEntry[];
  readonly cursor: string;
  readonly hasMore: boolean;
}

export type PageCheck =
  | { readonly ok: true; readonly page: CheckedFeedPage }
  | { readonly ok: false; readonly detail: string };

const KINDS: ReadonlySet<string> = new Set(ENTITY_KINDS);
// protocol/ids/entity-id.ts's EntityId and Timestamp (zod's own ISO datetime, offset allowed).
const ENTITY_ID = /^[A-Za-z0-9][A-Za-z0-9._~:-]*$/;
const TIMESTAMP = z.regexes.datetime({ offset: true });

const isInt = (value: unknown, min: number): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= min;

/** Why `value` is not a well-formed feed entry envelope, or undefined when it is one. */
export function entryProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not an object';
  const entry = value as Record<string, unknown>;
  if (!isInt(entry.seq, 1)) return 'seq: not an integer ≥ 1';
  if (typeof entry.entity !== 'string' || !KINDS.has(entry.entity)) return 'entity: unknown kind';
  const { id } = entry;
  if (typeof id !== 'string' || id.length > 80 || !ENTITY_ID.test(id)) return 'id: not an id';
  if (!isInt(entry.version, 1)) return 'version: not an integer ≥ 1';
  if (typeof entry.at !== 'string' || !TIMESTAMP.test(entry.at)) return 'at: not a timestamp';
  if (entry.opId !== undefined && !isUlid(entry.opId)) return 'opId: not a ULID';
  if (entry.op === 'tombstone') return undefined;
  if (entry.op !== 'upsert') return 'op: neither upsert nor tombstone';
  const { data } = entry;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return 'data: missing';
  if ((data as { id?: unknown }).id !== id) return 'data.id must equal id';
  return undefined;
}

/**
 * Checks a `/feed` answer's envelope. The entries come back as they are (no copy): an upsert's
 * extra keys are dropped when its data is parsed, a tombstone's `data`, if any, is never read.
 */
export function checkFeedPage(value: unknown): PageCheck {
  if (typeof value !== 'object' || value === null) return { ok: false, detail: 'not an object' };
  const { entries, cursor, hasMore } = value as Record<string, unknown>;
  if (!Array.isArray(entries)) return { ok: false, detail: 'entries: not an array' };
  if (typeof cursor !== 'string') return { ok: false, detail: 'cursor: not a string' };
  if (typeof hasMore !== 'boolean') return { ok: false, detail: 'hasMore: not a boolean' };
  for (let i = 0; i < entries.length; i++) {
    const problem = entryProblem(entries[i]);
    if (problem !== undefined) return { ok: false, detail: `entries[${i}].${problem}` };
  }
  return { ok: true, page: { entries: entries as CheckedEntry[], cursor, hasMore } };
}
